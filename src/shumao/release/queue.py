"""The release calendar as the worker's queue: due entries, one claim per entry (one
conditional update, so of two workers exactly one gets it), released or failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from shumao.release.calendar import aware
from shumao.release.tables import release_calendar


def due(conn: Connection, now: datetime) -> list[int]:
    """Scheduled entries whose moment has come, oldest first."""
    return [
        int(i)
        for i in conn.execute(
            select(release_calendar.c.id)
            .where(release_calendar.c.status == "scheduled", release_calendar.c.scheduled_at <= now)
            .order_by(release_calendar.c.scheduled_at, release_calendar.c.id)
        ).scalars()
    ]


def next_due(conn: Connection) -> datetime | None:
    return aware(
        conn.execute(
            select(func.min(release_calendar.c.scheduled_at)).where(
                release_calendar.c.status == "scheduled"
            )
        ).scalar()
    )


def claim(conn: Connection, entry_id: int, now: datetime) -> bool:
    """Take a due entry for this worker: one conditional update, so of two workers (or two
    processes) exactly one gets it; the claim lasts as long as the transaction."""
    done = conn.execute(
        update(release_calendar)
        .where(
            release_calendar.c.id == entry_id,
            release_calendar.c.status == "scheduled",
            release_calendar.c.scheduled_at <= now,
        )
        .values(status="releasing")
    )
    return done.rowcount == 1


def finish(
    conn: Connection,
    entry_id: int,
    *,
    release_id: int | None,
    at: datetime,
    vintage_id: int | None = None,
) -> None:
    """Mark an entry released (with the vintage it released, for an index scheduled before
    its build)."""
    values: dict[str, Any] = {"status": "released", "release_id": release_id, "released_at": at}
    if vintage_id is not None:
        values["vintage_id"] = vintage_id
    conn.execute(update(release_calendar).where(release_calendar.c.id == entry_id).values(**values))


def fail(conn: Connection, entry_id: int, reason: str) -> None:
    conn.execute(
        update(release_calendar)
        .where(release_calendar.c.id == entry_id, release_calendar.c.status == "scheduled")
        .values(status="failed", reason=reason[:2000])
    )
