"""The annual report builder page (ministry, admin) and its JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.responses import FileResponse, RedirectResponse

from shumao.release import documents
from shumao.web.deps import Csrf, CurrentUser, EngineDep, SessionDep, client_ip
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.render import page
from shumao.web.services import report as service

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False, dependencies=[Csrf])
api = APIRouter(prefix="/api/report", tags=["report"], dependencies=[Csrf])
JobId = Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]+$")]
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _board(request: Request) -> service.JobBoard:
    state = request.app.state
    if not hasattr(state, "report_jobs"):
        state.report_jobs = service.JobBoard()
    board: service.JobBoard = state.report_jobs
    return board


class BuildIn(BaseModel):
    year: int = Field(2022, ge=2000, le=2100)
    formats: list[str] = Field(
        default_factory=lambda: ["docx", "pdf", "html", "xlsx"], max_length=4
    )
    lang: str = Field("zh", max_length=2)
    as_of: str = Field("", max_length=40)
    overrides: str = Field("", max_length=5000, description="每行 编号=理由 / CLAIM_ID=reason")


@pages.get("/report")
def report_page(request: Request, user: CurrentUser, conn: SessionDep) -> Response:
    board = _board(request)
    jobs = service.jobs(scope=user.access, board=board)
    settings = request.app.state.settings
    return page(
        request,
        "report.html",
        {
            "jobs": jobs,
            "formats": service.FORMATS,
            "job": request.query_params.get("job", ""),
            "passages": str(service.passages_dir(settings, 2022)),
            "entries": service.report_entries(conn),
        },
    )


@pages.post("/report/jobs/{job_id}/attach")
def attach_page(
    request: Request,
    conn: SessionDep,
    user: CurrentUser,
    job_id: JobId,
    entry_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    service.attach(
        conn,
        scope=user.access,
        board=_board(request),
        job_id=job_id,
        entry_id=entry_id,
        root=documents.root_of(request.app.state.settings.data_dir),
        ip=client_ip(request),
    )
    return RedirectResponse(f"/reports#entry-{entry_id}", status_code=303)


@pages.post("/report/build")
def build_page(
    request: Request,
    engine: EngineDep,
    user: CurrentUser,
    year: Annotated[int, Form(ge=2000, le=2100)] = 2022,
    formats: Annotated[list[str] | None, Form(max_length=4)] = None,
    lang: Annotated[str, Form(max_length=2)] = "zh",
    as_of: Annotated[str, Form(max_length=40)] = "",
    overrides: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    job = service.start(
        engine,
        scope=user.access,
        settings=request.app.state.settings,
        board=_board(request),
        year=year,
        formats=formats or [],
        lang=lang,
        as_of=as_of,
        overrides=overrides,
        ip=client_ip(request),
    )
    return RedirectResponse(f"/report?job={job.id}", status_code=303)


@pages.get("/report/jobs/{job_id}/{fmt}")
def job_file(
    request: Request,
    user: CurrentUser,
    job_id: JobId,
    fmt: Annotated[str, Path(pattern=r"^(html|pdf|docx|xlsx)$")],
) -> Response:
    path = service.job_file(scope=user.access, board=_board(request), job_id=job_id, fmt=fmt)
    inline = fmt in ("html", "pdf")  # opened in the browser; Word and Excel files download
    return FileResponse(
        path,
        media_type=MEDIA[fmt],
        filename=path.name,
        content_disposition_type="inline" if inline else "attachment",
    )


@api.post("/build", status_code=202, summary="生成年度报告 / build the annual report")
def build_api(
    body: BuildIn, request: Request, engine: EngineDep, user: CurrentUser
) -> dict[str, object]:
    job = service.start(
        engine,
        scope=user.access,
        settings=request.app.state.settings,
        board=_board(request),
        year=body.year,
        formats=body.formats,
        lang=body.lang,
        as_of=body.as_of,
        overrides=body.overrides,
        ip=client_ip(request),
    )
    return job.public()


@api.get("/jobs", summary="生成任务 / report builds")
def jobs_api(request: Request, user: CurrentUser) -> list[dict[str, object]]:
    return service.jobs(scope=user.access, board=_board(request))


@api.get("/jobs/{job_id}", summary="生成进度 / a build's progress")
def job_api(request: Request, user: CurrentUser, job_id: JobId) -> dict[str, object]:
    return service.job_status(scope=user.access, board=_board(request), job_id=job_id)


router.include_router(pages)
router.include_router(api)
