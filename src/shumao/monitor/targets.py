"""Monitored targets: confirmed from the policy library's candidates, versioned, audited.

``confirm`` turns a candidate (``policy_target``) into a monitored target — indicator, scope
(nation / province / base), area; comparator, value, unit and deadline come from the text
unless the person corrects them — and marks the candidate confirmed. ``change`` writes a new
version (the old one stays, no longer current); ``deactivate`` is a change too. An
unconfirmed candidate is never monitored. ``progress`` computes each current target's
trajectory (``trajectory.project`` on ``indicators.points``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from shumao.auth import audit
from shumao.errors import NotAllowed, ShumaoError
from shumao.monitor import indicators
from shumao.monitor import tables as t
from shumao.monitor.trajectory import Trajectory, project
from shumao.policy import tables as policy
from shumao.storage import vintages

SCOPES = {"nation": ("全国", "nation"), "province": ("省份", "province"), "base": ("基地", "base")}
MAY_CONFIRM = {"ministry", "admin"}


@dataclass(frozen=True)
class Target:
    id: int
    key: str
    version: int
    active: bool
    indicator: str
    scope_kind: str
    area: str
    comparator: str
    value: float
    unit: str
    deadline_year: int
    name_zh: str
    name_en: str
    sentence: str
    document_id: int | None
    policy_target_id: int | None
    created_by: str
    created_at: datetime
    note: str


def _target(row: Any) -> Target:
    m = row._mapping
    return Target(**{f: m[f] for f in Target.__dataclass_fields__})


def _check_role(role: str) -> None:
    if role not in MAY_CONFIRM:
        raise NotAllowed(
            "只有商务部和系统管理员可以确认或修改监测目标 / only the ministry and "
            "admins may confirm or change monitored targets"
        )


def confirm(
    conn: Connection,
    *,
    candidate_id: int,
    indicator: str,
    scope_kind: str = "nation",
    area: str = "CHN",
    username: str,
    role: str,
    **overrides: Any,
) -> Target:
    """A person confirms a policy candidate into a monitored target (version 1)."""
    _check_role(role)
    if indicator not in indicators.SERIES:
        raise ShumaoError(
            f"未知的监测指标“{indicator}”（可用：{'、'.join(indicators.SERIES)}）/ "
            f"unknown indicator {indicator!r}"
        )
    if scope_kind not in SCOPES:
        raise ShumaoError(f"未知的范围“{scope_kind}” / unknown scope {scope_kind!r}")
    cand = conn.execute(select(policy.target).where(policy.target.c.id == candidate_id)).first()
    if cand is None:
        raise ShumaoError(f"没有第 {candidate_id} 号候选目标 / no candidate target #{candidate_id}")
    n = conn.execute(
        select(func.count()).select_from(t.target).where(t.target.c.version == 1)
    ).scalar_one()
    name_zh, name_en = indicators.NAMES[indicator]
    values = dict(
        key=f"T{n + 1}",
        version=1,
        current=True,
        active=True,
        policy_target_id=candidate_id,
        document_id=cand.document_id,
        indicator=indicator,
        scope_kind=scope_kind,
        area=area,
        comparator=cand.comparator,
        value=cand.value,
        unit=cand.unit,
        deadline_year=cand.target_year,
        name_zh=f"{cand.target_year}年{name_zh}",
        name_en=f"{name_en}, {cand.target_year}",
        sentence=cand.sentence,
        created_by=username,
        created_at=datetime.now(UTC),
        note="",
    )
    values.update({k: v for k, v in overrides.items() if k in values and v is not None})
    conn.execute(insert(t.target).values(**values).returning(t.target.c.id)).scalar_one()
    conn.execute(
        update(policy.target)
        .where(policy.target.c.id == candidate_id)
        .values(
            status="confirmed",
            indicator_code=indicator,
            confirmed_by=username,
            confirmed_at=values["created_at"],
        )
    )
    audit.record(
        conn,
        action="monitor.target",
        username=username,
        role=role,
        target=f"{values['key']} v1",
        detail={
            "candidate": candidate_id,
            **{k: values[k] for k in ("indicator", "area", "comparator", "value", "deadline_year")},
        },
    )
    return get(conn, values["key"])


def change(
    conn: Connection, *, key: str, username: str, role: str, note: str = "", **changes: Any
) -> Target:
    """A new version of target ``key`` with ``changes`` (value, comparator, deadline_year,
    area, active …); the previous version stays in the history."""
    _check_role(role)
    old = get(conn, key)
    allowed = {
        "value",
        "comparator",
        "unit",
        "deadline_year",
        "area",
        "scope_kind",
        "active",
        "name_zh",
        "name_en",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ShumaoError(f"不能修改 {sorted(unknown)} / cannot change {sorted(unknown)}")
    row = {f: getattr(old, f) for f in Target.__dataclass_fields__ if f != "id"}
    row.update(
        changes,
        version=old.version + 1,
        current=True,
        created_by=username,
        created_at=datetime.now(UTC),
        note=note,
    )
    conn.execute(update(t.target).where(t.target.c.key == key).values(current=False))
    conn.execute(insert(t.target).values(**row))
    audit.record(
        conn,
        action="monitor.target",
        username=username,
        role=role,
        target=f"{key} v{row['version']}",
        detail={"changes": changes, "note": note},
    )
    return get(conn, key)


def get(conn: Connection, key: str) -> Target:
    row = conn.execute(select(t.target).where(t.target.c.key == key, t.target.c.current)).first()
    if row is None:
        raise ShumaoError(f"没有监测目标 {key} / no monitored target {key}")
    return _target(row)


def current(conn: Connection, *, active_only: bool = True) -> list[Target]:
    stmt = select(t.target).where(t.target.c.current).order_by(t.target.c.id)
    if active_only:
        stmt = stmt.where(t.target.c.active)
    return [_target(r) for r in conn.execute(stmt)]


def history(conn: Connection, key: str) -> list[Target]:
    rows = conn.execute(select(t.target).where(t.target.c.key == key).order_by(t.target.c.version))
    return [_target(r) for r in rows]


def progress(conn: Connection, target: Target, as_of: vintages.AsOf = None) -> Trajectory:
    pts = indicators.points(conn, target.indicator, target.area, as_of)
    return project(
        pts, target=target.value, comparator=target.comparator, deadline=target.deadline_year
    )
