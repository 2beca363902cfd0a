"""Typed dependencies, declared once and used by every route.

SessionDep   a database connection in a transaction, committed when the route returns and
             before the response is sent (a failed commit is the response), rolled back
             when it raises; a change (POST, …) holds the write lock from its start
             (``storage.engine.write_transaction``: writers queue, none fails on a stale
             snapshot)
MaybeUser    the logged-in user or ``None``
CurrentUser  the logged-in user (401 otherwise)
ScopeDep     what the requester may see (``sessions.scope_of``: the public's when not
             logged in)
Csrf         unsafe requests of a logged-in user must carry the session's CSRF token
             (form field ``csrf_token`` or header ``X-CSRF-Token``)
ConfigDep    the web configuration
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from shumao.auth import session_cache, sessions
from shumao.auth.scope import Scope
from shumao.auth.users import User
from shumao.monitor import hooks
from shumao.release import snapshot
from shumao.storage.engine import write_transaction
from shumao.web import connection
from shumao.web.cache import ViewCache
from shumao.web.config import WebConfig
from shumao.web.errors import CsrfRejected, LoginRequired

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_config(request: Request) -> WebConfig:
    return request.app.state.config


async def get_cache(request: Request) -> ViewCache:
    return request.app.state.cache


EngineDep = Annotated[Engine, Depends(get_engine)]
ConfigDep = Annotated[WebConfig, Depends(get_config)]
CacheDep = Annotated[ViewCache, Depends(get_cache)]


async def load_session(
    request: Request, engine: EngineDep, config: ConfigDep
) -> sessions.Session | None:
    """The request's live session (also kept on ``request.state`` for the templates)."""
    if hasattr(request.state, "session"):
        return request.state.session
    cookie = request.cookies.get(sessions.COOKIE)
    found = None
    ttl = request.app.state.cache.state_ttl  # a session is trusted as long as the store state
    if cookie:
        found = sessions.remembered(cookie, ttl)
        if found is None:
            found = await run_in_threadpool(_load_session, engine, cookie, config.secret_key, ttl)
    request.state.session = found
    return found


def _load_session(engine: Engine, cookie: str, secret: str, ttl: float) -> sessions.Session | None:
    with engine.connect() as conn:
        return sessions.load_recent(conn, cookie=cookie, secret=secret, ttl=ttl)


SessionCookieDep = Annotated[sessions.Session | None, Depends(load_session)]


def get_session(
    request: Request, engine: EngineDep, cache: CacheDep, _login: SessionCookieDep
) -> Iterator[Connection]:
    """The route's connection, kept on the request while the route runs (``connection``):
    what its page reads besides reads it there, never a second connection. The login session
    is read first (``_login``, on a connection of its own, given back before this one is
    taken), whatever order the route declares its parameters in."""
    if request.method in SAFE_METHODS:
        with engine.begin() as conn, connection.kept(request, conn):
            yield conn
        return
    with write_transaction(engine) as conn, connection.kept(request, conn):
        try:
            yield conn
        finally:  # taken even when the change fails: the connection returns to the pool
            pending = hooks.take(conn)  # evaluations an approval or a release asked for
            snapshots = snapshot.take(conn)  # releases made by hand: their open-data files
    cache.touch()  # this process changed the store: views must not wait for the TTL
    session_cache.CACHE.clear()  # … nor sessions (a role changed, a user disabled)
    root = request.app.state.settings.effective_open_data_dir
    snapshot.write_after_commit(engine, snapshots, root)  # after the commit, never inside it
    hooks.run_deferred(engine, pending)


SessionDep = Annotated[Connection, Depends(get_session, scope="function")]


async def maybe_user(session: SessionCookieDep) -> User | None:
    return session.user if session else None


async def current_user(session: SessionCookieDep) -> User:
    if session is None:
        raise LoginRequired()
    return session.user


MaybeUser = Annotated[User | None, Depends(maybe_user)]
CurrentUser = Annotated[User, Depends(current_user)]


async def get_scope(session: SessionCookieDep) -> Scope:
    return sessions.scope_of(session)


ScopeDep = Annotated[Scope, Depends(get_scope)]


async def check_csrf(request: Request, session: SessionCookieDep) -> None:
    """Refuse an unsafe request of a logged-in user without the session's CSRF token."""
    if request.method in SAFE_METHODS or session is None:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sessions.same(sent, session.csrf_token):
        raise CsrfRejected()


Csrf = Depends(check_csrf)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
