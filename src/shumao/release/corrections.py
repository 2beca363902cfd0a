"""更正 / corrections: released figures corrected outside the calendar.

A correction releases a newer vintage of a dataflow at once, with a reason, and records which
release it corrects and which reference periods changed (from the release notes' revision
table). While the correcting release is what the public reads of the dataflow, every page that
shows the dataflow carries the notice (``active``). Audited (``release.correct``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from shumao.auth import audit, permissions
from shumao.auth.scope import Scope
from shumao.errors import InvalidParameter
from shumao.release import history, notes, releases
from shumao.release.tables import data_release, release_correction


@dataclass(frozen=True)
class Correction:
    id: int
    release_id: int
    corrects: int
    dataflow_id: str
    reason: str
    periods: list[str]
    corrected_by: str
    corrected_at: datetime


def correct(
    conn: Connection,
    *,
    scope: Scope,
    dataflow_id: str,
    reason: str,
    vintage_id: int | None = None,
    ip: str = "",
) -> Correction:
    """Release a corrected vintage now (outside the calendar), with the reason."""
    permissions.require_release(scope)
    if not reason.strip():
        raise InvalidParameter("更正须说明原因 / a correction needs a reason")
    before = [r for r in history.list_releases(conn, dataflow_id)]
    if not before:
        raise InvalidParameter(
            f"{dataflow_id} 尚未发布，无可更正 / {dataflow_id} has not been "
            "released: there is nothing to correct"
        )
    made = releases.release(
        conn,
        scope=scope,
        dataflow_id=dataflow_id,
        vintage_id=vintage_id,
        note=f"更正 / correction: {reason.strip()}",
        ip=ip,
        revision_reason=reason,
    )
    generated = (notes.get(conn, made.id) or {}).get("generated") or {}
    periods = list(generated.get("revised_periods", []))
    now = datetime.now(UTC)
    new_id = conn.execute(
        insert(release_correction)
        .values(
            release_id=made.id,
            corrects=before[0].id,
            dataflow_id=made.dataflow_id,
            reason=reason.strip(),
            periods=periods,
            corrected_by=scope.username,
            corrected_at=now,
        )
        .returning(release_correction.c.id)
    ).scalar_one()
    audit.record_by(
        conn,
        scope,
        action="release.correct",
        target=f"{made.dataflow_id}@{made.vintage_id}",
        ip=ip,
        detail={
            "release": made.id,
            "corrects": before[0].id,
            "reason": reason.strip(),
            "periods": periods,
            "revisions": generated.get("revisions", 0),
        },
    )
    return _correction(
        conn.execute(select(release_correction).where(release_correction.c.id == new_id)).one()
    )


def _correction(row: Any) -> Correction:
    data = dict(row._mapping)
    if data["corrected_at"].tzinfo is None:
        data["corrected_at"] = data["corrected_at"].replace(tzinfo=UTC)
    data["periods"] = list(data["periods"] or [])
    return Correction(**data)


def active(conn: Connection) -> list[Correction]:
    """Corrections whose release is still the newest release of its dataflow (what the
    public reads is the corrected figure)."""
    newest = (
        select(data_release.c.dataflow_id, func.max(data_release.c.id).label("rid"))
        .group_by(data_release.c.dataflow_id)
        .subquery()
    )
    rows = conn.execute(
        select(release_correction)
        .join(newest, newest.c.rid == release_correction.c.release_id)
        .order_by(release_correction.c.id.desc())
    ).all()
    return [_correction(r) for r in rows]


def shown_in(conn: Connection, dataflows: Iterable[str]) -> list[Correction]:
    """The active corrections of ``dataflows`` (what a page showing them must say)."""
    wanted = set(dataflows)
    return [c for c in active(conn) if c.dataflow_id in wanted] if wanted else []


def of_release(conn: Connection, release_id: int) -> Correction | None:
    row = conn.execute(
        select(release_correction).where(release_correction.c.release_id == release_id)
    ).first()
    return _correction(row) if row else None
