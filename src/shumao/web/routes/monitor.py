"""监测预警 pages and API: the alert list with the map, one alert, actions, target progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.responses import RedirectResponse

from shumao.labels import source_name
from shumao.monitor import queries
from shumao.web.deps import (
    CacheDep,
    Csrf,
    CurrentUser,
    ScopeDep,
    SessionDep,
)
from shumao.web.errors import ERROR_RESPONSES, LoginRequired
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.schemas_monitor import (
    AlertActionIn,
    AlertDetailOut,
    AlertListOut,
    AlertListQuery,
    TargetOut,
)
from shumao.web.services import alert_views
from shumao.web.services import monitor as service

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False, dependencies=[Csrf])
api = APIRouter(prefix="/api", tags=["monitor"], dependencies=[Csrf])
lists = APIRouter(responses=ERROR_RESPONSES)
"""The alert list, page and JSON (``alert_views``): reads only, so no CSRF check, and the
login session is read by the service, with the list (no ``ScopeDep``); the engine, cache and
settings are the application's (``request.app.state``), not dependencies: a repeated list is
answered on the event loop, where each dependency solved was a fifth of its cost; the query
is one model (``AlertListQuery``), validated at once, not six parameters one by one."""
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ListParams = Annotated[AlertListQuery, Query()]


def _query(request: Request, q: AlertListQuery) -> alert_views.ListQuery:
    filters = queries.Filters(
        level=q.level or None,
        state=q.state,
        rule=q.rule or None,
        area=q.area or None,
        period=q.period or None,
    )
    return alert_views.ListQuery(filters, q.page, lang_of(request))


@lists.get("/monitor", include_in_schema=False)
async def monitor_page(
    request: Request,
    params: ListParams,
) -> Response:
    query = _query(request, params)
    return await alert_views.page_answer(request, query)


@pages.get("/monitor/alerts/{alert_id}")
def alert_page(request: Request, alert_id: AlertId, conn: SessionDep, scope: ScopeDep) -> Response:
    lang = lang_of(request)
    detail = service.alert_detail(conn, scope=scope, alert_id=alert_id, lang=lang)
    chart = service.target_chart(detail.target, lang) if detail.target else None
    return page(
        request,
        "alert.html",
        {
            "a": detail,
            "target_chart": chart,
            "source": source_name(detail.dataflow, lang),
            "may_act": scope.role not in ("public", "enterprise"),
        },
    )


@pages.post("/monitor/alerts/{alert_id}/{action}")
def alert_action_page(
    alert_id: AlertId,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    action: Annotated[str, Path(pattern="^(ack|resolve|silence)$")],
    note: Annotated[str, Form(max_length=2000)] = "",
    until_change: Annotated[bool, Form()] = False,
) -> Response:
    service.act(
        conn,
        scope=scope,
        alert_id=alert_id,
        action=action,
        note=note,
        reason=note,
        until_change=until_change or action == "silence",
    )
    return RedirectResponse(f"/monitor/alerts/{alert_id}", status_code=303)


@pages.get("/monitor/targets")
def targets_page(request: Request, conn: SessionDep, user: CurrentUser) -> Response:
    lang = lang_of(request)
    found = service.target_list(conn, lang=lang)
    return page(
        request,
        "targets.html",
        {"targets": found, "charts": {t.key: service.target_chart(t, lang) for t in found}},
    )


@lists.get(
    "/api/alerts",
    tags=["monitor"],
    response_model=AlertListOut,
    summary="预警列表（按范围）/ alerts of your scope, worst first",
)
async def alerts_api(
    request: Request,
    params: ListParams,
) -> Response:
    query = _query(request, params)
    return Response(await alert_views.json_answer(request, query), media_type="application/json")


@api.get(
    "/alerts/badge",
    response_class=PlainTextResponse,
    summary="未处理预警数（导航角标）/ firing alerts in your scope (the menu badge)",
)
def badge_api(conn: SessionDep, scope: ScopeDep, cache: CacheDep) -> str:
    return str(service.badge(conn, scope=scope, cache=cache))


@api.get(
    "/alerts/{alert_id}",
    response_model=AlertDetailOut,
    summary="一条预警：序列、阈值、状态历史 / one alert: series, threshold, history",
)
def alert_api(
    request: Request, alert_id: AlertId, conn: SessionDep, scope: ScopeDep
) -> AlertDetailOut:
    return service.alert_detail(conn, scope=scope, alert_id=alert_id, lang=lang_of(request))


@api.post(
    "/alerts/{alert_id}/{action}",
    response_model=AlertDetailOut,
    summary="确认、解除或静默预警 / acknowledge, resolve or silence an alert",
)
def alert_action_api(
    request: Request,
    alert_id: AlertId,
    body: AlertActionIn,
    conn: SessionDep,
    scope: ScopeDep,
    action: Annotated[str, Path(pattern="^(ack|resolve|silence)$")],
) -> AlertDetailOut:
    if scope.is_public:
        raise LoginRequired()
    service.act(
        conn,
        scope=scope,
        alert_id=alert_id,
        action=action,
        note=body.note,
        reason=body.reason,
        version=body.version,
        until=body.until,
        until_change=body.until_change,
    )
    return service.alert_detail(conn, scope=scope, alert_id=alert_id, lang=lang_of(request))


@api.get(
    "/targets",
    response_model=list[TargetOut],
    summary="监测目标与进度（现值、所需路径、预测、状态）/ monitored targets and progress",
)
def targets_api(request: Request, conn: SessionDep, user: CurrentUser) -> list[TargetOut]:
    return service.target_list(conn, lang=lang_of(request))


router.include_router(pages)
router.include_router(api)
