"""Annual average exchange rates (yuan per US dollar)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference._data import rows, source_of

FILE = "fx.csv"


@dataclass(frozen=True)
class FxRate:
    year: int
    currency: str
    per_usd: float  # units of `currency` per 1 USD, annual average
    status: str  # A final, P provisional
    source: str


@lru_cache(maxsize=1)
def _table() -> dict[tuple[int, str], FxRate]:
    return {
        (int(r["year"]), r["currency"]): FxRate(
            int(r["year"]), r["currency"], float(r["per_usd"]), r["status"], r["source"]
        )
        for r in rows(FILE)
    }


def table() -> list[FxRate]:
    return sorted(_table().values(), key=lambda r: (r.currency, r.year))


def source() -> str:
    return source_of(FILE)


def _per_usd(year: int, currency: str) -> float:
    if currency == "USD":
        return 1.0
    if currency not in {c for _, c in _table()}:
        raise UnknownCode("ISO 4217 currencies", currency)
    found = _table().get((year, currency))
    if found is None:
        raise UnknownCode(f"{currency}/USD exchange rate", year)
    return found.per_usd


def rate(year: int, frm: str, to: str) -> float:
    """Units of ``to`` per 1 ``frm`` in ``year``: rate(2022, "USD", "CNY") == 6.7261."""
    frm, to = frm.upper(), to.upper()
    if frm == to:
        return 1.0
    return _per_usd(year, to) / _per_usd(year, frm)
