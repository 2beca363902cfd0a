"""The registry of report data sources: ``Source`` and the ``@source`` decorator that adds one.

The modules that define sources (``sources``, ``sources_cbec``) import only this module; the
build's checks (``report.checks``) import those modules, so every source is registered before a
template names one, and no source module imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shumao.report.data import Rows


@dataclass(frozen=True)
class Source:
    name: str
    function: Callable[..., Rows]
    params: frozenset[str]
    doc_zh: str


SOURCES: dict[str, Source] = {}


def source(name: str, doc_zh: str, params: tuple[str, ...] = ()) -> Callable[..., Any]:
    def wrap(function: Callable[..., Rows]) -> Callable[..., Rows]:
        SOURCES[name] = Source(name, function, frozenset(params), doc_zh)
        return function

    return wrap
