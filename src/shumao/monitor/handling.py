"""What people do with an alert: acknowledge it (who, note), resolve it by hand (a reason is
required; resolving twice changes nothing) or silence it (until a date, or until its value
changes). Each is allowed only inside the person's scope and not to the public or an
enterprise, may name the version it expects (a stale one is a conflict), and is an
``alert_event`` row and an audit-log entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from shumao.auth import audit
from shumao.auth.scope import Scope
from shumao.errors import ConflictError, NotAllowed, ShumaoError, UnknownCode
from shumao.monitor import changes
from shumao.monitor import tables as t
from shumao.monitor.alerts import STATES, record_event, set_state


def _mine(
    conn: Connection, alert_id: int, who: Scope, inside: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    row = conn.execute(select(t.alert).where(t.alert.c.id == alert_id)).first()
    if row is None or not inside(dict(row._mapping)):
        raise UnknownCode("预警（您的范围内）/ alerts in your scope", alert_id)
    if who.role in ("public", "enterprise"):
        raise NotAllowed("无权处理预警 / you may not handle alerts")
    return dict(row._mapping)


def acknowledge(
    conn: Connection,
    *,
    alert_id: int,
    who: Scope,
    note: str = "",
    inside: Callable[[dict[str, Any]], bool],
    expected_version: int | None = None,
) -> dict[str, Any]:
    old = _mine(conn, alert_id, who, inside)
    _version(old, expected_version)
    if old["state"] == "acknowledged":
        return old
    if old["state"] != "firing":
        raise ShumaoError(
            f"预警 #{alert_id} 处于“{STATES[old['state']][0]}”状态，不能确认 / alert "
            f"#{alert_id} is {old['state']} and cannot be acknowledged"
        )
    now = datetime.now(UTC)
    set_state(conn, old, "acknowledged", "ack", who.username, now, note)
    changes.bump(conn)
    _audit(conn, who, "alert.ack", alert_id, {"note": note})
    return _get(conn, alert_id)


def resolve(
    conn: Connection,
    *,
    alert_id: int,
    who: Scope,
    reason: str,
    inside: Callable[[dict[str, Any]], bool],
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Close an alert by hand (a reason is required); resolving a resolved alert changes
    nothing (idempotent)."""
    if not reason.strip():
        raise ShumaoError("解除预警须说明理由 / give a reason to resolve an alert")
    old = _mine(conn, alert_id, who, inside)
    if old["state"] == "resolved":
        return old
    _version(old, expected_version)
    now = datetime.now(UTC)
    set_state(conn, old, "resolved", "resolve", who.username, now, reason, resolved_at=now)
    changes.bump(conn)
    _audit(conn, who, "alert.resolve", alert_id, {"reason": reason})
    return _get(conn, alert_id)


def silence(
    conn: Connection,
    *,
    alert_id: int,
    who: Scope,
    until: datetime | None = None,
    until_change: bool = False,
    note: str = "",
    inside: Callable[[dict[str, Any]], bool],
) -> dict[str, Any]:
    if until is None and not until_change:
        raise ShumaoError(
            "请给出静默截止日期或选择“数值变化前” / give a date or choose until the value changes"
        )
    old = _mine(conn, alert_id, who, inside)
    now = datetime.now(UTC)
    conn.execute(
        update(t.alert)
        .where(t.alert.c.id == alert_id)
        .values(
            silenced_until=until,
            silenced_value=old["value"] if until_change else None,
            updated_at=now,
            version=old["version"] + 1,
        )
    )
    changes.bump(conn)
    detail = {"until": until.isoformat() if until else None, "until_change": until_change}
    record_event(
        conn, alert_id, "silence", old["state"], old["state"], who.username, now, note, detail
    )
    _audit(conn, who, "alert.silence", alert_id, detail)
    return _get(conn, alert_id)


def _audit(
    conn: Connection, who: Scope, action: str, alert_id: int, detail: dict[str, Any]
) -> None:
    audit.record_by(conn, who, action=action, target=f"alert #{alert_id}", detail=detail)


def _version(old: dict[str, Any], expected: int | None) -> None:
    if expected is not None and expected != old["version"]:
        raise ConflictError(
            f"预警 #{old['id']} 已被他人修改（版本 {old['version']}）/ alert "
            f"#{old['id']} was changed by someone else (version {old['version']})"
        )


def _get(conn: Connection, alert_id: int) -> dict[str, Any]:
    return dict(conn.execute(select(t.alert).where(t.alert.c.id == alert_id)).one()._mapping)
