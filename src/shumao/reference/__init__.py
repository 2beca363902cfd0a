"""Reference code lists shipped as versioned data files: geography, countries, groupings,
EBOPS 2010, units, exchange rates and publishers. See ``data/MANIFEST.yaml``."""

from shumao.reference import countries, ebops, fx, geo, groupings, publishers, units
from shumao.reference._data import versions

__all__ = ["countries", "ebops", "fx", "geo", "groupings", "publishers", "units", "versions"]
