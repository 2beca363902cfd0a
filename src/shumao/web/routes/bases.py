"""出口基地 pages and API: thin routes over ``services.bases`` and ``shumao.bases``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse

from shumao.bases import applications, assessment, link_review, ranking, registry
from shumao.web.deps import ConfigDep, Csrf, CurrentUser, ScopeDep, SessionDep
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.services import bases as svc

pages = APIRouter(include_in_schema=False, dependencies=[Csrf])
api = APIRouter(prefix="/api/bases", tags=["bases"], responses=ERROR_RESPONSES, dependencies=[Csrf])
Code = Annotated[str, Path(max_length=16, pattern=r"^[A-Za-z0-9]+$")]
AppId = Annotated[int, Path(ge=1, le=2**31 - 1)]
YearQ = Annotated[str | None, Query(pattern=r"^\d{4}$")]
CycleQ = Annotated[int | None, Query(ge=2000, le=2100)]
Text = Annotated[str, Form(max_length=4000)]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _download(name: str, body: bytes) -> Response:
    media = DOCX if name.endswith(".docx") else XLSX
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


# --------------------------------------------------------------------------- pages


@pages.get("/bases")
def list_page(request: Request, conn: SessionDep, scope: ScopeDep, year: YearQ = None) -> Response:
    return page(
        request,
        "bases_list.html",
        {"b": svc.listing(conn, scope=scope, lang=lang_of(request), year=year or "2022")},
    )


@pages.get("/bases/review")
def review_page(request: Request, conn: SessionDep, scope: ScopeDep, user: CurrentUser) -> Response:
    return page(request, "bases_review.html", {"items": svc.decisions(conn, scope=scope)})


@pages.get("/bases/linkage")
def linkage_page(
    request: Request, conn: SessionDep, scope: ScopeDep, user: CurrentUser
) -> Response:
    return page(request, "bases_linkage.html", {"items": svc.queue(conn, scope=scope)})


@pages.post("/bases/linkage/decide")
def linkage_decide(
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    run_id: Annotated[int, Form(ge=1)],
    row_id: Annotated[int, Form(ge=1)],
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
    note: Text = "",
) -> Response:
    link_review.decide(
        conn, scope=scope, run_id=run_id, roster_row_id=row_id, decision=decision, note=note
    )
    return _back("/bases/linkage")


@pages.get("/bases/applications/{application_id}")
def application_page(
    application_id: AppId, request: Request, conn: SessionDep, scope: ScopeDep, user: CurrentUser
) -> Response:
    return page(
        request,
        "bases_application.html",
        {
            "a": svc.application(
                conn, scope=scope, application_id=application_id, lang=lang_of(request)
            )
        },
    )


@pages.post("/bases/applications/{application_id}/state")
def state_item(
    application_id: AppId,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    code: Annotated[str, Form(max_length=20)],
    statement: Text,
) -> Response:
    applications.state_item(
        conn, scope=scope, application_id=application_id, code=code, statement=statement
    )
    return _back(f"/bases/applications/{application_id}")


@pages.post("/bases/applications/{application_id}/declare")
def declare(
    application_id: AppId,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    code: Annotated[str, Form(max_length=30)],
    year: Annotated[str, Form(pattern=r"^\d{4}$")],
    value: Annotated[float, Form()],
    unit: Annotated[str, Form(max_length=4)],
    statement: Text = "",
) -> Response:
    item = applications.declare(
        conn,
        scope=scope,
        application_id=application_id,
        code=code,
        year=year,
        value=value,
        unit=unit,
        statement=statement,
    )
    return _back(f"/bases/applications/{application_id}#item-{item}")


@pages.post("/bases/applications/{application_id}/upload")
def upload(
    application_id: AppId,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    config: ConfigDep,
    item_id: Annotated[int, Form(ge=1)],
    file: Annotated[UploadFile, File()],
) -> Response:
    # a plain def: FastAPI runs it on a worker thread, so reading the spooled file and writing
    # the store never block the event loop (tests/web/test_event_loop.py)
    data = file.file.read(config.upload_max_bytes + 1)
    applications.upload(
        conn,
        scope=scope,
        application_id=application_id,
        item_id=item_id,
        filename=file.filename or "evidence",
        data=data,
        media_type=file.content_type or "application/octet-stream",
    )
    return _back(f"/bases/applications/{application_id}#item-{item_id}")


@pages.post("/bases/applications/{application_id}/submit")
def submit(application_id: AppId, conn: SessionDep, scope: ScopeDep, user: CurrentUser) -> Response:
    applications.submit(conn, scope=scope, application_id=application_id)
    return _back(f"/bases/applications/{application_id}")


@pages.post("/bases/applications/{application_id}/decide-item")
def decide_item(
    application_id: AppId,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    item_id: Annotated[int, Form(ge=1)],
    decision: Annotated[str, Form(pattern="^(accepted|rejected|pending)$")],
    note: Text = "",
) -> Response:
    assessment.decide_item(
        conn,
        scope=scope,
        application_id=application_id,
        item_id=item_id,
        decision=decision,
        note=note,
    )
    return _back(f"/bases/applications/{application_id}#item-{item_id}")


@pages.post("/bases/applications/{application_id}/decide")
def decide(
    application_id: AppId,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    override_reason: Text = "",
    note: Text = "",
) -> Response:
    assessment.decide(
        conn, scope=scope, application_id=application_id, override_reason=override_reason, note=note
    )
    return _back(f"/bases/applications/{application_id}")


@pages.get("/bases/evidence/{evidence_id}")
def evidence(evidence_id: AppId, conn: SessionDep, scope: ScopeDep, user: CurrentUser) -> Response:
    name, media, body = applications.evidence_file(conn, scope=scope, evidence_id=evidence_id)
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@pages.get("/bases/{code}")
def base_page(
    code: Code, request: Request, conn: SessionDep, scope: ScopeDep, year: YearQ = None
) -> Response:
    return page(
        request,
        "bases_base.html",
        {"s": svc.scorecard(conn, scope=scope, code=code, lang=lang_of(request), year=year)},
    )


@pages.get("/bases/{code}/enterprises")
def enterprises_page(
    code: Code,
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    year: Annotated[str, Query(pattern=r"^\d{4}$")],
) -> Response:
    return page(
        request,
        "bases_enterprises.html",
        {"e": svc.enterprises(conn, scope=scope, code=code, year=year)},
    )


@pages.post("/bases/{code}/applications")
def create_application(
    code: Code,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    kind: Annotated[str, Form(pattern="^(application|rereview)$")],
    years: Annotated[str, Form(pattern=r"^\d{4}(,\d{4})*$")],
) -> Response:
    app_id = applications.create(
        conn, scope=scope, base_code=code, kind=kind, years=years.split(",")
    )
    return _back(f"/bases/applications/{app_id}")


@pages.post("/bases/{code}/status")
def status(
    code: Code,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    new_status: Annotated[str, Form(alias="status", max_length=20)],
    on: Annotated[date, Form()],
    document: Text = "",
    reason: Text = "",
) -> Response:
    registry.set_status(
        conn,
        scope=scope,
        code=code,
        status=new_status,
        effective_on=on,
        document=document,
        reason=reason,
    )
    return _back(f"/bases/{code}")


@pages.get("/bases/{code}/evaluation.{fmt}")
@pages.get("/bases/{code}/rereview.{fmt}")
def evaluation_download(
    request: Request,
    code: Code,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    fmt: Annotated[str, Path(pattern="^(docx|xlsx)$")],
    year: YearQ = None,
    cycle: CycleQ = None,
) -> Response:
    """The application check (``year``) or the re-review (``cycle``), in the view's language."""
    svc.require_inside(conn, scope=scope, code=code)
    fmt = f"rereview.{fmt}" if request.url.path.endswith(f"/rereview.{fmt}") else fmt
    lang = lang_of(request)
    return _download(
        *svc.evaluation_file(
            conn, scope=scope, code=code, fmt=fmt, year=year, cycle=cycle, lang=lang
        )
    )


# --------------------------------------------------------------------------- API


class DecisionIn(BaseModel):
    run_id: int = Field(ge=1, le=2**31 - 1)
    row_id: int = Field(ge=1, le=2**31 - 1)
    decision: str = Field(pattern="^(accept|reject)$")
    note: str = Field("", max_length=4000)


@api.get("", summary="基地名录与状态 / the registry")
def api_list(request: Request, conn: SessionDep, scope: ScopeDep) -> list[dict[str, Any]]:
    return svc.listing(conn, scope=scope, lang=lang_of(request))["rows"]


@api.get("/ranking", summary="基地排名（表3/表4）/ ranking of the bases")
def api_ranking(
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    kind: Annotated[str, Query(pattern="^(trade|output)$")] = "trade",
    year: Annotated[str, Query(pattern=r"^\d{4}$")] = "2022",
) -> list[dict[str, Any]]:
    return [
        r.__dict__
        for r in ranking.rank(conn, scope=scope, kind=kind, year=year, lang=lang_of(request))
    ]


@api.get("/linkage/queue", summary="匹配复核队列 / linkage review queue")
def api_queue(conn: SessionDep, scope: ScopeDep, user: CurrentUser) -> list[dict[str, Any]]:
    return svc.queue(conn, scope=scope)


@api.post("/linkage/decide", summary="复核决定 / decide a queued pair")
def api_decide(
    body: DecisionIn, conn: SessionDep, scope: ScopeDep, user: CurrentUser
) -> dict[str, Any]:
    found = link_review.decide(
        conn,
        scope=scope,
        run_id=body.run_id,
        roster_row_id=body.row_id,
        decision=body.decision,
        note=body.note,
    )
    return found.__dict__


@api.get("/{code}", summary="基地评审：逐项结论与依据 / a base's evaluation")
def api_base(
    code: Code,
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    year: YearQ = None,
) -> dict[str, Any]:
    found = svc.scorecard(conn, scope=scope, code=code, lang=lang_of(request), year=year)
    if not found["inside"]:
        svc.require_inside(conn, scope=scope, code=code)
    return {**found["row"], "evaluation": svc.evaluation_doc(found["evaluation"], lang_of(request))}


@api.get("/{code}/rereview", summary="复审 / re-review")
def api_rereview(
    code: Code,
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    cycle: CycleQ = None,
) -> dict[str, Any]:
    return svc.rereview_doc(conn, scope=scope, code=code, cycle=cycle, lang=lang_of(request))


@api.get("/{code}/enterprises", summary="不重复计算的企业数与名单 / the de-duplicated count")
def api_enterprises(
    code: Code,
    conn: SessionDep,
    scope: ScopeDep,
    user: CurrentUser,
    year: Annotated[str, Query(pattern=r"^\d{4}$")],
) -> dict[str, Any]:
    found = svc.enterprises(conn, scope=scope, code=code, year=year)
    return {
        "base": code,
        "year": year,
        "count": found["count"].__dict__ if found["count"] else None,
        "members": found["members"],
    }
