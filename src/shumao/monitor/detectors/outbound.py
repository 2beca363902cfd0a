"""Host-economy risk of outbound projects (``shumao.outbound``) as monitoring hits.

One hit per enterprise × host economy with live projects (not 退出) whose host's current risk
level (``outbound.risk.latest``) reaches the rule's levels: the series is the pair, so the
alert is kept, acknowledged and resolved by the monitor's lifecycle — it stays one alert while
the level holds, escalates when it rises, and is resolved when the level falls below the
rule's lowest level or the projects leave. The measure is the level's rank on the
scoreboard (``outbound/data/risk.yaml``: low 1, medium 2, high 3), the value its score. The
outbound package's own record of each change of level (``outbound_alert``) stays as the
history of changes on the outbound pages; the sentence here says the latest change.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from shumao.monitor.detectors.common import HIT_SCHEMA, empty_hits
from shumao.monitor.detectors.quality import MONITOR
from shumao.monitor.rules import Rule
from shumao.outbound import register, risk, risk_rules
from shumao.outbound import tables as t

DATAFLOW = "OUTBOUND"
"""The alerts' ``dataflow``: the register and the tracker are no dataflow of the store."""


def ranks() -> dict[str, int]:
    return {lv.code: i for i, lv in enumerate(risk_rules.levels(), start=1)}


def risk_hits(conn: Connection, rule: Rule) -> pl.DataFrame:
    levels = risk.latest(conn)
    projects = register.current(conn, actor=MONITOR)
    if projects.is_empty() or not levels:
        return empty_hits()
    live = projects.filter(pl.col("stage") != "EXITED")
    changes = _last_changes(conn)
    rows = []
    for (uscc, host), part in live.group_by("uscc", "host", maintain_order=True):
        found = levels.get(host)
        if found is None:
            continue
        rows.append(
            _hit(
                str(uscc),
                str(host),
                found,
                part["name"].to_list(),
                changes.get((str(uscc), str(host))),
            )
        )
    return pl.DataFrame(rows, schema=HIT_SCHEMA) if rows else empty_hits()


def _hit(
    uscc: str,
    host: str,
    level: dict[str, Any],
    names: list[str],
    change: tuple[str | None, str] | None,
) -> dict[str, Any]:
    now = risk_rules.level(level["level"])
    reasons = risk.holding(level["reasons"] or [])
    fields = {
        "projects": "、".join(names),
        "projects_en": ", ".join(names),
        "level_zh": now.zh,
        "level_en": now.en,
        "score": level["score"],
        "reasons_zh": "；".join(r["zh"] for r in reasons) or "无",
        "reasons_en": "; ".join(r["en"] for r in reasons) or "none",
        "change_zh": "",
        "change_en": "",
        "economy": host,
    }
    if change is not None and change[1] == level["level"] and change[0]:
        before = risk_rules.level(change[0])
        up = now.min > before.min
        fields |= {
            "change_zh": f"（由“{before.zh}”{'升' if up else '降'}为“{now.zh}”）",
            "change_en": f" ({'raised' if up else 'lowered'} from {before.en})",
        }
    row = dict.fromkeys(HIT_SCHEMA)
    row.update(
        dataflow=DATAFLOW,
        series_key=f"{DATAFLOW}:{uscc}|{host}",
        ref_area=uscc,
        counterpart_area=host,
        period=level["computed_at"].date().isoformat(),
        value=float(level["score"]),
        threshold=None,
        measure=float(ranks()[level["level"]]),
        unit=None,
        unit_mult=None,
        fields=json.dumps(fields, ensure_ascii=False),
    )
    return row


def _last_changes(conn: Connection) -> dict[tuple[str, str], tuple[str | None, str]]:
    """(enterprise, economy) → (level before, level after) of its newest change of level."""
    a = t.alert.c
    rows = conn.execute(select(a.uscc, a.economy, a.level_from, a.level_to).order_by(a.id))
    return {(r.uscc, r.economy): (r.level_from, r.level_to) for r in rows}
