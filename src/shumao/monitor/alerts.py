"""Alerts and their lifecycle: one alert per rule × series, never one per run.

States: ``pending`` (the condition holds but not yet for ``rule.pending`` periods) → ``firing``
→ ``acknowledged`` (who, note) → ``resolved`` (by the evaluation when the condition clears, or
by a person with a reason); a resolved alert whose condition returns is reopened. A silence
(until a date, or until the value changes) keeps an alert quiet in notifications and off the
default list. Every change is an ``alert_event`` row (``record_event``). ``sync`` applies one
rule's hits; evaluating the same data twice changes nothing. What people do with an alert
(acknowledge, resolve, silence; also in the audit log) is ``monitor.handling``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from shumao.errors import ShumaoError
from shumao.monitor import tables as t
from shumao.monitor.messages import render
from shumao.monitor.rules import LEVELS, Rule
from shumao.reference import parks

OPEN = ("pending", "firing", "acknowledged")
STATES = {
    "pending": ("待触发", "pending"),
    "firing": ("触发", "firing"),
    "acknowledged": ("已确认", "acknowledged"),
    "resolved": ("已解除", "resolved"),
}
ACTIONS = {
    "pending": ("待触发", "pending"),
    "fire": ("触发", "fired"),
    "reopen": ("再次触发", "reopened"),
    "escalate": ("升级", "escalated"),
    "ack": ("确认", "acknowledged"),
    "resolve": ("人工解除", "resolved by a person"),
    "auto_resolve": ("条件消除，自动解除", "resolved: the condition cleared"),
    "silence": ("静默", "silenced"),
    "unsilence": ("取消静默", "silence lifted"),
}
Place = tuple[str | None, str | None, str | None]
"""(province, city, park) of an alert's area, for the scopes."""


def fingerprint(rule_code: str, series_key: str) -> str:
    return hashlib.sha256(f"{rule_code}|{series_key}".encode()).hexdigest()[:40]


def place(code: str, enterprises: Mapping[str, Place] | None = None) -> Place:
    if code.startswith("DSEB"):
        try:
            p = parks.lookup(code)
        except ShumaoError:
            return (None, None, code)
        return (p.province_code, p.city_code, p.code)
    if code.isdigit() and len(code) == 6:
        province = code[:2] + "0000"
        return (province, None if code == province else code[:4] + "00", None)
    if enterprises and code in enterprises:
        return enterprises[code]
    return (None, None, None)


@dataclass
class SyncResult:
    fired: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    pending: int = 0


def public_key(hit: Mapping[str, Any]) -> tuple[Any, ...]:
    """A hit's series, period, value and measure: an alert is public only when the public
    view gives the same (``evaluate._released``)."""

    def num(v: Any) -> float | None:
        return None if v is None else round(float(v), 6)

    return (
        str(hit["series_key"])[:400],
        str(hit["period"]),
        num(hit["value"]),
        num(hit["measure"]),
    )


def sync(
    conn: Connection,
    *,
    rule: Rule,
    version: int,
    hits: Iterable[dict[str, Any]],
    covers: Callable[[dict[str, Any]], bool],
    now: datetime | None = None,
    enterprises: Mapping[str, Place] | None = None,
    names: Mapping[str, str] | None = None,
    released: Collection[tuple[Any, ...]] = (),
) -> SyncResult:
    """Apply one evaluation of ``rule``: ``hits`` hold now; every open alert of the rule that
    ``covers`` (its dataflow was evaluated) and is not among them is resolved. An alert of a
    public rule is public only when its hit is among ``released`` (the public view's)."""
    now = now or datetime.now(UTC)
    result = SyncResult()
    existing = {
        r.fingerprint: dict(r._mapping)
        for r in conn.execute(select(t.alert).where(t.alert.c.rule_code == rule.code))
    }
    seen: set[str] = set()
    for hit in hits:
        level = rule.level_of(float(hit["measure"] or 0))
        if level is None:
            continue
        fp = fingerprint(rule.code, hit["series_key"])
        seen.add(fp)
        row = _row(rule, version, hit, level, now, enterprises, names)
        row["public"] = rule.public and public_key(hit) in released
        old = existing.get(fp)
        if old is None:
            _insert(conn, fp, row, rule, now, result)
        else:
            _update(conn, old, row, rule, now, result)
    for fp, old in existing.items():
        if fp not in seen and old["state"] in OPEN and covers(old):
            set_state(conn, old, "resolved", "auto_resolve", "system", now, resolved_at=now)
            if old["state"] != "pending":
                result.resolved.append(old["id"])
    return result


def _row(
    rule: Rule,
    version: int,
    hit: dict[str, Any],
    level: str,
    now: datetime,
    enterprises: Mapping[str, Place] | None,
    names: Mapping[str, str] | None,
) -> dict[str, Any]:
    province, city, park = place(hit["ref_area"], enterprises)
    return dict(
        rule_code=rule.code,
        rule_kind=rule.kind,
        ruleset_version=version,
        dataflow=hit["dataflow"],
        series_key=hit["series_key"][:400],
        ref_area=hit["ref_area"],
        province=province,
        city=city,
        park=park,
        level=level,
        rank=LEVELS[level][1],
        period=str(hit["period"])[:40],
        value=hit["value"],
        threshold=hit["threshold"],
        message_zh=render(rule, hit, "zh", enterprises=dict(names or {})),
        message_en=render(rule, hit, "en", enterprises=dict(names or {})),
        detail={
            "fields": hit.get("fields"),
            "measure": hit.get("measure"),
            "unit": hit.get("unit"),
            "unit_mult": hit.get("unit_mult"),
            **{d: hit.get(d) for d in ("counterpart_area", "product", "flow", "indicator", "freq")},
        },
        last_seen=now,
        updated_at=now,
    )


def _insert(
    conn: Connection, fp: str, row: dict[str, Any], rule: Rule, now: datetime, result: SyncResult
) -> None:
    state = "firing" if rule.pending <= 1 else "pending"
    new_id = conn.execute(
        insert(t.alert)
        .values(
            fingerprint=fp,
            state=state,
            pending_count=1,
            first_seen=now,
            fired_at=now if state == "firing" else None,
            **row,
        )
        .returning(t.alert.c.id)
    ).scalar_one()
    record_event(
        conn, new_id, "fire" if state == "firing" else "pending", None, state, "system", now
    )
    if state == "firing":
        result.fired.append(new_id)
    else:
        result.pending += 1


def _update(
    conn: Connection,
    old: dict[str, Any],
    row: dict[str, Any],
    rule: Rule,
    now: datetime,
    result: SyncResult,
) -> None:
    state, extra = old["state"], {}
    if state == "resolved":
        state, action = ("firing", "reopen") if rule.pending <= 1 else ("pending", "pending")
        extra = {
            "pending_count": 1,
            "resolved_at": None,
            "fired_at": now if state == "firing" else old["fired_at"],
        }
        if state == "firing":
            result.fired.append(old["id"])
        _write(conn, old, {**row, **extra, "state": state}, action, now)
        return
    if state == "pending" and row["period"] != old["period"]:
        count = old["pending_count"] + 1
        extra = {"pending_count": count}
        if count >= rule.pending:
            extra |= {"state": "firing", "fired_at": now}
            result.fired.append(old["id"])
            _write(conn, old, {**row, **extra}, "fire", now)
            return
    changed = any(old[k] != row[k] for k in ("level", "value", "period", "message_zh", "public"))
    if old["silenced_value"] is not None and row["value"] != old["silenced_value"]:
        extra |= {"silenced_value": None, "silenced_until": None}
        record_event(conn, old["id"], "unsilence", old["state"], old["state"], "system", now)
    if row["rank"] > old["rank"] and old["state"] in ("firing", "acknowledged"):
        _write(conn, old, {**row, **extra, "state": "firing"}, "escalate", now)
        result.fired.append(old["id"])
    elif changed or extra:
        conn.execute(
            update(t.alert)
            .where(t.alert.c.id == old["id"])
            .values(**row, **extra, version=old["version"] + 1)
        )
    else:
        conn.execute(update(t.alert).where(t.alert.c.id == old["id"]).values(last_seen=now))


def _write(
    conn: Connection, old: dict[str, Any], values: dict[str, Any], action: str, now: datetime
) -> None:
    conn.execute(
        update(t.alert)
        .where(t.alert.c.id == old["id"])
        .values(**values, version=old["version"] + 1)
    )
    record_event(
        conn, old["id"], action, old["state"], values.get("state", old["state"]), "system", now
    )


def record_event(
    conn: Connection,
    alert_id: int,
    action: str,
    before: str | None,
    after: str,
    username: str,
    now: datetime,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(t.alert_event).values(
            alert_id=alert_id,
            at=now,
            username=username,
            action=action,
            from_state=before,
            to_state=after,
            note=note,
            detail=detail,
        )
    )


def set_state(
    conn: Connection,
    old: dict[str, Any],
    state: str,
    action: str,
    username: str,
    now: datetime,
    note: str = "",
    **values: Any,
) -> None:
    conn.execute(
        update(t.alert)
        .where(t.alert.c.id == old["id"])
        .values(state=state, updated_at=now, version=old["version"] + 1, **values)
    )
    record_event(conn, old["id"], action, old["state"], state, username, now, note)


def events(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.alert_event)
        .where(t.alert_event.c.alert_id == alert_id)
        .order_by(t.alert_event.c.id)
    )
    return [dict(r._mapping) for r in rows]
