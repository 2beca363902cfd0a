"""The server-rendered pages: overview, area pages, data explorer."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from shumao.web.deps import CacheDep, ScopeDep, SessionDep
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.services import explorer, explorer_view, framework_view, views

router = APIRouter(include_in_schema=False)


@router.get("/")
def overview_page(request: Request, conn: SessionDep, scope: ScopeDep, cache: CacheDep) -> Response:
    board = views.overview(conn, scope=scope, lang=lang_of(request), cache=cache)
    return page(request, "dashboard.html", {"board": board})


@router.get("/area/{code}")
def area_page(
    code: str, request: Request, conn: SessionDep, scope: ScopeDep, cache: CacheDep
) -> Response:
    board = views.area(conn, scope=scope, code=code, lang=lang_of(request), cache=cache)
    return page(request, "dashboard.html", {"board": board})


@router.get("/explorer")
def explorer_page(request: Request, conn: SessionDep, scope: ScopeDep, cache: CacheDep) -> Response:
    lang = lang_of(request)
    params = request.query_params or explorer.DEFAULT_VIEW
    query = explorer.Query.from_params(params)
    res = views.explore(conn, scope=scope, query=query, lang=lang, cache=cache)
    found = views.choices(conn, scope=scope, query=query, lang=lang, cache=cache)
    return page(
        request,
        "explorer.html",
        explorer_view.page_context(conn, scope=scope, res=res, lang=lang, found=found),
    )


@router.get("/digital-trade")
def digital_trade_page(request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    fw = framework_view.table(conn, scope=scope, lang=lang_of(request))
    return page(request, "digital_trade.html", {"fw": fw})
