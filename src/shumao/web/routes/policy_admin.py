"""政策库管理 (admin): folded copies and their splits — the page and its JSON API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response
from starlette.responses import RedirectResponse

from shumao.web.deps import Csrf, SessionDep
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.render import page
from shumao.web.routes.admin import AdminDep
from shumao.web.services import policy_admin as service

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False, dependencies=[Csrf])
api = APIRouter(prefix="/api/admin/policy", tags=["admin"], dependencies=[Csrf])
FileId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SplitId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Reason = Annotated[str, Form(max_length=500)]


@pages.get("/admin/policy")
def policy_page(request: Request, conn: SessionDep, admin: AdminDep) -> Response:
    return page(request, "admin_policy.html", service.overview(conn, admin=admin))


@pages.post("/admin/policy/files/{file_id}/split")
def split_page(file_id: FileId, conn: SessionDep, admin: AdminDep, reason: Reason = "") -> Response:
    service.split_file(conn, admin=admin, file_id=file_id, reason=reason)
    return RedirectResponse("/admin/policy", status_code=303)


@pages.post("/admin/policy/splits/{split_id}/undo")
def undo_page(split_id: SplitId, conn: SessionDep, admin: AdminDep) -> Response:
    service.undo(conn, admin=admin, split_id=split_id)
    return RedirectResponse("/admin/policy", status_code=303)


@api.get("/splits", summary="政策文件拆分记录 / splits of wrongly folded policy copies")
def splits_api(conn: SessionDep, admin: AdminDep) -> list[dict[str, Any]]:
    return [service.as_json(s) for s in service.overview(conn, admin=admin)["splits"]]


@api.post(
    "/files/{file_id}/split",
    summary="把误合并的副本拆分为独立文件 / split a wrongly folded copy off its document",
)
def split_api(
    file_id: FileId, conn: SessionDep, admin: AdminDep, body: dict[str, str] | None = None
) -> dict[str, Any]:
    reason = (body or {}).get("reason", "")[:500]
    return service.as_json(service.split_file(conn, admin=admin, file_id=file_id, reason=reason))


@api.post("/splits/{split_id}/undo", summary="撤销拆分 / undo a split")
def undo_api(split_id: SplitId, conn: SessionDep, admin: AdminDep) -> dict[str, Any]:
    return service.as_json(service.undo(conn, admin=admin, split_id=split_id))


router.include_router(pages)
router.include_router(api)
