"""Login rate limiting: one counter row per user name and per client address.

Every attempt first bumps both rows in one short transaction (``INSERT … ON CONFLICT DO
UPDATE … RETURNING``: atomic on SQLite and PostgreSQL, across processes) and the counts it
returns decide whether the password is checked at all. So of 50 simultaneous wrong passwords
exactly ``max_failures`` are checked (counting from the audit log afterwards let 21 through).
A right password gives the attempt back: the user's count starts again, the address's drops
by one. An address may make ``ADDRESS_FACTOR`` times as many attempts (an office behind one
address has many users). A count older than the window starts again at the next attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, update

from shumao.auth.tables import login_counter
from shumao.errors import NotAllowed

ADDRESS_FACTOR = 4


class TooManyAttempts(NotAllowed):
    """Too many failed logins: try again later (HTTP 429)."""


@dataclass(frozen=True)
class LoginLimit:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def reserve(conn: Connection, *, username: str, ip: str, now: datetime,
            limit: LoginLimit) -> str | None:
    """Count this attempt; the refusal message when the user or address is over its limit
    (then no password may be checked), else ``None``. Commit right after: the count must
    stand whatever the password check says."""
    minutes = int(limit.window.total_seconds() // 60)
    if _bump(conn, f"user:{username.lower()}", now, limit.window) > limit.max_failures:
        return (f"登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins for this "
                f"user; try again in {minutes} minutes")
    if ip and _bump(conn, f"ip:{ip}", now, limit.window) > limit.max_failures * ADDRESS_FACTOR:
        return (f"此地址登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins from "
                f"this address; try again in {minutes} minutes")
    return None


def succeeded(conn: Connection, *, username: str, ip: str) -> None:
    """A right password: the user starts again, the address gets this attempt back."""
    conn.execute(delete(login_counter).where(login_counter.c.key == f"user:{username.lower()}"))
    if ip:
        conn.execute(update(login_counter).where(login_counter.c.key == f"ip:{ip}",
                                                 login_counter.c.attempts > 0)
                     .values(attempts=login_counter.c.attempts - 1))


def _bump(conn: Connection, key: str, now: datetime, window: timedelta) -> int:
    from shumao.storage.engine import insert_dialect

    stale = login_counter.c.window_start < now - window
    stmt = insert_dialect(conn, login_counter).values(key=key, attempts=1, window_start=now)
    stmt = stmt.on_conflict_do_update(index_elements=[login_counter.c.key], set_={
        "attempts": case((stale, 1), else_=login_counter.c.attempts + 1),
        "window_start": case((stale, now), else_=login_counter.c.window_start),
    }).returning(login_counter.c.attempts)
    return int(conn.execute(stmt).scalar_one())
