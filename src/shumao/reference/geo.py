"""China's administrative divisions (GB/T 2260) and the NBS four regions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, cast

from shumao.errors import UnknownCode
from shumao.reference._data import AmbiguousName, norm, rows, split

CODELIST = "GB/T 2260"
Level = Literal["province", "city", "county"]
_LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Area:
    code: str
    name_zh: str
    short_zh: str
    name_en: str
    level: Level
    parent: str | None
    region: str | None


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    name_en: str
    provinces: tuple[str, ...]


@lru_cache(maxsize=1)
def _areas() -> dict[str, Area]:
    return {r["code"]: _area(r) for r in rows("geo_areas.csv")}


def _area(r: dict[str, str]) -> Area:
    level = cast(Level, r["level"])
    if level not in _LEVELS:
        raise ValueError(f"geo_areas.csv: bad level {level!r} for {r['code']}")
    return Area(
        r["code"],
        r["name_zh"],
        r["short_zh"],
        r["name_en"],
        level,
        r["parent"] or None,
        r["region"] or None,
    )


@lru_cache(maxsize=1)
def _name_tiers() -> tuple[dict[str, list[str]], ...]:
    """Name → codes, in priority order: full names and aliases (a province's English name
    too), then by level the short names and the English names of cities and counties (吉林市
    Jilin yields to the province Jilin; 苏州 and 宿州, both Suzhou, are ambiguous)."""
    tiers: tuple[dict[str, list[str]], ...] = ({}, {}, {}, {})
    for r in rows("geo_areas.csv"):
        province = r["level"] == "province"
        full = [r["name_zh"], r["iso3166_2"], *split(r["aliases"])]
        for name in [*full, r["name_en"]] if province else full:
            _add(tiers[0], name, r["code"])
        tier = tiers[1 + _LEVELS.index(r["level"])]
        _add(tier, r["short_zh"], r["code"])
        if not province:
            _add(tier, r["name_en"], r["code"])
    return tiers


def _add(index: dict[str, list[str]], name: str, code: str) -> None:
    if name and code not in index.setdefault(norm(name), []):
        index[norm(name)].append(code)


def _code_form(text: str) -> str | None:
    """A 6-digit code for numeric input: 2, 4, 6, 9 or 12 digits, or ``CN-11``."""
    s = text.strip().upper().removeprefix("CN-")
    if not s.isdigit():
        return None
    if len(s) in (2, 4):
        return s.ljust(6, "0")
    if len(s) == 6:
        return s
    if len(s) in (9, 12) and set(s[6:]) == {"0"}:
        return s[:6]
    return None


def lookup(value: str | int) -> Area:
    """The area for a code (2/4/6/9/12 digits, ISO 3166-2) or a Chinese/English name. A name
    of several places (Suzhou: 苏州 and 宿州) raises ``AmbiguousName`` naming them; the area it
    lies in, in brackets or after a comma, picks one ("Suzhou (Jiangsu)", "朝阳区（北京）",
    "Suzhou, Jiangsu")."""
    text = str(value).strip()
    code = _code_form(text) if re.fullmatch(r"(CN-)?\d+", text, re.I) else None
    if code is not None:
        if code in _areas():
            return _areas()[code]
        raise UnknownCode(CODELIST, value)
    for tier in _name_tiers():
        codes = tier.get(norm(text), [])
        if len(codes) == 1:
            return _areas()[codes[0]]
        if codes:
            raise _ambiguous(value, codes)
    return _within(value, text)


def _within(value: str | int, text: str) -> Area:
    """The area of a name followed by where it lies: "Suzhou, Jiangsu", "苏州（江苏）"."""
    key = norm(text)
    bracket = re.fullmatch(r"(.+)\((.+)\)", key)
    name, where = bracket.groups() if bracket else key.rpartition(",")[::2]
    codes = [c for tier in _name_tiers() for c in tier.get(name, [])] if name else []
    try:
        outer = lookup(where).code if codes else ""
    except UnknownCode:
        outer = ""
    found = [c for c in dict.fromkeys(codes) if outer in {a.code for a in ancestors(c)}]
    if len(found) == 1:
        return _areas()[found[0]]
    if found:
        raise _ambiguous(value, found)
    raise UnknownCode(CODELIST, value)


def _ambiguous(value: str | int, codes: list[str]) -> AmbiguousName:
    return AmbiguousName(
        CODELIST,
        value,
        [_describe(c) for c in codes],
        [_describe_en(c) for c in codes],
        example=_example(str(value), codes[0]),
    )


def _example(value: str, code: str) -> str:
    """How to name ``code`` alone, in the script the name was written in."""
    area, province = _areas()[code], province_of(code)
    if value.isascii():
        return f"{area.name_en} ({province.name_en})"  # a comma would split a filter
    return f"{area.name_zh}（{province.short_zh}）"


def _describe(code: str) -> str:
    path = [a.name_zh for a in reversed(ancestors(code))]
    return f"{code} {''.join(path)}{_areas()[code].name_zh}"


def _describe_en(code: str) -> str:
    """``320500 Suzhou, Jiangsu``; ``220104 Chaoyang District, Changchun, Jilin``."""
    path = [_areas()[code], *ancestors(code)]
    return f"{code} {', '.join(a.name_en or a.name_zh for a in path)}"


def provinces() -> list[Area]:
    """The 34 provincial-level divisions, by code."""
    return sorted((a for a in _areas().values() if a.level == "province"), key=lambda a: a.code)


def children(code: str | int) -> list[Area]:
    parent = lookup(code).code
    return sorted((a for a in _areas().values() if a.parent == parent), key=lambda a: a.code)


def ancestors(code: str | int) -> list[Area]:
    """Parents from the nearest up: county → city → province (the area itself excluded)."""
    area = lookup(code)
    chain: list[Area] = []
    while area.parent is not None:
        area = _areas()[area.parent]
        chain.append(area)
    return chain


def province_of(code: str | int) -> Area:
    area = lookup(code)
    return _areas()[area.code[:2] + "0000"]


@lru_cache(maxsize=1)
def _regions() -> dict[str, Region]:
    members = {
        r["code"]: [p.code for p in provinces() if p.region == r["code"]]
        for r in rows("regions.csv")
    }
    ordered = sorted(rows("regions.csv"), key=lambda r: int(r["order"]))
    return {
        r["code"]: Region(r["code"], r["name_zh"], r["name_en"], tuple(members[r["code"]]))
        for r in ordered
    }


def regions() -> list[Region]:
    """东部、中部、西部、东北 (NBS); 台湾、香港、澳门 belong to none."""
    return list(_regions().values())


def region_of(code: str | int) -> Region | None:
    region = lookup(code).region
    return _regions()[region] if region else None


def lookup_region(value: str) -> Region:
    """A region by code (``EAST``), Chinese name (东部地区, 东部) or English name (Eastern)."""
    key = norm(value)
    for r in rows("regions.csv"):
        if key in {norm(r[f]) for f in ("code", "name_zh", "short_zh", "name_en")}:
            return _regions()[r["code"]]
    raise UnknownCode("NBS regions", value)
