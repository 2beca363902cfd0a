"""Releases: a vintage of a dataflow made public. The public reads only released vintages.

A release names a vintage; the public view of a dataflow is the store as of its newest
released vintage (``vintages.read(..., as_of=released)``), and older releases stay readable.
Releasing a micro-data vintage (rows per enterprise) also publishes its protected aggregates
(``publish``, kept as ``cells``), computed once, in the same transaction, and stores with the
release the disclosure-control rule set they were protected with (``data_release.disclosure``;
``Release.rules`` names it). Who may release is ``auth.permissions.may_release`` (the ministry
and admins); every release is in the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, insert, or_, select

from shumao.auth import audit, permissions
from shumao.auth.scope import Scope
from shumao.errors import Embargoed, StoreError
from shumao.release import cells as release_cells
from shumao.release import disclosure as sdc
from shumao.release import notes as release_notes
from shumao.release import publish
from shumao.release.history import (
    Release,
    _release,
    public_as_of,
    released_vintages,
)
from shumao.release.tables import data_release, release_calendar
from shumao.storage.dataflows import get_dataflow
from shumao.storage.tables import vintage


def release(
    conn: Connection,
    *,
    scope: Scope,
    dataflow_id: str,
    vintage_id: int | None = None,
    note: str = "",
    ip: str = "",
    revision_reason: str = "",
    at: datetime | None = None,
    scheduled: int | None = None,
) -> Release:
    """Make ``vintage_id`` (default: the dataflow's newest vintage) public, with its notes.

    A vintage under embargo (a scheduled release in the calendar holds it or an earlier one)
    is released only by its calendar entry (``scheduled``, the release worker); revisions
    outside the revision policy need ``revision_reason``. ``at``: the moment of release (the
    worker's clock; default now)."""
    permissions.require_release(scope)
    flow = get_dataflow(dataflow_id)
    vid = vintage_id if vintage_id is not None else _newest_vintage(conn, flow.id)
    owner = conn.execute(select(vintage.c.dataflow_id).where(vintage.c.id == vid)).scalar()
    if owner != flow.id:
        raise StoreError(
            f"版本 {vid} 不属于数据流 {flow.id} / vintage {vid} is not a vintage of {flow.id}"
        )
    if scheduled is None:
        _refuse_embargoed(conn, flow.id, vid)
    previous = public_as_of(conn, flow.id)
    first = vid not in released_vintages(conn, flow.id)
    cells, disclosure = (
        _protected_cells(conn, flow.id, vid)
        if (first and publish.is_microdata(flow))
        else (None, None)
    )
    new_id = int(
        conn.execute(
            insert(data_release)
            .values(
                dataflow_id=flow.id,
                vintage_id=vid,
                released_at=at or datetime.now(UTC),
                released_by=scope.username,
                note=note.strip(),
                disclosure=disclosure,
            )
            .returning(data_release.c.id)
        ).scalar_one()
    )
    published = release_cells.store(conn, new_id, cells) if cells is not None else 0
    generated = release_notes.for_release(
        conn, flow.id, new_id, vid, previous, disclosure, revision_reason
    )
    audit.record_by(
        conn,
        scope,
        action="release",
        target=f"{flow.id}@{vid}",
        ip=ip,
        detail={
            "note": note,
            "published_cells": published,
            "disclosure_rules": (disclosure or {}).get("rules", {}).get("name"),
            "calendar": scheduled,
            "revisions": generated["revisions"],
            "outside_policy": generated["outside_policy_count"],
        },
    )
    return _release(conn.execute(select(data_release).where(data_release.c.id == new_id)).one())


HOLDS = ("dataflow", "index")
"""Calendar entries that hold a vintage (``calendar.HOLDS_VINTAGE``)."""


def _refuse_embargoed(conn: Connection, flow_id: str, vintage_id: int) -> None:
    """A vintage a scheduled release holds (or a later one) waits for its minute."""
    held = conn.execute(
        select(
            release_calendar.c.id, release_calendar.c.scheduled_at, release_calendar.c.vintage_id
        ).where(
            release_calendar.c.subject == flow_id,
            release_calendar.c.kind.in_(HOLDS),
            release_calendar.c.status.in_(["scheduled", "releasing"]),
            or_(
                release_calendar.c.vintage_id <= vintage_id, release_calendar.c.vintage_id.is_(None)
            ),
        )
    ).first()  # an index's build to come
    if held is not None:
        what = held.vintage_id if held.vintage_id is not None else vintage_id
        raise Embargoed(
            f"{flow_id} 版本 {what} 处于禁发期，按发布日程 #{held.id} 定时发布，"
            f"不能提前发布 / vintage {what} of {flow_id} is under embargo until "
            f"calendar entry #{held.id}; it cannot be released early"
        )


def _protected_cells(
    conn: Connection, flow_id: str, vintage_id: int
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The cells a micro-data release publishes, and the record of how they were protected."""
    rules = sdc.configured()
    outcomes: list[dict[str, Any]] = []
    cells = publish.cube(conn, flow_id, vintage_id, rules, outcomes)
    return cells, publish.disclosure_record(rules, outcomes)


def _newest_vintage(conn: Connection, flow_id: str) -> int:
    vid = conn.execute(
        select(func.max(vintage.c.id)).where(vintage.c.dataflow_id == flow_id)
    ).scalar()
    if vid is None:
        raise StoreError(f"数据流 {flow_id} 还没有任何数据 / {flow_id} has no data yet")
    return int(vid)
