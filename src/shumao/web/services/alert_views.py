"""The alert list's cache: the JSON of ``/api/alerts`` and the body of ``/monitor``, encoded
once per (scope, filters, page, language, alert change token).

The token (``monitor.changes``) is read from the store on every request, in the same query
trip as the login session: any acknowledge, resolve, silence, evaluation or rule change, made
by this process or any other, and the end of any silence, give a new key, so the cache never
answers with alerts older than the store's. A repeated list costs one connection, one worker
thread and the session and token reads; the list itself (rows, names, counts, map, JSON or
template) is made once per key.

The page's person-specific parts (the user, the CSRF token of the logout form) are not in
the cached body: ``render.page`` puts the body into the page of each requester.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from shumao.auth import sessions
from shumao.auth.scope import Scope
from shumao.monitor import changes, queries
from shumao.web import connection
from shumao.web.cache import ViewCache
from shumao.web.config import WebConfig
from shumao.web.render import fragment, page
from shumao.web.schemas_monitor import AlertListOut
from shumao.web.services import monitor

T = TypeVar("T")


@dataclass(frozen=True)
class ListQuery:
    """What a list request asks for (besides who asks)."""

    filters: queries.Filters
    page: int
    lang: str


async def answer(
    make: Callable[..., T],
    request: Request,
    engine: Engine,
    cache: ViewCache,
    config: WebConfig,
    query: ListQuery,
) -> T:
    """``list_json`` or ``list_page`` in one worker-thread trip (session, token and, unless
    cached, the list): the routes only await it."""
    return await run_in_threadpool(
        make, engine, request=request, secret=config.secret_key, cache=cache, query=query
    )


def list_json(
    engine: Engine, *, request: Request, secret: str, cache: ViewCache, query: ListQuery
) -> bytes:
    """The requester's alert list as JSON (``AlertListOut``); run it in a worker thread."""
    with engine.connect() as conn:
        scope, token = _requester(conn, request, secret)
        return cache.get_or_make(
            ("alerts-json", scope.key, query, token),
            lambda: _listing(conn, scope, query, cache, token).model_dump_json().encode(),
        )


def list_page(
    engine: Engine,
    *,
    request: Request,
    secret: str,
    cache: ViewCache,
    query: ListQuery,
) -> HTMLResponse:
    """The 监测预警 page of the requester; run it in a worker thread."""
    with engine.connect() as conn:
        scope, token = _requester(conn, request, secret)
        body = cache.get_or_make(
            ("alerts-page", scope.key, query, token),
            lambda: _page_body(conn, scope, query, cache, token),
        )
        with connection.kept(request, conn):  # the header's scope name reads through it
            return page(request, "monitor.html", {"body": body})


def _requester(conn: Connection, request: Request, secret: str) -> tuple[Scope, changes.Token]:
    """The login session (kept on the request for the page's header) and the token. The
    session is read as every route's (``deps.load_session``): through the process's session
    cache, trusted as long as the store state."""
    cookie = request.cookies.get(sessions.COOKIE)
    ttl = request.app.state.cache.state_ttl
    found = sessions.load_recent(conn, cookie=cookie, secret=secret, ttl=ttl) if cookie else None
    request.state.session = found
    scope = found.user.access if found else Scope.public()
    return scope, changes.token(conn)


def _listing(
    conn: Connection, scope: Scope, query: ListQuery, cache: ViewCache, token: changes.Token
) -> AlertListOut:
    return monitor.alert_list(
        conn,
        scope=scope,
        filters=query.filters,
        page=query.page,
        lang=query.lang,
        cache=cache,
        token=token,
    )


def _page_body(
    conn: Connection,
    scope: Scope,
    query: ListQuery,
    cache: ViewCache,
    token: changes.Token,
) -> str:
    listing = _listing(conn, scope, query, cache, token)
    f = query.filters
    chosen = {
        "level": f.level or "",
        "state": f.state or "open",
        "rule": f.rule or "",
        "area": f.area or "",
        "period": f.period or "",
    }
    return fragment(
        "monitor_list.html",
        query.lang,
        {
            "r": listing,
            "chart": monitor.alert_map(listing, query.lang),
            "chosen": chosen,
            "rules": monitor.rules_used(conn, scope=scope, cache=cache, token=token),
        },
    )
