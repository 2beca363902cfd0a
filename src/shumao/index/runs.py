"""Runs in the store: a build writes its scores as a new vintage of the index's dataflow and a
``index_run`` row with the framework's text, version and SHA-256, the build settings and the
data vintages it read; a sensitivity run keeps every replication. ``rebuild`` recomputes a
stored build from exactly what it stored and read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Connection, Engine, insert, select

from shumao.errors import StoreError
from shumao.index import sensitivity as sa
from shumao.index.aggregate import results
from shumao.index.data import Coin
from shumao.index.framework import Framework, parse_framework
from shumao.index.pipeline import build
from shumao.index.sources import Inputs, gather
from shumao.index.tables import index_replication, index_run
from shumao.storage.vintages import write_vintage

SCORE_UNIT = "SCORE"


@dataclass(frozen=True)
class Run:
    id: int
    index_id: str
    kind: str
    period: str
    framework_version: str
    framework_sha256: str
    framework_text: str
    settings: dict[str, Any]
    data_vintages: dict[str, int]
    vintage_id: int | None
    build_run_id: int | None
    summary: dict[str, Any]
    created_at: datetime
    created_by: str

    @property
    def framework(self) -> Framework:
        return parse_framework(self.framework_text, file=f"run {self.id}")


@dataclass
class Built:
    run_id: int
    vintage_id: int
    coin: Coin
    inputs: Inputs


def compute(
    conn: Connection, fw: Framework, *, as_of: Mapping[str, int] | None = None
) -> tuple[Coin, Inputs]:
    inputs = gather(conn, fw, as_of=as_of)
    return build(fw, inputs.raw, inputs.units), inputs


def scores_frame(coin: Coin, inputs: Inputs) -> pl.DataFrame:
    """Every unit's normalised indicators and aggregate scores, with their rank in ``attrs``."""
    fw = coin.framework
    agg, ranks = coin.dset("Aggregated"), results(coin)
    estimated = {u for u, _ in inputs.estimated}
    # indicators summed from enterprises' filings are micro data: only aggregates are published
    secret = {
        c for c in fw.indicators if (fw.by_code[c].source or {}).get("transform") == "enterprises"
    }
    rows = []
    for i, unit in enumerate(agg.units):
        for j, code in enumerate(agg.codes):
            v = agg.values[i, j]
            if np.isnan(v) or code in secret:
                continue
            rows.append(
                {
                    "ref_area": unit,
                    "indicator": code,
                    "freq": "A",
                    "time_period": fw.period,
                    "value": float(v),
                    "unit": SCORE_UNIT,
                    "unit_mult": 0,
                    "obs_status": "E" if unit in estimated else "A",
                    "attrs": json.dumps({"rank": int(ranks.values[i, j])}),
                }
            )
    return pl.DataFrame(rows)


def build_run(
    engine: Engine,
    fw: Framework,
    *,
    created_by: str = "system",
    as_of: Mapping[str, int] | None = None,
) -> Built:
    """Compute and store one build (one transaction: the vintage and the run, or nothing)."""
    with engine.begin() as conn:
        coin, inputs = compute(conn, fw, as_of=as_of)
        frame = scores_frame(coin, inputs)
        vid = write_vintage(
            conn,
            dataflow_id=fw.dataflow,
            frame=frame,
            kind="index",
            label=f"{fw.id} {fw.version} {fw.period}",
            source_file=f"index framework {fw.id} {fw.version}",
            source_sha256=fw.sha256,
            created_by=created_by,
        )
        summary = _build_summary(coin, inputs)
        run_id = _insert(
            conn,
            fw,
            "build",
            settings={"build": [dict(s) for s in fw.build]},
            vintages=inputs.vintages,
            vintage_id=vid,
            summary=summary,
            created_by=created_by,
        )
    return Built(run_id, vid, coin, inputs)


def _build_summary(coin: Coin, inputs: Inputs) -> dict[str, Any]:
    fw = coin.framework
    agg = coin.dset("Aggregated")
    return {
        "units": len(agg.units),
        "removed": coin.details.get("Screened", {}).get("removed", []),
        "imputed": coin.details.get("Imputed", {}).get("imputed", 0),
        "treated": [
            r["code"]
            for r in coin.details.get("Treated", {}).get("table", [])
            if r.get("pass0") is False
        ],
        "periods": inputs.periods,
        "estimated": inputs.estimated,
        "top": [
            agg.units[i]
            for i in np.argsort(-np.nan_to_num(agg.col(fw.root), nan=-1e300), kind="stable")[:10]
        ],
    }


def _insert(
    conn: Connection,
    fw: Framework,
    kind: str,
    *,
    settings: dict[str, Any],
    vintages: Mapping[str, int],
    summary: dict[str, Any],
    created_by: str,
    vintage_id: int | None = None,
    build_run_id: int | None = None,
) -> int:
    return int(
        conn.execute(
            insert(index_run)
            .values(
                index_id=fw.id,
                kind=kind,
                period=fw.period,
                framework_version=fw.version,
                framework_sha256=fw.sha256,
                framework_text=fw.text,
                settings=settings,
                data_vintages=dict(vintages),
                vintage_id=vintage_id,
                build_run_id=build_run_id,
                summary=summary,
                created_at=datetime.now(UTC),
                created_by=created_by,
            )
            .returning(index_run.c.id)
        ).scalar_one()
    )


def get_run(conn: Connection, run_id: int) -> Run:
    row = conn.execute(select(index_run).where(index_run.c.id == run_id)).mappings().first()
    if row is None:
        raise StoreError(f"没有编号为 {run_id} 的指数运行记录 / no index run {run_id}")
    return Run(**dict(row))


def list_runs(conn: Connection, index_id: str | None = None, kind: str | None = None) -> list[Run]:
    stmt = select(index_run).order_by(index_run.c.id.desc())
    if index_id:
        stmt = stmt.where(index_run.c.index_id == index_id)
    if kind:
        stmt = stmt.where(index_run.c.kind == kind)
    return [Run(**dict(r)) for r in conn.execute(stmt).mappings()]


def latest_build(conn: Connection, index_id: str) -> Run | None:
    runs = list_runs(conn, index_id, "build")
    return runs[0] if runs else None


def rebuild(conn: Connection, run_id: int) -> tuple[Coin, Inputs]:
    """The coin of a stored build, recomputed from its framework text and data vintages."""
    run = get_run(conn, run_id)
    return compute(conn, run.framework, as_of=run.data_vintages)


def sensitivity_run(
    engine: Engine,
    build_run_id: int,
    settings: sa.Settings,
    *,
    created_by: str = "system",
    progress: Any = None,
) -> tuple[int, sa.Analysis]:
    """Rebuild the stored build, run the analysis, store it with every replication."""
    with engine.connect() as conn:
        base = get_run(conn, build_run_id)
        coin, _inputs = rebuild(conn, build_run_id)
    result = sa.analyse(coin, settings, progress=progress)
    summary = {
        "sobol": result.sobol,
        "rank_intervals": result.rank_intervals(),
        "variants": result.variants,
        "weight_sets": result.weight_sets,
        "replications": len(result.params),
    }
    with engine.begin() as conn:
        run_id = _insert(
            conn,
            base.framework,
            "sensitivity",
            settings=result.settings,
            vintages=base.data_vintages,
            summary=summary,
            created_by=created_by,
            build_run_id=build_run_id,
        )
        rows = [
            {"run_id": run_id, "replication": i, "params": p, "stats": s}
            for i, (p, s) in enumerate(zip(result.params, result.replications, strict=True))
        ]
        for start in range(0, len(rows), 2000):
            conn.execute(insert(index_replication), rows[start : start + 2000])
    return run_id, result


def replications(conn: Connection, run_id: int) -> list[dict[str, Any]]:
    stmt = (
        select(
            index_replication.c.replication, index_replication.c.params, index_replication.c.stats
        )
        .where(index_replication.c.run_id == run_id)
        .order_by(index_replication.c.replication)
    )
    return [{"replication": r, "params": p, "stats": s} for r, p, s in conn.execute(stmt)]
