"""What the filing pages and API share: the typed parameters, who acts (``WhoDep``), the
upload size guard and the template download."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Path, Query, Request, Response, UploadFile

from shumao.web.deps import CurrentUser, SessionDep, client_ip
from shumao.web.services import filing_actions as actions
from shumao.web.services.filings import Who

FilingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CODE = r"^[0-9A-Za-z_]+$"
PERIOD = r"^[0-9A-Za-z-]+$"
FormId = Annotated[str, Query(max_length=20, pattern=CODE)]
PeriodQ = Annotated[str, Query(max_length=10, pattern=PERIOD)]
PeriodOpt = Annotated[
    str | None,
    Query(
        max_length=10,
        pattern=PERIOD,
        description="报告期，默认最近一个已过截止日的报告期 / "
        "period, default the latest past its deadline",
    ),
]
Pending = Annotated[bool, Query(description="含未到期未报 / include not yet due")]
UsccQ = Annotated[str | None, Query(max_length=18, pattern=CODE)]
FormIdF = Annotated[str, Form(max_length=20, pattern=CODE)]
PeriodF = Annotated[str, Form(max_length=10, pattern=PERIOD)]
UsccF = Annotated[str | None, Form(max_length=18, pattern=r"^[0-9A-Za-z]*$")]


def who(request: Request, user: CurrentUser) -> Who:
    return Who(user.access, client_ip(request))


WhoDep = Annotated[Who, Depends(who)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_limited(file: UploadFile, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: the workflow refuses (and records) anything larger.

    Routes that parse or store run as plain functions in the worker threads (``def``, never
    ``async def``): parsing a workbook or waiting for the database's write lock must not hold
    the event loop (``tests/web/test_event_loop.py``)."""
    return file.file.read(limit + 1)


def template_response(
    conn: SessionDep, who: WhoDep, form_id: str, period: str, uscc: str | None
) -> Response:
    name, content = actions.template(conn, who=who, form_id=form_id, period=period, uscc=uscc)
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


StatusQ = Annotated[
    str | None, Query(pattern="^(draft|submitted|approved|returned)?$", description="状态 / status")
]
FormOpt = Annotated[str | None, Query(max_length=20, pattern=r"^[0-9A-Za-z_]*$")]
PeriodAny = Annotated[str | None, Query(max_length=10, pattern=r"^[0-9A-Za-z-]*$")]
TextQ = Annotated[
    str | None,
    Query(max_length=100, description="企业名称或信用代码的一部分 / part of a name or credit code"),
]
ExportFormat = Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")]
