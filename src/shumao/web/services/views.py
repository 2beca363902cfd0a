"""Cached views: what the pages and the JSON API show, computed once per store state.

The key of every view is (view, scope, parameters, language, ``store_state``): a new load,
approval, release or enterprise change makes a fresh key, so nothing stale is ever served.
"""

from __future__ import annotations

from sqlalchemy import Connection

from shumao.auth.scope import Scope
from shumao.web.cache import ViewCache
from shumao.web.schemas import Dashboard
from shumao.web.services import dashboard, explorer


def overview(conn: Connection, *, scope: Scope, lang: str, cache: ViewCache) -> Dashboard:
    key = ("overview", scope.key, lang, cache.state(conn))
    return cache.get_or_make(key, lambda: dashboard.overview(conn, scope=scope, lang=lang))


def area(conn: Connection, *, scope: Scope, code: str, lang: str, cache: ViewCache) -> Dashboard:
    code = code.strip().upper()
    if dashboard.level_of(code) == "enterprise":  # access is checked before any cache hit
        return dashboard.area(conn, scope=scope, code=code, lang=lang)
    key = ("area", scope.key, code, lang, cache.state(conn))
    return cache.get_or_make(key, lambda: dashboard.area(conn, scope=scope, code=code, lang=lang))


def explore(conn: Connection, *, scope: Scope, query: explorer.Query, lang: str,
            cache: ViewCache) -> explorer.Result:
    key = ("explore", scope.key, query.cache_key(), lang, cache.state(conn))
    frame = cache.get_or_make(key, lambda: explorer.full_frame(conn, scope=scope, query=query,
                                                               lang=lang))
    return explorer.result(frame, query)
