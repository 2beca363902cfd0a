"""The one function every data read of the web layer goes through: ``read(conn, scope, …)``
(``read_rows``: the same answer without a frame when the scope sees the whole store).

What a scope gets for a dataflow (who sees what is decided in ``auth.permissions``):

- ministry, admin: the store as it is (latest, or as of a vintage or date);
- enterprise, park, city, province: the rows whose ``ref_area`` lies inside the scope
  (``area_codes``: the places of ``permissions.places`` and the enterprises the collection
  registry lists for the scope), latest or as of; everything else only as the public sees it;
- public: the **public view** (``release.public``) — the dataflow as of its newest released
  vintage, confidential cells blanked, micro-data only as the protected aggregates the
  release published.

It sits above ``auth``, ``collection`` and ``release`` (it needs a scope's enterprises and the
released cells), so none of them depends on another through it. Long lists of areas are read
in chunks (``storage.vintages.read_in_chunks``). Templates and routes never filter data
themselves; they only show what this returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.auth import permissions
from shumao.auth.scope import Scope
from shumao.collection import registry
from shumao.release import shown
from shumao.release.public import empty, public_view
from shumao.storage.dataflows import Dataflow, get_dataflow
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import read_in_chunks, rows_in_chunks

AsOf = int | datetime | None
Where = Mapping[str, Sequence[str]]


def read(
    conn: Connection,
    scope: Scope,
    dataflow_id: str,
    *,
    where: Where | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: AsOf = None,
) -> pl.DataFrame:
    """The rows of ``dataflow_id`` matching the filters that ``scope`` may see."""
    flow, filters = _shown(dataflow_id, where)
    if permissions.sees_all(scope):
        return read_in_chunks(conn, flow.id, where=filters, start=start, end=end, as_of=as_of)
    inside = area_codes(conn, scope) or frozenset()
    parts = [
        _inside(conn, flow, inside, filters, start, end, as_of),
        _outside(conn, flow, inside, filters, start, end, as_of),
    ]
    frame = pl.concat([p for p in parts if p.height] or [empty()])
    return frame.sort([*DIMENSIONS, "time_period"])


def read_rows(
    conn: Connection,
    scope: Scope,
    dataflow_id: str,
    *,
    where: Where | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: AsOf = None,
) -> Sequence[Sequence[Any]] | pl.DataFrame:
    """What ``read`` returns, without making a frame where none is needed: for a scope that
    sees the whole store the rows as the driver returns them (``READ_SCHEMA``'s columns, in
    no particular order); for any other scope ``read``'s frame (its own rows merged with the
    public view's)."""
    if not permissions.sees_all(scope):
        return read(conn, scope, dataflow_id, where=where, start=start, end=end, as_of=as_of)
    flow, filters = _shown(dataflow_id, where)
    return rows_in_chunks(conn, flow.id, where=filters, start=start, end=end, as_of=as_of)


def _shown(dataflow_id: str, where: Where | None) -> tuple[Dataflow, dict[str, list[str]]]:
    """The dataflow, noted as shown (a correction notice goes wherever its dataflow is
    shown), and the filters without empty ones."""
    flow = get_dataflow(dataflow_id)
    shown.note(flow.id)
    return flow, {k: list(v) for k, v in (where or {}).items() if v}


def area_codes(conn: Connection, scope: Scope) -> frozenset[str] | None:
    """The ``ref_area`` codes inside the scope: its places and the enterprises it may see
    (active or not); ``None`` means every code."""
    places = permissions.places(scope)
    if places is None or scope.is_public:
        return places
    usccs = {
        e.uscc for e in registry.list_enterprises(conn, actor=scope.actor(), include_inactive=True)
    }
    return frozenset(places | usccs)


def covers(conn: Connection, scope: Scope, code: str) -> bool:
    inside = area_codes(conn, scope)
    return inside is None or code in inside


def _inside(
    conn: Connection,
    flow: Dataflow,
    inside: frozenset[str],
    where: dict[str, list[str]],
    start: str | None,
    end: str | None,
    as_of: AsOf,
) -> pl.DataFrame:
    wanted = set(where.get("ref_area", inside)) & inside
    if not wanted:  # never pass an empty list: to vintages.read it means "all"
        return empty()
    return read_in_chunks(
        conn,
        flow.id,
        where={**where, "ref_area": sorted(wanted)},
        start=start,
        end=end,
        as_of=as_of,
    )


def _outside(
    conn: Connection,
    flow: Dataflow,
    inside: frozenset[str],
    where: dict[str, list[str]],
    start: str | None,
    end: str | None,
    as_of: AsOf,
) -> pl.DataFrame:
    frame = public_view(conn, flow.id, where=where, start=start, end=end, as_of=as_of)
    return frame.filter(~pl.col("ref_area").is_in(list(inside))) if inside else frame
