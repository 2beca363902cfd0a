"""Aggregate a 10-million-observation cube: shumao (DuckDB SQL) against DuckDB, polars, pandas.

A synthetic enterprise direct-reporting cube is generated in memory with numpy (no CSV):
30,000 enterprises × 12 months × 7 EBOPS digitally-deliverable sub-items × 2 partners
(USA, IND) × 2 flows = 10,080,000 observations in ``FRAME_SCHEMA`` (text columns as strings),
about 1% estimates and 0.1% missing values. 40% of the enterprises belong to the 12 export
bases, the others to 300 counties.

The workload, identical for the three engines:

1. **cube** — EBOPS sub-item → main item → DD at the level of each enterprise, then the
   geography enterprise → park / county → city → province → region → nation: every node ×
   every product level × partner × month × flow, with contributor count, missing and estimated
   contributors and the two largest contributions (for the dominance rule);
2. **groupings** — the cube's partners summed into G20 and BRICS (membership as of the period);
3. **periods** — quarterly and annual totals of the cube, with completeness;
4. **indicators** — every cell's share of its geographic parent, the balance (X − M), the
   quarter-on-quarter growth of the quarterly totals, the rank among peers of the annual totals.

Engines:

* **shumao** — ``shumao.compute`` (``aggregate.rollup`` and ``aggregate_groups``: DuckDB SQL
  in ``compute.cube``; ``period_totals`` and the indicator functions: polars);
* **duckdb** — hand-written SQL of the same steps over the same Arrow data (a floor);
* **polars** — the same steps written by hand in polars with every key ``Categorical``
  (``_aggregate_polars.py``; the casts happen before the clock): the other floor;
* **pandas** — ``merge`` + ``groupby`` of the same steps (the old baseline).

Each engine runs in its own process (so that each one's peak memory is its own), generating
the same cube from the same seed; only the workload is timed, in wall seconds and in CPU
seconds of the process (all its threads: ``time.process_time``). Runs are interleaved
(shumao, duckdb, polars, pandas, shumao …) so that a busy machine slows all alike, and each
is printed with the load average at its start. Results are cross-checked (cube values,
contributor counts and top contributions agree across the engines). The script prints best
and median wall and CPU per engine, the ratios shumao ÷ duckdb (target ≤ 1.5 wall) and
shumao ÷ polars, best ÷ best and run by run, the same for the cube step alone (timed inside
the workload: the goal of issue 21), pandas ÷ shumao (target ≥ 5), and the peak
resident memory of the shumao process (target < 8 GiB).

    .venv/bin/python benchmarks/aggregate_10m.py [--enterprises 30000] [--repeat 3] [--no-pandas]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _aggregate_polars as hand_polars
import duckdb
import numpy as np
import pandas as pd
import polars as pl

from shumao.compute import aggregate as agg
from shumao.compute import hierarchy as hier
from shumao.compute import indicators as ind
from shumao.compute.shares import share_of_parent
from shumao.reference import groupings
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA
from shumao.validation import uscc

PRODUCTS = ("SI1", "SI2", "SI3", "SJ1", "SJ2", "SK1", "SH")
PARTNERS = ("USA", "IND")
FLOWS = ("X", "M")
MONTHS = tuple(f"2024-{m:02d}" for m in range(1, 13))
GROUPS = ("G20", "BRICS")
TARGET_VS_DUCKDB = 1.5
TARGET_VS_PANDAS = 5.0
TARGET_PEAK_GIB = 3.0
KEYS = [
    "counterpart_area",
    "product",
    "flow",
    "indicator",
    "freq",
    "time_period",
    "unit",
    "unit_mult",
]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Cube:
    frame: pl.DataFrame
    enterprises: dict[str, str]
    geo: hier.Hierarchy
    products: hier.Hierarchy


def make_cube(n_enterprises: int, seed: int = 20240101) -> Cube:
    rng = np.random.default_rng(seed)
    ents = [uscc.make(f"91330100{i:09d}") for i in range(n_enterprises)]
    base = hier.geography()
    parks = base.codes("park")
    counties = base.codes("county")[::9][:300]
    parents = [
        parks[i % len(parks)] if i % 5 < 2 else counties[int(rng.integers(0, len(counties)))]
        for i in range(n_enterprises)
    ]
    mapping = dict(zip(ents, parents, strict=True))
    n = n_enterprises * len(MONTHS) * len(PRODUCTS) * len(PARTNERS) * len(FLOWS)
    idx = np.arange(n, dtype=np.int64)
    flow_i, rest = idx % 2, idx // 2
    partner_i, rest = rest % 2, rest // 2
    product_i, rest = rest % len(PRODUCTS), rest // len(PRODUCTS)
    month_i, ent_i = rest % len(MONTHS), rest // len(MONTHS)
    values = rng.lognormal(mean=3.0, sigma=1.5, size=n)
    draw = rng.random(n)
    missing = draw < 0.001
    status = np.where(missing, "M", np.where(draw < 0.011, "E", "A"))
    frame = pl.DataFrame(
        {
            "ref_area": pl.Series(ents).gather(ent_i),
            "counterpart_area": pl.Series(PARTNERS).gather(partner_i),
            "product": pl.Series(PRODUCTS).gather(product_i),
            "flow": pl.Series(FLOWS).gather(flow_i),
            "time_period": pl.Series(MONTHS).gather(month_i),
            "value": pl.Series(values).scatter(np.flatnonzero(missing), None),
            "obs_status": pl.Series(status),
        }
    ).select(
        "ref_area",
        "counterpart_area",
        "product",
        "flow",
        pl.lit("_Z").alias("indicator"),
        pl.lit("M").alias("freq"),
        "time_period",
        "value",
        pl.lit("USD").alias("unit"),
        pl.lit(4, pl.Int16).alias("unit_mult"),
        "obs_status",
        pl.lit("F").alias("conf_status"),
        pl.lit(None, pl.String).alias("attrs"),
    )
    assert frame.schema == pl.Schema(FRAME_SCHEMA)
    return Cube(frame, mapping, hier.geography(mapping), hier.ebops_tree("DD"))


# --------------------------------------------------------------------------- shumao


CUBE_CLOCK: dict[str, float] = {}


def clock_cube(work: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The cube step alone (wall and CPU), inside the timed workload."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    CUBE_CLOCK.update(seconds=time.perf_counter() - wall, cpu=time.process_time() - cpu)
    return out


def run_shumao(cube: Cube) -> dict[str, pl.DataFrame]:
    cells = clock_cube(
        lambda: agg.rollup(cube.frame, [cube.geo, cube.products], include_leaves=False)
    )
    plain = cells.select(list(FRAME_SCHEMA))
    quarters = agg.period_totals(plain, "Q")
    years = agg.period_totals(plain, "A")
    return {
        "cube": cells,
        "groups": agg.aggregate_groups(plain, GROUPS),
        "quarters": quarters,
        "years": years,
        "share": share_of_parent(plain, cube.geo),
        "balance": ind.balance(plain),
        "qoq": ind.growth_qoq(quarters),
        "rank": ind.rank(
            years.join(cube.geo.level_of().rename({"code": "ref_area"}), on="ref_area")
        ),
    }


# --------------------------------------------------------------------------- duckdb


def _tables(cube: Cube) -> dict[str, pl.DataFrame]:
    geo = cube.geo
    members = pl.DataFrame(
        [(c, p, g) for p in MONTHS for g in GROUPS for c in groupings.members(g, p)],
        schema={"code": pl.String, "period": pl.String, "grp": pl.String},
        orient="row",
    )
    return {
        "obs": cube.frame,
        "pclos": cube.products.closure().filter(pl.col("depth") > 0).select("code", "ancestor"),
        "gparent": geo.nodes.drop_nulls("parent").select("code", "parent"),
        "gclos": geo.closure().select("code", "ancestor"),
        "glevel": geo.nodes.select("code", "level"),
        "members": members,
    }


DUCK_CUBE = """
CREATE OR REPLACE TEMP TABLE cube AS
WITH prod AS (
  SELECT ref_area, counterpart_area, c.ancestor AS product, flow, indicator, freq, time_period,
         unit, unit_mult, sum(value) AS value, count(value) AS n,
         count(*) FILTER (WHERE value IS NULL OR obs_status IN ('E', 'M')) AS e,
         count(*) FILTER (WHERE obs_status = 'P') AS p
  FROM obs JOIN pclos c ON obs.product = c.code
  GROUP BY ALL
),
ent AS (
  SELECT ref_area, counterpart_area, product, flow, indicator, freq, time_period, unit,
         unit_mult, value, obs_status AS st FROM obs
  UNION ALL
  SELECT ref_area, counterpart_area, product, flow, indicator, freq, time_period, unit,
         unit_mult, CASE WHEN n = 0 THEN NULL ELSE value END,
         CASE WHEN n = 0 THEN 'M' WHEN e > 0 THEN 'E' WHEN p > 0 THEN 'P' ELSE 'A' END
  FROM prod
),
step1 AS (
  SELECT g.parent AS node, counterpart_area, product, flow, indicator, freq, time_period, unit,
         unit_mult, sum(value) AS value, count(value) AS n, count(*) - count(value) AS nmiss,
         count(*) FILTER (WHERE st = 'E') AS nest, count(*) FILTER (WHERE st = 'P') AS nprov,
         max(value, 2) AS tops
  FROM ent JOIN gparent g ON ent.ref_area = g.code
  GROUP BY ALL
)
SELECT c.ancestor AS ref_area, counterpart_area, product, flow, indicator, freq, time_period,
       unit, unit_mult,
       CASE WHEN sum(n) = 0 THEN NULL ELSE sum(value) END AS value,
       sum(n) AS n_contributors, sum(nmiss) AS n_missing, sum(nest) AS n_estimated,
       sum(nprov) AS n_provisional,
       list_slice(list_sort(flatten(list(tops)), 'DESC'), 1, 2) AS tops,
       CASE WHEN sum(n) = 0 THEN 'M' WHEN sum(nest) + sum(nmiss) > 0 THEN 'E'
            WHEN sum(nprov) > 0 THEN 'P' ELSE 'A' END AS obs_status
FROM step1 JOIN gclos c ON step1.node = c.code
GROUP BY ALL
"""

DUCK_REST = {
    "groups": """
SELECT ref_area, m.grp AS counterpart_area, product, flow, indicator, freq, time_period, unit,
       unit_mult, sum(value) AS value, count(value) AS n, max(value, 2) AS tops
FROM cube JOIN members m ON cube.counterpart_area = m.code AND cube.time_period = m.period
GROUP BY ALL""",
    "quarters": """
SELECT ref_area, counterpart_area, product, flow, indicator, time_period[1:4] || '-Q' ||
       ((CAST(time_period[6:7] AS INTEGER) - 1) // 3 + 1) AS time_period, unit, unit_mult,
       sum(value) AS value, count(value) AS n_periods,
       CASE WHEN count(value) = 3 AND bool_and(obs_status <> 'E') THEN 'A' ELSE 'E' END AS st
FROM cube GROUP BY ALL""",
    "years": """
SELECT ref_area, counterpart_area, product, flow, indicator, time_period[1:4] AS time_period,
       unit, unit_mult, sum(value) AS value, count(value) AS n_periods,
       CASE WHEN count(value) = 12 AND bool_and(obs_status <> 'E') THEN 'A' ELSE 'E' END AS st
FROM cube GROUP BY ALL""",
    "share": """
SELECT c.*, 100.0 * c.value / p.value AS share
FROM cube c JOIN gparent g ON c.ref_area = g.code
JOIN cube p ON p.ref_area = g.parent AND p.counterpart_area = c.counterpart_area
 AND p.product = c.product AND p.flow = c.flow AND p.time_period = c.time_period
WHERE p.value <> 0""",
    "balance": """
SELECT x.ref_area, x.counterpart_area, x.product, x.time_period, x.value - m.value AS balance
FROM cube x JOIN cube m ON x.ref_area = m.ref_area AND x.counterpart_area = m.counterpart_area
 AND x.product = m.product AND x.time_period = m.time_period
WHERE x.flow = 'X' AND m.flow = 'M'""",
}

DUCK_AFTER = {
    "qoq": """
SELECT a.*, 100.0 * (a.value / b.value - 1) AS growth
FROM quarters a JOIN quarters b ON a.ref_area = b.ref_area
 AND a.counterpart_area = b.counterpart_area AND a.product = b.product AND a.flow = b.flow
 AND b.time_period = a.time_period[1:6] || (CAST(a.time_period[7:7] AS INTEGER) - 1)
WHERE a.time_period[7:7] <> '1' AND b.value <> 0""",
    "rank": """
SELECT y.*, rank() OVER (PARTITION BY l.level, counterpart_area, product, flow, time_period
                         ORDER BY value DESC) AS rank
FROM years y JOIN glevel l ON y.ref_area = l.code WHERE value IS NOT NULL""",
}


def run_duckdb(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    out = {
        "cube": clock_cube(lambda: (con.execute(DUCK_CUBE), con.sql("SELECT * FROM cube").pl())[1])
    }
    for name, sql in DUCK_REST.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    for name, sql in DUCK_AFTER.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    for name in (*DUCK_REST, *DUCK_AFTER):
        out[name] = con.sql(f"SELECT * FROM {name}").pl()
    return out


# --------------------------------------------------------------------------- pandas


def _top2(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    ranked = frame.dropna(subset=["value"]).sort_values("value", ascending=False)
    ranked = ranked.assign(_r=ranked.groupby(keys, sort=False).cumcount())
    best = ranked[ranked["_r"] < 2]
    return best.pivot_table(
        index=keys, columns="_r", values="value", aggfunc="first", observed=True
    ).rename(columns={0: "top1", 1: "top2"})


def run_pandas(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    obs, pclos, gparent, gclos = (tables[k] for k in ("obs", "pclos", "gparent", "gclos"))
    keys = [d for d in DIMENSIONS if d != "ref_area"] + ["time_period", "unit", "unit_mult"]
    # 1. products at enterprise level
    flagged = obs.assign(
        _n=obs["value"].notna(),
        _e=obs["value"].isna() | obs["obs_status"].isin(["E", "M"]),
        _p=obs["obs_status"].eq("P"),
    )
    prod = flagged.rename(columns={"product": "_leaf"}).merge(
        pclos.rename(columns={"code": "_leaf", "ancestor": "product"}), on="_leaf"
    )
    pkeys = ["ref_area", *keys]
    sums = (
        prod.groupby(pkeys, sort=False, observed=True)
        .agg(value=("value", "sum"), _n=("_n", "sum"), _e=("_e", "sum"), _p=("_p", "sum"))
        .reset_index()
    )
    sums["obs_status"] = np.select(
        [sums["_n"] == 0, sums["_e"] > 0, sums["_p"] > 0], ["M", "E", "P"], "A"
    )
    sums.loc[sums["_n"] == 0, "value"] = np.nan
    ent = pd.concat(
        [obs[[*pkeys, "value", "obs_status"]], sums[[*pkeys, "value", "obs_status"]]],
        ignore_index=True,
    )
    # 2. geography: leaves to parents, then parents to every ancestor
    ent = ent.merge(gparent.rename(columns={"code": "ref_area", "parent": "_node"}), on="ref_area")
    ent["_n"] = ent["value"].notna()
    ent["_m"] = ent["value"].isna()
    ent["_e"] = ent["obs_status"].eq("E")
    ent["_p"] = ent["obs_status"].eq("P")
    gkeys = ["_node", *keys]
    step1 = (
        ent.groupby(gkeys, sort=False, observed=True)
        .agg(
            value=("value", "sum"),
            n=("_n", "sum"),
            nmiss=("_m", "sum"),
            nest=("_e", "sum"),
            nprov=("_p", "sum"),
        )
        .reset_index()
    )
    tops = _top2(ent, gkeys).reset_index()
    step1 = step1.merge(tops, on=gkeys, how="left")
    merged = step1.merge(
        gclos.rename(columns={"code": "_node", "ancestor": "ref_area"}), on="_node"
    )
    ckeys = ["ref_area", *keys]
    cube = (
        merged.groupby(ckeys, sort=False, observed=True)
        .agg(
            value=("value", "sum"),
            n_contributors=("n", "sum"),
            n_missing=("nmiss", "sum"),
            n_estimated=("nest", "sum"),
            n_provisional=("nprov", "sum"),
        )
        .reset_index()
    )
    cand = pd.concat(
        [
            merged[[*ckeys, "top1"]].rename(columns={"top1": "value"}),
            merged[[*ckeys, "top2"]].rename(columns={"top2": "value"}),
        ]
    )
    cube = cube.merge(_top2(cand, ckeys).reset_index(), on=ckeys, how="left")
    cube.loc[cube["n_contributors"] == 0, "value"] = np.nan
    cube["obs_status"] = np.select(
        [
            cube["n_contributors"] == 0,
            cube["n_estimated"] + cube["n_missing"] > 0,
            cube["n_provisional"] > 0,
        ],
        ["M", "E", "P"],
        "A",
    )
    return {"cube": cube, **_pandas_rest(cube, tables)}


def _pandas_rest(cube: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    cell = ["counterpart_area", "product", "flow", "time_period"]
    members = tables["members"].rename(
        columns={"code": "counterpart_area", "period": "time_period"}
    )
    grp = (
        cube.merge(members, on=["counterpart_area", "time_period"])
        .groupby(["ref_area", "grp", "product", "flow", "time_period"], sort=False)
        .agg(value=("value", "sum"), n=("value", "count"))
        .reset_index()
    )
    month = cube["time_period"].str.slice(5, 7).astype(int)
    quarters = (
        cube.assign(
            time_period=cube["time_period"].str.slice(0, 4)
            + "-Q"
            + ((month - 1) // 3 + 1).astype(str)
        )
        .groupby(["ref_area", "counterpart_area", "product", "flow", "time_period"], sort=False)
        .agg(value=("value", "sum"), n_periods=("value", "count"))
        .reset_index()
    )
    years = (
        cube.assign(time_period=cube["time_period"].str.slice(0, 4))
        .groupby(["ref_area", "counterpart_area", "product", "flow", "time_period"], sort=False)
        .agg(value=("value", "sum"), n_periods=("value", "count"))
        .reset_index()
    )
    parent = tables["gparent"].rename(columns={"code": "ref_area", "parent": "_parent"})
    share = cube.merge(parent, on="ref_area").merge(
        cube[["ref_area", *cell, "value"]].rename(columns={"ref_area": "_parent", "value": "_den"}),
        on=["_parent", *cell],
    )
    share["share"] = 100.0 * share["value"] / share["_den"]
    x = cube[cube["flow"] == "X"].drop(columns="flow")
    m = cube[cube["flow"] == "M"][
        ["ref_area", "counterpart_area", "product", "time_period", "value"]
    ]
    balance = x.merge(
        m, on=["ref_area", "counterpart_area", "product", "time_period"], suffixes=("", "_m")
    )
    balance["balance"] = balance["value"] - balance["value_m"]
    q = quarters.assign(_q=quarters["time_period"].str.slice(6, 7).astype(int))
    prev = q.assign(_q=q["_q"] + 1)
    qoq = q.merge(
        prev, on=["ref_area", "counterpart_area", "product", "flow", "_q"], suffixes=("", "_prev")
    )
    qoq["growth"] = 100.0 * (qoq["value"] / qoq["value_prev"] - 1)
    level = tables["glevel"].rename(columns={"code": "ref_area"})
    ranked = years.merge(level, on="ref_area")
    ranked["rank"] = ranked.groupby(
        ["level", "counterpart_area", "product", "flow", "time_period"]
    )["value"].rank(method="min", ascending=False)
    return {
        "groups": grp,
        "quarters": quarters,
        "years": years,
        "share": share,
        "balance": balance,
        "qoq": qoq,
        "rank": ranked,
    }


# --------------------------------------------------------------------------- checks


def _norm_cube(frame: pl.DataFrame) -> pl.DataFrame:
    if "tops" in frame.columns:
        frame = frame.with_columns(
            pl.col("tops").list.get(0, null_on_oob=True).alias("top1"),
            pl.col("tops").list.get(1, null_on_oob=True).alias("top2"),
        )
    cols = ["ref_area", "counterpart_area", "product", "flow", "time_period"]
    return frame.select(
        *cols,
        "value",
        pl.col("n_contributors").cast(pl.Int64),
        pl.col("n_missing").cast(pl.Int64),
        pl.col("n_estimated").cast(pl.Int64),
        "top1",
        "top2",
    ).sort(cols)


def check_same(a: pl.DataFrame, b: pl.DataFrame, label: str) -> None:
    x, y = _norm_cube(a), _norm_cube(b)
    assert x.height == y.height, f"{label}: {x.height} vs {y.height} cells"
    for col in ("n_contributors", "n_missing", "n_estimated"):
        assert (x[col] == y[col]).all(), f"{label}: {col} differs"
    for col in ("value", "top1", "top2"):
        diff = (x[col] - y[col]).abs() / x[col].abs().clip(lower_bound=1.0)
        assert diff.fill_null(0.0).max() < 1e-9, f"{label}: {col} differs"  # type: ignore[operator]


# --------------------------------------------------------------------------- main


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _timed(work: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def child(engine: str, n_enterprises: int, out: Path) -> None:
    """One engine in its own process: generate, run (timed: wall and this process's CPU over
    all its threads), save the cube for the check."""
    cube = make_cube(n_enterprises)
    gc.collect()
    if engine == "shumao":
        result, seconds, cpu = _timed(lambda: run_shumao(cube))
        cells = result["cube"]
    elif engine == "duckdb":
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = false")
        for name, table in _tables(cube).items():
            con.register(name, table)
        result, seconds, cpu = _timed(lambda: run_duckdb(con))
        cells = result["cube"]
    elif engine == "polars":
        lazy = hand_polars.categorical(_tables(cube))
        del cube
        gc.collect()
        result, seconds, cpu = _timed(lambda: hand_polars.run(lazy, clock_cube))
        cells = hand_polars.plain(result["cube"])
    else:
        tables = {k: v.to_pandas() for k, v in _tables(cube).items()}
        del cube
        gc.collect()
        result, seconds, cpu = _timed(lambda: run_pandas(tables))
        cells = pl.from_pandas(result["cube"])
    _norm_cube(cells).write_parquet(out)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "peak_gib": peak_gib(),
                "cube_seconds": CUBE_CLOCK.get("seconds", 0.0),
                "cube_cpu": CUBE_CLOCK.get("cpu", 0.0),
                "sizes": {k: len(v) for k, v in result.items()},
            }
        )
    )


def spawn(engine: str, n_enterprises: int, out: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            engine,
            "--enterprises",
            str(n_enterprises),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = load
    return result


ENGINES = {
    "shumao": "shumao (cube in DuckDB)",
    "duckdb": "DuckDB hand-written SQL",
    "polars": "polars by hand, Categorical keys",
    "pandas": "pandas merge + groupby",
}


def summary(name: str, runs: list[dict[str, Any]]) -> str:
    walls, cpus = [r["seconds"] for r in runs], [r["cpu"] for r in runs]
    loads = ", ".join(f"{r['load']:.1f}" for r in runs)
    return (
        f"{ENGINES[name]}: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f}"
        f" s; CPU best {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s; "
        f"peak {max(r['peak_gib'] for r in runs):.2f} GiB ({len(runs)} runs, load {loads})"
    )


def ratios(runs: dict[str, list[dict[str, Any]]], other: str, step: str = "") -> str:
    """shumao ÷ other for wall and CPU: best ÷ best, and the paired runs (``step="cube_"``:
    the cube step alone)."""
    out = []
    for key in (f"{step}seconds", f"{step}cpu"):
        ours, theirs = [r[key] for r in runs["shumao"]], [r[key] for r in runs[other]]
        paired = [a / b for a, b in zip(ours, theirs, strict=False)]
        out.append(
            f"{'wall' if key.endswith('seconds') else 'CPU'} {min(ours) / min(theirs):.2f} "
            f"(paired {', '.join(f'{p:.2f}' for p in paired)})"
        )
    return f"shumao ÷ {other}{' (cube step)' if step else ''}: " + "; ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--child", choices=tuple(ENGINES), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.enterprises, args.out)
        return
    rows = args.enterprises * len(MONTHS) * len(PRODUCTS) * len(PARTNERS) * len(FLOWS)
    print(
        f"cube: {rows:,} observations ({args.enterprises:,} enterprises × {len(MONTHS)} months"
        f" × {len(PRODUCTS)} sub-items × {len(PARTNERS)} partners × {len(FLOWS)} flows);"
        f" each engine runs in its own process; {os.cpu_count()} CPUs, load "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    engines = [e for e in ENGINES if e != "pandas" or not args.no_pandas]
    runs: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for engine in engines:
                runs[engine].append(
                    spawn(engine, args.enterprises, Path(tmp) / f"{engine}.parquet")
                )
            print(
                f"  run {i + 1}: "
                + " · ".join(
                    f"{e} {runs[e][-1]['seconds']:.2f} s / {runs[e][-1]['cpu']:.2f} CPU s "
                    f"(load {runs[e][-1]['load']:.1f})"
                    for e in engines
                ),
                flush=True,
            )
        ours = pl.read_parquet(Path(tmp) / "shumao.parquet")
        for engine in engines[1:]:
            check_same(
                ours, pl.read_parquet(Path(tmp) / f"{engine}.parquet"), f"shumao vs {engine}"
            )
    sizes = runs["shumao"][-1]["sizes"]
    print("outputs (rows): " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    print(
        "results agree: cube values, contributor counts and top-2 contributions "
        "(shumao = " + " = ".join(engines[1:]) + ")"
    )
    for engine in engines:
        print(summary(engine, runs[engine]))
    floor = min(("duckdb", "polars"), key=lambda e: min(r["seconds"] for r in runs[e]))
    print(ratios(runs, "duckdb") + f" (target wall ≤ {TARGET_VS_DUCKDB})")
    print(ratios(runs, "polars"))
    for engine in engines:
        cube_runs = runs[engine]
        print(
            f"cube step alone, {ENGINES[engine]}: CPU "
            + ", ".join(f"{r['cube_cpu']:.2f}" for r in cube_runs)
            + " s; wall "
            + ", ".join(f"{r['cube_seconds']:.2f}" for r in cube_runs)
            + " s"
        )
    print(ratios(runs, "duckdb", "cube_") + " (target CPU ≤ 1.0, wall ≤ 0.8)")
    print(ratios(runs, "polars", "cube_"))
    print(f"strongest baseline by wall: {ENGINES[floor]}")
    if "pandas" in runs:
        slow = min(r["seconds"] for r in runs["pandas"])
        speedup = slow / min(r["seconds"] for r in runs["shumao"])
        print(
            f"pandas ÷ shumao: {speedup:.1f}× wall, "
            f"{min(r['cpu'] for r in runs['pandas']) / min(r['cpu'] for r in runs['shumao']):.1f}"
            f"× CPU (target ≥ {TARGET_VS_PANDAS} wall) "
            f"{'OK' if speedup >= TARGET_VS_PANDAS else 'MISSED'}"
        )
    peak = max(r["peak_gib"] for r in runs["shumao"])
    print(
        f"shumao peak resident memory (incl. the generated cube): {peak:.2f} GiB "
        f"(target ≤ {TARGET_PEAK_GIB}) {'OK' if peak <= TARGET_PEAK_GIB else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
