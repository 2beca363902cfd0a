"""Reference code lists shipped as versioned data files: geography, countries, groupings,
EBOPS 2010, units and exchange rates. See ``data/MANIFEST.yaml``."""

from shumao.reference import countries, ebops, fx, geo, groupings, units
from shumao.reference._data import versions

__all__ = ["countries", "ebops", "fx", "geo", "groupings", "units", "versions"]
