"""Cached views: what the pages and the JSON API show, computed once per store state.

The key of every view is (view, scope, parameters, language, ``store_state``): a new load,
approval, release or enterprise change makes a fresh key, so nothing stale is ever served.

The JSON API of the aggregated views (``overview_json``, ``area_json``) keeps the encoded
body itself and answers a repeated request from the event loop: while the remembered store
state is fresh (``view_state_ttl_seconds``) a hit needs no database connection, no worker
thread and no serialisation — under load that is most requests (see benchmarks/web_load.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from shumao.auth.scope import Scope
from shumao.storage.dataflows import get_dataflow
from shumao.web.cache import ViewCache
from shumao.web.schemas import Dashboard
from shumao.web.services import dashboard, explorer, explorer_unmatched


def overview(conn: Connection, *, scope: Scope, lang: str, cache: ViewCache) -> Dashboard:
    key = ("overview", scope.key, lang, cache.state(conn))
    return cache.get_or_make(key, lambda: dashboard.overview(conn, scope=scope, lang=lang))


def area(conn: Connection, *, scope: Scope, code: str, lang: str, cache: ViewCache) -> Dashboard:
    code = code.strip().upper()
    if dashboard.level_of(code) == "enterprise":  # access is checked before any cache hit
        return dashboard.area(conn, scope=scope, code=code, lang=lang)
    key = ("area", scope.key, code, lang, cache.state(conn))
    return cache.get_or_make(key, lambda: dashboard.area(conn, scope=scope, code=code, lang=lang))


async def overview_json(engine: Engine, *, scope: Scope, lang: str, cache: ViewCache) -> bytes:
    """The overview as JSON bytes (see the module docstring)."""
    return await _json(
        engine,
        cache,
        ("overview", scope.key, lang),
        lambda conn: overview(conn, scope=scope, lang=lang, cache=cache),
    )


async def area_json(
    engine: Engine, *, scope: Scope, code: str, lang: str, cache: ViewCache
) -> bytes:
    """An area page as JSON bytes; an enterprise's page is never answered from the cache."""
    code = code.strip().upper()
    make: Callable[[Connection], Dashboard] = lambda conn: area(  # noqa: E731
        conn, scope=scope, code=code, lang=lang, cache=cache
    )
    if dashboard.level_of(code) == "enterprise":
        return await run_in_threadpool(_encode, engine, make)
    return await _json(engine, cache, ("area", scope.key, code, lang), make)


async def _json(
    engine: Engine,
    cache: ViewCache,
    key: tuple[Hashable, ...],
    make: Callable[[Connection], Dashboard],
) -> bytes:
    state = await cache.current_state(engine)
    hit = cache.peek(("json", *key, state))
    if isinstance(hit, bytes):
        return hit
    return await run_in_threadpool(_encode_cached, engine, cache, key, make)


def _encode_cached(
    engine: Engine,
    cache: ViewCache,
    key: tuple[Hashable, ...],
    make: Callable[[Connection], Dashboard],
) -> bytes:
    with engine.connect() as conn:
        state = cache.state(conn)
        return cache.get_or_make(
            ("json", *key, state), lambda: make(conn).model_dump_json().encode()
        )


def _encode(engine: Engine, make: Callable[[Connection], Dashboard]) -> bytes:
    with engine.connect() as conn:
        return make(conn).model_dump_json().encode()


def explore(
    conn: Connection, *, scope: Scope, query: explorer.Query, lang: str, cache: ViewCache
) -> explorer.Result:
    """The view, and why a filter value found nothing (an unknown name, or no data)."""
    found = _view(conn, scope, query, lang, cache)
    return explorer.result(found, query, explorer_unmatched.unmatched(query, found, lang))


def choices(
    conn: Connection, *, scope: Scope, query: explorer.Query, lang: str, cache: ViewCache
) -> dict[str, list[tuple[str, str]]]:
    """Every code (with its name) of each dimension that the scope sees in the dataflow: the
    pickers of the page (read once per store state; the JSON API never needs them)."""
    flow = get_dataflow(query.dataflow)
    key = ("explore-choices", scope.key, flow.id, lang, cache.state(conn))
    return cache.get_or_make(
        key,
        lambda: explorer.choices(
            _view(conn, scope, explorer.Query(dataflow=flow.id), lang, cache), flow
        ),
    )


def _view(
    conn: Connection, scope: Scope, query: explorer.Query, lang: str, cache: ViewCache
) -> explorer.View:
    key = ("explore", scope.key, query.cache_key(), lang, cache.state(conn))
    return cache.get_or_make(
        key, lambda: explorer.full_view(conn, scope=scope, query=query, lang=lang)
    )
