"""The statement of ``vintages.read``, built once per shape and reused with new values.

A read's statement depends only on its shape: which dimensions are filtered (one code or a
list), whether a period range and an as-of limit are given. Building the SQLAlchemy
``select`` (a join, a correlated subquery, thirteen columns) cost more CPU than SQLite took
to answer one enterprise's ≈500 rows (benchmarks/web_load.py), so each shape is built once
and executed with bound values; a one-code filter is ``= :code``, not an ``IN`` list that
SQLAlchemy expands for every execution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, func, select

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
) -> tuple[Select[Any], dict[str, Any]]:
    """The read's statement and its values."""
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
    return _built(shape), values


@lru_cache(maxsize=256)
def _built(shape: Shape) -> Select[Any]:
    filtered, start, end, limited = shape
    o2 = observation.alias("o2")
    newest = select(func.max(o2.c.vintage_id)).where(
        o2.c.series_id == observation.c.series_id, o2.c.time_period == observation.c.time_period
    )
    if limited:
        newest = newest.where(o2.c.vintage_id <= bindparam("limit"))
    conds = [
        series.c.dataflow_id == bindparam("dataflow_id"),
        observation.c.vintage_id == newest.scalar_subquery(),
    ]
    for dim, several in filtered:
        column = series.c[dim]
        named: BindParameter[Any] = bindparam(f"w_{dim}", expanding=several)
        conds.append(column.in_(named) if several else column == named)
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
