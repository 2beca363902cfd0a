"""One module per source; importing this package imports (and so registers) every module."""

import importlib
import pkgutil

from shumao.ingest.registry import Source, registered

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def all_sources() -> dict[str, Source]:
    """Every import source by name (each registered itself when the package imported it)."""
    return registered()
