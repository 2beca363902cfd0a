"""EBOPS 2010 services items, derived aggregates and the 数字贸易 categories."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference._data import AmbiguousName, flag, norm, rows

CODELIST = "EBOPS 2010"


@dataclass(frozen=True)
class EbopsItem:
    code: str
    parent: str | None
    level: int  # 0 total, 1 main item, 2 sub-item, 3 and 4 further detail
    name_zh: str
    name_en: str
    digitally_deliverable: bool
    dt_category: str | None  # DT_TECH, DT_SERV, DT_PROD or None
    is_aggregate: bool
    formula: str  # for aggregates: "SF+SG+…" or "S-SL"; empty when not a plain sum


@dataclass(frozen=True)
class DtCategory:
    code: str
    name_zh: str
    name_en: str


@lru_cache(maxsize=1)
def _items() -> dict[str, EbopsItem]:
    return {
        r["code"]: EbopsItem(
            r["code"],
            r["parent"] or None,
            int(r["level"]),
            r["name_zh"],
            r["name_en"],
            flag(r["digitally_deliverable"]),
            r["dt_category"] or None,
            flag(r["is_aggregate"]),
            r["formula"],
        )
        for r in rows("ebops.csv")
    }


@lru_cache(maxsize=1)
def _names() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for it in _items().values():
        for name in (it.name_zh, it.name_en):
            index.setdefault(norm(name), []).append(it.code)
    return index


def all_items() -> list[EbopsItem]:
    return list(_items().values())


def item(code: str) -> EbopsItem:
    found = _items().get(code.strip().upper())
    if found is None:
        raise UnknownCode(CODELIST, code)
    return found


def lookup(value: str) -> EbopsItem:
    """An item by code or by its Chinese or English name (any case)."""
    if value.strip().upper() in _items():
        return item(value)
    codes = _names().get(norm(value), [])
    if len(codes) > 1:
        raise AmbiguousName(CODELIST, value, codes)
    if not codes:
        raise UnknownCode(CODELIST, value)
    return _items()[codes[0]]


def children(code: str) -> list[EbopsItem]:
    parent = item(code).code
    return [it for it in _items().values() if it.parent == parent]


def descendants(code: str) -> list[EbopsItem]:
    """All items below ``code``, depth first in file order."""
    out: list[EbopsItem] = []
    for child in children(code):
        out += [child, *descendants(child.code)]
    return out


def main_items() -> list[EbopsItem]:
    """The twelve main items SA … SL."""
    return [it for it in _items().values() if it.level == 1 and not it.is_aggregate]


def digitally_deliverable_main_items() -> list[str]:
    """["SF", "SG", "SH", "SI", "SJ", "SK"] (UNCTAD/MOFCOM 可数字化交付的服务)."""
    return [it.code for it in main_items() if it.digitally_deliverable]


def components(code: str) -> dict[str, int]:
    """The signed components of an aggregate (``{"S": 1, "SL": -1}``); empty if none."""
    formula = item(code).formula
    terms = re.findall(r"([+-]?)\s*([A-Z0-9]+)", formula)
    return {c: -1 if sign == "-" else 1 for sign, c in terms}


def main_item_of(code: str) -> EbopsItem | None:
    """The main item (level 1) an item belongs to; None for totals and mixed aggregates."""
    it = item(code)
    if it.is_aggregate:
        mains = [main_item_of(c) for c in components(code)]
        codes = {m.code for m in mains if m is not None}
        return _items()[codes.pop()] if mains and None not in mains and len(codes) == 1 else None
    while it.level > 1 and it.parent is not None:
        it = _items()[it.parent]
    return it if it.level == 1 else None


def dt_categories() -> list[DtCategory]:
    """数字技术贸易, 数字服务贸易, 数字产品贸易, 数据贸易 (docs/methods.md §3)."""
    return [DtCategory(r["code"], r["name_zh"], r["name_en"]) for r in rows("dt_categories.csv")]
