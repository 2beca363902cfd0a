"""Log in and out (page form and JSON), switch language, who am I."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request, Response
from starlette.responses import RedirectResponse

from shumao.auth import sessions
from shumao.auth.ratelimit import TooManyAttempts
from shumao.errors import NotAllowed
from shumao.web import i18n
from shumao.web.deps import ConfigDep, CurrentUser, EngineDep, SessionCookieDep, client_ip
from shumao.web.errors import ERROR_RESPONSES, CsrfRejected
from shumao.web.render import page
from shumao.web.schemas import LoginIn, LoginOut, UserOut
from shumao.web.services import auth as service
from shumao.web.services.admin import user_out

router = APIRouter()


def _local(target: str | None) -> str:
    """Only redirect to a path of this site."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _set_session_cookie(response: Response, cookie: str, config: ConfigDep) -> None:
    response.set_cookie(
        sessions.COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=config.secure_cookies,
        max_age=int(config.session_hours * 3600),
        path="/",
    )


@router.get("/login", include_in_schema=False)
def login_page(request: Request, config: ConfigDep, next: str = "/") -> Response:
    return _with_error(request, config, next, "", 200)


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    engine: EngineDep,
    config: ConfigDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    login_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    if not sessions.login_token_ok(
        request.cookies.get(sessions.LOGIN_CSRF_COOKIE), login_token, config.secret_key
    ):
        raise CsrfRejected()
    try:
        cookie, _ = service.login(
            engine, username=username, password=password, ip=client_ip(request), config=config
        )
    except NotAllowed as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        return _with_error(request, config, next, str(exc), status)
    response = RedirectResponse(_local(next), status_code=303)
    _set_session_cookie(response, cookie, config)
    response.delete_cookie(sessions.LOGIN_CSRF_COOKIE, path="/login")
    return response


def _with_error(
    request: Request, config: ConfigDep, next: str, message: str, status: int
) -> Response:
    """The login form (with a fresh double-submit token) and an optional error message."""
    cookie, token = sessions.new_login_token(config.secret_key)
    response = page(
        request,
        "login.html",
        {"login_token": token, "next": _local(next), "error": message},
        status_code=status,
    )
    response.set_cookie(
        sessions.LOGIN_CSRF_COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=config.secure_cookies,
        path="/login",
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(
    request: Request,
    engine: EngineDep,
    config: ConfigDep,
    session: SessionCookieDep,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if session is not None and not sessions.same(csrf_token, session.csrf_token):
        raise CsrfRejected()
    service.logout(
        engine,
        cookie=request.cookies.get(sessions.COOKIE),
        session=session,
        ip=client_ip(request),
        config=config,
    )
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(_local(next), status_code=303)
    if code in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, code, samesite="lax", max_age=365 * 24 * 3600)
    return response


@router.post(
    "/api/auth/login",
    response_model=LoginOut,
    responses=ERROR_RESPONSES,
    tags=["auth"],
    summary="登录 / log in (sets the session cookie)",
)
def login_api(
    body: LoginIn, request: Request, response: Response, engine: EngineDep, config: ConfigDep
) -> LoginOut:
    cookie, session = service.login(
        engine, username=body.username, password=body.password, ip=client_ip(request), config=config
    )
    _set_session_cookie(response, cookie, config)
    lang = i18n.lang_of(request)
    return LoginOut(user=user_out(session.user, lang), csrf_token=session.csrf_token)


@router.post(
    "/api/auth/logout",
    status_code=204,
    responses=ERROR_RESPONSES,
    tags=["auth"],
    summary="退出 / log out",
)
def logout_api(
    request: Request, engine: EngineDep, config: ConfigDep, session: SessionCookieDep
) -> Response:
    if session is not None and not sessions.same(
        request.headers.get("x-csrf-token"), session.csrf_token
    ):
        raise CsrfRejected()
    service.logout(
        engine,
        cookie=request.cookies.get(sessions.COOKIE),
        session=session,
        ip=client_ip(request),
        config=config,
    )
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get(
    "/api/me",
    response_model=UserOut,
    responses=ERROR_RESPONSES,
    tags=["auth"],
    summary="当前用户 / the logged-in user",
)
def me(request: Request, user: CurrentUser) -> UserOut:
    return user_out(user, i18n.lang_of(request))
