"""Administration pages and API: users, audit log, releases, reference versions, backups."""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from starlette.responses import RedirectResponse

from shumao.output import inert
from shumao.web.deps import Csrf, CurrentUser, EngineDep, SessionDep, client_ip
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.render import page
from shumao.web.schemas import AuditOut, ReleaseIn, ReleaseOut, UserIn, UserOut, UserPatch
from shumao.web.services import admin as service
from shumao.web.services.admin import Admin

router = APIRouter(responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False, dependencies=[Csrf])
api = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Csrf])
Username = Annotated[str, Path(max_length=64)]
TextQ = Annotated[str | None, Query(max_length=64)]
PageQ = Annotated[int, Query(ge=1, le=10**6)]


def admin_dep(request: Request, user: CurrentUser) -> Admin:
    return Admin(user.access, client_ip(request))


AdminDep = Annotated[Admin, Depends(admin_dep)]


def _data_dir(request: Request) -> FsPath:
    return FsPath(request.app.state.settings.data_dir)


# --------------------------------------------------------------------------- pages


@pages.get("/admin")
def users_page(request: Request, conn: SessionDep, admin: AdminDep) -> Response:
    lang = lang_of(request)
    return page(
        request,
        "admin_users.html",
        {"users": service.list_users(conn, admin=admin, lang=lang), "roles": service.ROLE_CHOICES},
    )


@pages.post("/admin/users")
def create_user_page(
    conn: SessionDep,
    admin: AdminDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=12)],
    scope: Annotated[str, Form(max_length=20)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    service.create_user(
        conn,
        admin=admin,
        username=username,
        password=password,
        role=role,
        scope=scope,
        display_name=display_name,
    )
    return RedirectResponse("/admin", status_code=303)


@pages.post("/admin/users/{username}")
def update_user_page(
    username: Username,
    conn: SessionDep,
    admin: AdminDep,
    role: Annotated[str, Form(max_length=12)],
    scope: Annotated[str, Form(max_length=20)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    service.update_user(
        conn,
        admin=admin,
        username=username,
        role=role,
        scope=scope,
        active=active == "on",
        password=password or None,
    )
    return RedirectResponse("/admin", status_code=303)


@pages.get("/admin/audit")
def audit_page(
    request: Request,
    conn: SessionDep,
    admin: AdminDep,
    action: TextQ = None,
    username: TextQ = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1,
) -> Response:
    entries, total = service.browse_audit(
        conn, admin=admin, action=action, username=username, page=page_no
    )
    return page(
        request,
        "admin_audit.html",
        {
            "entries": entries,
            "total": total,
            "page_no": page_no,
            "action": action or "",
            "username": username or "",
            "actions": service.audit.ACTIONS,
        },
    )


@pages.get("/admin/releases")
def releases_page(request: Request, conn: SessionDep, user: CurrentUser) -> Response:
    rows = service.release_rows(conn, scope=user.access, lang=lang_of(request))
    return page(request, "admin_releases.html", {"rows": rows})


@pages.post("/admin/releases")
def release_page(
    request: Request,
    conn: SessionDep,
    user: CurrentUser,
    dataflow: Annotated[str, Form(max_length=40)],
    vintage_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    service.release(
        conn,
        scope=user.access,
        dataflow=dataflow,
        vintage_id=vintage_id,
        note=note,
        ip=client_ip(request),
    )
    return RedirectResponse("/admin/releases", status_code=303)


@pages.get("/admin/reference")
def reference_page(request: Request, admin: AdminDep) -> Response:
    return page(
        request, "admin_reference.html", {"versions": service.reference_versions(admin=admin)}
    )


@pages.get("/admin/backups")
def backups_page(request: Request, admin: AdminDep) -> Response:
    return page(
        request,
        "admin_backups.html",
        {"files": service.backups(admin=admin, data_dir=_data_dir(request))},
    )


@pages.post("/admin/backups")
def backup_now_page(request: Request, engine: EngineDep, admin: AdminDep) -> Response:
    service.make_backup(engine, admin=admin, data_dir=_data_dir(request))
    return RedirectResponse("/admin/backups", status_code=303)


# --------------------------------------------------------------------------- API


@api.get("/users", response_model=list[UserOut], summary="用户 / users")
def users_api(request: Request, conn: SessionDep, admin: AdminDep) -> list[UserOut]:
    return service.list_users(conn, admin=admin, lang=lang_of(request))


@api.post("/users", response_model=UserOut, status_code=201, summary="新建用户 / create a user")
def create_user_api(body: UserIn, request: Request, conn: SessionDep, admin: AdminDep) -> UserOut:
    return service.create_user(
        conn,
        admin=admin,
        username=body.username,
        password=body.password,
        role=body.role,
        scope=body.scope,
        display_name=body.display_name,
        lang=lang_of(request),
    )


@api.patch("/users/{username}", response_model=UserOut, summary="修改用户 / change a user")
def update_user_api(
    username: Username, body: UserPatch, request: Request, conn: SessionDep, admin: AdminDep
) -> UserOut:
    return service.update_user(
        conn,
        admin=admin,
        username=username,
        role=body.role,
        scope=body.scope,
        active=body.active,
        display_name=body.display_name,
        password=body.password,
        lang=lang_of(request),
    )


@api.get("/audit", response_model=AuditOut, summary="审计日志 / audit log")
def audit_api(
    conn: SessionDep,
    admin: AdminDep,
    action: TextQ = None,
    username: TextQ = None,
    page: PageQ = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditOut:
    entries, total = service.browse_audit(
        conn, admin=admin, action=action, username=username, page=page, size=size
    )
    return AuditOut(
        entries=[{**e.__dict__, "at": e.at.isoformat(timespec="seconds")} for e in entries],
        total=total,
    )


@api.get(
    "/audit/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="导出审计日志 / export (CSV)",
)
def audit_export_api(
    request: Request,
    conn: SessionDep,
    admin: AdminDep,
    action: TextQ = None,
    username: TextQ = None,
) -> Response:
    frame = inert(
        service.export_audit(
            conn, admin=admin, action=action, username=username, lang=lang_of(request)
        )
    )
    return Response(
        b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit_log.csv"'},
    )


@api.post(
    "/releases",
    response_model=ReleaseOut,
    status_code=201,
    summary="发布数据版本 / release a vintage (ministry, admin)",
)
def release_api(
    body: ReleaseIn, request: Request, conn: SessionDep, user: CurrentUser
) -> ReleaseOut:
    return service.release(
        conn,
        scope=user.access,
        dataflow=body.dataflow,
        vintage_id=body.vintage_id,
        note=body.note,
        ip=client_ip(request),
    )


@api.get("/reference", summary="参考数据版本 / reference data versions")
def reference_api(admin: AdminDep) -> list[dict[str, object]]:
    return service.reference_versions(admin=admin)


@api.get("/backups", summary="备份文件 / backups")
def backups_api(request: Request, admin: AdminDep) -> list[dict[str, object]]:
    return service.backups(admin=admin, data_dir=_data_dir(request))


@api.post("/backups", status_code=201, summary="立即备份 / back up now")
def backup_api(request: Request, engine: EngineDep, admin: AdminDep) -> dict[str, object]:
    return service.make_backup(engine, admin=admin, data_dir=_data_dir(request))


router.include_router(pages)
router.include_router(api)
