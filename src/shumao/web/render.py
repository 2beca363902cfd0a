"""Jinja2 pages and the number conventions of the reports.

Money in 亿美元 with two decimals and thousands separators, growth and shares in % with two
decimals, missing as "—", suppressed (confidential) as "保密 / C", moments in Beijing time to the
minute (``|beijing``). Every page gets ``t`` (the
interface text in the user's language), ``lang``, ``user`` and ``csrf_token``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import HTMLResponse

from shumao.auth.roles import role_text
from shumao.collection import registry
from shumao.collection.workflow.clock import local_time
from shumao.errors import UnknownCode
from shumao.labels import area_name, pick, source_name
from shumao.reference import units
from shumao.release import shown
from shumao.web import connection
from shumao.web.i18n import lang_of, split_bilingual, translate
from shumao.web.services.calendar import correction_notices

TEMPLATES = Path(__file__).with_name("templates")
_CJK = re.compile(r"[\u3400-\u9fff]")


def fmt_number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def fmt_pct(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}%"


def fmt_beijing(value: datetime | str | None) -> str:
    """A moment as Beijing time, to the minute: 2026-12-05T12:38:22+00:00 → 2026-12-05 20:38."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    moment = local_time(value)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def in_lang(text: str, lang: str) -> str:
    """One language per view: the part of a bilingual "中文 / English" message for ``lang``."""
    return pick(*split_bilingual(text), lang) if text else text


def unit_name(name: str, lang: str) -> str:
    """A unit by its Chinese name in the code list (亿美元, 万户) in the view's language
    (100 million US dollars); a symbol (%) or a name not in the list as it is."""
    if lang == "zh" or not name or not _CJK.search(name):
        return name
    try:
        return units.parse(name).name_en
    except UnknownCode:
        return name


def fmt_size(size: int) -> str:
    """A file size for people: 1,234,567 → 1.18 MB."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.2f} {unit}"
        value /= 1024
    return f"{value:,.2f} GB"


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["num"] = fmt_number
    env.filters["pct"] = fmt_pct
    env.filters["beijing"] = fmt_beijing
    env.filters["in_lang"] = in_lang
    env.filters["size"] = fmt_size
    env.filters["unit_name"] = unit_name
    env.globals["role_text"] = role_text
    env.globals["pick"] = pick
    env.globals["source_name"] = source_name
    env.globals["urlencode"] = urlencode
    return templates


TEMPLATES_ENV = _templates()


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``name`` with the shared context (language, user, CSRF token)."""
    lang = lang_of(request)
    session = getattr(request.state, "session", None)
    user = session.user if session else None
    ctx: dict[str, Any] = {
        "lang": lang,
        "scope_name": _scope_name(request, user.scope, lang) if user and user.scope else "",
        "t": _translator(lang),
        "user": user,
        "csrf_token": session.csrf_token if session else "",
        "path": request.url.path,
        "query": str(request.url.query),
        "corrections": _corrections(request, lang),
    }
    ctx.update(context or {})
    return TEMPLATES_ENV.TemplateResponse(request, name, ctx, status_code=status_code)


def reads_store(request: Request) -> bool:
    """Whether ``page`` would read the store for this request (an enterprise's name in the
    header, correction notices of the dataflows shown): such a page is not rendered on the
    event loop."""
    session = getattr(request.state, "session", None)
    enterprise = bool(session and len(session.user.scope) == 18)
    return enterprise or bool(shown.current())


def fragment(name: str, lang: str, context: dict[str, Any]) -> Markup:
    """The part of a page that is the same for everyone of a scope (no user, no CSRF token):
    what a cache may keep and put into ``page`` for each requester."""
    ctx = {"lang": lang, "t": _translator(lang), **context}
    return Markup(TEMPLATES_ENV.get_template(name).render(ctx))


def _translator(lang: str) -> Callable[..., str]:
    def t(key: str, **kw: Any) -> str:
        return translate(key, lang).format(**kw) if kw else translate(key, lang)

    return t


def _corrections(request: Request, lang: str) -> list[dict[str, Any]]:
    """The correction notices (``release.corrections``) of the dataflows this page shows
    (``release.shown``): on every page showing a corrected figure, on no other. Read through
    the route's connection while it holds one."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return []
    dataflows = shown.current()
    if not dataflows:
        return []
    return connection.read(
        request, engine, lambda conn: correction_notices(conn, dataflows=dataflows, lang=lang)
    )


def _scope_name(request: Request, code: str, lang: str) -> str:
    """The header's scope by name: 江苏省, 中国（南京）软件谷, or the enterprise's name."""
    if len(code) != 18:
        return area_name(code, lang)
    return connection.read(
        request, request.app.state.engine, lambda conn: scope_name(conn, code, lang)
    )


def scope_name(conn: Connection, code: str, lang: str) -> str:
    """A user's scope by name (an area, a park or an enterprise from the registry)."""
    if len(code) != 18:
        return area_name(code, lang)
    found = registry.find(conn, code)
    return found.name if found else code
