"""Host-economy risk: a level per economy with the reasons it rests on.

``assess(inputs, day)`` is pure: the tracker's foreign rules in force on ``day`` (a rule of a
grouping such as EU27 applies to its members on that day), the economies' own series from the
store (``indicators``: digitally deliverable services imports, ICT service exports, China's
share of the host's digital imports) and the register's exposure go through the scoreboard
(``data/risk.yaml``); each rule that holds adds its points and a reason naming the tracker
entries or the figures and period behind it. A store rule without figures for the economy
gives a ``no_data`` reason of 0 points, so a pass is never silent. ``recompute`` reads the inputs, stores a new level
row for every economy whose level or reasons changed, and hands the level changes to
``alerts``. Each project inherits the level and reasons of its host. Approving a register
filing (``ODI_A``) recomputes the levels: this module adds that approval hook, so the register
never imports risk.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.workflow import filings, review
from shumao.outbound import alerts, indicators, register, risk_rules
from shumao.outbound import tables as t
from shumao.policy import foreign
from shumao.reference import groupings


@dataclass
class Inputs:
    tracker: list[dict[str, Any]]
    series: dict[str, pl.DataFrame]
    """Each series of the scoreboard: ``economy, period, value`` (millions of USD)."""
    exposure: dict[str, float]
    """Approved investment of the register per host economy (万美元)."""
    economies: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Assessment:
    economy: str
    level: str
    score: float
    reasons: list[dict[str, Any]]

    @property
    def digest(self) -> str:
        text = json.dumps([self.level, self.reasons], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _expand(row: dict[str, Any], day: date) -> set[str]:
    code = row["economy"]
    return set(groupings.members(code, day)) if len(code) != 3 else {code}


def _tracker_reason(rule: risk_rules.RiskRule, hits: list[dict[str, Any]]) -> dict[str, Any]:
    titles_zh = "；".join(h["title_zh"] for h in hits)
    titles_en = "; ".join(h["title_en"] for h in hits)
    return {
        "code": rule.code,
        "points": rule.points,
        "zh": rule.zh.format(count=len(hits), titles=titles_zh),
        "en": rule.en.format(count=len(hits), titles=titles_en),
        "documents": [h["document_id"] for h in hits],
    }


def _measure(rule: risk_rules.RiskRule, inputs: Inputs, economy: str) -> dict[str, Any] | None:
    spec = risk_rules.board().series[rule.params["series"]]
    frame = inputs.series.get(spec.code, indicators.empty())
    if rule.params["measure"] == "share":
        whole = inputs.series.get(spec.of or "", indicators.empty())
        return indicators.share(frame, whole, economy)
    own = indicators.growth if rule.params["measure"] == "growth" else indicators.level
    return own(frame, economy)


def _threshold(rule: risk_rules.RiskRule) -> tuple[float, bool]:
    """The rule's threshold and whether it holds above it (``above_…``) or below."""
    key = risk_rules.MEASURES[rule.params["measure"]][0]
    return float(rule.params[key]), key.startswith("above_")


def _store_reason(rule: risk_rules.RiskRule, inputs: Inputs, economy: str) -> dict[str, Any] | None:
    spec = risk_rules.board().series[rule.params["series"]]
    found = _measure(rule, inputs, economy)
    if found is None:
        zh, en = risk_rules.board().missing
        return {  # one note per series, whichever of its rules asks first
            "code": "no-data",
            "points": 0.0,
            "status": "no_data",
            "series": spec.code,
            "zh": zh.format(series=spec.zh),
            "en": en.format(series=spec.en),
        }
    limit, above = _threshold(rule)
    if not (found["measured"] > limit if above else found["measured"] < limit):
        return None
    words = {k: v for k, v in found.items() if isinstance(v, str)} | {"limit": f"{limit:g}"}
    return {
        "code": rule.code,
        "points": rule.points,
        "zh": rule.zh.format(**words),
        "en": rule.en.format(**words),
        "figure": {"dataflow": spec.dataflow, "period": found["period"], **found["figures"]},
    }


def _reasons(economy: str, inputs: Inputs, day: date) -> list[dict[str, Any]]:
    out = []
    total = sum(inputs.exposure.values())
    for rule in risk_rules.rules():
        if rule.source == "tracker":
            hits = [
                r
                for r in inputs.tracker
                if r["rule_type"] in rule.params["types"]
                and foreign.in_force(r, day)
                and economy in _expand(r, day)
            ]
            if hits:
                out.append(_tracker_reason(rule, hits))
        elif rule.source == "store":
            reason = _store_reason(rule, inputs, economy)
            if reason is not None and reason not in out:
                out.append(reason)
        elif rule.source == "register" and total:
            share = 100.0 * inputs.exposure.get(economy, 0.0) / total
            if share > rule.params["share_pct"]:
                out.append(
                    {
                        "code": rule.code,
                        "points": rule.points,
                        "zh": rule.zh.format(share=f"{share:.1f}", limit=rule.params["share_pct"]),
                        "en": rule.en.format(share=f"{share:.1f}", limit=rule.params["share_pct"]),
                    }
                )
    return out


def holding(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reasons of rules that hold (without the ``no_data`` notes)."""
    return [r for r in reasons if r.get("status") != "no_data"]


def unassessed(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``no_data`` notes: store rules the economy's figures could not be checked against."""
    return [r for r in reasons if r.get("status") == "no_data"]


def assess(inputs: Inputs, day: date) -> list[Assessment]:
    """The level of every economy of ``inputs`` on ``day`` (pure)."""
    out = []
    for economy in sorted(inputs.economies):
        reasons = _reasons(economy, inputs, day)
        score = sum(r["points"] for r in reasons)
        out.append(Assessment(economy, risk_rules.level_of(score).code, score, reasons))
    return out


# --- reading the inputs and storing the levels --------------------------------------------------


def read_inputs(conn: Connection, day: date) -> Inputs:
    tracker = foreign.entries(conn)
    projects = register.current(conn, actor=Actor("risk", Role.MINISTRY))
    live = projects.filter(pl.col("stage") != "EXITED") if projects.height else projects
    exposure = (
        dict(live.group_by("host").agg(pl.col("approved").sum()).iter_rows()) if live.height else {}
    )
    economies = set(exposure)
    for row in tracker:
        economies |= _expand(row, day)
    codes = sorted(economies)
    board = risk_rules.board()
    series = {c: indicators.read(conn, spec, codes) for c, spec in board.series.items()}
    return Inputs(tracker, series, exposure, economies)


def latest(conn: Connection) -> dict[str, dict[str, Any]]:
    """Each economy's newest stored level row."""
    rows = conn.execute(select(t.risk).order_by(t.risk.c.id)).mappings().all()
    return {r["economy"]: dict(r) for r in rows}


def recompute(conn: Connection, *, day: date | None = None) -> list[tuple[str, str | None, str]]:
    """Store changed levels; returns (economy, old level, new level) of each change of level
    and raises their alerts."""
    day = day or date.today()
    before = latest(conn)
    changes = []
    now = datetime.now(UTC)
    for a in assess(read_inputs(conn, day), day):
        old = before.get(a.economy)
        if old is not None and old["inputs"] == a.digest:
            continue
        conn.execute(
            insert(t.risk).values(
                economy=a.economy,
                level=a.level,
                score=a.score,
                reasons=a.reasons,
                inputs=a.digest,
                computed_at=now,
            )
        )
        if old is None or old["level"] != a.level:
            changes.append((a.economy, old["level"] if old else None, a.level))
    alerts.raise_changes(conn, [c for c in changes if c[1] is not None], now=now)
    return changes


def recompute_on_approval(conn: Connection, approved: filings.Filing) -> None:
    """Approving a register filing recomputes the levels (after ``register.store_projects``)."""
    recompute(conn)


review.on_approve(register.FORM_ID, recompute_on_approval)
