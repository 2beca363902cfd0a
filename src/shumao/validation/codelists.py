"""Membership tests for the codelists named in dataflow definitions (see dataflows.yaml)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference import cbec_modes, countries, ebops, geo, parks
from shumao.reference._data import AmbiguousName
from shumao.reference.names import resolver
from shumao.validation import uscc
from shumao.validation.findings import Finding, finding

PERIOD_RE = re.compile(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")
FLOWS = {"X", "M", "T", "B"}
FREQS = {"A", "Q", "M"}


def _country(code: str) -> bool:
    try:
        return countries.lookup(code).iso3 == code
    except UnknownCode:
        return False


def _geo_cn(code: str) -> bool:
    if not re.fullmatch(r"\d{6}", code):
        return False
    try:
        return geo.lookup(code).code == code
    except UnknownCode:
        return False


def _park(code: str) -> bool:
    try:
        return parks.lookup(code).code == code
    except UnknownCode:
        return False


def _region(code: str) -> bool:
    return code in {r.code for r in geo.regions()}


def _area(code: str) -> bool:
    return _country(code) or _geo_cn(code) or _park(code) or _region(code)


def _ebops(code: str) -> bool:
    try:
        return ebops.item(code).code == code
    except UnknownCode:
        return False


def _cbec_mode(code: str) -> bool:
    return cbec_modes.is_code(code)


CHECKS: dict[str, Callable[[str], bool]] = {
    "country": _country,
    "geo_cn": _geo_cn,
    "area": _area,
    "ebops": _ebops,
    "flow": FLOWS.__contains__,
    "freq": FREQS.__contains__,
    "uscc": uscc.is_valid,
    "cbec_mode": _cbec_mode,
    "code": lambda c: 0 < len(c) <= 64,
}

NAMES = {
    "country": "ISO 3166-1",
    "geo_cn": "GB/T 2260",
    "area": "地区/area (ISO 3166, GB/T 2260, 基地 park, 地区 region)",
    "ebops": "EBOPS 2010",
    "flow": "FLOW (X/M/T/B)",
    "freq": "FREQ (A/Q/M)",
    "uscc": "统一社会信用代码 GB 32100",
    "cbec_mode": "跨境电商口径与海关监管方式 (CBEC, GOODS, RETAIL_PLATFORM, 9610, 9710, 9810, 1210)",
    "code": "code",
}


@lru_cache(maxsize=65536)
def is_member(codelist: str, code: str) -> bool:
    return CHECKS[codelist](code)


def period_matches(freq: str, period: str) -> bool:
    if not PERIOD_RE.match(period):
        return False
    kind = "Q" if "-Q" in period else "M" if "-" in period else "A"
    return freq in ("_Z", kind)


RESOLVERS = {"country": "country", "geo_cn": "geo", "area": "area", "ebops": "ebops"}
"""code list → the ``reference.names.resolver`` kind reading its names."""


def ambiguity(codelist: str, value: str) -> AmbiguousName | None:
    """The entries ``value`` names when it is a name of several (Suzhou: 苏州 and 宿州)."""
    kind = RESOLVERS.get(codelist)
    if kind is None:
        return None
    try:
        resolver(kind)(value)
    except AmbiguousName as exc:
        return exc
    except UnknownCode:
        return None
    return None


def ambiguous(exc: AmbiguousName, codelist: str, **where: object) -> Finding:
    """The ``name-ambiguous`` finding: the name, its candidates in both languages, how to
    write it (the code, or the name with where it lies)."""
    how = exc.example
    return finding(
        "name-ambiguous",
        value=exc.value,
        codelist=codelist,
        candidates_zh="；".join(exc.candidates),
        candidates_en="; ".join(exc.candidates_en),
        how_zh=f"，或在名称后写明所在地区，如“{how}”" if how else "",
        how_en=f', or say where it lies, as in "{how}"' if how else "",
        **where,  # type: ignore[arg-type]
    )
