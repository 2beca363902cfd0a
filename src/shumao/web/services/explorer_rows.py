"""The explorer's small views in plain Python: converted, named and sorted on the rows the
driver returns, without a polars frame.

A view of up to ``SMALL`` rows (one enterprise's year is ≈500) is a ``Rows``: the table's
columns (``explorer.shown_columns``) and one tuple per row. Each polars pass over a few
hundred rows costs more than its rows (≈14 passes were ≈4 ms of a request's ≈9 ms, with
50 clients more: benchmarks/web_load.py), so a small view is made in one loop over the
rows, and a frame is made only when a download or the HTML table asks for one. Larger views
keep the polars passes (``explorer._named``); both give the same table
(tests/web/test_explorer_rows.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import polars as pl

from shumao.compute.aggregate import unit_factor
from shumao.labels import label
from shumao.reference import units
from shumao.storage.dataflows import Dataflow
from shumao.storage.vintages import READ_SCHEMA

SMALL = 20_000
"""Views of at most this many rows are computed here; larger ones in polars."""
READ_AT = {name: i for i, name in enumerate(READ_SCHEMA)}
"""Position of each column in the rows ``vintages.read_rows`` returns."""
TYPES = {"value": pl.Float64, "unit_mult": pl.Int16, "vintage_id": pl.Int64}
"""The non-text columns of the table (the rest are strings)."""
OBSERVED = ("time_period", "value", "unit", "unit_mult", "obs_status", "conf_status", "vintage_id")


@dataclass(frozen=True)
class Rows:
    """A view as plain rows: ``columns`` and one tuple per row."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def at(self, column: str) -> int:
        return self.columns.index(column)

    def getter(self, columns: list[str]) -> Any:
        """row → the tuple of its ``columns``."""
        return _getter([self.at(c) for c in columns])

    def frame(self) -> pl.DataFrame:
        schema = {c: TYPES.get(c, pl.String) for c in self.columns}
        return pl.DataFrame(self.rows, schema=schema, orient="row")

    def codes(self, column: str) -> set[Any]:
        i = self.at(column)
        return {r[i] for r in self.rows}


def view(
    rows: Sequence[Sequence[Any]],
    flow: Dataflow,
    unit: str,
    lang: str,
    enterprises: Mapping[str, str] | None,
) -> Rows:
    """``rows`` (``READ_SCHEMA``'s columns) in ``unit`` (none: as stored), each dimension's
    code beside its name, in the table's columns; unsorted."""
    dims = list(flow.dimensions)
    key_of = _getter([READ_AT[d] for d in dims])
    series = set(map(key_of, rows))
    labels = [
        {c: label(d, c, lang, enterprises) for c in {key[i] for key in series}}
        for i, d in enumerate(dims)
    ]
    named = {  # each series' codes beside their names, made once per series
        key: tuple(x for i, c in enumerate(key) for x in (c, labels[i][c])) for key in series
    }
    convert = _converter(units.parse(unit)) if unit else None
    observed = itemgetter(*(READ_AT[c] for c in OBSERVED))
    out = []
    for r in rows:
        period, value, code, mult, obs, conf, vintage_id = observed(r)
        value = None if value is None else float(value)
        if convert is not None:
            value, code, mult = convert(period, value, code, mult)
        out.append((*named[key_of(r)], period, value, code, mult, obs, conf, vintage_id))
    columns = tuple(c for d in dims for c in (d, f"{d}_name")) + OBSERVED
    return Rows(columns, out)


def _getter(at: list[int]) -> Any:
    """row → the tuple of its items at ``at`` (a tuple even of one)."""
    return itemgetter(*at) if len(at) > 1 else (lambda r: (r[at[0]],))


def _converter(target: units.Unit) -> Any:
    """(period, value, unit, mult) → the same in ``target`` when money with a rate for the
    period's year (``aggregate.to_unit``'s rule), else unchanged."""
    factors: dict[tuple[str, int, str], float | None] = {}

    def convert(period: str, value: float | None, code: str, mult: int) -> tuple[Any, ...]:
        key = (code, mult, period[:4])
        if key not in factors:
            factors[key] = unit_factor(code, mult, period[:4], target)
        f = factors[key]
        if f is None:
            return value, code, mult
        return (None if value is None else value * f), target.code, target.mult

    return convert


def sort(found: Rows, keys: list[str], first: str | None, desc: bool) -> Rows:
    """Rows by ``keys``; with ``first``, by it before the others (``desc``: descending),
    empty values last — ``explorer.sort_frame``'s order."""
    rows = sorted(found.rows, key=itemgetter(*(found.at(k) for k in keys if k != first)))
    if first is not None:
        i = found.at(first)
        present = [r for r in rows if r[i] is not None]
        present.sort(key=itemgetter(i), reverse=desc)  # stable: ties keep the keys' order
        rows = present + [r for r in rows if r[i] is None]
    return Rows(found.columns, rows)
