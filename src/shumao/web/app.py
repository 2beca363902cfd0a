"""``create_app(settings)``: the FastAPI application. Wiring only; behaviour lives in routes,
services and ``shumao.auth``."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

import shumao
from shumao.config import Settings, get_settings
from shumao.monitor import changes, hooks
from shumao.release import worker
from shumao.storage.engine import make_engine
from shumao.web import errors, heap
from shumao.web.cache import ViewCache
from shumao.web.config import WebConfig
from shumao.web.fresh_read import FreshRead
from shumao.web.notices import CorrectionNotices
from shumao.web.routes import ROUTERS

STATIC = Path(__file__).with_name("static")
DESCRIPTION = (
    "数贸平台的 JSON 接口：页面能做的一切，另有 SDMX 数据接口。登录后写操作需在请求头 "
    "X-CSRF-Token 中带上登录时返回的 csrf_token。/ The JSON API of shumao: everything the "
    "pages do, plus an SDMX data endpoint. After logging in, send the csrf_token "
    "returned by /api/auth/login in the X-CSRF-Token header of every change."
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The worker threads of this process: ``web_threads`` instead of anyio's 40; a serving
    process's long-lived objects frozen (``heap``)."""
    to_thread.current_default_thread_limiter().total_tokens = app.state.config.threads
    if app.state.settle_heap:
        heap.settle()
    stop = threading.Event()
    worker = _release_worker(app, stop)
    yield
    stop.set()
    if worker is not None:
        worker.join(timeout=30)


def _release_worker(app: FastAPI, stop: threading.Event) -> threading.Thread | None:
    """The release worker in this process (``SHUMAO_RELEASE_WORKER=inprocess``): releases due
    calendar entries at their minute; any number of processes may run it (``worker``)."""
    settings: Settings = app.state.settings
    if settings.release_worker != "inprocess":
        return None
    thread = threading.Thread(
        target=worker.run,
        name="release-worker",
        daemon=True,
        kwargs={
            "engine": app.state.engine,
            "open_data": settings.effective_open_data_dir,
            "interval": settings.release_worker_seconds,
            "stop": stop,
            "after": hooks.after_release,
        },
    )
    thread.start()
    return thread


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = _fastapi()
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings)
    app.state.config = WebConfig.from_settings(settings)
    app.state.cache = ViewCache(state_ttl=app.state.config.state_ttl)
    app.state.settle_heap = False  # a serving process sets it (``heap``), a test does not
    app.state.alert_token = FreshRead(changes.token)  # the alert list's (services.alert_views)
    errors.install(app)
    app.add_middleware(NoNulBytes)
    app.add_middleware(BodyLimit, limit=app.state.config.upload_max_bytes + 256 * 1024)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(CorrectionNotices)  # outermost: it sees every read of the request
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_api_route("/api/docs", _docs, include_in_schema=False)
    return app


def _fastapi() -> FastAPI:
    """The application itself: its OpenAPI description; Swagger UI served from /static."""
    return FastAPI(
        title="数贸 shumao API",
        version=shumao.__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_lifespan,
    )


def _docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="数贸 shumao API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
    )


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    """Content-Security-Policy (scripts only from this site), no framing, no sniffing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == "/api/docs" else CSP

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse a request body larger than ``limit`` bytes (413) before reading it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers", [])).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                mb = self.limit // (1024 * 1024)
                response: Response = errors.json_error(
                    413,
                    "too_large",
                    f"请求内容超过 {mb} MB 上限 / the request is larger than the {mb} MB limit",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class NoNulBytes:
    """Refuse text input holding NUL characters (400): no database stores them in text.

    Checked: the path, the query string and JSON or form-encoded bodies (multipart file
    contents are binary and pass; their text fields are constrained by the routes).
    """

    TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded")
    MARKS = (b"\x00", b"\\u0000", b"%00")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await self._refuse(scope, receive, send)
            return
        kind = dict(scope.get("headers", [])).get(b"content-type", b"")
        if not any(t in kind for t in self.TEXT_BODIES):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if any(mark in body for mark in self.MARKS):
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        response = errors.json_error(
            400,
            "bad_request",
            "输入含有不允许的空字符（NUL）/ the input holds a NUL character, which is not allowed",
        )
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, original: Receive) -> Receive:
    """The body already read, then whatever the client sends next (e.g. a disconnect)."""
    sent = False

    async def receive() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
