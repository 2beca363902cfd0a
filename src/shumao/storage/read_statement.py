"""The statement of ``vintages.read``, built once per shape and reused with new values.

A read's statement depends only on its shape: which dimensions are filtered (one code or a
list), whether a period range and an as-of limit are given. Building the SQLAlchemy
``select`` (a join, a correlated subquery, thirteen columns) cost more CPU than SQLite took
to answer one enterprise's ≈500 rows (benchmarks/web_load.py), so each shape is built once
and executed with bound values; a one-code filter is ``= :code``, not an ``IN`` list that
SQLAlchemy expands for every execution.

Two forms read the same rows in the same order. The portable one (SQLite) keeps a row when
its vintage is the series' and period's ``MAX(vintage_id)``, a correlated probe per row.
PostgreSQL's takes each series' newest row per period with ``DISTINCT ON`` over the primary
key read backwards (``LATERAL``): one enterprise's ≈500 rows 1.05 → 0.85 ms of the server's
CPU, a dataflow with revisions (UNCTAD_DDS) 26 → 11 ms, 500 enterprises (252,000 rows) 740 →
600 ms, no shape measured slower (benchmarks/README.md, "The explorer on PostgreSQL, fourth
round"); ``tests/storage/test_read_statement.py`` checks both forms give the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import distinct_on

from shumao.errors import StoreError
from shumao.storage.tables import DIMENSIONS, observation, series

OBS_FIELDS = ("time_period", "value", "unit", "unit_mult", "obs_status", "conf_status", "attrs")
Shape = tuple[tuple[tuple[str, bool], ...], bool, bool, bool]
"""((dimension, several codes?) filtered, start?, end?, as-of limit?)."""


def statement(
    dataflow_id: str,
    where: Mapping[str, Sequence[str]] | None,
    start: str | None,
    end: str | None,
    limit: int | None,
    dialect: str = "sqlite",
) -> tuple[Select[Any], dict[str, Any]]:
    """The read's statement in ``dialect`` (a connection's ``dialect.name``) and its values."""
    values: dict[str, Any] = {"dataflow_id": dataflow_id}
    filtered = []
    for dim, given in (where or {}).items():
        if dim not in DIMENSIONS:
            raise StoreError(f"未知维度 {dim} / unknown dimension {dim}")
        codes = list(given)  # any collection of codes, as before
        if codes:
            filtered.append((dim, len(codes) > 1))
            values[f"w_{dim}"] = codes if len(codes) > 1 else codes[0]
    if start:
        values["start"] = start
    if end:
        values["end"] = end + "~"  # "2023~" sorts after "2023-Q4"
    if limit is not None:
        values["limit"] = limit
    shape = (tuple(filtered), bool(start), bool(end), limit is not None)
    if dialect == "postgresql":
        return _lateral(shape), values
    return _correlated(shape), values


def _filters(filtered: tuple[tuple[str, bool], ...]) -> list[ColumnElement[bool]]:
    conds = [series.c.dataflow_id == bindparam("dataflow_id")]
    for dim, several in filtered:
        column = series.c[dim]
        named: BindParameter[Any] = bindparam(f"w_{dim}", expanding=several)
        conds.append(column.in_(named) if several else column == named)
    return conds


@lru_cache(maxsize=256)
def _lateral(shape: Shape) -> Select[Any]:
    """PostgreSQL: each series' latest row per period by ``DISTINCT ON`` over its primary key
    read backwards, instead of a correlated ``MAX(vintage_id)`` probe per row."""
    filtered, start, end, limited = shape
    o = observation
    conds = [o.c.series_id == series.c.id]
    if limited:
        conds.append(o.c.vintage_id <= bindparam("limit"))
    if start:
        conds.append(o.c.time_period >= bindparam("start"))
    if end:
        conds.append(o.c.time_period <= bindparam("end"))
    latest = (
        select(*(o.c[f] for f in OBS_FIELDS), o.c.vintage_id)
        .where(*conds)
        .ext(distinct_on(o.c.time_period))
        .order_by(o.c.time_period.desc(), o.c.vintage_id.desc())
        .lateral("latest")
    )
    return (
        select(
            *(series.c[d] for d in DIMENSIONS),
            *(latest.c[f] for f in OBS_FIELDS),
            latest.c.vintage_id,
        )
        .select_from(series.join(latest, true()))
        .where(and_(*_filters(filtered)))
        .order_by(*(series.c[d] for d in DIMENSIONS), latest.c.time_period)
    )


@lru_cache(maxsize=256)
def _correlated(shape: Shape) -> Select[Any]:
    filtered, start, end, limited = shape
    o2 = observation.alias("o2")
    newest = select(func.max(o2.c.vintage_id)).where(
        o2.c.series_id == observation.c.series_id, o2.c.time_period == observation.c.time_period
    )
    if limited:
        newest = newest.where(o2.c.vintage_id <= bindparam("limit"))
    conds = [*_filters(filtered), observation.c.vintage_id == newest.scalar_subquery()]
    if start:
        conds.append(observation.c.time_period >= bindparam("start"))
    if end:
        conds.append(observation.c.time_period <= bindparam("end"))
    return (
        select(
            *(series.c[d] for d in DIMENSIONS),
            *(observation.c[f] for f in OBS_FIELDS),
            observation.c.vintage_id,
        )
        .select_from(observation.join(series, series.c.id == observation.c.series_id))
        .where(and_(*conds))
        .order_by(*(series.c[d] for d in DIMENSIONS), observation.c.time_period)
    )
