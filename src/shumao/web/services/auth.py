"""Log in and out. The attempt is counted first, in its own short transaction that decides
whether the password is checked at all (``auth.ratelimit``); a failed login is committed (its
audit row) before the bilingual refusal is raised."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from shumao.auth import audit, ratelimit, session_cache, sessions, users
from shumao.errors import NotAllowed
from shumao.storage.engine import write_transaction
from shumao.web.config import WebConfig


def login(
    engine: Engine, *, username: str, password: str, ip: str, config: WebConfig
) -> tuple[str, sessions.Session]:
    """(cookie value, session) for the right password; ``NotAllowed`` otherwise."""
    name = username.strip()
    with write_transaction(engine) as conn:
        refusal = ratelimit.reserve(
            conn, username=name, ip=ip, now=datetime.now(UTC), limit=config.login
        )
    if refusal:
        raise ratelimit.TooManyAttempts(refusal)
    with engine.connect() as conn:  # the slow argon2 check holds no write lock
        checked = users.check_password(conn, username=name, password=password)
    with write_transaction(engine) as conn:
        user = users.record_login(conn, checked, ip=ip, limit=config.login)
        if user is not None:
            sessions.purge_expired(conn)
            return sessions.start(
                conn, user=user, secret=config.secret_key, hours=config.session_hours
            )
    raise NotAllowed(users.BAD_LOGIN)


def logout(
    engine: Engine,
    *,
    cookie: str | None,
    session: sessions.Session | None,
    ip: str,
    config: WebConfig,
) -> None:
    if not cookie:
        return
    with write_transaction(engine) as conn:
        sessions.end(conn, cookie=cookie, secret=config.secret_key)
        if session is not None:
            user = session.user
            audit.record(
                conn,
                action="logout",
                username=user.username,
                role=user.role,
                scope=user.scope,
                ip=ip,
            )
    session_cache.CACHE.forget(cookie)  # again after the commit: no request re-read it meanwhile
