"""One evaluation: every rule in force over the store (or the dataflows that changed), as of
now or a vintage/date; alerts kept by ``alerts.sync``; notifications after the commit.

Enterprise direct reporting (``ENT_DDS``) is evaluated at every level of the geography the
registry gives (enterprise → park / county → city → province → region → nation), its items
summed to 可数字化交付 (``DD``) and its partners to the world. The run is recorded in
``monitor_run`` (trigger, dataflows, as-of, counts, error); evaluating the same data twice
changes no alert.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, func, insert, select, update

from shumao.collection import registry
from shumao.compute import aggregate, hierarchy
from shumao.errors import StoreError
from shumao.monitor import alerts, changes, rules, targets
from shumao.monitor import notify as notifier
from shumao.monitor import tables as t
from shumao.monitor.detectors import anomaly, bases, change, outbound, quality
from shumao.monitor.detectors.common import HIT_SCHEMA, empty_hits, prepare
from shumao.monitor.detectors.common import select as pick
from shumao.monitor.rules import Rule
from shumao.release.public import public_view
from shumao.storage import vintages
from shumao.storage.tables import DIMENSIONS

log = logging.getLogger(__name__)
Detector = Callable[[pl.DataFrame, Rule, str], pl.DataFrame]
FRAME: dict[str, Detector] = {
    "consecutive": change.consecutive,
    "concentration": change.concentration,
    "balance": change.balance,
    "share_falling": change.share_falling,
    "outlier": anomaly.outlier,
    "cusum": anomaly.cusum,
    "stl": anomaly.stl,
}
ENTERPRISE_FLOW = "ENT_DDS"
PUBLISHED_GROWTH = ["GROWTH_YOY", "CUM_GROWTH"]
PUBLIC = "public:"
"""Cache key prefix of a dataflow as the public reads it."""


@dataclass
class RunResult:
    run_id: int
    fired: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    open: int = 0
    rules: int = 0
    notes: list[str] = field(default_factory=list)


def _read(
    conn: Connection,
    dataflow: str,
    rule: Rule,
    as_of: vintages.AsOf,
    cache: dict[str, pl.DataFrame],
    public: bool = False,
) -> pl.DataFrame:
    """The dataflow as the rules read it — or, with ``public``, as the public reads it (its
    newest released vintage, confidential cells blank, micro-data only as released cells)."""
    key = PUBLIC + dataflow if public else dataflow
    if key not in cache:
        try:
            frame = (
                public_view(conn, dataflow, as_of=as_of)
                if public
                else vintages.read(conn, dataflow, as_of=as_of)
            ).drop("vintage_id")
        except StoreError as err:  # as of a date before the dataflow's first vintage
            log.info("%s not evaluated: %s", dataflow, err)
            frame = pl.DataFrame(schema=vintages.FRAME_SCHEMA)
        if dataflow == ENTERPRISE_FLOW and frame.height and not public:
            frame = enterprise_levels(conn, frame)
        # kept: the prepared frame and the published growth rates; the read frame is freed
        cache[key] = frame.filter(pl.col("indicator").is_in(PUBLISHED_GROWTH))
        cache["~" + key] = prepare(frame)
    return pick(cache["~" + key], rule.where)


def enterprise_levels(conn: Connection, frame: pl.DataFrame) -> pl.DataFrame:
    """Enterprise rows and every geography node above them, items summed to DD, partners to
    the world (``WLD``)."""
    parents = {
        e.uscc: e.park_code or e.county_code or e.city_code or e.province_code
        for e in registry.list_enterprises(conn, actor=quality.MONITOR, include_inactive=True)
    }
    tree = hierarchy.geography({k: v for k, v in parents.items() if v})
    frame = frame.filter(pl.col("ref_area").is_in(list(parents)))
    if frame.is_empty():
        return frame
    world = frame.with_columns(pl.lit("WLD").alias("counterpart_area"))
    cells = aggregate.rollup(world, [hierarchy.ebops_tree("DD"), tree])
    summed = (
        cells.filter(pl.col("product") == "DD")
        .group_by([*DIMENSIONS, "time_period", "unit", "unit_mult"])
        .agg(pl.col("value").sum(), pl.col("n_contributors").max())
    )
    # a total from fewer reporters than the series has had is incomplete (漏报, a filing still
    # in review): it is not compared with complete periods — a missing filer is no decline
    most = pl.col("n_contributors").max().over(DIMENSIONS)
    complete = summed.filter(pl.col("n_contributors") >= most)
    return vintages.conform(complete.drop("n_contributors"))


def _frame_hits(
    conn: Connection,
    rule: Rule,
    flows: set[str] | None,
    as_of: vintages.AsOf,
    cache: dict[str, pl.DataFrame],
    public: bool = False,
) -> list[pl.DataFrame]:
    out = []
    for flow in rule.dataflows:
        if flows is not None and flow not in flows:
            continue
        frame = _read(conn, flow, rule, as_of, cache, public)
        if frame.is_empty():
            continue
        if rule.kind == "decline":
            published = cache[PUBLIC + flow if public else flow]
            out.append(change.decline(frame, rule, flow, published=published))
        else:
            out.append(FRAME[rule.kind](frame, rule, flow))
    return out


def _other_hits(
    conn: Connection,
    rule: Rule,
    flows: set[str] | None,
    as_of: vintages.AsOf,
    today: date,
    notes: list[str],
) -> list[pl.DataFrame]:
    if rule.kind == "non_response":
        return [quality.non_response(conn, rule, today)]
    if rule.kind == "source_diff":
        return [quality.source_difference(conn, rule, as_of)]
    if rule.kind == "revision":
        return [
            quality.revision(conn, rule, f) for f in rule.dataflows if flows is None or f in flows
        ]
    if rule.kind == "base":
        notes += bases.gaps(conn, rule)
        return [bases.rereview(conn, rule, as_of)]
    if rule.kind == "target":
        return [target_hits(conn, rule, as_of)]
    if rule.kind == "outbound_risk":
        return [outbound.risk_hits(conn, rule)]
    return []


def target_hits(conn: Connection, rule: Rule, as_of: vintages.AsOf = None) -> pl.DataFrame:
    """A hit per current target whose status is 关注 or 预警 (measure = its severity)."""
    rows = []
    for tgt in targets.current(conn):
        traj = targets.progress(conn, tgt, as_of)
        if traj.current is None or traj.severity == 0:
            continue
        fields = {
            "deadline": tgt.deadline_year,
            "projection": round(traj.at_deadline or 0, 2),
            "status": traj.status_zh,
            "status_en": traj.status_en,
            "name_zh": tgt.name_zh,
            "name_en": tgt.name_en,
            "probability": round(traj.probability or 0, 3),
            "target": tgt.key,
        }

        row = dict.fromkeys(HIT_SCHEMA)
        row.update(
            dataflow="MOFCOM_SERVICES",
            series_key=f"TARGET:{tgt.key}",
            ref_area=tgt.area,
            period=str(traj.current.year),
            value=traj.current.value,
            threshold=tgt.value,
            measure=float(traj.severity),
            unit="PCT" if tgt.unit == "%" else tgt.unit,
            unit_mult=0,
            fields=json.dumps(fields, ensure_ascii=False),
        )
        rows.append(row)
    return pl.DataFrame(rows, schema=HIT_SCHEMA) if rows else empty_hits()


def _released(
    conn: Connection,
    rule: Rule,
    flows: set[str] | None,
    as_of: vintages.AsOf,
    cache: dict[str, pl.DataFrame],
) -> frozenset[tuple[Any, ...]]:
    """What of a public rule's alerts the public may read: the hits the same rule finds in the
    public view (released, disclosure-controlled), by series, period, value and measure — an
    alert on an unreleased vintage, a blanked cell or an enterprise finds no twin there. Rules
    that do not read one dataflow's series (collection, several sources, targets, outbound)
    are never public."""
    if not rule.public or (rule.kind not in FRAME and rule.kind != "decline"):
        return frozenset()
    parts = _frame_hits(conn, rule, flows, as_of, cache, public=True)
    return frozenset(alerts.public_key(h) for p in parts for h in p.iter_rows(named=True))


def _covers(rule: Rule, flows: set[str] | None) -> Callable[[dict[str, Any]], bool]:
    """Which open alerts this evaluation re-judged: all of them for a full run and for rules
    that recompute everything they watch (targets, non-response, sources, bases)."""
    if flows is None or (rule.kind not in FRAME and rule.kind not in ("decline", "revision")):
        return lambda _row: True
    return lambda row: row["dataflow"] in flows


def evaluate(
    conn: Connection,
    *,
    dataflows: set[str] | None = None,
    as_of: vintages.AsOf = None,
    today: date | None = None,
    run_id: int = 0,
) -> RunResult:
    """Every rule in force (or those reading ``dataflows``; an empty set: only the rules that
    read no dataflow, such as the outbound register's risk) — inside the caller's transaction."""
    ruleset = rules.active(conn)
    today = today or datetime.now(UTC).date()
    result = RunResult(run_id)
    cache: dict[str, pl.DataFrame] = {}
    places, names = _enterprises(conn)
    for rule in ruleset.watching(dataflows):
        parts = (
            _frame_hits(conn, rule, dataflows, as_of, cache)
            if rule.kind in FRAME or rule.kind == "decline"
            else _other_hits(conn, rule, dataflows, as_of, today, result.notes)
        )
        found = (
            pl.concat([p for p in parts if p.height], how="diagonal_relaxed")
            if any(p.height for p in parts)
            else empty_hits()
        )
        done = alerts.sync(
            conn,
            rule=rule,
            version=ruleset.version,
            hits=found.iter_rows(named=True),
            covers=_covers(rule, dataflows),
            enterprises=places,
            names=names,
            released=_released(conn, rule, dataflows, as_of, cache),
        )
        result.fired += done.fired
        result.resolved += done.resolved
        result.rules += 1
    changes.bump(conn)  # last: the counter's row is locked until the commit
    result.open = int(
        conn.execute(
            select(func.count()).select_from(t.alert).where(t.alert.c.state.in_(alerts.OPEN))
        ).scalar_one()
    )
    return result


def _enterprises(conn: Connection) -> tuple[dict[str, alerts.Place], dict[str, str]]:
    ents = registry.list_enterprises(conn, actor=quality.MONITOR, include_inactive=True)
    return (
        {e.uscc: (e.province_code, e.city_code, e.park_code) for e in ents},
        {e.uscc: e.name for e in ents},
    )


def run(
    engine: Engine,
    *,
    trigger: str = "manual",
    dataflows: set[str] | None = None,
    as_of: vintages.AsOf = None,
    user: str = "system",
    today: date | None = None,
    notify: bool = True,
) -> RunResult:
    """Record a run, evaluate in one transaction, record the outcome; notify after commit.
    A failure is recorded and raised; the data that triggered the run are untouched."""
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(t.run)
            .values(
                started_at=datetime.now(UTC),
                trigger=trigger,
                created_by=user,
                dataflows="*" if dataflows is None else ",".join(sorted(dataflows)) or "-",
                as_of=str(as_of or ""),
            )
            .returning(t.run.c.id)
        ).scalar_one()
    try:
        with engine.begin() as conn:
            result = evaluate(conn, dataflows=dataflows, as_of=as_of, today=today, run_id=run_id)
    except Exception as err:
        with engine.begin() as conn:
            conn.execute(
                update(t.run)
                .where(t.run.c.id == run_id)
                .values(finished_at=datetime.now(UTC), ok=False, error=str(err)[:2000])
            )
        raise
    with engine.begin() as conn:
        conn.execute(
            update(t.run)
            .where(t.run.c.id == run_id)
            .values(
                finished_at=datetime.now(UTC),
                ok=True,
                fired=len(result.fired),
                resolved=len(result.resolved),
                open=result.open,
            )
        )
    if notify and result.fired:
        notifier.after_run(engine, result.fired)
    return result


def last_runs(conn: Connection, limit: int = 10) -> list[dict[str, Any]]:
    rows = conn.execute(select(t.run).order_by(t.run.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]
