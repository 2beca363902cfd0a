"""The linkage review queue: pairs the matcher was unsure of, decided by people; a decision recounts the run and is kept for later runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, func, insert, select, update

from shumao.auth.scope import Scope
from shumao.bases import access, linkage, registry
from shumao.bases.counting import Count, direct_enterprises, results, si_reporters, tally
from shumao.bases.tables import link_decision, link_result, link_run
from shumao.errors import ShumaoError


def queue(conn: Connection, *, scope: Scope) -> list[dict[str, Any]]:
    """Pairs waiting for a person, from the newest run of each base and year in scope."""
    newest = (
        select(link_run.c.base_code, link_run.c.year, func.max(link_run.c.id).label("id"))
        .group_by(link_run.c.base_code, link_run.c.year)
        .subquery()
    )
    out = []
    for base_code, year, run_id in conn.execute(select(newest)).all():
        base = registry.get(conn, base_code)
        if not access.may_see(conn, scope, base.code, base.city_code):
            continue
        res = results(conn, run_id)
        if res.is_empty():
            continue
        for r in res.filter(pl.col("status") == linkage.REVIEW).to_dicts():
            out.append(
                {
                    **r,
                    "run_id": run_id,
                    "base_code": base_code,
                    "year": year,
                    "base_name": base.name_zh,
                    "base_name_en": base.name("en"),
                }
            )
    return out


def decide(
    conn: Connection,
    *,
    scope: Scope,
    run_id: int,
    roster_row_id: int,
    decision: str,
    note: str = "",
) -> Count:
    """Accept or reject the pair of a queued row; kept for later runs; counts updated."""
    if decision not in ("accept", "reject"):
        raise ShumaoError(
            "决定只能是 accept（是同一企业）或 reject（不是）/ the decision is accept or reject"
        )
    run_row = conn.execute(select(link_run).where(link_run.c.id == run_id)).first()
    if run_row is None:
        raise ShumaoError(f"没有匹配运行 {run_id} / no linkage run {run_id}")
    base = registry.get(conn, run_row.base_code)
    access.require_link(conn, scope, base.code, base.city_code)
    res = results(conn, run_id).filter(pl.col("id") == roster_row_id)
    if res.is_empty() or res["candidate_uscc"][0] is None:
        raise ShumaoError(
            f"运行 {run_id} 中第 {roster_row_id} 条名录记录没有候选企业 / roster row "
            f"{roster_row_id} has no candidate in run {run_id}"
        )
    key, uscc = res["record_key"][0], res["candidate_uscc"][0]
    _upsert_decision(conn, scope, key, uscc, decision, note)
    status = linkage.LINKED if decision == "accept" else linkage.UNLINKED
    conn.execute(
        update(link_result)
        .where(and_(link_result.c.run_id == run_id, link_result.c.roster_row_id == roster_row_id))
        .values(status=status, method="review", uscc=uscc if decision == "accept" else None)
    )
    access.record(
        conn,
        scope,
        "base.link_decision",
        f"{base.code} {run_row.year}",
        {"run": run_id, "row": roster_row_id, "uscc": uscc, "decision": decision},
    )
    return _recount(conn, run_row)


def _upsert_decision(
    conn: Connection, scope: Scope, key: str, uscc: str, decision: str, note: str
) -> None:
    values = {
        "decision": decision,
        "note": note.strip(),
        "decided_at": datetime.now(UTC),
        "decided_by": scope.username or scope.role,
    }
    done = conn.execute(
        update(link_decision)
        .where(link_decision.c.record_key == key, link_decision.c.uscc == uscc)
        .values(**values)
    )
    if not done.rowcount:
        conn.execute(insert(link_decision).values(record_key=key, uscc=uscc, **values))


def _recount(conn: Connection, run_row: Any) -> Count:
    res = results(conn, run_row.id)
    links = res.select(
        pl.col("id").cast(pl.String).alias("right_uid"),
        pl.col("uscc").alias("left_uid"),
        "status",
        "record_key",
    )
    left = direct_enterprises(conn, run_row.base_code)
    counts = tally(links, si_reporters(conn, left["uscc"].to_list(), run_row.year))
    conn.execute(update(link_run).where(link_run.c.id == run_row.id).values(counts=counts))
    return Count(run_row.id, run_row.base_code, run_row.year, **counts)  # type: ignore[arg-type]
