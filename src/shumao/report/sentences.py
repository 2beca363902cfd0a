"""生成的叙述 / sentences built from the data with Chinese statistical conventions.

A sentence is a Jinja template in the report template (never prose in Python), rendered in a
sandbox with the build's data sources as variables and these filters:

    amount       3727.1亿美元 · 4759亿元            (en: US$372.7 billion)
    trillion     4.1万亿美元                        (en: US$4.1 trillion)
    yoy          同比增长3.4% / 同比下降1.6%          (en: up 3.4% year on year)
    rise         增长151.9% / 下降9.1%               (en: an increase of 151.9%)
    pp           提高7.1个百分点 / 下降0.3个百分点     (en: up 7.1 percentage points)
    pct          91.1%
    rank         居全球第5位                         (en: 5th in the world)
    n            a bare number
    names        上海、广东、北京、江苏和浙江
    each         985.8亿美元、820.5亿美元和726.6亿美元 (a filter applied to a field of rows)

and functions ``share(a, b)``, ``growth(now, before)``, ``diff(a, b)``, ``cagr(rows, first,
last)``, ``top(rows, n, field, region=None)``, ``note(id)``. Every number is written as a
marked run (``\\ue000key\\ue001text\\ue002``) so that each output format can link it to its
lineage. A sentence whose number is missing raises ``Missing`` and is left out by the builder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing
from markupsafe import Markup

from shumao.reference import geo
from shumao.reference.names import area_names
from shumao.report import figures as fx
from shumao.report.data import Row, Rows
from shumao.report.figures import Figure

OPEN, MID, CLOSE, NOTE = "\ue000", "\ue001", "\ue002", "\ue003"
RUN = re.compile(f"{OPEN}([^{MID}]+){MID}([^{CLOSE}]*){CLOSE}|{NOTE}([^{NOTE}]+){NOTE}")


class Missing(Exception):
    """A number a sentence needs is not in the data."""


class _Absent(StrictUndefined):
    """A name, row or field a sentence asks for that the data do not hold. Rendering it fails
    (``StrictUndefined``), and the reason says in words what is missing — the report lists it
    beside the left-out sentence — instead of "'Rows object' has no attribute 'BRI'"."""

    @property
    def _undefined_message(self) -> str:
        return self._undefined_hint or absent(self._undefined_obj, self._undefined_name)


def absent(obj: Any, name: Any) -> str:
    """Why a sentence is left out when ``name`` is not in ``obj`` (a data source's rows, a
    row, or the build's data when ``obj`` is jinja's ``missing``), in Chinese and English."""
    if obj is missing:
        return (
            f"没有名为 {name} 的数据（模板未定义此数据源）/ no data named {name} (the "
            "template defines no such data source)"
        )
    if isinstance(obj, Rows):
        zh, en = area_names(str(name)) or (str(name), str(name))
        code_zh, code_en = (f"（{name}）", f" ({name})") if zh != str(name) else ("", "")
        src_zh, src_en = _source(obj)
        return f"{src_zh}中没有{zh}{code_zh}这一行 / {src_en} have no row for {en}{code_en}"
    if isinstance(obj, Row):
        return (
            f"{obj.name}（{obj.period}）没有 {name} 的数值 / {obj.name} ({obj.period}) has "
            f"no value for {name}"
        )
    return f"数据中没有 {name} / the data have no {name}"


@dataclass
class Scope:
    """What one sentence used: its figures (by marker key) and footnotes, in order."""

    lang: str = "zh"
    figures: dict[str, Figure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def mark(self, fig: Figure, text: str) -> str:
        key = f"k{len(self.figures)}"
        self.figures[key] = fig
        return f"{OPEN}{key}{MID}{text}{CLOSE}"


def _figure(value: Any) -> Figure:
    if isinstance(value, Undefined):  # a row or field the data do not hold: say which
        raise Missing(value._undefined_message)
    if not isinstance(value, Figure):
        raise Missing(f"不是数字：{value!r} / not a figure")
    if value.missing:
        raise Missing(f"缺少数值：{value.label} / missing value: {value.label}")
    return value


def fmt(value: float, digits: int) -> str:
    """The report's way: no thousands separator, fixed decimals, no "-0.0"."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


class Filters:
    """The filters of one sentence; numbers are marked in ``scope``."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.en = scope.lang == "en"

    def _n(self, fig: Figure, digits: int, scale: float = 1.0, absolute: bool = False) -> str:
        f = _figure(fig)
        value = f.value / scale  # type: ignore[operator]
        return self.scope.mark(f, fmt(abs(value) if absolute else value, digits))

    def amount(self, fig: Any, digits: int = 1, absolute: bool = False) -> str:
        f = _figure(fig)
        if self.en:
            number = self._n(f, digits, 10.0, absolute)
            return f"US${number} billion" if f.unit == "亿美元" else f"CNY {number} billion"
        return f"{self._n(f, digits, absolute=absolute)}{f.unit}"

    def trillion(self, fig: Any, digits: int = 1) -> str:
        f = _figure(fig)
        if self.en:
            return f"US${self._n(f, digits, 10_000.0)} trillion"
        return f"{self._n(f, digits, 10_000.0)}万{f.unit}"

    def _signed(self, fig: Any, digits: int, up: str, down: str, flat: str, suffix: str) -> str:
        f = _figure(fig)
        if fmt(f.value, digits).lstrip("-") == fmt(0.0, digits):  # type: ignore[arg-type]
            return flat
        word = up if f.value > 0 else down  # type: ignore[operator]
        return f"{word}{self._n(f, digits, absolute=True)}{suffix}"

    def yoy(self, fig: Any, digits: int = 1) -> str:
        if self.en:
            return self._signed(fig, digits, "up ", "down ", "flat year on year", "% year on year")
        return self._signed(fig, digits, "同比增长", "同比下降", "与上年持平", "%")

    def rise(self, fig: Any, digits: int = 1) -> str:
        f = _figure(fig)
        if self.en:
            if f.unit != "%":
                word = "an increase of " if (f.value or 0.0) >= 0 else "a decrease of "
                return word + self.amount(f, digits, absolute=True)
            return self._signed(f, digits, "an increase of ", "a decrease of ", "no change", "%")
        unit = "%" if f.unit == "%" else f.unit
        return self._signed(f, digits, "增长", "下降", "持平", unit)

    def pp(self, fig: Any, digits: int = 1) -> str:
        if self.en:
            return self._signed(fig, digits, "up ", "down ", "unchanged", " percentage points")
        return self._signed(fig, digits, "提高", "下降", "持平", "个百分点")

    def pct(self, fig: Any, digits: int = 1) -> str:
        return f"{self._n(fig, digits)}%"

    def n(self, fig: Any, digits: int = 1) -> str:
        return self._n(fig, digits)

    def rank(self, fig: Any, among: str = "全球") -> str:
        f = _figure(fig)
        if self.en:
            return f"ranking No. {self._n(f, 0)} {among}"
        return f"居{among}第{self._n(f, 0)}位"

    def names(self, rows: Iterable[Row], full: bool = False) -> str:
        return join([full_name(r, self.scope.lang) if full else r.name for r in rows], self.en)

    def each(self, rows: Iterable[Row], name: str, how: str = "amount", *args: Any) -> str:
        filt: Callable[..., str] = getattr(self, how)
        items = list(rows)
        if not items:
            raise Missing(f"没有数据行 / no rows for {name}")
        return join([filt(r.get(name), *args) for r in items], self.en)


def full_name(row: Row, lang: str) -> str:
    """上海市 rather than 上海 (provinces); other names as they are."""
    if lang != "en" and row.code.isdigit() and len(row.code) == 6:
        return geo.lookup(row.code).name_zh
    return row.name


def join(items: Sequence[str], en: bool = False) -> str:
    """甲、乙和丙 (en: A, B and C)."""
    if len(items) <= 1:
        return "".join(items)
    sep, last = (", ", " and ") if en else ("、", "和")
    return sep.join(items[:-1]) + last + items[-1]


def _top(rows: Rows, n: int, by: str, region: str | None = None) -> list[Row]:
    """The ``n`` largest rows by ``by``; provinces only (not 合计 or 全国) when rows hold any."""
    provinces = [p.code for p in geo.provinces()]
    codes = (
        list(geo.lookup_region(region).provinces)
        if region
        else (provinces if any(r.code in provinces for r in rows) else None)
    )
    found = rows.top(n, by, codes)
    if not found:
        zh, en = _measure(rows, by)
        src_zh, src_en = _source(rows)
        raise Missing(f"{src_zh}中没有可排序的{zh} / {src_en} have no {en} to rank")
    return found


def _source(rows: Rows) -> tuple[str, str]:
    """海关总署的数据 / the General Administration of Customs data (customs_cbec_partners)."""
    if not rows.source_zh:
        return f"数据 {rows.name} ", f"the data {rows.name}"
    return f"{rows.source_zh}的数据", f"the {rows.source_en} data ({rows.name})"


FLOWS = {
    "T": ("进出口", "trade"),
    "X": ("出口", "export"),
    "M": ("进口", "import"),
    "B": ("差额", "balance"),
}
MEASURES = {
    "share": ("占比", "shares"),
    "share_world": ("占全球比重", "world shares"),
    "growth": ("增速", "growth rates"),
    "rank": ("位次", "ranks"),
}


def _measure(rows: Rows, name: str) -> tuple[str, str]:
    """What a field of ``rows`` measures in words: 出口占比 / exports shares (else its name)."""
    f = rows.fields.get(name)
    if f is None or f.flow not in FLOWS:
        return name, name
    flow, kind = FLOWS[f.flow], MEASURES.get(f.kind, ("金额", "values"))
    return flow[0] + kind[0], f"{flow[1]} {kind[1]}"


def _cagr(rows: Rows, first: str, last: str, name: str = "v") -> Figure:
    a, b = rows.at(first), rows.at(last)
    if a is None or b is None or a.get(name) is None or b.get(name) is None:
        raise Missing(f"{first}—{last} 缺少数据 / no data for {first}–{last}")
    return fx.cagr(b.figures[name], a.figures[name], int(last) - int(first))


class Renderer:
    """Compiles and renders the sentence templates of one report template."""

    def __init__(self, data: dict[str, Rows], *, year: int, lang: str) -> None:
        self.env = SandboxedEnvironment(
            undefined=_Absent, autoescape=False, keep_trailing_newline=False
        )
        self.data = data
        self.year = year
        self.lang = lang

    def check(self, source: str) -> str | None:
        """The syntax error of a sentence template, or None."""
        try:
            self.env.parse(source)
        except TemplateSyntaxError as exc:
            return f"第{exc.lineno}行 line {exc.lineno}: {exc.message}"
        return None

    def render(self, source: str) -> tuple[str, Scope]:
        """The sentence with marked numbers, and what it used; ``Missing`` when a number is
        absent (an undefined name, a missing row or field, a missing value)."""
        scope = Scope(self.lang)
        filters = Filters(scope)
        env = self.env.overlay()
        env.filters.update(
            {
                name: getattr(filters, name)
                for name in (
                    "amount",
                    "trillion",
                    "yoy",
                    "rise",
                    "pp",
                    "pct",
                    "n",
                    "rank",
                    "names",
                    "each",
                )
            }
        )

        def note(key: str) -> str:
            scope.notes.append(key)
            return f"{NOTE}{key}{NOTE}"

        env.globals.update(
            share=fx.share, growth=fx.growth, diff=fx.difference, cagr=_cagr, top=_top, note=note
        )
        try:
            text = env.from_string(source).render(year=self.year, **self.data)
        except (UndefinedError, Missing) as exc:
            raise Missing(str(exc)) from None
        except ZeroDivisionError:
            raise Missing(
                "分母为零，无法计算比重或增速 / a denominator is zero: no share or growth rate"
            ) from None
        except (TypeError, ValueError, LookupError, AttributeError) as exc:
            raise Missing(
                f"数据不全，无法生成此句（{exc}）/ the data are incomplete for this "
                f"sentence ({exc})"
            ) from None
        return str(Markup(text)), scope
