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
    ReturnIn,
    UploadOut,
)
from shumao.web.services import filings as service
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


@pages.get("/filings")
def list_page(request: Request, conn: SessionDep, who: WhoDep,
              status: Annotated[str | None, Query(max_length=12)] = None) -> Response:
    return page(request, "filings.html", {
        "filings": service.list_filings(conn, who=who, status=status),
        "forms": service.forms(lang_of(request)), "may_file": who.scope.role in ("enterprise",
                                                                                   "admin")})


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
    found = service.detail(conn, who=who, filing_id=filing_id, upload_id=upload)
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
    queue = service.review_queue(conn, who=who)
    report = (service.non_response(conn, who=who, form_id=form_id, period=period,
                                   pending=pending, lang=lang_of(request))
              if who.scope.role != "enterprise" else None)
    return page(request, "review.html", {"filings": queue, "report": report,
                                         "forms": service.forms(lang_of(request)),
                                         "pending": pending})


# --------------------------------------------------------------------------- API


@api.get("/forms", summary="报表 / forms")
def forms(request: Request) -> list[dict[str, str]]:
    return service.forms(lang_of(request))


@api.get("/filings", response_model=list[FilingOut], summary="可见的填报 / filings you may see")
def list_api(conn: SessionDep, who: WhoDep,
             status: Annotated[str | None, Query(pattern="^(draft|submitted|approved|returned)$")]
             = None) -> list[FilingOut]:
    return service.list_filings(conn, who=who, status=status)


@api.get("/filings/review-queue", response_model=list[FilingOut],
         summary="待我审核 / filings awaiting my review")
def queue_api(conn: SessionDep, who: WhoDep) -> list[FilingOut]:
    return service.review_queue(conn, who=who)


@api.get("/filings/non-response", response_model=NonResponseReport,
         summary="迟报、漏报名单 / late and missing reporters")
def non_response_api(request: Request, conn: SessionDep, who: WhoDep, form_id: FormId = "DDS_Q",
                     period: PeriodOpt = None, pending: Pending = False) -> NonResponseReport:
    return service.non_response(conn, who=who, form_id=form_id, period=period, pending=pending,
                                lang=lang_of(request))


@api.get("/filings/non-response.csv", response_class=Response,
         responses={200: {"content": {"text/csv": {}}}},
         summary="迟报、漏报名单（CSV）/ late and missing reporters as CSV")
def non_response_csv(request: Request, conn: SessionDep, who: WhoDep, form_id: FormId = "DDS_Q",
                     period: PeriodOpt = None, pending: Pending = False) -> Response:
    report = service.non_response(conn, who=who, form_id=form_id, period=period, pending=pending,
                                  lang=lang_of(request))
    name = f"non_response_{report.form_id}_{report.period}.csv"
    return Response(service.non_response_csv(report), media_type="text/csv; charset=utf-8",
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
def detail_api(filing_id: FilingId, conn: SessionDep, who: WhoDep,
               upload: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> FilingDetail:
    return service.detail(conn, who=who, filing_id=filing_id, upload_id=upload)


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
