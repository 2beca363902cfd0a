"""Units of measure and multipliers (万美元, USD millions, 亿元, %, 万户 …) and conversion."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from shumao.errors import ShumaoError, UnknownCode
from shumao.reference import fx
from shumao.reference._data import flag, norm, rows, split

CODELIST = "units"
_BRACKETS = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]+)[)\]】〕]")
_LABEL = re.compile(r"^\s*(单位|计量单位|units?)\s*[:：]\s*", re.I)


@dataclass(frozen=True)
class Unit:
    code: str  # USD, CNY, PCT, NUMBER, PERSONS, HH, GB, PER_100_ENT, PER_100_PERSONS, INDEX
    mult: int  # power of ten: 亿美元 is USD with mult 8
    name_zh: str
    name_en: str


@lru_cache(maxsize=1)
def _units() -> dict[str, Unit]:
    return {
        r["name_zh"]: Unit(r["code"], int(r["mult"]), r["name_zh"], r["name_en"])
        for r in rows("units.csv")
    }


@lru_cache(maxsize=1)
def _money_codes() -> frozenset[str]:
    return frozenset(r["code"] for r in rows("units.csv") if r["kind"] == "money")


def _names(r: dict[str, str]) -> list[str]:
    return [r["name_zh"], r["name_en"], *split(r["aliases"])]


def _key(text: str) -> str:
    return norm(text.replace("_", " "))


@lru_cache(maxsize=1)
def _index() -> dict[str, Unit]:
    index: dict[str, Unit] = {}
    for r in rows("units.csv"):
        for name in _names(r):
            if index.setdefault(_key(name), _units()[r["name_zh"]]).name_zh != r["name_zh"]:
                raise ValueError(f"units.csv: {name!r} is claimed twice")
    return index


def _spaced(text: str) -> str:
    """Case-folded text with single spaces, for searching inside a header."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return " ".join(t.split())


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], Unit], ...]:
    """Searchable aliases, longest first; Latin ones must stand as whole words."""
    found: list[tuple[str, Unit]] = []
    for r in rows("units.csv"):
        if flag(r["in_text"]):
            found += [(_spaced(n), _units()[r["name_zh"]]) for n in _names(r)]
    found.sort(key=lambda p: -len(p[0]))
    return tuple((re.compile(rf"(?<![a-z0-9]){re.escape(a)}(?![a-z0-9])"), u) for a, u in found)


def all_units() -> list[Unit]:
    return list(_units().values())


def is_money(unit: Unit) -> bool:
    return unit.code in _money_codes()


def _try_parse(text: str) -> Unit | None:
    s = unicodedata.normalize("NFKC", text).strip()
    s = _LABEL.sub("", s).strip().strip("()[]【】〔〕").strip()
    return _index().get(_key(s))


def parse(text: str) -> Unit:
    """A unit from its name: "亿美元", "（万美元）", "单位：亿元", "USD millions", "%"."""
    found = _try_parse(text)
    if found is None:
        raise UnknownCode(CODELIST, text)
    return found


def find_in_header(header: str) -> Unit | None:
    """The unit named in a column header ("出口额（万美元）", "Exports, USD mn"), or None."""
    text = unicodedata.normalize("NFKC", header)
    parts = [m.group(1) for m in _BRACKETS.finditer(text)][::-1]
    parts += [m.group(0) for m in re.finditer(r"(?:单位|units?)\s*[:：].*$", text, re.I)]
    for part in parts:
        if (found := _try_parse(part)) is not None:
            return found
    spaced = _spaced(text)
    return next((u for p, u in _patterns() if p.search(spaced)), None)


_UNIT_WORDS = re.compile(
    r"元|镑|卢比|卢布|法郎|dollar|euro|yen|pound|eur|gbp|jpy|万|亿|千|百", re.I
)


def unreadable_in_header(header: str) -> Unit | None:
    """A bracketed unit a header writes but no unit of ours reads ("出口（万欧元）"): kept as an
    ``UNKNOWN`` unit so that it is refused (no conversion exists), never read as the default."""
    text = unicodedata.normalize("NFKC", header)
    for m in _BRACKETS.finditer(text):
        if _UNIT_WORDS.search(m.group(1)):
            written = m.group(1).strip()
            return Unit(code="UNKNOWN", mult=0, name_zh=written, name_en=written)
    return None


def _as_unit(value: Unit | str) -> Unit:
    return value if isinstance(value, Unit) else parse(value)


def _scale(value: float, power: int) -> float:
    """value × 10**power, dividing for negative powers so that 123 万美元 is 0.0123 亿美元."""
    return value * 10**power if power >= 0 else value / 10**-power


def _exchange(a: Unit, b: Unit, year: int | None) -> float:
    if a.code == b.code:
        return 1.0
    if not (is_money(a) and is_money(b)):
        raise ShumaoError(
            f"单位不可换算：{a.name_zh} → {b.name_zh}"
            f" / units do not convert: {a.name_en} → {b.name_en}"
        )
    if year is None:
        raise ShumaoError(
            f"币种换算需要年份：{a.name_zh} → {b.name_zh} / a currency conversion needs a year:"
            f" {a.code} → {b.code}"
        )
    return fx.rate(year, a.code, b.code)


def factor(frm: Unit | str, to: Unit | str, year: int | None = None) -> float:
    """Multiply a value in ``frm`` by this to express it in ``to``."""
    a, b = _as_unit(frm), _as_unit(to)
    return _scale(_exchange(a, b, year), a.mult - b.mult)


def convert(value: float, frm: Unit | str, to: Unit | str, *, year: int | None = None) -> float:
    """``value`` in ``frm`` expressed in ``to`` (scaled; exchanged at ``year``'s rate if needed)."""
    a, b = _as_unit(frm), _as_unit(to)
    return _scale(value * _exchange(a, b, year), a.mult - b.mult)


def unit_text(unit: str | None, mult: int | None, lang: str) -> str:
    """亿美元, 万元, % … (the unit's name in the code list; its code when it has none)."""
    if not unit or unit == "_Z":
        return ""
    if unit == "PCT":
        return "%"
    for u in all_units():
        if u.code == unit and u.mult == (mult or 0):
            return u.name_zh if lang == "zh" else u.name_en
    return unit
