"""Log in and out. A failed login is committed (the audit row counts for rate limiting)
before the bilingual refusal is raised."""

from __future__ import annotations

from sqlalchemy import Engine

from shumao.auth import audit, sessions, users
from shumao.errors import NotAllowed
from shumao.web.config import WebConfig


def login(engine: Engine, *, username: str, password: str, ip: str, config: WebConfig
          ) -> tuple[str, sessions.Session]:
    """(cookie value, session) for the right password; ``NotAllowed`` otherwise."""
    with engine.begin() as conn:
        user = users.authenticate(conn, username=username.strip(), password=password, ip=ip,
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
