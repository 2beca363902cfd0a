"""What an import source is and where it registers: ``Source``, ``ImportContext``, ``register``.

Each source module (``shumao.ingest.sources.*``) imports this module, not the pipeline, and
registers its ``Source`` here; the ``shumao.ingest.sources`` package imports every source module,
and the pipeline reads the registry through that package (``all_sources``), so the dependency
runs one way: pipeline → sources → registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from shumao.config import Settings
from shumao.validation.findings import Report


@dataclass
class ImportContext:
    path: Path
    report: Report
    settings: Settings
    options: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    """Summary lines a source wants shown after the import (label → value)."""

    @property
    def file(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Source:
    name: str
    dataflow: str
    """The dataflow it loads; a parser may choose another by setting ``ctx.options["dataflow"]``."""
    title_zh: str
    title_en: str
    parse: Callable[[ImportContext], pl.DataFrame | None]
    example: str = ""
    """A file under ../shared/data this source reads (documentation)."""
    dataflows: tuple[str, ...] = ()
    """Dataflows a user may choose with ``--dataflow`` (empty: only ``dataflow``; generic
    sources that take the dataflow from a mapping file leave the choice to the parser)."""
    official_table: bool = False
    """A published table: its internal arithmetic (totals, X + M = T, growth, shares) and its
    period-to-period changes (HB and ratio edits against each series' history and its peers,
    zeros) are checked on import (``shumao.compute.consistency``); what they find becomes
    warnings in the report, the data are stored as published."""


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    _SOURCES[source.name] = source
    return source


def registered() -> dict[str, Source]:
    """The sources registered so far, by name (``shumao.ingest.sources.all_sources`` imports
    every source module first)."""
    return dict(sorted(_SOURCES.items()))
