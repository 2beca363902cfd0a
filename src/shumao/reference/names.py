"""Names of area codes, and codes of names: one place that knows which code list a code belongs
to."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference import countries, ebops, geo, parks
from shumao.reference._data import AmbiguousName

REGIONS = frozenset({"EAST", "CENTRAL", "WEST", "NORTHEAST"})


@lru_cache(maxsize=8192)
def area_names(code: str, *, short: bool = False) -> tuple[str, str] | None:
    """(Chinese, English) name of a park, GB/T 2260 area, NBS region or country code; ``None``
    when the code is in none of them. ``short``: a province as 上海, not 上海市."""
    try:
        if code.startswith("DSEB"):
            park = parks.lookup(code)
            return park.name_zh, park.name_en
        if code.isdigit() and len(code) == 6:
            area = geo.lookup(code)
            return area.short_zh if short else area.name_zh, area.name_en or area.name_zh
        if code in REGIONS:
            region = geo.lookup_region(code)
            return region.name_zh, region.name_en
        if len(code) == 3:
            country = countries.lookup(code)
            return country.name_zh, country.name_en
    except UnknownCode:
        return None
    return None


def resolver(kind: str) -> Callable[[str], str]:
    """name or code → canonical code in the code list ``kind`` (country, geo, ebops, park, or
    area: park, then GB/T 2260 area, then country); ``UnknownCode`` when there is none,
    ``AmbiguousName`` (naming the candidates) when a name is of several entries."""
    table: dict[str, Callable[[str], str]] = {
        "country": lambda v: countries.lookup(v).iso3,
        "geo": lambda v: geo.lookup(v).code,
        "ebops": lambda v: ebops.lookup(v).code,
        "park": lambda v: parks.lookup(v).code,
    }
    if kind == "area":
        order = [table["park"], table["geo"], table["country"]]

        def area(v: str) -> str:
            for fn in order:
                try:
                    return fn(v)
                except AmbiguousName:
                    raise  # a name of several places is reported, not read as the next list's
                except UnknownCode:
                    continue
            raise UnknownCode("area", v)

        return area
    return table[kind]
