"""The alert list's cache: the JSON of ``/api/alerts`` and the body of ``/monitor``, encoded
once per (scope, filters, page, language, alert change token).

The token (``monitor.changes``) is read from the store on every request, in the same query
trip as the login session: any acknowledge, resolve, silence, evaluation or rule change, made
by this process or any other, and the end of any silence, give a new key, so the cache never
answers with alerts older than the store's. The list itself (rows, names, counts, map, JSON or
template) is made once per key.

A repeated list of a session this process read within ``state_ttl`` (``sessions.remembered``,
the bound every route accepts) is answered on the event loop: the token comes from one read
shared by the requests asking at the same moment and begun after each of them arrived
(``web.fresh_read``), so it costs no worker-thread trip or connection of its own. Anything
else (a session to read, a list to make, a page whose header or notices read the store) is
done in one worker-thread trip on one connection.

The page's person-specific parts (the user, the CSRF token of the logout form) are not in
the cached body: ``render.page`` puts the body into the page of each requester.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from shumao.auth import sessions
from shumao.auth.scope import Scope
from shumao.monitor import changes, queries
from shumao.web import connection
from shumao.web.cache import ViewCache
from shumao.web.render import fragment, page, reads_store
from shumao.web.schemas_monitor import AlertListOut
from shumao.web.services import monitor

T = TypeVar("T")


@dataclass(frozen=True)
class ListQuery:
    """What a list request asks for (besides who asks)."""

    filters: queries.Filters
    page: int
    lang: str


async def json_answer(request: Request, query: ListQuery) -> bytes:
    """The requester's alert list as JSON: from the cache on the event loop when it holds the
    list under a token read after the request arrived, else made in one worker-thread trip."""
    found = await _cached(request, "alerts-json", query)
    if found is not None:
        return cast(bytes, found)
    return await _in_thread(list_json, request, query)


async def page_answer(request: Request, query: ListQuery) -> HTMLResponse:
    """The 监测预警 page, as ``json_answer``; rendered on the event loop only when the page
    reads nothing besides (``render.reads_store``)."""
    body = await _cached(request, "alerts-page", query)
    if body is not None and not reads_store(request):
        return page(request, "monitor.html", {"body": body})
    return await _in_thread(list_page, request, query)


async def _cached(request: Request, kind: str, query: ListQuery) -> Any | None:
    """The list cached for the requester's scope under the current token, or ``None``: no
    session of this cookie read by this process within ``state_ttl`` (it is read, with
    everything else, in the worker thread), or no such list made yet. The token comes from a
    read begun after this request arrived (``FreshRead``), shared with the requests asking
    at the same moment."""
    state = request.app.state
    cookie = request.cookies.get(sessions.COOKIE)
    found = sessions.remembered(cookie, state.cache.state_ttl) if cookie else None
    if cookie and found is None:
        return None
    token = await state.alert_token(state.engine)
    request.state.session = found
    scope = sessions.scope_of(found)
    return state.cache.peek((kind, scope.key, query, token))


async def _in_thread(make: Callable[..., T], request: Request, query: ListQuery) -> T:
    """``list_json`` or ``list_page`` in one worker-thread trip (session, token and, unless
    cached, the list)."""
    state = request.app.state
    return await run_in_threadpool(
        make,
        state.engine,
        request=request,
        secret=state.config.secret_key,
        cache=state.cache,
        query=query,
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
    scope = sessions.scope_of(found)
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
            "rules": monitor.rule_choices(
                conn, scope=scope, lang=query.lang, cache=cache, token=token
            ),
        },
    )
