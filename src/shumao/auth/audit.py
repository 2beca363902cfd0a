"""The audit log: logins (ok and failed), changes, approvals, releases and downloads.

Rows are only ever added. ``record`` is called by the services that act (never by templates),
``record_by`` when the one acting is a ``Scope`` (its username, role and scope code are logged);
``browse`` pages through the log for the admin pages and ``export`` gives it as a frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, func, insert, select, true
from sqlalchemy.sql import ColumnElement

from shumao.auth.scope import Scope
from shumao.auth.tables import audit_log

ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("登录", "log in"),
    "logout": ("退出", "log out"),
    "user.create": ("新建用户", "create user"),
    "user.update": ("修改用户", "change user"),
    "user.password": ("修改密码", "change password"),
    "filing.upload": ("上传填报", "upload filing"),
    "filing.explain": ("填写说明", "explain warnings"),
    "filing.submit": ("提交填报", "submit filing"),
    "filing.approve": ("审核通过", "approve filing"),
    "filing.return": ("退回填报", "return filing"),
    "release": ("发布数据", "release data"),
    "release.schedule": ("安排发布日程", "schedule a release"),
    "release.postpone": ("推迟发布", "postpone a release"),
    "release.correct": ("更正已发布数据", "correct released figures"),
    "release.notes": ("修改发布说明", "edit release notes"),
    "release.failed": ("定时发布失败", "scheduled release failed"),
    "release.embargo": ("查看禁发数据", "view embargoed figures"),
    "release.snapshot": ("写出开放数据快照", "write an open-data snapshot"),
    "release.attach": ("为发布附上报告文件", "attach report files to a release"),
    "download": ("下载数据", "download data"),
    "backup": ("备份数据库", "back up the store"),
    "monitor.rules": ("修改预警规则", "change warning rules"),
    "monitor.target": ("确认或修改监测目标", "confirm or change a monitored target"),
    "alert.ack": ("确认预警", "acknowledge alert"),
    "alert.resolve": ("解除预警", "resolve alert"),
    "alert.silence": ("静默预警", "silence alert"),
    "report.build": ("生成年度报告", "build the annual report"),
    "policy.split": ("拆分误合并的政策文件副本", "split a wrongly folded policy copy"),
    "policy.unsplit": ("撤销政策文件拆分", "undo a policy copy split"),
}


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    username: str
    role: str
    scope: str
    action: str
    target: str
    ok: bool
    ip: str
    detail: dict[str, Any] | None


def record(
    conn: Connection,
    *,
    action: str,
    username: str = "",
    role: str = "",
    scope: str = "",
    target: str = "",
    ok: bool = True,
    ip: str = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=at or datetime.now(UTC),
            username=username[:64],
            role=role[:12],
            scope=scope[:20],
            action=action[:40],
            target=target[:200],
            ok=ok,
            ip=ip[:64],
            detail=detail,
        )
    )


def record_by(
    conn: Connection,
    scope: Scope,
    *,
    action: str,
    target: str = "",
    ok: bool = True,
    ip: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """One entry for what ``scope`` did: its username, role and scope code are the who."""
    record(
        conn,
        action=action,
        username=scope.username,
        role=scope.role,
        scope=scope.code,
        target=target,
        ok=ok,
        ip=ip,
        detail=detail,
    )


def _conditions(
    action: str | None, username: str | None, since: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if action:
        conds.append(audit_log.c.action == action)
    if username:
        conds.append(audit_log.c.username == username)
    if since:
        conds.append(audit_log.c.at >= since)
    if until:
        conds.append(audit_log.c.at <= until)
    return conds


def browse(
    conn: Connection,
    *,
    action: str | None = None,
    username: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Entry], int]:
    """A page of the log, newest first, and how many entries match in all."""
    where = and_(true(), *_conditions(action, username, since, until))
    total = conn.execute(select(func.count()).select_from(audit_log).where(where)).scalar_one()
    rows = conn.execute(
        select(audit_log).where(where).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
    )
    return [_entry(r) for r in rows], int(total)


def _entry(row: Any) -> Entry:
    data = dict(row._mapping)
    at = data["at"]
    data["at"] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return Entry(**data)


def export(conn: Connection, **filters: Any) -> pl.DataFrame:
    """Every matching entry (oldest first) as a frame for CSV/XLSX download."""
    entries, _total = browse(conn, limit=1_000_000, **filters)
    schema = {
        "id": pl.Int64,
        "at": pl.String,
        "username": pl.String,
        "role": pl.String,
        "scope": pl.String,
        "action": pl.String,
        "target": pl.String,
        "ok": pl.Boolean,
        "ip": pl.String,
        "detail": pl.String,
    }
    rows = [
        (
            e.id,
            e.at.isoformat(timespec="seconds"),
            e.username,
            e.role,
            e.scope,
            e.action,
            e.target,
            e.ok,
            e.ip,
            "" if e.detail is None else _json(e.detail),
        )
        for e in reversed(entries)
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _json(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
