"""Administration: users, roles and scopes; the audit log; releases; reference data
versions; backups. Admin only (releases: ministry too); every change is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine

from shumao.auth import audit, permissions, users
from shumao.auth.roles import PUBLIC, ROLES, role_text
from shumao.auth.scope import Scope
from shumao.collection.workflow.clock import local_time
from shumao.errors import NotAllowed
from shumao.labels import pick
from shumao.monitor.hooks import defer
from shumao.reference import versions
from shumao.release import history, releases, snapshot
from shumao.release.calendar import embargoed
from shumao.storage import backup, vintages
from shumao.storage.dataflows import all_dataflows
from shumao.web.schemas import ReleaseOut, UserOut

ROLE_CHOICES = tuple(r for r in ROLES if r != PUBLIC)


@dataclass(frozen=True)
class Admin:
    scope: Scope
    ip: str = ""

    def require(self) -> None:
        permissions.require_administer(self.scope)

    def log(self, conn: Connection, action: str, target: str, **detail: Any) -> None:
        audit.record_by(
            conn, self.scope, action=action, target=target, ip=self.ip, detail=detail or None
        )


def user_out(user: users.User, lang: str) -> UserOut:
    return UserOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_name=role_text(user.role, lang),
        scope=user.scope,
        active=user.active,
    )


def list_users(conn: Connection, *, admin: Admin, lang: str) -> list[UserOut]:
    admin.require()
    return [user_out(u, lang) for u in users.list_users(conn)]


def create_user(
    conn: Connection,
    *,
    admin: Admin,
    username: str,
    password: str,
    role: str,
    scope: str = "",
    display_name: str = "",
    lang: str = "zh",
) -> UserOut:
    admin.require()
    made = users.create_user(
        conn,
        username=username,
        password=password,
        role=role,
        scope=scope,
        display_name=display_name,
    )
    admin.log(conn, "user.create", made.username, role=made.role, scope=made.scope)
    return user_out(made, lang)


def update_user(
    conn: Connection,
    *,
    admin: Admin,
    username: str,
    role: str | None = None,
    scope: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    password: str | None = None,
    lang: str = "zh",
) -> UserOut:
    admin.require()
    if admin.scope.username == username and active is False:
        raise NotAllowed("不能停用自己的账号 / you cannot disable your own account")
    changed = users.update_user(
        conn, username=username, role=role, scope=scope, active=active, display_name=display_name
    )
    admin.log(
        conn, "user.update", username, role=changed.role, scope=changed.scope, active=changed.active
    )
    if password:
        users.set_password(conn, username=username, password=password)
        admin.log(conn, "user.password", username)
    return user_out(changed, lang)


def browse_audit(
    conn: Connection,
    *,
    admin: Admin,
    action: str | None = None,
    username: str | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[audit.Entry], int]:
    admin.require()
    return audit.browse(
        conn,
        action=action or None,
        username=username or None,
        limit=size,
        offset=(max(page, 1) - 1) * size,
    )


AUDIT_COLUMNS = {
    "id": ("序号", "No."),
    "at": ("时间（北京时间）", "Time (Beijing)"),
    "username": ("操作人", "User"),
    "role": ("角色", "Role"),
    "scope": ("范围", "Scope"),
    "action": ("操作", "Action"),
    "target": ("对象", "Target"),
    "ok": ("结果", "Result"),
    "ip": ("IP", "IP"),
    "detail": ("详情", "Detail"),
}


def export_audit(
    conn: Connection,
    *,
    admin: Admin,
    action: str | None = None,
    username: str | None = None,
    lang: str = "zh",
) -> pl.DataFrame:
    """The log for people: Beijing time, role and action names, headers in ``lang``."""
    admin.require()
    frame = audit.export(conn, action=action or None, username=username or None)
    admin.log(conn, "download", "audit_log", rows=frame.height)
    actions = {code: pick(zh, en, lang) for code, (zh, en) in audit.ACTIONS.items()}
    roles = {role: role_text(role, lang) for role in ROLES}
    results = {True: pick("成功", "ok", lang), False: pick("失败", "failed", lang)}
    frame = frame.with_columns(
        pl.Series("at", [_beijing_seconds(at) for at in frame["at"]], dtype=pl.String),
        pl.col("role").replace_strict(roles, default=pl.col("role")),
        pl.col("action").replace_strict(actions, default=pl.col("action")),
        pl.col("ok").replace_strict(results, return_dtype=pl.String),
    )
    return frame.rename({c: pick(*names, lang) for c, names in AUDIT_COLUMNS.items()})


def _beijing_seconds(text: str) -> str:
    moment = local_time(datetime.fromisoformat(text))
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def release_rows(conn: Connection, *, scope: Scope, lang: str) -> list[dict[str, Any]]:
    """Every dataflow with its newest vintage and newest release."""
    permissions.require_release(scope)
    held = {e.subject: e.id for e in embargoed(conn)}
    unwritten = set(snapshot.missing(conn))  # failed after the commit; the worker retries
    newest = {r.dataflow_id: r.id for r in reversed(history.list_releases(conn))}
    out = []
    for flow in all_dataflows():
        found = vintages.list_vintages(conn, flow.id)
        released = history.released_vintages(conn, flow.id)
        out.append(
            {
                "id": flow.id,
                "name": pick(flow.name_zh, flow.name_en, lang),
                "newest": found[-1].id if found else None,
                "released": released[-1] if released else None,
                "vintages": len(found),
                "embargo_entry": held.get(flow.id),
                "snapshot_missing": newest.get(flow.id) in unwritten,
            }
        )
    return out


def release(
    conn: Connection,
    *,
    scope: Scope,
    dataflow: str,
    vintage_id: int | None,
    note: str = "",
    ip: str = "",
) -> ReleaseOut:
    done = releases.release(
        conn, scope=scope, dataflow_id=dataflow, vintage_id=vintage_id, note=note, ip=ip
    )
    snapshot.defer(conn, done.id)  # written once the release has committed
    defer(conn, trigger="release", dataflows=[dataflow], user=scope.username)
    return release_out(done)


def release_out(done: history.Release) -> ReleaseOut:
    """A release as the API shows it, with the rule set that protected its cells."""
    return ReleaseOut(
        id=done.id,
        dataflow_id=done.dataflow_id,
        vintage_id=done.vintage_id,
        released_at=done.released_at.isoformat(timespec="seconds"),
        released_by=done.released_by,
        note=done.note,
        disclosure_rules=done.rules,
    )


def release_list(conn: Connection) -> list[ReleaseOut]:
    """Every release, newest first (public: what was made public, when and by whom)."""
    return [release_out(r) for r in history.list_releases(conn)]


def reference_versions(*, admin: Admin) -> list[dict[str, Any]]:
    admin.require()
    return versions()


def backups(*, admin: Admin, data_dir: Path) -> list[dict[str, Any]]:
    admin.require()
    folder = data_dir / "backups"
    files = sorted(folder.glob("*.zip"), reverse=True) if folder.is_dir() else []
    return [
        {
            "name": f.name,
            "size": f.stat().st_size,
            "modified": datetime.fromtimestamp(f.stat().st_mtime, UTC).isoformat(
                timespec="seconds"
            ),
        }
        for f in files
    ]


def make_backup(engine: Engine, *, admin: Admin, data_dir: Path) -> dict[str, Any]:
    admin.require()
    path = data_dir / "backups" / backup.default_path().name
    written, manifest = backup.backup(engine, path)
    with engine.begin() as conn:
        admin.log(conn, "backup", written.name, rows=manifest.total_rows)
    return {"name": written.name, "rows": manifest.total_rows}
