"""A filing (one form × enterprise × period): its status, finding and listing it, and every
change of its state, each recorded in ``filing_transition`` under an optimistic lock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select, update

from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.collection import registry
from shumao.collection.forms import Form, get_form, normalise_period
from shumao.collection.tables import filing, filing_transition
from shumao.collection.workflow import clock
from shumao.errors import ConflictError, NotAllowed, NotVisible, UnknownCode
from shumao.storage.engine import insert_or_skip


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


STATUS_NAMES = {
    Status.DRAFT: ("草稿", "draft"),
    Status.SUBMITTED: ("已提交待审核", "submitted, awaiting review"),
    Status.APPROVED: ("已审核通过", "approved"),
    Status.RETURNED: ("已退回", "returned"),
}
CAN = {
    "upload": {Status.DRAFT, Status.RETURNED, Status.APPROVED},
    "submit": {Status.DRAFT, Status.RETURNED},
    "approve": {Status.SUBMITTED},
    "return": {Status.SUBMITTED},
}


@dataclass(frozen=True)
class Filing:
    id: int
    form_id: str
    form_version: int
    enterprise_id: int
    uscc: str
    period: str
    status: Status
    version: int
    revision: int
    current_upload_id: int | None
    approved_upload_id: int | None
    vintage_id: int | None
    first_submitted_at: datetime | None
    submitted_at: datetime | None
    submitted_by: str | None
    approved_at: datetime | None
    created_at: datetime
    created_by: str
    updated_at: datetime

    @property
    def status_text(self) -> str:
        zh, en = STATUS_NAMES[self.status]
        return f"{zh} / {en}"


@dataclass(frozen=True)
class Transition:
    action: str
    from_status: str | None
    to_status: str
    filing_version: int
    actor: str
    role: str
    scope: str
    at: datetime
    reason: str
    upload_id: int | None
    vintage_id: int | None


def filing_row(row: Any) -> Filing:
    data = dict(row._mapping)
    for k in ("first_submitted_at", "submitted_at", "approved_at", "created_at", "updated_at"):
        data[k] = clock.aware(data[k])
    data["status"] = Status(data["status"])
    names = {f.name for f in fields(Filing)}
    return Filing(**{k: v for k, v in data.items() if k in names})


def load(conn: Connection, filing_id: int) -> Filing:
    row = conn.execute(select(filing).where(filing.c.id == filing_id)).first()
    if row is None:
        raise NotVisible("填报", "filing")
    return filing_row(row)


def enterprise_of(conn: Connection, uscc: str) -> registry.Enterprise:
    ent = registry.find(conn, uscc)
    if ent is None:
        raise UnknownCode("企业信息库 enterprise database", uscc)
    return ent


# --- finding and listing -----------------------------------------------------------------------


def find_filing(
    conn: Connection, *, actor: Actor, form_id: str, uscc: str, period: str
) -> Filing | None:
    ent = enterprise_of(conn, uscc)
    permissions.require_see(actor, ent)
    row = conn.execute(
        select(filing).where(
            filing.c.form_id == get_form(form_id).id,
            filing.c.uscc == ent.uscc,
            filing.c.period == period,
        )
    ).first()
    return filing_row(row) if row else None


def get_filing(conn: Connection, *, actor: Actor, filing_id: int) -> Filing:
    found = load(conn, filing_id)
    permissions.require_see(actor, enterprise_of(conn, found.uscc))
    return found


def list_filings(
    conn: Connection,
    *,
    actor: Actor,
    form_id: str | None = None,
    period: str | None = None,
    status: str | None = None,
) -> list[Filing]:
    visible = {e.uscc for e in registry.list_enterprises(conn, actor=actor, include_inactive=True)}
    stmt = select(filing).order_by(filing.c.period, filing.c.uscc, filing.c.form_id)
    if form_id:
        stmt = stmt.where(filing.c.form_id == get_form(form_id).id)
    if period:
        stmt = stmt.where(filing.c.period == period)
    if status:
        stmt = stmt.where(filing.c.status == Status(status).value)
    return [filing_row(r) for r in conn.execute(stmt) if r.uscc in visible]


def open_filing(conn: Connection, *, actor: Actor, form_id: str, uscc: str, period: str) -> Filing:
    """The filing of ``form_id`` for ``uscc`` and ``period``, created as a draft if new."""
    form = get_form(form_id)
    ent, existing = filer(conn, actor, form, uscc, period)
    if existing is not None:
        return existing
    now = clock.now()
    new_id = conn.execute(
        insert_or_skip(conn, filing)
        .values(
            form_id=form.id,
            form_version=form.version,
            enterprise_id=ent.id,
            uscc=ent.uscc,
            period=period,
            status=Status.DRAFT.value,
            version=1,
            revision=0,
            created_at=now,
            created_by=actor.name,
            updated_at=now,
        )
        .returning(filing.c.id)
    ).scalar()
    if new_id is None:  # created by a concurrent upload a moment ago
        made = find_filing(conn, actor=actor, form_id=form.id, uscc=ent.uscc, period=period)
        assert made is not None
        return made
    record(conn, new_id, "create", None, Status.DRAFT, 1, actor, now)
    return load(conn, new_id)


def filer(
    conn: Connection, actor: Actor, form: Form, uscc: str, period: str
) -> tuple[registry.Enterprise, Filing | None]:
    """The enterprise the actor may file for, and its filing of the period if there is one."""
    check_period(form, period)
    ent = enterprise_of(conn, uscc)
    permissions.require_file(actor, ent)
    return ent, find_filing(conn, actor=actor, form_id=form.id, uscc=ent.uscc, period=period)


def check_period(form: Form, period: str) -> None:
    if normalise_period(period, form.frequency) != period:
        raise NotAllowed(
            f"报告期“{period}”不是{form.title_zh}的报告期格式 / {period!r} is not a "
            f"{form.frequency} period (e.g. 2024-Q3 or 2024)"
        )


# --- state changes ------------------------------------------------------------------------------


def require_status(found: Filing, action: str) -> None:
    if found.status not in CAN[action]:
        raise NotAllowed(
            f"填报 #{found.id} 当前状态为“{found.status_text}”，不能执行“{action}” / "
            f"filing #{found.id} is {found.status.value}; cannot {action}"
        )


def current(conn: Connection, actor: Actor, filing_id: int, expected_version: int | None) -> Filing:
    """The filing as it is now, if the actor may see it, at the version the actor saw."""
    found = load(conn, filing_id)
    permissions.require_see(actor, enterprise_of(conn, found.uscc))
    if expected_version is not None and expected_version != found.version:
        raise ConflictError(_conflict_text(found, expected_version))
    return found


def _conflict_text(now: Filing, seen: int) -> str:
    return (
        f"填报 #{now.id} 已被他人处理（当前状态：{STATUS_NAMES[now.status][0]}，版本 {now.version}；"
        f"您看到的是版本 {seen}），未做任何修改，请刷新后再操作 / filing #{now.id} was changed by "
        f"someone else (now {now.status.value}, version {now.version}; you saw version "
        f"{seen}); nothing was changed, reload and try again"
    )


def transition(
    conn: Connection,
    found: Filing,
    *,
    action: str,
    to: Status,
    actor: Actor,
    expected_version: int | None,
    now: datetime,
    values: Mapping[str, Any] | None = None,
    reason: str = "",
    upload_id: int | None = None,
) -> Filing:
    """Move the filing to ``to`` if nobody changed it since ``expected_version``; record it."""
    seen = expected_version if expected_version is not None else found.version
    done = conn.execute(
        update(filing)
        .where(filing.c.id == found.id, filing.c.version == seen)
        .values(status=to.value, version=seen + 1, updated_at=now, **(values or {}))
    )
    if done.rowcount != 1:
        raise ConflictError(_conflict_text(load(conn, found.id), seen))
    record(conn, found.id, action, found.status, to, seen + 1, actor, now, reason, upload_id)
    return load(conn, found.id)


def record(
    conn: Connection,
    filing_id: int,
    action: str,
    frm: Status | None,
    to: Status,
    version: int,
    actor: Actor,
    now: datetime,
    reason: str = "",
    upload_id: int | None = None,
    vintage_id: int | None = None,
) -> None:
    conn.execute(
        insert(filing_transition).values(
            filing_id=filing_id,
            action=action,
            from_status=frm.value if frm else None,
            to_status=to.value,
            filing_version=version,
            actor=actor.name,
            role=actor.role.value,
            scope=actor.scope,
            at=now,
            reason=reason,
            upload_id=upload_id,
            vintage_id=vintage_id,
        )
    )


def history(conn: Connection, *, actor: Actor, filing_id: int) -> list[Transition]:
    get_filing(conn, actor=actor, filing_id=filing_id)
    rows = conn.execute(
        select(filing_transition)
        .where(filing_transition.c.filing_id == filing_id)
        .order_by(filing_transition.c.id)
    )
    names = {f.name for f in fields(Transition)}
    out = []
    for r in rows:
        data: dict[str, Any] = {k: v for k, v in r._mapping.items() if k in names}
        data["at"] = clock.aware(data["at"])
        out.append(Transition(**data))
    return out
