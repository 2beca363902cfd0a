"""Countries and economies (ISO 3166-1 plus source aggregates) and the names sources use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference._data import flag, norm, opt_date, rows

CODELIST = "ISO 3166"


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str
    numeric: str
    name_zh: str
    name_en: str
    is_aggregate: bool = False


@lru_cache(maxsize=1)
def _countries() -> dict[str, Country]:
    return {
        r["iso3"]: Country(
            r["iso3"], r["iso2"], r["numeric"], r["name_zh"], r["name_en"], flag(r["is_aggregate"])
        )
        for r in rows("countries.csv")
    }


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Normalised code or name → ISO3. A name claimed by two countries is a data error."""
    index: dict[str, str] = {}
    for r in rows("countries.csv"):
        for field in ("iso3", "iso2", "numeric", "name_zh", "name_en", "official_name_en"):
            _claim(index, r[field], r["iso3"])
    for r in rows("country_aliases.csv"):
        _claim(index, r["alias"], r["iso3"])
    return index


def _claim(index: dict[str, str], key: str, iso3: str) -> None:
    if not key:
        return
    owner = index.setdefault(norm(key), iso3)
    if owner != iso3:
        raise ValueError(f"country reference data: {key!r} names both {owner} and {iso3}")


def _key(value: str | int) -> str:
    text = str(value).strip()
    return text.zfill(3) if text.isdigit() else norm(text)


def match_name(name: str | int) -> Country | None:
    """The country for a code or any known name, or None (for reporting unmapped names)."""
    iso3 = _index().get(_key(name))
    return _countries()[iso3] if iso3 else None


def lookup(value: str | int) -> Country:
    """A country by ISO3/ISO2/numeric code, Chinese or English name, or a source's alias."""
    found = match_name(value)
    if found is None:
        raise UnknownCode(CODELIST, value)
    return found


def all_countries(*, aggregates: bool = True) -> list[Country]:
    """Every entry by ISO3: the 249 ISO 3166-1 countries, historic codes, XKX and aggregates."""
    return [
        c
        for c in sorted(_countries().values(), key=lambda c: c.iso3)
        if aggregates or not c.is_aggregate
    ]


def validity(iso3: str) -> tuple[date | None, date | None]:
    """(valid_from, valid_to) of a code; None means open. Historic codes have an end date."""
    code = lookup(iso3).iso3
    row = next(r for r in rows("countries.csv") if r["iso3"] == code)
    return opt_date(row["valid_from"]), opt_date(row["valid_to"])


def m49_region(iso3: str) -> tuple[str, str] | None:
    """(region, sub-region) of UN M49, e.g. ("Europe", "Western Europe"); None if it has none."""
    code = lookup(iso3).iso3
    row = next((r for r in rows("m49_regions.csv") if r["iso3"] == code), None)
    return (row["region"], row["subregion"]) if row else None
