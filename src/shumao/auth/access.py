"""The one function every data read of the web layer goes through: ``read(conn, scope, …)``.

What a scope gets for a dataflow:

- ministry, admin: the store as it is (latest, or as of a vintage or date);
- enterprise, park, city, province: the rows whose ``ref_area`` lies inside the scope (the
  condition ``series.ref_area IN scope.area_codes``), latest or as of; everything else only
  as the public sees it;
- public: the **public view** — the dataflow as of its newest released vintage (or an older
  released one), with disclosure control applied:
  * cells marked confidential (``conf_status`` C or D) lose their value;
  * dataflows of micro data (``ref_area`` is an enterprise's USCC, e.g. ``ENT_DDS``) are never
    shown per enterprise: the public reads the protected aggregates the release published
    (``auth.publish``: sums along the geography and the EBOPS tree, partners summed to
    ``WLD``, primary and secondary suppression by ``shumao.compute.disclosure``).

Long lists of areas are read in chunks (``read_in_chunks``), so a province of thousands of
enterprises neither overflows a statement's parameters nor holds millions of Python rows.
Templates and routes never filter data themselves; they only show what this returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import polars as pl
from sqlalchemy import Connection

from shumao.auth import publish, releases
from shumao.auth.scope import Scope
from shumao.storage import vintages
from shumao.storage.dataflows import Dataflow, get_dataflow
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA

READ_SCHEMA = {**FRAME_SCHEMA, "vintage_id": pl.Int64}
CHUNK = 500
"""Areas per statement when a filter lists many (an enterprise has ≈500 rows a year)."""

AsOf = int | datetime | None
Where = Mapping[str, Sequence[str]]


def read(conn: Connection, scope: Scope, dataflow_id: str, *, where: Where | None = None,
         start: str | None = None, end: str | None = None, as_of: AsOf = None) -> pl.DataFrame:
    """The rows of ``dataflow_id`` matching the filters that ``scope`` may see."""
    flow = get_dataflow(dataflow_id)
    filters = {k: list(v) for k, v in (where or {}).items() if v}
    if scope.sees_all:
        return read_in_chunks(conn, flow.id, where=filters, start=start, end=end, as_of=as_of)
    inside = scope.area_codes(conn) or frozenset()
    parts = [_inside(conn, flow, inside, filters, start, end, as_of),
             _outside(conn, flow, inside, filters, start, end, as_of)]
    frame = pl.concat([p for p in parts if p.height] or [empty()])
    return frame.sort([*DIMENSIONS, "time_period"])


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=READ_SCHEMA)


def read_in_chunks(conn: Connection, flow_id: str, *, where: Where | None = None,
                   start: str | None = None, end: str | None = None,
                   as_of: AsOf = None) -> pl.DataFrame:
    """``vintages.read``, a long ``ref_area`` list split into statements of ``CHUNK`` codes."""
    filters = dict(where or {})
    areas = list(filters.get("ref_area", []))
    if len(areas) <= CHUNK:
        return vintages.read(conn, flow_id, where=filters, start=start, end=end, as_of=as_of)
    parts = [vintages.read(conn, flow_id, where={**filters, "ref_area": areas[i:i + CHUNK]},
                           start=start, end=end, as_of=as_of)
             for i in range(0, len(areas), CHUNK)]
    return pl.concat(parts).sort([*DIMENSIONS, "time_period"])


def _inside(conn: Connection, flow: Dataflow, inside: frozenset[str], where: dict[str, list[str]],
            start: str | None, end: str | None, as_of: AsOf) -> pl.DataFrame:
    wanted = set(where.get("ref_area", inside)) & inside
    if not wanted:  # never pass an empty list: to vintages.read it means "all"
        return empty()
    return read_in_chunks(conn, flow.id, where={**where, "ref_area": sorted(wanted)},
                          start=start, end=end, as_of=as_of)


def _outside(conn: Connection, flow: Dataflow, inside: frozenset[str],
             where: dict[str, list[str]], start: str | None, end: str | None,
             as_of: AsOf) -> pl.DataFrame:
    frame = public_view(conn, flow.id, where=where, start=start, end=end, as_of=as_of)
    return frame.filter(~pl.col("ref_area").is_in(list(inside))) if inside else frame


def public_view(conn: Connection, dataflow_id: str, *, where: Where | None = None,
                start: str | None = None, end: str | None = None,
                as_of: AsOf = None) -> pl.DataFrame:
    """What the public sees: a released vintage, disclosure-controlled."""
    flow = get_dataflow(dataflow_id)
    limit = vintages.resolve_as_of(conn, as_of) if as_of is not None else None
    released = releases.public_as_of(conn, flow.id, limit)
    if released is None:
        return empty()
    filters = {k: list(v) for k, v in (where or {}).items() if v}
    if publish.is_microdata(flow):
        release_id = releases.release_of(conn, flow.id, released)
        return publish.cells(conn, release_id, released, where=filters, start=start, end=end)
    frame = vintages.read(conn, flow.id, where=filters, start=start, end=end, as_of=released)
    return _blank_confidential(frame)


def _blank_confidential(frame: pl.DataFrame) -> pl.DataFrame:
    secret = pl.col("conf_status").is_in(["C", "D"])
    return frame.with_columns(pl.when(secret).then(None).otherwise(pl.col("value")).alias("value"))
