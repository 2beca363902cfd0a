"""定时发布 / the release worker: releases due calendar entries at their minute.

The queue is the database itself (``release_calendar``): ``tick`` reads the due entries, claims
each with one conditional update (``queue.claim``), releases it and marks it released in
the same transaction — a crash rolls all of it back and the next round, in this process or
after a restart, releases it again; two workers never release one entry twice. Then it writes
the open-data snapshots missing (``snapshot.write_missing``), which also catches up releases
made by hand. ``run`` is the loop of ``shumao release worker`` and of the web process
(``SHUMAO_RELEASE_WORKER=inprocess``): it sleeps until the next due entry or ``interval``,
whichever is sooner, so a release is at most ``interval`` seconds late and never early.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from shumao.auth import audit
from shumao.auth.scope import Scope
from shumao.errors import ShumaoError
from shumao.release import calendar, documents, queue, releases, snapshot

log = logging.getLogger(__name__)
WORKER = "release-worker"

AfterRelease = Callable[[Engine, list[str]], None]
"""What runs once a round has released dataflows: the warning rules
(``monitor.hooks.after_release``), passed in by the web process and the CLI so that
``release`` needs nothing from ``monitor``."""


@dataclass
class Round:
    released: list[int] = field(default_factory=list)  # calendar entries
    failed: list[int] = field(default_factory=list)
    snapshots: list[int] = field(default_factory=list)  # release ids


def tick(
    engine: Engine,
    *,
    open_data: Path,
    now: datetime | None = None,
    after: AfterRelease | None = None,
) -> Round:
    """One round: release every due entry, then write missing snapshots."""
    now = now or datetime.now(UTC)
    done = Round()
    with engine.connect() as conn:
        due = queue.due(conn, now)
    for entry_id in due:
        try:
            with engine.begin() as conn:
                if _release(conn, entry_id, now):
                    done.released.append(entry_id)
        except ShumaoError as exc:
            _failed(engine, entry_id, str(exc))
            done.failed.append(entry_id)
    if done.released and after is not None:
        _after(engine, due, after)
    done.snapshots = snapshot.write_missing(engine, open_data)
    return done


def _release(conn: Connection, entry_id: int, now: datetime) -> bool:
    if not queue.claim(conn, entry_id, now):
        return False  # another worker has it
    entry = calendar.get(conn, entry_id)
    scope = Scope("admin", username=WORKER)
    release_id = released = None
    if entry.kind in calendar.HOLDS_VINTAGE:  # a dataflow, or an index's build
        made = releases.release(
            conn,
            scope=scope,
            dataflow_id=entry.subject,
            vintage_id=calendar.held_vintage(conn, entry),
            at=now,
            scheduled=entry.id,
            note=f"发布日程 #{entry.id} / calendar entry #{entry.id}",
            revision_reason=entry.revision_reason,
        )
        release_id, released = made.id, made.vintage_id
    else:  # the report: its files become public with the entry's status (audited here)
        documents.require_attached(conn, entry)
        audit.record(
            conn,
            action="release",
            username=WORKER,
            role="admin",
            target=f"{entry.kind}:{entry.subject}@{entry.reference_period}",
            detail={
                "calendar": entry.id,
                "approved_by": entry.approved_by,
                "files": [d.name for d in documents.of_entry(conn, entry.id)],
            },
        )
    queue.finish(conn, entry_id, release_id=release_id, at=now, vintage_id=released)
    log.info("released calendar entry %s (%s %s)", entry.id, entry.subject, entry.reference_period)
    return True


def _failed(engine: Engine, entry_id: int, reason: str) -> None:
    """A release that raised stays unreleased, marked failed with the reason (audited)."""
    log.error("calendar entry %s failed: %s", entry_id, reason)
    with engine.begin() as conn:
        queue.fail(conn, entry_id, reason)
        audit.record(
            conn,
            action="release.failed",
            username=WORKER,
            role="admin",
            target=f"calendar#{entry_id}",
            ok=False,
            detail={"reason": reason},
        )


def _after(engine: Engine, entries: list[int], after: AfterRelease) -> None:
    """The warning rules run on what was released (as after a release by hand)."""
    with engine.connect() as conn:
        found = [calendar.get(conn, e) for e in entries]
    flows = sorted({e.subject for e in found if e.kind in calendar.HOLDS_VINTAGE})
    if flows:
        after(engine, flows)


def run(
    engine: Engine,
    *,
    open_data: Path,
    interval: float,
    stop: threading.Event,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_round: Callable[[Round], None] | None = None,
    after: AfterRelease | None = None,
) -> None:
    """Rounds until ``stop`` is set; a round that fails is logged and retried."""
    while not stop.is_set():
        try:
            done = tick(engine, open_data=open_data, now=clock(), after=after)
            if on_round is not None:
                on_round(done)
        except Exception:  # the loop must outlive a lost connection; the round is retried
            log.exception("release worker round failed")
        stop.wait(_pause(engine, interval, clock()))


def _pause(engine: Engine, interval: float, now: datetime) -> float:
    try:
        with engine.connect() as conn:
            upcoming = queue.next_due(conn)
    except Exception:
        return interval
    if upcoming is None:
        return interval
    return max(0.05, min(interval, (upcoming - now).total_seconds()))
