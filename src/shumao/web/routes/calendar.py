"""发布日程 (page, JSON and iCal feeds), release notes, embargo previews, bulk downloads."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.responses import FileResponse, RedirectResponse

from shumao.release import documents
from shumao.web.deps import Csrf, CurrentUser, ScopeDep, SessionDep, client_ip
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.services import calendar as service

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False, dependencies=[Csrf])
api = APIRouter(prefix="/api", tags=["releases"], dependencies=[Csrf])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Folder = Annotated[str, Path(max_length=40, pattern=r"^release=[0-9]+$")]
FilePart = Annotated[str, Path(max_length=300)]
ICAL = "text/calendar; charset=utf-8"


def _root(request: Request) -> FilePath:
    root: FilePath = request.app.state.settings.effective_open_data_dir
    return root


@pages.get("/calendar")
def calendar_page(request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    return page(
        request, "calendar.html", service.calendar_view(conn, scope=scope, lang=lang_of(request))
    )


@pages.get("/calendar.ics")
def calendar_ical(request: Request, conn: SessionDep) -> Response:
    base = str(request.base_url).rstrip("/")
    return Response(
        service.calendar_ical(conn, base_url=base),
        media_type=ICAL,
        headers={"Content-Disposition": 'inline; filename="shumao-calendar.ics"'},
    )


@pages.get("/calendar/{entry_id}/embargo")
def embargo_page(entry_id: Id, request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    return page(
        request,
        "calendar_embargo.html",
        service.preview_view(
            conn, scope=scope, entry_id=entry_id, lang=lang_of(request), ip=client_ip(request)
        ),
    )


@pages.get("/releases/{release_id}")
def release_page(release_id: Id, request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    return page(
        request,
        "release.html",
        service.release_view(conn, scope=scope, release_id=release_id, lang=lang_of(request)),
    )


@pages.post("/releases/{release_id}/notes")
def edit_notes_page(
    release_id: Id,
    request: Request,
    conn: SessionDep,
    user: CurrentUser,
    text_zh: Annotated[str, Form(max_length=20000)] = "",
    text_en: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    service.edit_notes(
        conn,
        scope=user.access,
        release_id=release_id,
        text_zh=text_zh,
        text_en=text_en,
        ip=client_ip(request),
    )
    return RedirectResponse(f"/releases/{release_id}", status_code=303)


@pages.get("/downloads")
def downloads_page(request: Request, conn: SessionDep) -> Response:
    return page(
        request,
        "downloads.html",
        {"releases": service.downloads_view(conn, root=_root(request), lang=lang_of(request))},
    )


@pages.get("/downloads/{folder}/{name:path}")
def download_file(folder: Folder, name: FilePart, request: Request, conn: SessionDep) -> Response:
    path = service.download_path(conn, root=_root(request), folder=folder, name=name)
    return FileResponse(path, filename=path.name)


def _documents(request: Request) -> FilePath:
    return documents.root_of(request.app.state.settings.data_dir)


@pages.get("/reports")
def reports_page(request: Request, conn: SessionDep, scope: ScopeDep) -> Response:
    return page(
        request,
        "reports.html",
        {"reports": service.reports_view(conn, scope=scope, lang=lang_of(request))},
    )


@pages.get("/reports/{entry_id}/{name}")
def report_file(
    entry_id: Id,
    name: Annotated[str, Path(max_length=200)],
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
) -> Response:
    doc, path = service.report_file(
        conn,
        scope=scope,
        root=_documents(request),
        entry_id=entry_id,
        name=name,
        ip=client_ip(request),
    )
    return FileResponse(
        path,
        media_type=doc.media_type,
        filename=doc.name,
        content_disposition_type="inline" if doc.format in ("html", "pdf") else "attachment",
    )


# --------------------------------------------------------------------------- API


class NotesIn(BaseModel):
    text_zh: str = Field(max_length=20000)
    text_en: str = Field(max_length=20000)


@api.get("/calendar", summary="发布日程 / the release calendar (JSON feed)")
def calendar_api(conn: SessionDep) -> list[dict[str, object]]:
    return service.calendar_json(conn)


@api.get("/releases/{release_id}/notes", summary="发布说明 / the notes of a release")
def notes_api(
    release_id: Id, request: Request, conn: SessionDep, scope: ScopeDep
) -> dict[str, object]:
    view = service.release_view(conn, scope=scope, release_id=release_id, lang=lang_of(request))
    note = view["note"] or {}
    return {
        "release_id": release_id,
        "dataflow": view["release"].dataflow_id,
        "text_zh": note.get("text_zh", ""),
        "text_en": note.get("text_en", ""),
        "facts": view["facts"],
        "edited_by": note.get("edited_by", ""),
    }


@api.put("/releases/{release_id}/notes", summary="修改发布说明 / edit the notes (ministry, admin)")
def edit_notes_api(
    release_id: Id, body: NotesIn, request: Request, conn: SessionDep, user: CurrentUser
) -> dict[str, object]:
    service.edit_notes(
        conn,
        scope=user.access,
        release_id=release_id,
        text_zh=body.text_zh,
        text_en=body.text_en,
        ip=client_ip(request),
    )
    return {"release_id": release_id, "edited_by": user.username}


@api.get("/downloads", summary="开放数据快照 / the open-data snapshots: files, sizes, SHA-256")
def downloads_api(request: Request, conn: SessionDep) -> list[dict[str, object]]:
    return [
        {
            "release": d["release"].id,
            "dataflow": d["release"].dataflow_id,
            "vintage": d["release"].vintage_id,
            "folder": d["folder"],
            "rows": d["rows"],
            "manifest_sha256": d["manifest_sha256"],
            "files": [{**f, "url": f"/downloads/{d['folder']}/{f['path']}"} for f in d["files"]],
        }
        for d in service.downloads_view(conn, root=_root(request), lang=lang_of(request))
    ]


@api.get("/reports", summary="已发布的年度报告 / the annual reports released on the calendar")
def reports_api(request: Request, conn: SessionDep, scope: ScopeDep) -> list[dict[str, object]]:
    return [
        {
            "entry": r["entry"].id,
            "title": r["entry"].title,
            "reference_period": r["entry"].reference_period,
            "status": r["entry"].status,
            "released_at": r["entry"].released_at.isoformat(timespec="seconds")
            if r["entry"].released_at
            else None,
            "files": [
                {
                    "name": f.name,
                    "format": f.format,
                    "bytes": f.bytes,
                    "sha256": f.sha256,
                    "url": f"/reports/{r['entry'].id}/{f.name}",
                }
                for f in r["files"]
            ],
        }
        for r in service.reports_view(conn, scope=scope, lang=lang_of(request))
    ]


router.include_router(pages)
router.include_router(api)
