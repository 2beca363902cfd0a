"""指数 pages and the index API: thin routes over ``services.index``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from shumao.web.deps import CurrentUser, MaybeUser, ScopeDep, SessionDep
from shumao.web.errors import ERROR_RESPONSES, LoginRequired
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.services import index as svc

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/index", tags=["index"], responses=ERROR_RESPONSES)
IndexId = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z_]+$")]
UnitCode = Annotated[str, Path(max_length=20)]
RunId = Annotated[int | None, Query(ge=1)]
Year = Annotated[str | None, Query(pattern=r"^\d{4}$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pages.get("/index")
def list_page(request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    lang = lang_of(request)
    items = [svc.ranking(conn, scope=scope, index_id=i, lang=lang) for i in svc.frameworks()]
    return page(request, "index_list.html", {"items": items})


@pages.get("/index/{index_id}")
def ranking_page(
    index_id: IndexId, request: Request, conn: SessionDep, scope: ScopeDep
) -> Response:
    rk = svc.ranking(conn, scope=scope, index_id=index_id, lang=lang_of(request))
    return page(
        request,
        "index_ranking.html",
        {"rk": rk, "charts": svc.ranking_charts(rk), "averages": svc.group_averages(rk)},
    )


@pages.get("/index/{index_id}/framework")
def framework_page(index_id: IndexId, request: Request, user: MaybeUser) -> Response:
    return page(request, "index_framework.html", {"fw": svc.framework_of(index_id)})


@pages.get("/index/{index_id}/unit/{unit}")
def unit_page(
    index_id: IndexId, unit: UnitCode, request: Request, conn: SessionDep, scope: ScopeDep
) -> Response:
    prof = svc.profile(conn, scope=scope, index_id=index_id, unit=unit, lang=lang_of(request))
    return page(request, "index_unit.html", {"p": prof, "rk": prof["ranking"]})


@pages.get("/index/{index_id}/sensitivity")
def sensitivity_page(
    index_id: IndexId, request: Request, conn: SessionDep, scope: ScopeDep
) -> Response:
    sa = svc.sensitivity(conn, scope=scope, index_id=index_id, lang=lang_of(request))
    return page(request, "index_sensitivity.html", {"sa": sa})


@pages.get("/index/{index_id}/explain/{unit}")
def explain_page(
    index_id: IndexId,
    unit: UnitCode,
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    user: MaybeUser,
    from_run: RunId = None,
    to_run: RunId = None,
    from_year: Year = None,
) -> Response:
    if from_year and user is None:
        raise LoginRequired()
    doc = svc.explain(
        conn,
        scope=scope,
        index_id=index_id,
        unit=unit,
        lang=lang_of(request),
        from_run=from_run,
        to_run=to_run,
        from_year=from_year,
    )
    return page(request, "index_explain.html", {"x": doc, "fw": svc.framework_of(index_id)})


@api.get("", summary="指数列表 / the indices")
def api_list(request: Request, conn: SessionDep, scope: ScopeDep) -> list[dict[str, Any]]:
    lang = lang_of(request)
    out = []
    for i, fw in svc.frameworks().items():
        rk = svc.ranking(conn, scope=scope, index_id=i, lang=lang)
        out.append(
            {
                "id": fw.id,
                "name": fw.name(fw.root, lang),
                "version": fw.version,
                "period": fw.period,
                "run": rk.run.id if rk.run else None,
                "units": len(rk.rows),
            }
        )
    return out


@api.get("/{index_id}", summary="排名与得分 / ranking and scores")
def api_ranking(
    index_id: IndexId, request: Request, conn: SessionDep, scope: ScopeDep
) -> dict[str, Any]:
    rk = svc.ranking(conn, scope=scope, index_id=index_id, lang=lang_of(request))
    return {
        "id": rk.fw.id,
        "period": rk.fw.period,
        "run": rk.run.id if rk.run else None,
        "framework_sha256": rk.run.framework_sha256 if rk.run else None,
        "data_vintages": rk.run.data_vintages if rk.run else None,
        "rows": rk.rows,
        "averages": svc.group_averages(rk),
        "source": rk.source(),
    }


@api.get("/{index_id}/units/{unit}", summary="单位画像 / a unit's profile")
def api_unit(
    index_id: IndexId, unit: UnitCode, request: Request, conn: SessionDep, scope: ScopeDep
) -> dict[str, Any]:
    prof = svc.profile(conn, scope=scope, index_id=index_id, unit=unit, lang=lang_of(request))
    return {k: v for k, v in prof.items() if k != "ranking"}


@api.get("/{index_id}/sensitivity", summary="敏感性分析 / sensitivity analysis")
def api_sensitivity(
    index_id: IndexId, request: Request, conn: SessionDep, scope: ScopeDep
) -> dict[str, Any]:
    sa = svc.sensitivity(conn, scope=scope, index_id=index_id, lang=lang_of(request))
    run = sa.get("run")
    return {
        "id": sa["fw"].id,
        "run": run.id if run else None,
        "build_run": sa["build"].id if sa.get("build") else None,
        "replications": sa.get("replications"),
        "sobol": sa.get("sobol"),
        "rank_intervals": sa.get("intervals"),
    }


@api.get("/{index_id}/explain/{unit}", summary="得分变化分解 / why a score moved")
def api_explain(
    index_id: IndexId,
    unit: UnitCode,
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    user: MaybeUser,
    from_run: RunId = None,
    to_run: RunId = None,
    from_year: Year = None,
) -> dict[str, Any]:
    if from_year and user is None:  # an unpublished year: for logged-in roles that see all
        raise LoginRequired()
    return svc.explain(
        conn,
        scope=scope,
        index_id=index_id,
        unit=unit,
        lang=lang_of(request),
        from_run=from_run,
        to_run=to_run,
        from_year=from_year,
    )


@api.get(
    "/{index_id}/export.xlsx",
    summary="每步一页的工作簿 / workbook, a sheet per step",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def api_export(index_id: IndexId, conn: SessionDep, scope: ScopeDep, user: CurrentUser) -> Response:
    body = svc.export(conn, scope=scope, index_id=index_id)
    return Response(
        body,
        media_type=XLSX,
        headers={"content-disposition": f'attachment; filename="{index_id.upper()}.xlsx"'},
    )
