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
from dataclasses import dataclass, field
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
    order: tuple[str, ...] = ()
    """The columns the rows are sorted by (none: in no known order)."""
    known: Mapping[tuple[str, ...], frozenset[tuple[Any, ...]]] = field(default_factory=dict)
    """The different combinations of some columns, found while the rows were made (the
    series' codes, the units): asked for on every request, never counted again."""

    def at(self, column: str) -> int:
        return self.columns.index(column)

    def getter(self, columns: list[str]) -> Any:
        """row → the tuple of its ``columns``."""
        return _getter([self.at(c) for c in columns])

    def frame(self) -> pl.DataFrame:
        schema = {c: TYPES.get(c, pl.String) for c in self.columns}
        return pl.DataFrame(self.rows, schema=schema, orient="row")

    def combinations(self, columns: Sequence[str]) -> frozenset[tuple[Any, ...]]:
        """The different combinations of ``columns`` the rows hold."""
        found = self.known.get(tuple(columns))
        if found is None:
            found = frozenset(map(self.getter(list(columns)), self.rows))
        return found

    def codes(self, column: str) -> set[Any]:
        for columns, found in self.known.items():
            if column in columns:
                i = columns.index(column)
                return {c[i] for c in found}
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
    code beside its name, in the table's columns, in the table's default order (``Rows.order``:
    the dimensions' names, then the period; rows alike in both keep the order given).

    One pass names each series once and files its rows under its names; the groups are then
    put in order (a few dozen series, each a few dozen periods) instead of sorting every row
    by seven texts on every request (``sort`` keeps this order when no column is chosen)."""
    dims = list(flow.dimensions)
    key_of = _getter([READ_AT[d] for d in dims])
    observed = itemgetter(*(READ_AT[c] for c in OBSERVED))
    conversion = _conversion(units.parse(unit)) if unit else None
    labels: list[dict[str, str]] = [{} for _ in dims]
    series: dict[tuple[str, ...], tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    factors: dict[tuple[str, int, str], tuple[float, str, int]] = {}
    for r in rows:
        key = key_of(r)
        found = series.get(key)
        if found is None:  # a new series: its names, once
            names = tuple(
                _named(labels[i], d, c, lang, enterprises)
                for i, (d, c) in enumerate(zip(dims, key, strict=True))
            )
            codes_names = tuple(x for pair in zip(key, names, strict=True) for x in pair)
            found = series[key] = (codes_names, groups.setdefault(names, []))
        period, value, code, mult, obs, conf, vintage_id = observed(r)
        if conversion is not None:
            how = factors.get((code, mult, period))
            if how is None:
                how = factors[code, mult, period] = conversion(code, mult, period)
            f, code, mult = how
            if value is not None:
                value = float(value) * f  # × 1.0 when unchanged: the same float
        elif value is not None:
            value = float(value)
        found[1].append((*found[0], period, value, code, mult, obs, conf, vintage_id))
    by_period = itemgetter(2 * len(dims))
    out: list[tuple[Any, ...]] = []
    for names in sorted(groups):
        group = groups[names]
        group.sort(key=by_period)  # stable: rows of one period keep the order given
        out += group
    columns = tuple(c for d in dims for c in (d, f"{d}_name")) + OBSERVED
    known: dict[tuple[str, ...], frozenset[tuple[Any, ...]]] = {tuple(dims): frozenset(series)}
    if conversion is not None:  # every row's unit is one of the conversions made
        known["unit", "unit_mult"] = frozenset((how[1], how[2]) for how in factors.values())
    return Rows(columns, out, order=(*(f"{d}_name" for d in dims), "time_period"), known=known)


def _named(
    known: dict[str, str], dim: str, code: str, lang: str, enterprises: Mapping[str, str] | None
) -> str:
    found = known.get(code)
    if found is None:
        found = known[code] = label(dim, code, lang, enterprises)
    return found


def _getter(at: list[int]) -> Any:
    """row → the tuple of its items at ``at`` (a tuple even of one)."""
    return itemgetter(*at) if len(at) > 1 else (lambda r: (r[at[0]],))


def _conversion(target: units.Unit) -> Any:
    """(unit, mult, period) → (factor, unit, mult) in ``target`` when money with a rate for the
    period's year (``aggregate.to_unit``'s rule), else (1.0, unit, mult): unchanged."""

    def how(code: str, mult: int, period: str) -> tuple[float, str, int]:
        f = unit_factor(code, mult, period[:4], target)
        return (1.0, code, mult) if f is None else (f, target.code, target.mult)

    return how


def sort(found: Rows, keys: list[str], first: str | None, desc: bool) -> Rows:
    """Rows by ``keys``; with ``first``, by it before the others (``desc``: descending),
    empty values last — ``explorer.sort_frame``'s order. Rows already in ``keys``' order
    (``Rows.order``, as ``view`` makes them) are not sorted by them again: sorting them by
    ``first`` alone gives the same order (``first``'s ties are in ``keys``' order)."""
    rows = found.rows
    if tuple(keys) != found.order:
        rows = sorted(rows, key=itemgetter(*(found.at(k) for k in keys if k != first)))
    if first is not None:
        i = found.at(first)
        present = [r for r in rows if r[i] is not None]
        present.sort(key=itemgetter(i), reverse=desc)  # stable: ties keep the keys' order
        rows = present + [r for r in rows if r[i] is None]
    return Rows(found.columns, rows, order=found.order if first is None else (), known=found.known)
