"""数字贸易测度框架 / the Handbook's framework of digital trade, as data and as arithmetic.

``framework()`` reads ``digital_trade.yaml``: the cells (digitally ordered goods and services,
the overlap, digitally delivered services) and which stored series covers which cell, exactly,
as an estimate or as a bound. ``part_of(dataflow, product)`` says which part a series measures.

``combine`` applies the Handbook's rule, digital trade = ordered + delivered − overlap, to
intervals: a cell that is only bounded stays an interval, and so does the total. With the
overlap unknown it lies between 0 and the smaller of the ordered services and the delivered
services, so the union of the two service parts lies between the larger part and their sum.
An overlap larger than either part is impossible and refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FRAMEWORK_FILE = Path(__file__).with_name("digital_trade.yaml")
COVERAGES = ("exact", "estimate", "lower", "upper")


@dataclass(frozen=True)
class Coverage:
    dataflow: str
    product: str | None
    coverage: str
    zh: str
    en: str


@dataclass(frozen=True)
class Cell:
    id: str
    part: str
    product: str
    name_zh: str
    name_en: str
    sources: tuple[Coverage, ...]
    note_zh: str = ""
    note_en: str = ""
    fixed: float | None = None


@dataclass(frozen=True)
class Interval:
    """A value known between ``lo`` and ``hi`` (``hi`` may be ``math.inf``)."""

    lo: float
    hi: float

    @classmethod
    def exact(cls, value: float) -> Interval:
        return cls(value, value)

    @classmethod
    def at_least(cls, value: float) -> Interval:
        return cls(value, math.inf)

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)


@dataclass(frozen=True)
class Total:
    """Digital trade and its parts, each an interval, in one unit."""

    ordered: Interval
    delivered: Interval
    overlap: Interval
    total: Interval


class OverlapError(ValueError):
    """The overlap cannot exceed either of the parts it belongs to."""


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    return dict(yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8")))


def framework() -> list[Cell]:
    """The cells of the framework in the order of the file."""
    return [_cell(raw) for raw in _load()["cells"]]


def rule() -> dict[str, str]:
    return dict(_load()["rule"])


def handbook() -> str:
    return str(_load()["handbook"])


def _cell(raw: dict[str, Any]) -> Cell:
    sources = tuple(
        Coverage(s["dataflow"], s.get("product"), s["coverage"], s["zh"], s["en"])
        for s in raw.get("sources") or ()
    )
    bad = [s.coverage for s in sources if s.coverage not in COVERAGES]
    if bad:
        raise ValueError(f"{raw['id']}: unknown coverage {bad}; use one of {COVERAGES}")
    return Cell(
        raw["id"],
        raw["part"],
        raw["product"],
        raw["name_zh"],
        raw["name_en"],
        sources,
        raw.get("note_zh", ""),
        raw.get("note_en", ""),
        raw.get("fixed"),
    )


def part_of(dataflow: str, product: str | None = None) -> tuple[Cell, Coverage] | None:
    """The cell a series measures and how (exact, estimate, lower or upper bound), or None;
    without ``product``, the first cell any series of the dataflow covers."""
    for cell in framework():
        for src in cell.sources:
            if src.dataflow == dataflow and (product is None or src.product in (None, product)):
                return cell, src
    return None


def combine(
    *,
    ordered_goods: Interval,
    delivered: Interval,
    ordered_services: Interval | None = None,
    overlap: Interval | None = None,
) -> Total:
    """Digital trade = ordered + delivered − overlap, every part an interval.

    ``ordered_services`` are all digitally ordered services (those also delivered digitally
    included) and default to the bound [0, ∞) when no source measures them; ``delivered`` are
    all digitally delivered services; ``overlap`` (ordered and delivered) defaults to its bound
    [0, min(ordered services, delivered)]. Digitally ordered goods never overlap: goods cannot be
    delivered digitally.
    """
    services = ordered_services or Interval.at_least(0.0)
    cap = min(services.hi, delivered.hi)
    if overlap is None:
        overlap = Interval(0.0, cap)
    elif overlap.lo < 0 or overlap.lo > cap:
        raise OverlapError(
            f"重叠部分（{overlap.lo:g}）不能为负，也不能大于数字订购服务（{services.hi:g}）或数字交付"
            f"服务（{delivered.hi:g}） / the overlap ({overlap.lo:g}) cannot be negative or exceed "
            f"the ordered services ({services.hi:g}) or the delivered services ({delivered.hi:g})"
        )
    union_lo = services.lo + delivered.lo - min(overlap.hi, services.lo, delivered.lo)
    union_hi = services.hi + delivered.hi - overlap.lo
    total = Interval(ordered_goods.lo + union_lo, ordered_goods.hi + union_hi)
    return Total(ordered_goods + services, delivered, overlap, total)
