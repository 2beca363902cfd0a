"""Filing pages: the list and to-do, the response overview, template, upload, a filing with
its findings, explanations, submit, approve or return, the review queue (API:
``filings_api.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from starlette.responses import RedirectResponse

from shumao.auth import permissions
from shumao.web.deps import ConfigDep, Csrf, EngineDep, SessionDep
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.routes import filings_api
from shumao.web.routes.filing_params import (
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
from shumao.web.services import filing_actions as actions
from shumao.web.services import filings as service
from shumao.web.services import responses

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False, dependencies=[Csrf])

# --------------------------------------------------------------------------- pages


@pages.get("/filings")
def list_page(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    status: StatusQ = None,
    form_id: FormOpt = None,
    period: PeriodAny = None,
    q: TextQ = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    lang = lang_of(request)
    query = service.ListQuery(form_id or "", period or "", status or "", q or "", page_no)
    return page(
        request,
        "filings.html",
        {
            "res": service.filings_page(conn, who=who, query=query, lang=lang),
            "q": query,
            "todo": responses.todo(conn, who=who, lang=lang),
            "statuses": service.statuses(lang),
            "forms": service.forms(lang),
            "may_file": permissions.may_file_at_all(who.scope),
        },
    )


@pages.get("/filings/response")
def response_page(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    form_id: FormId = "DDS_Q",
    period: PeriodOpt = None,
    by: Annotated[str | None, Query(pattern="^(province|park)$")] = None,
) -> Response:
    lang = lang_of(request)
    found = responses.overview(conn, who=who, form_id=form_id, period=period, by=by, lang=lang)
    return page(request, "response.html", {"o": found, "forms": service.forms(lang)})


@pages.get("/filings/template")
def template_page(
    conn: SessionDep, who: WhoDep, form_id: FormId, period: PeriodQ, uscc: UsccQ = None
) -> Response:
    return template_response(conn, who, form_id, period, uscc)


@pages.post("/filings/upload")
def upload_page(
    engine: EngineDep,
    who: WhoDep,
    config: ConfigDep,
    form_id: FormIdF,
    period: PeriodF,
    file: Annotated[UploadFile, File()],
    uscc: UsccF = None,
) -> Response:
    data = read_limited(file, config.upload_max_bytes)
    done = actions.upload(
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
    return RedirectResponse(f"/filings/{done.filing.id}?upload={done.upload_id}", status_code=303)


@pages.get("/filings/{filing_id}")
def detail_page(
    filing_id: FilingId,
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    upload: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    found = actions.detail(
        conn, who=who, filing_id=filing_id, upload_id=upload, lang=lang_of(request)
    )
    return page(request, "filing.html", {"d": found})


async def _explanations(request: Request) -> dict[str, str]:
    """The filer's explanations of warnings: form fields ``explain:<finding key>`` (reading
    the form is the only awaited work; the route that uses them runs in a thread)."""
    form = await request.form()
    return {k[len("explain:") :]: str(v) for k, v in form.items() if k.startswith("explain:")}


Explanations = Annotated[dict[str, str], Depends(_explanations)]


@pages.post("/filings/{filing_id}/explain")
def explain_page(
    filing_id: FilingId, texts: Explanations, conn: SessionDep, who: WhoDep
) -> Response:
    actions.explain(conn, who=who, filing_id=filing_id, explanations=texts)
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.post("/filings/{filing_id}/submit")
def submit_page(
    filing_id: FilingId, texts: Explanations, conn: SessionDep, who: WhoDep
) -> Response:
    actions.submit(conn, who=who, filing_id=filing_id, explanations=texts)
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.post("/filings/{filing_id}/approve")
def approve_page(
    filing_id: FilingId,
    conn: SessionDep,
    who: WhoDep,
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    actions.approve(conn, who=who, filing_id=filing_id, expected_version=version, note=note)
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.post("/filings/{filing_id}/return")
def return_page(
    filing_id: FilingId,
    conn: SessionDep,
    who: WhoDep,
    reason: Annotated[str, Form(max_length=2000)],
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> Response:
    actions.return_filing(
        conn, who=who, filing_id=filing_id, reason=reason, expected_version=version
    )
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@pages.get("/review")
def review_page(
    request: Request,
    conn: SessionDep,
    who: WhoDep,
    form_id: FormId = "DDS_Q",
    period: PeriodOpt = None,
    pending: Pending = False,
) -> Response:
    lang = lang_of(request)
    queue = service.review_queue(conn, who=who, lang=lang)
    report = (
        responses.non_response(
            conn, who=who, form_id=form_id, period=period, pending=pending, lang=lang
        )
        if who.scope.role != "enterprise"
        else None
    )
    return page(
        request,
        "review.html",
        {"filings": queue, "report": report, "forms": service.forms(lang), "pending": pending},
    )


router.include_router(pages)
router.include_router(filings_api.api)
