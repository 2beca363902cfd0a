"""The filings API (``/api/filings…``, ``/api/forms``): the same services as the pages, as
JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile

from shumao.web.deps import ConfigDep, Csrf, EngineDep, SessionDep
from shumao.web.i18n import lang_of
from shumao.web.routes.filing_params import (
    XLSX,
    ExportFormat,
    FilingId,
    FormId,
    FormIdF,
    FormOpt,
    Pending,
    PeriodAny,
    PeriodF,
    PeriodOpt,
    PeriodQ,
    StatusQ,
    TextQ,
    UsccF,
    UsccQ,
    WhoDep,
    read_limited,
    template_response,
)
from shumao.web.schemas import (
    ActionIn,
    FilingDetail,
    FilingOut,
    NonResponseReport,
    ResponseOverview,
    ReturnIn,
    TodoOut,
    UploadOut,
)
from shumao.web.services import filing_actions as actions
from shumao.web.services import filings as service
from shumao.web.services import responses

api = APIRouter(prefix="/api", tags=["filings"], dependencies=[Csrf])

# --------------------------------------------------------------------------- API


@api.get("/forms", summary="报表 / forms")
def forms(request: Request) -> list[dict[str, str]]:
    return service.forms(lang_of(request))


@api.get("/filings", response_model=list[FilingOut], summary="可见的填报 / filings you may see")
def list_api(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    status: StatusQ = None,
    form_id: FormOpt = None,
    period: PeriodAny = None,
    q: TextQ = None,
) -> list[FilingOut]:
    return service.list_filings(
        conn, who=who, status=status, form_id=form_id, period=period, q=q, lang=lang_of(request)
    )


@api.get(
    "/filings/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
    summary="导出填报列表（CSV、Excel）/ the filings list as CSV or Excel",
)
def export_api(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    fmt: ExportFormat = "csv",
    status: StatusQ = None,
    form_id: FormOpt = None,
    period: PeriodAny = None,
    q: TextQ = None,
) -> Response:
    lang = lang_of(request)
    rows = service.list_filings(
        conn, who=who, status=status, form_id=form_id, period=period, q=q, lang=lang
    )
    body = service.export_filings(rows, fmt=fmt, lang=lang)
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="filings.{fmt}"'},
    )


@api.get(
    "/filings/todo",
    response_model=list[TodoOut],
    summary="本企业应报事项 / what the enterprise has to file",
)
def todo_api(request: Request, conn: SessionDep, who: WhoDep) -> list[TodoOut]:
    return responses.todo(conn, who=who, lang=lang_of(request))


@api.get(
    "/filings/response-overview",
    response_model=ResponseOverview,
    summary="报送情况总览 / how many reporters filed, per province or park",
)
def response_api(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    form_id: FormId = "DDS_Q",
    period: PeriodOpt = None,
    by: Annotated[str | None, Query(pattern="^(province|park)$")] = None,
) -> ResponseOverview:
    return responses.overview(
        conn, who=who, form_id=form_id, period=period, by=by, lang=lang_of(request)
    )


@api.get(
    "/filings/review-queue",
    response_model=list[FilingOut],
    summary="待我审核 / filings awaiting my review",
)
def queue_api(request: Request, conn: SessionDep, who: WhoDep) -> list[FilingOut]:
    return service.review_queue(conn, who=who, lang=lang_of(request))


@api.get(
    "/filings/non-response",
    response_model=NonResponseReport,
    summary="迟报、漏报名单 / late and missing reporters",
)
def non_response_api(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    form_id: FormId = "DDS_Q",
    period: PeriodOpt = None,
    pending: Pending = False,
) -> NonResponseReport:
    return responses.non_response(
        conn, who=who, form_id=form_id, period=period, pending=pending, lang=lang_of(request)
    )


@api.get(
    "/filings/non-response.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="迟报、漏报名单（CSV）/ late and missing reporters as CSV",
)
def non_response_csv(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    form_id: FormId = "DDS_Q",
    period: PeriodOpt = None,
    pending: Pending = False,
) -> Response:
    lang = lang_of(request)
    report = responses.non_response(
        conn, who=who, form_id=form_id, period=period, pending=pending, lang=lang
    )
    name = f"non_response_{report.form_id}_{report.period}.csv"
    return Response(
        responses.non_response_csv(report, lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api.get(
    "/filings/template",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="填报模板 / the Excel template",
)
def template_api(
    conn: SessionDep, who: WhoDep, form_id: FormId, period: PeriodQ, uscc: UsccQ = None
) -> Response:
    return template_response(conn, who, form_id, period, uscc)


@api.post("/filings/upload", response_model=UploadOut, summary="上传填报 / upload a filing")
def upload_api(
    engine: EngineDep,
    who: WhoDep,
    config: ConfigDep,
    form_id: FormIdF,
    period: PeriodF,
    file: Annotated[UploadFile, File()],
    uscc: UsccF = None,
) -> UploadOut:
    data = read_limited(file, config.upload_max_bytes)
    return actions.upload(
        engine,
        who=who,
        form_id=form_id,
        period=period,
        data=data,
        filename=file.filename or "upload",
        max_bytes=config.upload_max_bytes,
        limits=config.upload_limits,
        turns=config.upload_turns,
        uscc=uscc or None,
    )


@api.get(
    "/filings/{filing_id}",
    response_model=FilingDetail,
    summary="填报详情与校验结果 / a filing with its findings",
)
def detail_api(
    request: Request,
    filing_id: FilingId,
    conn: SessionDep,
    who: WhoDep,
    upload: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> FilingDetail:
    return actions.detail(
        conn, who=who, filing_id=filing_id, upload_id=upload, lang=lang_of(request)
    )


@api.post("/filings/{filing_id}/explain", status_code=204, summary="说明警告 / explain warnings")
def explain_api(filing_id: FilingId, body: ActionIn, conn: SessionDep, who: WhoDep) -> Response:
    actions.explain(conn, who=who, filing_id=filing_id, explanations=body.explanations)
    return Response(status_code=204)


@api.post("/filings/{filing_id}/submit", response_model=FilingOut, summary="提交 / submit")
def submit_api(filing_id: FilingId, body: ActionIn, conn: SessionDep, who: WhoDep) -> FilingOut:
    return actions.submit(
        conn,
        who=who,
        filing_id=filing_id,
        expected_version=body.expected_version,
        explanations=body.explanations,
    )


@api.post("/filings/{filing_id}/approve", response_model=FilingOut, summary="审核通过 / approve")
def approve_api(filing_id: FilingId, body: ActionIn, conn: SessionDep, who: WhoDep) -> FilingOut:
    return actions.approve(
        conn, who=who, filing_id=filing_id, expected_version=body.expected_version, note=body.note
    )


@api.post("/filings/{filing_id}/return", response_model=FilingOut, summary="退回 / return")
def return_api(filing_id: FilingId, body: ReturnIn, conn: SessionDep, who: WhoDep) -> FilingOut:
    return actions.return_filing(
        conn,
        who=who,
        filing_id=filing_id,
        reason=body.reason,
        expected_version=body.expected_version,
    )
