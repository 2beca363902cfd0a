"""Log in and out. The attempt is counted first, in its own short transaction that decides
whether the password is checked at all (``auth.ratelimit``); a failed login is committed (its
audit row) before the bilingual refusal is raised."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from shumao.auth import audit, ratelimit, sessions, users
from shumao.errors import NotAllowed
from shumao.storage.engine import write_transaction
from shumao.web.config import WebConfig


def login(engine: Engine, *, username: str, password: str, ip: str, config: WebConfig
          ) -> tuple[str, sessions.Session]:
    """(cookie value, session) for the right password; ``NotAllowed`` otherwise."""
    name = username.strip()
    with write_transaction(engine) as conn:
        refusal = ratelimit.reserve(conn, username=name, ip=ip, now=datetime.now(UTC),
                                    limit=config.login)
    if refusal:
        raise ratelimit.TooManyAttempts(refusal)
    with engine.begin() as conn:
        user = users.authenticate(conn, username=name, password=password, ip=ip,
                                  limit=config.login)
    if user is None:
        raise NotAllowed(users.BAD_LOGIN)
    with engine.begin() as conn:
        sessions.purge_expired(conn)
        return sessions.start(conn, user=user, secret=config.secret_key,
                              hours=config.session_hours)


def logout(engine: Engine, *, cookie: str | None, session: sessions.Session | None, ip: str,
           config: WebConfig) -> None:
    if not cookie:
        return
    with engine.begin() as conn:
        sessions.end(conn, cookie=cookie, secret=config.secret_key)
        if session is not None:
            user = session.user
            audit.record(conn, action="logout", username=user.username, role=user.role,
                         scope=user.scope, ip=ip)
