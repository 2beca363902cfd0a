"""Login rate limiting, counted from the audit log (so it holds across processes).

A user name is locked after ``max_failures`` failed logins within ``window``; an address after
``ADDRESS_FACTOR`` times as many (an office behind one address has many users). A lock lifts by
itself when the failures age out of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from shumao.auth import audit
from shumao.errors import NotAllowed

ADDRESS_FACTOR = 4


class TooManyAttempts(NotAllowed):
    """Too many failed logins: try again later (HTTP 429)."""


@dataclass(frozen=True)
class LoginLimit:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def check(conn: Connection, *, username: str, ip: str, now: datetime, limit: LoginLimit) -> None:
    since = now - limit.window
    minutes = int(limit.window.total_seconds() // 60)
    if audit.count_failures(conn, since=since, username=username) >= limit.max_failures:
        raise TooManyAttempts(
            f"登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins for this user; "
            f"try again in {minutes} minutes")
    if ip and audit.count_failures(conn, since=since, ip=ip) >= limit.max_failures * ADDRESS_FACTOR:
        raise TooManyAttempts(
            f"此地址登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins from this "
            f"address; try again in {minutes} minutes")
