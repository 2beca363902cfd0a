"""对外投资 pages and API: thin routes over ``services.outbound`` (and ``shumao.outbound``).

Who sees what: the public the disclosure-controlled aggregates, risk levels, the tracker and
the self-check questionnaire; an enterprise its own projects, a province (city, park) its
enterprises', the ministry all. Storing a self-check with a project is the enterprise's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, Response

from shumao.errors import ImportRejected, NotAllowed
from shumao.outbound import aggregate, alerts, selfcheck
from shumao.outbound import service as domain
from shumao.web.deps import Csrf, CurrentUser, ScopeDep, SessionDep
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.services import outbound as svc

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/outbound", tags=["outbound"])
Economy = Annotated[str, Path(max_length=3, pattern=r"^[A-Za-z]{3}$")]
Uscc = Annotated[str, Path(max_length=18, pattern=r"^[0-9A-Za-z]{18}$")]
ProjectNo = Annotated[str, Path(max_length=20, pattern=r"^[0-9A-Za-z_-]+$")]
By = Annotated[str, Query(pattern="^(host|group|area|province_code|year)$")]
Answer = Annotated[str | None, Query(max_length=20)]
Day = Annotated[date | None, Query(description="按哪天的规则 / the rules of this day")]
AnswerF = Annotated[str | None, Form(max_length=20)]


@pages.get("/outbound")
def overview_page(request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    return page(request, "outbound.html", svc.overview(conn, scope=scope, lang=lang_of(request)))


@pages.get("/outbound/projects")
def projects_page(
    request: Request, conn: SessionDep, scope: ScopeDep, user: CurrentUser
) -> Response:
    return page(
        request,
        "outbound_projects.html",
        {"projects": svc.projects(conn, scope=scope, lang=lang_of(request))},
    )


@pages.get("/outbound/economy/{code}")
def economy_page(code: Economy, request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    return page(
        request,
        "outbound_economy.html",
        {"e": svc.economy(conn, scope=scope, code=code.upper(), lang=lang_of(request))},
    )


def _answers(
    ciio: str | None,
    important_data: str | None,
    persons_pi: str | None,
    persons_sensitive: str | None,
    scenario: str | None,
    ftz: str | None = None,
    ftz_on_list: str | None = None,
) -> dict[str, Any]:
    return {
        "ciio": ciio,
        "important_data": important_data,
        "persons_pi": persons_pi,
        "persons_sensitive": persons_sensitive,
        "scenario": scenario,
        "ftz": ftz,
        "ftz_on_list": ftz_on_list,
    }


@pages.get("/outbound/selfcheck")
def selfcheck_page(
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    ciio: Answer = None,
    important_data: Answer = None,
    persons_pi: Answer = None,
    persons_sensitive: Answer = None,
    scenario: Answer = None,
    ftz: Answer = None,
    ftz_on_list: Answer = None,
) -> Response:
    lang = lang_of(request)
    raw = _answers(ciio, important_data, persons_pi, persons_sensitive, scenario, ftz, ftz_on_list)
    context: dict[str, Any] = {
        **svc.questionnaire(lang),
        "raw": raw,
        "result": None,
        "findings": [],
        "saved": None,
        "projects": svc.own_projects(conn, scope=scope, lang=lang),
    }
    if any(v is not None for v in raw.values()):
        try:
            context["result"] = svc.answer_view(selfcheck.evaluate(raw), lang)
        except ImportRejected as exc:
            context["findings"] = exc.report.findings
    return page(request, "outbound_selfcheck.html", context)


@pages.post("/outbound/selfcheck", dependencies=[Csrf])
def selfcheck_save_page(
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    project: Annotated[str, Form(max_length=40, pattern=r"^[0-9A-Z]{18}/.+$")],
    ciio: AnswerF = None,
    important_data: AnswerF = None,
    persons_pi: AnswerF = None,
    persons_sensitive: AnswerF = None,
    scenario: AnswerF = None,
    ftz: AnswerF = None,
    ftz_on_list: AnswerF = None,
) -> Response:
    """The enterprise's answers evaluated and stored with one of its projects."""
    lang = lang_of(request)
    raw = _answers(ciio, important_data, persons_pi, persons_sensitive, scenario, ftz, ftz_on_list)
    uscc, _, project_no = project.partition("/")
    actor = svc.actor_of(scope)
    if actor is None:
        raise NotAllowed("请先登录 / please log in")
    context: dict[str, Any] = {
        **svc.questionnaire(lang),
        "raw": raw,
        "result": None,
        "findings": [],
        "saved": None,
        "projects": svc.own_projects(conn, scope=scope, lang=lang),
    }
    try:
        got = domain.record_selfcheck(
            conn, actor=actor, uscc=uscc, project_no=project_no, answers=raw
        )
        context["result"], context["saved"] = svc.answer_view(got, lang), project
    except ImportRejected as exc:
        context["findings"] = exc.report.findings
    return page(request, "outbound_selfcheck.html", context)


@api.get("/aggregates", summary="登记汇总（经披露控制）/ register totals, disclosure-controlled")
def aggregates_api(conn: SessionDep, scope: ScopeDep, by: By = "host") -> dict[str, Any]:
    table = domain.tables(conn, actor=svc.actor_of(scope)).get(by)
    rows = [] if table is None else table.to_dicts()
    return {
        "by": by,
        "unit": "万美元",
        "total_code": aggregate.TOTAL,
        "all_years": aggregate.ALL,
        "rows": rows,
        "source": svc.SOURCE[0],
        "empty_reason": None if rows else "登记中还没有已审核的项目 / no approved projects yet",
    }


@api.get("/projects", summary="在册项目（按角色范围）/ projects in the caller's scope")
def projects_api(
    request: Request, conn: SessionDep, scope: ScopeDep, user: CurrentUser
) -> list[dict[str, Any]]:
    return svc.projects(conn, scope=scope, lang=lang_of(request))


@api.get("/economies", summary="东道国风险等级及理由 / host-economy risk levels with reasons")
def economies_api(request: Request, conn: SessionDep, scope: ScopeDep) -> list[dict[str, Any]]:
    return svc.economy_rows(conn, scope=scope, lang=lang_of(request))


@api.get("/economies/{code}", summary="一个东道国：等级、理由、规则条目 / one economy's risk page")
def economy_api(
    code: Economy, request: Request, conn: SessionDep, scope: ScopeDep
) -> dict[str, Any]:
    return svc.economy(conn, scope=scope, code=code.upper(), lang=lang_of(request))


@api.get("/alerts", summary="风险等级变化提醒 / risk-level change alerts in scope")
def alerts_api(conn: SessionDep, scope: ScopeDep, user: CurrentUser) -> list[dict[str, Any]]:
    actor = svc.actor_of(scope)
    return [] if actor is None else alerts.visible(conn, actor=actor)


@api.get(
    "/selfcheck", summary="数据出境合规自查（只计算不保存）/ data-export self-check, not stored"
)
def selfcheck_api(
    request: Request,
    ciio: Answer = None,
    important_data: Answer = None,
    persons_pi: Answer = None,
    persons_sensitive: Answer = None,
    scenario: Answer = None,
    ftz: Answer = None,
    ftz_on_list: Answer = None,
    on: Day = None,
) -> dict[str, Any]:
    raw = _answers(ciio, important_data, persons_pi, persons_sensitive, scenario, ftz, ftz_on_list)
    return svc.answer_view(selfcheck.evaluate(raw, on=on), lang_of(request))


@api.post(
    "/projects/{uscc}/{project_no}/selfcheck",
    dependencies=[Csrf],
    summary="为项目保存自查结果（企业）/ store a self-check with a project (its enterprise)",
)
def record_selfcheck_api(
    uscc: Uscc,
    project_no: ProjectNo,
    body: dict[str, str],
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
) -> dict[str, Any]:
    actor = svc.actor_of(scope)
    if actor is None:
        raise NotAllowed("请先登录 / please log in")
    got = domain.record_selfcheck(
        conn, actor=actor, uscc=uscc.upper(), project_no=project_no, answers=dict(body)
    )
    return svc.answer_view(got, lang_of(request))


router.include_router(pages)
router.include_router(api)
