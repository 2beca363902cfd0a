"""Login rate limiting: one counter row per user name and per client address.

A user name: every attempt first bumps its row in one short transaction (``INSERT … ON
CONFLICT DO UPDATE … RETURNING``: atomic on SQLite and PostgreSQL, across processes) and the
count it returns decides whether the password is checked at all. So of 50 simultaneous wrong
passwords for one user exactly ``max_failures`` are checked (counting failures from the audit
log afterwards let 21 through). A right password starts the user's count again.

An address: its row counts failed checks (bumped the same atomic way, in the transaction that
records the failure) and an address with ``ADDRESS_FACTOR`` × ``max_failures`` failures in the
window is refused before any check. Attempts in flight are not held against an address:
everyone behind one office router or reverse proxy logs in from one address, and 200 filers
logging in before a deadline must not lock each other out (``benchmarks/deadline_crowd.py``
measured exactly that with in-flight attempts counted). A count older than the window starts
again at its next bump.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, select

from shumao.auth.tables import login_counter
from shumao.errors import NotAllowed
from shumao.storage.engine import insert_dialect

ADDRESS_FACTOR = 4


class TooManyAttempts(NotAllowed):
    """Too many failed logins: try again later (HTTP 429)."""


@dataclass(frozen=True)
class LoginLimit:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def reserve(
    conn: Connection, *, username: str, ip: str, now: datetime, limit: LoginLimit
) -> str | None:
    """Count this attempt against the user; the refusal message when the user or the address
    is over its limit (then no password may be checked), else ``None``. Commit right after:
    the count must stand whatever the password check says."""
    minutes = int(limit.window.total_seconds() // 60)
    if ip and _failures(conn, f"ip:{ip}", now, limit.window) >= limit.max_failures * ADDRESS_FACTOR:
        return (
            f"此地址登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins from "
            f"this address; try again in {minutes} minutes"
        )
    if _bump(conn, f"user:{username.lower()}", now, limit.window) > limit.max_failures:
        return (
            f"登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins for this "
            f"user; try again in {minutes} minutes"
        )
    return None


def failed(conn: Connection, *, ip: str, now: datetime, limit: LoginLimit) -> None:
    """A wrong password, unknown user or disabled account: the address's count goes up."""
    if ip:
        _bump(conn, f"ip:{ip}", now, limit.window)


def succeeded(conn: Connection, *, username: str) -> None:
    """A right password: the user's count starts again."""
    conn.execute(delete(login_counter).where(login_counter.c.key == f"user:{username.lower()}"))


def _failures(conn: Connection, key: str, now: datetime, window: timedelta) -> int:
    found = conn.execute(
        select(login_counter.c.attempts).where(
            login_counter.c.key == key, login_counter.c.window_start >= now - window
        )
    ).scalar()
    return int(found or 0)


def _bump(conn: Connection, key: str, now: datetime, window: timedelta) -> int:
    stale = login_counter.c.window_start < now - window
    stmt = insert_dialect(conn, login_counter).values(key=key, attempts=1, window_start=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[login_counter.c.key],
        set_={
            "attempts": case((stale, 1), else_=login_counter.c.attempts + 1),
            "window_start": case((stale, now), else_=login_counter.c.window_start),
        },
    ).returning(login_counter.c.attempts)
    return int(conn.execute(stmt).scalar_one())
