"""Correction notices beyond the pages: the API, SDMX and file responses that show a corrected
dataflow carry the header ``X-Shumao-Correction``.

``CorrectionNotices`` opens a ``release.shown`` recording for every request; whatever the
request reads is noted (``access.read``, ``public.public_view``, the cache's hits, the routes
that name a dataflow). An HTML page prints the notice itself (``render.page``); any other
response gets the header, naming the dataflow, the corrected periods and the notes::

    X-Shumao-Correction: UNCTAD_DDS; periods=2023; notes=/releases/12
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from shumao.release import shown
from shumao.web.cache import ViewCache
from shumao.web.services.calendar import correction_header, correction_notices

HEADER = b"x-shumao-correction"


class CorrectionNotices:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with shown.recording() as flows:

            async def with_notice(message: MutableMapping[str, Any]) -> None:
                if message["type"] == "http.response.start" and flows:
                    await _add_header(scope, message, frozenset(flows))
                await send(message)

            await self.app(scope, receive, with_notice)


async def _add_header(
    scope: Scope, message: MutableMapping[str, Any], flows: frozenset[str]
) -> None:
    headers = list(message.get("headers", []))
    kind = dict(headers).get(b"content-type", b"")
    if kind.startswith(b"text/html"):
        return  # the page prints the notice
    state = scope["app"].state
    notices = state.cache.recent_known(_key(flows))  # made already: no worker thread
    if notices is None:
        notices = await run_in_threadpool(_notices, state.engine, state.cache, flows)
    if notices:
        message["headers"] = [*headers, (HEADER, correction_header(notices).encode("ascii"))]


def _notices(engine: Engine, cache: ViewCache, flows: frozenset[str]) -> list[dict[str, Any]]:
    """Read after the route has given its connection back (the header goes out with the
    response's start), so on a connection of its own; kept as the other views are (a cached
    answer needs no database: corrections come with releases, and this process's own clear
    the cache at once)."""

    def read() -> list[dict[str, Any]]:
        with engine.connect() as conn:
            return correction_notices(conn, dataflows=flows, lang="en")

    return cache.recent(_key(flows), read)


def _key(flows: frozenset[str]) -> tuple[str, frozenset[str]]:
    return ("correction-notices", flows)
