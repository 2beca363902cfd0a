"""The ministry’s check of an application: the criteria evaluated on declared and stored figures, each item decided, the verdict."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, update

from shumao.auth.scope import Scope
from shumao.bases import access, evaluate, figures, registry
from shumao.bases.applications import MIN_REASON, for_years, get, set_state, who
from shumao.bases.tables import base_application_item
from shumao.errors import ConflictError, ShumaoError


def decide_item(
    conn: Connection,
    *,
    scope: Scope,
    application_id: int,
    item_id: int,
    decision: str,
    note: str = "",
) -> None:
    access.require_decide(scope)
    app = get(conn, scope=scope, application_id=application_id)
    if app["state"] != "submitted":
        raise ConflictError(
            "只能评审已提交、未决定的材料 / only a submitted, undecided file can be reviewed"
        )
    if decision not in ("accepted", "rejected", "pending"):
        raise ShumaoError(
            "决定应为 accepted、rejected 或 pending / decide accepted, rejected or pending"
        )
    item = next((i for i in app["items"] if i["id"] == item_id), None)
    if item is None:
        raise ShumaoError(f"清单项 {item_id} 不属于申报材料 {application_id} / no such item")
    if decision == "accepted" and not item["files"]:
        raise ShumaoError(
            "没有证明材料的项目不能认可 / an item without an evidence document cannot be accepted"
        )
    if decision == "rejected" and not note.strip():
        raise ShumaoError("不认可须写明理由 / a rejection needs a written reason")
    conn.execute(
        update(base_application_item)
        .where(base_application_item.c.id == item_id)
        .values(
            decision=decision,
            decision_note=note.strip(),
            decided_by=who(scope),
            decided_at=datetime.now(UTC),
        )
    )
    access.record(
        conn,
        scope,
        "base.decide",
        f"#{application_id} {item['code']}",
        {"item": item_id, "decision": decision},
    )


def evaluation(
    conn: Connection,
    *,
    scope: Scope,
    application_id: int,
    override_reason: str | None = None,
    hypothetical: dict[tuple[str, str], float] | None = None,
) -> evaluate.Evaluation:
    """The evaluation of an application: published figures, linkage counts, accepted
    declarations, the checklist decisions, the override (stored or given)."""
    app = get(conn, scope=scope, application_id=application_id)
    years = app["years_list"]
    evidence = [
        *figures.declared(app["items"], application_id),
        *figures.collect(conn, app["base"].code, years),
        *hypothetical_evidence(hypothetical or {}),
    ]
    checks = [
        evaluate.Check(i["code"], i["decision"], len(i["files"]), i["decision_note"])
        for i in app["items"]
        if not i["year"]
    ]
    reason = app["override_reason"] or "" if override_reason is None else override_reason
    return evaluate.evaluate(
        kind=app["kind"],
        base_code=app["base"].code,
        group=app["base"].region_group,
        years=years,
        evidence=evidence,
        checks=checks,
        override_reason=reason,
    )


def hypothetical_evidence(values: dict[tuple[str, str], float]) -> list[evaluate.Evidence]:
    """What-if values (code, year) → value, placed before everything else."""
    return [
        evaluate.Evidence(
            code, year, value, "exact", "假设值（仅用于推演）", "hypothetical value (what-if only)"
        )
        for (code, year), value in values.items()
    ]


def decide(
    conn: Connection,
    *,
    scope: Scope,
    application_id: int,
    override_reason: str = "",
    note: str = "",
) -> evaluate.Evaluation:
    """Record the verdict the rules give (with the special-potential clause if a reason of
    at least ``MIN_REASON`` characters is written)."""
    access.require_decide(scope)
    app = get(conn, scope=scope, application_id=application_id)
    if app["state"] != "submitted":
        raise ConflictError(
            "只能对已提交、未决定的材料作出决定 / only a submitted, undecided file can be decided"
        )
    reason = override_reason.strip()
    if reason and len(reason) < MIN_REASON:
        raise ShumaoError(
            f"适用特殊潜力条款须写明理由（至少 {MIN_REASON} 个字）/ the special-potential "
            f"clause needs a written reason of at least {MIN_REASON} characters"
        )
    result = evaluation(conn, scope=scope, application_id=application_id, override_reason=reason)
    if reason and not result.overridden:
        raise ShumaoError(
            "特殊潜力条款只能放宽未达标的业务标准；本材料没有可放宽的未达标项，或基本条件未获认可 / "
            "the clause lowers failing thresholds only: there is none, or a basic "
            "condition is not accepted"
        )
    set_state(
        conn,
        app,
        "decided",
        verdict=result.verdict,
        override_reason=reason or None,
        override_by=who(scope) if reason else None,
        decided_by=who(scope),
        decided_at=datetime.now(UTC),
        decision_note=note.strip(),
    )
    access.record(
        conn,
        scope,
        "base.decide",
        f"#{application_id}",
        {"verdict": result.verdict, "override": bool(reason)},
    )
    return result


def assess(
    conn: Connection,
    *,
    scope: Scope,
    base_code: str,
    kind: str,
    years: list[str],
    hypothetical: dict[tuple[str, str], float] | None = None,
) -> evaluate.Evaluation:
    """The evaluation of a base for ``years``: its newest file of that kind and years if there
    is one, else the published figures alone (every checklist item then waits for evidence)."""
    base = registry.get(conn, base_code)
    access.require_see(conn, scope, base.code, base.city_code)
    found = for_years(conn, base.code, kind, years)
    if found is not None:
        return evaluation(conn, scope=scope, application_id=found, hypothetical=hypothetical)
    evidence = [
        *figures.collect(conn, base.code, years),
        *hypothetical_evidence(hypothetical or {}),
    ]
    return evaluate.evaluate(
        kind=kind,
        base_code=base.code,
        group=base.region_group,
        years=years,
        evidence=evidence,
        checks=[],
    )
