"""When a step of a filing happens: now (UTC), or the moment the demo replays; stored moments
shown as Beijing time (SQLite returns naive datetimes; everything is stored in UTC)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")
_CLOCK: ContextVar[datetime | None] = ContextVar("shumao_workflow_clock", default=None)


def now() -> datetime:
    return _CLOCK.get() or datetime.now(UTC)


@contextmanager
def happening_at(moment: datetime) -> Iterator[None]:
    """Record the steps taken inside as done at ``moment`` (an aware datetime): the demo
    replays past quarters at the days a clerk and a reviewer would have acted."""
    token = _CLOCK.set(moment)
    try:
        yield
    finally:
        _CLOCK.reset(token)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything is stored in UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_time(value: datetime | None) -> datetime | None:
    """A stored moment (UTC, naive from SQLite) as Beijing time."""
    aware_value = aware(value)
    return aware_value.astimezone(LOCAL) if aware_value else None


def local_date(value: datetime) -> date:
    moment = local_time(value)
    assert moment is not None
    return moment.date()
