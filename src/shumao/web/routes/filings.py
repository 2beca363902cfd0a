"""Filing pages and API: template, upload, findings, explanations, submit; review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from starlette.responses import RedirectResponse

from shumao.web.deps import ConfigDep, Csrf, CurrentUser, EngineDep, SessionDep, client_ip
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.render import page
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
from shumao.web.services import filings as service
from shumao.web.services import responses
from shumao.web.services.filings import Who

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False, dependencies=[Csrf])
api = APIRouter(prefix="/api", tags=["filings"], dependencies=[Csrf])
FilingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CODE = r"^[0-9A-Za-z_]+$"
PERIOD = r"^[0-9A-Za-z-]+$"
FormId = Annotated[str, Query(max_length=20, pattern=CODE)]
PeriodQ = Annotated[str, Query(max_length=10, pattern=PERIOD)]
PeriodOpt = Annotated[str | None, Query(max_length=10, pattern=PERIOD,
                                        description="报告期，默认最近一个已过截止日的报告期 / "
                                                    "period, default the latest past its deadline")]
Pending = Annotated[bool, Query(description="含未到期未报 / include not yet due")]
UsccQ = Annotated[str | None, Query(max_length=18, pattern=CODE)]
FormIdF = Annotated[str, Form(max_length=20, pattern=CODE)]
PeriodF = Annotated[str, Form(max_length=10, pattern=PERIOD)]
UsccF = Annotated[str | None, Form(max_length=18, pattern=r"^[0-9A-Za-z]*$")]


def who(request: Request, user: CurrentUser) -> Who:
    return Who(user.access, client_ip(request))


WhoDep = Annotated[Who, Depends(who)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read_limited(file: UploadFile, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: the workflow refuses (and records) anything larger.

    Routes that parse or store run as plain functions in the worker threads (``def``, never
    ``async def``): parsing a workbook or waiting for the database's write lock must not hold
    the event loop (``tests/web/test_event_loop.py``)."""
    return file.file.read(limit + 1)


def _template(conn: SessionDep, who: WhoDep, form_id: str, period: str, uscc: str | None
              ) -> Response:
    name, content = service.template(conn, who=who, form_id=form_id, period=period, uscc=uscc)
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------------------- pages


StatusQ = Annotated[str | None, Query(pattern="^(draft|submitted|approved|returned)?$",
                                      description="状态 / status")]
FormOpt = Annotated[str | None, Query(max_length=20, pattern=r"^[0-9A-Za-z_]*$")]
PeriodAny = Annotated[str | None, Query(max_length=10, pattern=r"^[0-9A-Za-z-]*$")]
TextQ = Annotated[str | None, Query(max_length=100, description="企业名称或信用代码的一部分 / "
                                                               "part of a name or credit code")]
ExportFormat = Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")]


@pages.get("/filings")
def list_page(request: Request, conn: SessionDep, who: WhoDep, status: StatusQ = None,
              form_id: FormOpt = None, period: PeriodAny = None, q: TextQ = None,
              page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1) -> Response:
    lang = lang_of(request)
    query = service.ListQuery(form_id or "", period or "", status or "", q or "", page_no)
    return page(request, "filings.html", {
        "res": service.filings_page(conn, who=who, query=query, lang=lang), "q": query,
        "todo": responses.todo(conn, who=who, lang=lang), "statuses": service.statuses(lang),
        "forms": service.forms(lang), "may_file": who.scope.role in ("enterprise", "admin")})


@pages.get("/filings/response")
def response_page(request: Request, conn: SessionDep, who: WhoDep, form_id: FormId = "DDS_Q",
                  period: PeriodOpt = None,
                  by: Annotated[str | None, Query(pattern="^(province|park)$")] = None
                  ) -> Response:
    lang = lang_of(request)
    found = responses.overview(conn, who=who, form_id=form_id, period=period, by=by, lang=lang)
    return page(request, "response.html", {"o": found, "forms": service.forms(lang)})


@pages.get("/filings/template")
def template_page(conn: SessionDep, who: WhoDep, form_id: FormId, period: PeriodQ,
                  uscc: UsccQ = None) -> Response:
    return _template(conn, who, form_id, period, uscc)


@pages.post("/filings/upload")
def upload_page(engine: EngineDep, who: WhoDep, config: ConfigDep,
                form_id: FormIdF, period: PeriodF, file: Annotated[UploadFile, File()],
                uscc: UsccF = None) -> Response:
    data = _read_limited(file, config.upload_max_bytes)
    done = service.upload(engine, who=who, form_id=form_id, period=period, data=data,
                          filename=file.filename or "upload", max_bytes=config.upload_max_bytes,
                          limits=config.upload_limits, turns=config.upload_turns,
                          uscc=uscc or None)
    return RedirectResponse(f"/filings/{done.filing.id}?upload={done.upload_id}", status_code=303)


@pages.get("/filings/{filing_id}")
def detail_page(filing_id: FilingId, request: Request, conn: SessionDep, who: WhoDep,
                upload: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    found = service.detail(conn, who=who, filing_id=filing_id, upload_id=upload,
                           lang=lang_of(request))
    return page(request, "filing.html", {"d": found})


async def _explanations(request: Request) -> dict[str, str]:
    """The filer's explanations of warnings: form fields ``explain:<finding key>`` (reading
    the form is the only awaited work; the route that uses them runs in a thread)."""
    form = await request.form()
    return {k[len("explain:"):]: str(v) for k, v in form.items() if k.startswith("explain:")}


Explanations = Annotated[dict[str, str], Depends(_explanations)]


@pages.post("/filings/{filing_id}/explain")
def explain_page(filing_id: FilingId, texts: Explanations, conn: SessionDep, who: WhoDep
                 ) -> Response:
    service.explain(conn, who=who, filing_id=filing_id, explanations=texts)
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.post("/filings/{filing_id}/submit")
def submit_page(filing_id: FilingId, texts: Explanations, conn: SessionDep, who: WhoDep
                ) -> Response:
    service.submit(conn, who=who, filing_id=filing_id, explanations=texts)
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.post("/filings/{filing_id}/approve")
def approve_page(filing_id: FilingId, conn: SessionDep, who: WhoDep,
                 version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
                 note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    service.approve(conn, who=who, filing_id=filing_id, expected_version=version, note=note)
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.post("/filings/{filing_id}/return")
def return_page(filing_id: FilingId, conn: SessionDep, who: WhoDep,
                reason: Annotated[str, Form(max_length=2000)],
                version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None) -> Response:
    service.return_filing(conn, who=who, filing_id=filing_id, reason=reason,
                          expected_version=version)
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.get("/review")
def review_page(request: Request, conn: SessionDep, who: WhoDep, form_id: FormId = "DDS_Q",
                period: PeriodOpt = None, pending: Pending = False) -> Response:
    lang = lang_of(request)
    queue = service.review_queue(conn, who=who, lang=lang)
    report = (responses.non_response(conn, who=who, form_id=form_id, period=period,
                                     pending=pending, lang=lang)
              if who.scope.role != "enterprise" else None)
    return page(request, "review.html", {"filings": queue, "report": report,
                                         "forms": service.forms(lang), "pending": pending})


# --------------------------------------------------------------------------- API


@api.get("/forms", summary="报表 / forms")
def forms(request: Request) -> list[dict[str, str]]:
    return service.forms(lang_of(request))


@api.get("/filings", response_model=list[FilingOut], summary="可见的填报 / filings you may see")
def list_api(request: Request, conn: SessionDep, who: WhoDep, status: StatusQ = None,
             form_id: FormOpt = None, period: PeriodAny = None, q: TextQ = None
             ) -> list[FilingOut]:
    return service.list_filings(conn, who=who, status=status, form_id=form_id, period=period,
                                q=q, lang=lang_of(request))


@api.get("/filings/export", response_class=Response,
         responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
         summary="导出填报列表（CSV、Excel）/ the filings list as CSV or Excel")
def export_api(request: Request, conn: SessionDep, who: WhoDep, fmt: ExportFormat = "csv",
               status: StatusQ = None, form_id: FormOpt = None, period: PeriodAny = None,
               q: TextQ = None) -> Response:
    lang = lang_of(request)
    rows = service.list_filings(conn, who=who, status=status, form_id=form_id, period=period,
                                q=q, lang=lang)
    body = service.export_filings(rows, fmt=fmt, lang=lang)
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="filings.{fmt}"'})


@api.get("/filings/todo", response_model=list[TodoOut],
         summary="本企业应报事项 / what the enterprise has to file")
def todo_api(request: Request, conn: SessionDep, who: WhoDep) -> list[TodoOut]:
    return responses.todo(conn, who=who, lang=lang_of(request))


@api.get("/filings/response-overview", response_model=ResponseOverview,
         summary="报送情况总览 / how many reporters filed, per province or park")
def response_api(request: Request, conn: SessionDep, who: WhoDep, form_id: FormId = "DDS_Q",
                 period: PeriodOpt = None,
                 by: Annotated[str | None, Query(pattern="^(province|park)$")] = None
                 ) -> ResponseOverview:
    return responses.overview(conn, who=who, form_id=form_id, period=period, by=by,
                              lang=lang_of(request))


@api.get("/filings/review-queue", response_model=list[FilingOut],
         summary="待我审核 / filings awaiting my review")
def queue_api(request: Request, conn: SessionDep, who: WhoDep) -> list[FilingOut]:
    return service.review_queue(conn, who=who, lang=lang_of(request))


@api.get("/filings/non-response", response_model=NonResponseReport,
         summary="迟报、漏报名单 / late and missing reporters")
def non_response_api(request: Request, conn: SessionDep, who: WhoDep, form_id: FormId = "DDS_Q",
                     period: PeriodOpt = None, pending: Pending = False) -> NonResponseReport:
    return responses.non_response(conn, who=who, form_id=form_id, period=period,
                                  pending=pending, lang=lang_of(request))


@api.get("/filings/non-response.csv", response_class=Response,
         responses={200: {"content": {"text/csv": {}}}},
         summary="迟报、漏报名单（CSV）/ late and missing reporters as CSV")
def non_response_csv(request: Request, conn: SessionDep, who: WhoDep, form_id: FormId = "DDS_Q",
                     period: PeriodOpt = None, pending: Pending = False) -> Response:
    lang = lang_of(request)
    report = responses.non_response(conn, who=who, form_id=form_id, period=period,
                                    pending=pending, lang=lang)
    name = f"non_response_{report.form_id}_{report.period}.csv"
    return Response(responses.non_response_csv(report, lang), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api.get("/filings/template", response_class=Response,
         responses={200: {"content": {XLSX: {}}}}, summary="填报模板 / the Excel template")
def template_api(conn: SessionDep, who: WhoDep, form_id: FormId, period: PeriodQ,
                 uscc: UsccQ = None) -> Response:
    return _template(conn, who, form_id, period, uscc)


@api.post("/filings/upload", response_model=UploadOut, summary="上传填报 / upload a filing")
def upload_api(engine: EngineDep, who: WhoDep, config: ConfigDep,
               form_id: FormIdF, period: PeriodF, file: Annotated[UploadFile, File()],
               uscc: UsccF = None) -> UploadOut:
    data = _read_limited(file, config.upload_max_bytes)
    return service.upload(engine, who=who, form_id=form_id, period=period, data=data,
                          filename=file.filename or "upload", max_bytes=config.upload_max_bytes,
                          limits=config.upload_limits, turns=config.upload_turns,
                          uscc=uscc or None)


@api.get("/filings/{filing_id}", response_model=FilingDetail,
         summary="填报详情与校验结果 / a filing with its findings")
def detail_api(request: Request, filing_id: FilingId, conn: SessionDep, who: WhoDep,
               upload: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> FilingDetail:
    return service.detail(conn, who=who, filing_id=filing_id, upload_id=upload,
                          lang=lang_of(request))


@api.post("/filings/{filing_id}/explain", status_code=204, summary="说明警告 / explain warnings")
def explain_api(filing_id: FilingId, body: ActionIn, conn: SessionDep, who: WhoDep) -> Response:
    service.explain(conn, who=who, filing_id=filing_id, explanations=body.explanations)
    return Response(status_code=204)


@api.post("/filings/{filing_id}/submit", response_model=FilingOut, summary="提交 / submit")
def submit_api(filing_id: FilingId, body: ActionIn, conn: SessionDep, who: WhoDep) -> FilingOut:
    return service.submit(conn, who=who, filing_id=filing_id,
                          expected_version=body.expected_version, explanations=body.explanations)


@api.post("/filings/{filing_id}/approve", response_model=FilingOut, summary="审核通过 / approve")
def approve_api(filing_id: FilingId, body: ActionIn, conn: SessionDep, who: WhoDep) -> FilingOut:
    return service.approve(conn, who=who, filing_id=filing_id,
                           expected_version=body.expected_version, note=body.note)


@api.post("/filings/{filing_id}/return", response_model=FilingOut, summary="退回 / return")
def return_api(filing_id: FilingId, body: ReturnIn, conn: SessionDep, who: WhoDep) -> FilingOut:
    return service.return_filing(conn, who=who, filing_id=filing_id, reason=body.reason,
                                 expected_version=body.expected_version)


router.include_router(pages)
router.include_router(api)
