"""Every error leaves the platform in one JSON shape (or as the error page for a browser).

    {"error": {"type": "not_allowed", "status": 403, "message": "中文 / English",
               "message_zh": "…", "message_en": "…", "findings": [...]}}

The mapping from ``shumao.errors`` (and the few web-only cases below) to HTTP statuses lives
here and nowhere else:

    LoginRequired 401 · CsrfRejected 403 · NotAllowed 403 · TooManyAttempts 429 ·
    TooLarge 413 · UnknownCode 404 · ConflictError 409 · ImportRejected 422 (with findings) ·
    InvalidParameter 422 ·
    StoreError 400 · ConfigError 500 · other ShumaoError 400 · request validation 422 ·
    the store busy (a lock waited for longer than ``db_lock_timeout_seconds``) 503 with
    Retry-After · HTTP errors their status · anything else 500 (logged, no details leaked)
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shumao.auth.ratelimit import TooManyAttempts
from shumao.errors import (
    ConfigError,
    ConflictError,
    ImportRejected,
    InvalidParameter,
    NotAllowed,
    ShumaoError,
    StoreError,
    UnknownCode,
)
from shumao.storage.engine import is_lock_wait
from shumao.web.i18n import split_bilingual
from shumao.web.render import page

log = logging.getLogger(__name__)


class LoginRequired(NotAllowed):
    def __init__(self) -> None:
        super().__init__("请先登录 / please log in")


class CsrfRejected(NotAllowed):
    def __init__(self) -> None:
        super().__init__(
            "表单已过期或来源不明，请刷新页面后重试 / the form expired or did not "
            "come from this site: reload the page and try again"
        )


class TooLarge(NotAllowed):
    pass


class ErrorBody(BaseModel):
    type: str = Field(description="错误类型 / error type, e.g. not_allowed")
    status: int = Field(description="HTTP 状态码 / HTTP status")
    message: str = Field(description="中英文说明 / bilingual message")
    message_zh: str
    message_en: str
    findings: list[dict[str, Any]] = Field(
        default_factory=list, description="校验问题 / validation findings"
    )


class ErrorOut(BaseModel):
    error: ErrorBody


STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (LoginRequired, 401, "login_required"),
    (CsrfRejected, 403, "csrf"),
    (TooManyAttempts, 429, "too_many_attempts"),
    (TooLarge, 413, "too_large"),
    (NotAllowed, 403, "not_allowed"),
    (UnknownCode, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (ImportRejected, 422, "rejected"),
    (InvalidParameter, 422, "invalid_request"),
    (StoreError, 400, "store"),
    (ConfigError, 500, "config"),
    (ShumaoError, 400, "bad_request"),
)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}
"""For route decorators: documents the error shape in the OpenAPI schema."""

BUSY = (
    "系统正忙（其他用户正在保存数据），本次操作未保存任何内容，请稍候几秒后重试 / the platform is "
    "busy saving other users' data; nothing of this request was saved, try again in a few "
    "seconds"
)
RETRY_AFTER = {429: "900", 503: "5"}
"""Seconds a client should wait before trying again, by status."""


def classify(exc: Exception) -> tuple[int, str]:
    for kind, status, name in STATUS:
        if isinstance(exc, kind):
            return status, name
    return 500, "internal"


def body(
    status: int, kind: str, message: str, findings: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    zh, en = split_bilingual(message)
    return ErrorOut(
        error=ErrorBody(
            type=kind,
            status=status,
            message=message,
            message_zh=zh,
            message_en=en,
            findings=findings or [],
        )
    ).model_dump()


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/sdmx/", "/static/")) or path in ("/openapi.json",):
        return False
    return "text/html" in request.headers.get("accept", "")


def respond(
    request: Request,
    status: int,
    kind: str,
    message: str,
    findings: list[dict[str, Any]] | None = None,
) -> Response:
    response: Response
    if wants_html(request):
        response = page(
            request,
            "error.html",
            {"status": status, "message": message, "findings": findings or []},
            status_code=status,
        )
    else:
        response = JSONResponse(body(status, kind, message, findings), status_code=status)
    if status in RETRY_AFTER:
        response.headers["Retry-After"] = RETRY_AFTER[status]
    return response


async def _shumao_error(request: Request, exc: Exception) -> Response:
    if is_lock_wait(exc):
        return await _database_error(request, exc)
    status, kind = classify(exc)
    findings = exc.report.flat() if isinstance(exc, ImportRejected) else None
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        return respond(request, status, kind, "服务器内部错误 / internal server error")
    return respond(request, status, kind, str(exc), findings)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
        for e in exc.errors()
    ]
    return respond(
        request,
        422,
        "invalid_request",
        "请求参数不正确 / the request has invalid parameters",
        problems,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    texts = {404: "页面不存在 / not found", 405: "不支持此请求方法 / method not allowed"}
    message = texts.get(exc.status_code) or str(exc.detail)
    if " / " not in message:
        message = f"{message} / {message}"
    response = respond(request, exc.status_code, "http", message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _database_error(request: Request, exc: Exception) -> Response:
    """A lock waited for too long is "busy, try again" (503), any other database error 500."""
    if is_lock_wait(exc):
        log.warning("store busy on %s: %s", request.url.path, exc)
        return respond(request, 503, "busy", BUSY)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path)
    return respond(request, 500, "internal", "服务器内部错误 / internal server error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ShumaoError, _shumao_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)


def json_error(status: int, kind: str, message: str) -> Response:
    """The error shape outside a request handler (e.g. in a middleware)."""
    return JSONResponse(body(status, kind, message), status_code=status)
