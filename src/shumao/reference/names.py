"""Names of area codes: one place that knows which code list a code belongs to."""

from __future__ import annotations

from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference import countries, geo, parks

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
