"""Threshold and change rules (the EU MIP scoreboard is the model): decline beyond X %, N
consecutive declines, concentration of partners or items (top share, HHI), a balance turning
negative, a province's share of the nation falling. Each reads the latest period of a series.
"""

from __future__ import annotations

import polars as pl

from shumao.compute.periods import previous_period
from shumao.monitor.detectors.common import (
    SERIES,
    empty_hits,
    hits,
    latest,
    log_growth,
    named,
    ordered,
    series_id,
)
from shumao.monitor.rules import Rule

GROWTH_OF = {"VALUE": "GROWTH_YOY", "CUM": "CUM_GROWTH", "_Z": "_none_"}


def decline(
    frame: pl.DataFrame, rule: Rule, dataflow: str, *, published: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Latest year-on-year (``mode: yoy``) or period-on-period (``pop``) change ≤ −threshold.

    Published growth (``GROWTH_YOY`` beside ``VALUE``) is used where the source printed it;
    otherwise growth is computed from the same unit's value a year (or a period) before."""
    limit = float(rule.params["threshold_pct"])
    data = ordered(frame)
    if data.is_empty():
        return empty_hits()
    step = 1 if rule.params.get("mode", "yoy") == "yoy" else 0
    # a prepared frame's ``prev`` is the previous *observation*: not the period compared with
    last = latest(data.drop("prev", "r", "change", strict=False)).with_columns(
        previous_period(pl.col("time_period"), years=step).alias("_pp")
    )
    periods = last["_pp"].unique().drop_nulls().to_list()
    before = data.filter(pl.col("time_period").is_in(periods)).select(
        "_sid",
        "unit",
        "unit_mult",
        pl.col("time_period").alias("_pp"),
        pl.col("value").alias("prev"),
    )  # only the periods some series' latest compares with: a smaller join
    last = last.join(before, on=["_sid", "unit", "unit_mult", "_pp"], how="left")
    last = last.with_columns(((pl.col("value") / pl.col("prev") - 1) * 100).alias("change"))
    if published is not None and not published.is_empty():
        last = _published(last, published)
    found = last.filter(pl.col("change") <= -limit)
    return hits(
        found.with_columns((-pl.col("change")).alias("drop")),
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("value"),
        threshold=limit,
        measure=pl.col("drop"),
        extra=["change", "prev"],
    )


def _published(last: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    growth = published.select(
        *[d for d in SERIES if d != "indicator"],
        "time_period",
        pl.col("indicator")
        .replace_strict({v: k for k, v in GROWTH_OF.items()}, default=None)
        .alias("indicator"),
        pl.col("value").alias("_pub"),
    )
    joined = last.join(growth, on=[*SERIES, "time_period"], how="left")
    return joined.with_columns(pl.coalesce("_pub", "change").alias("change")).drop("_pub")


def consecutive(frame: pl.DataFrame, rule: Rule, dataflow: str) -> pl.DataFrame:
    """The series fell in each of its last ``n`` periods (its latest included)."""
    n = int(rule.params["n"])
    data = log_growth(ordered(frame)).with_columns(
        (pl.col("value") < pl.col("prev")).fill_null(False).alias("_down"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"),
    )
    # length of the run of declines ending at each row: rows since the last row that was not a
    # decline. A series' first row is never a decline (no previous value), so filling forward
    # over the whole frame never carries a position from one series into the next.
    since = pl.when(~pl.col("_down")).then(pl.col("_i")).forward_fill()
    run = data.with_columns((pl.col("_i") - since).alias("_run"))
    last = latest(run).filter(pl.col("_run") >= n)
    return hits(
        last.with_columns(pl.col("_run").alias("n")),
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("value"),
        threshold=float(n),
        measure=pl.col("_run").cast(pl.Float64),
        extra=["n", "change"],
    )


def concentration(frame: pl.DataFrame, rule: Rule, dataflow: str) -> pl.DataFrame:
    """HHI (0–10,000) and the top share of the parts (``dim``: partners or items) of a total,
    at the latest period; aggregates (world, groups) are not parts."""
    dim = str(rule.params.get("dim", "counterpart_area"))
    limit = float(rule.params["hhi"])
    top_limit = float(rule.params.get("top_share_pct", 100))
    parts = frame.filter(~pl.col(dim).is_in(["WLD", "W00", "_Z", "_T"]) & (pl.col("value") > 0))
    if parts.is_empty():
        return empty_hits()
    keys = [d for d in SERIES if d != dim]
    parts = parts.with_columns(series_id(parts, keys).alias("_cid"))  # an integer, not 5 texts
    period = parts.group_by("_cid").agg(pl.col("time_period").max())
    parts = parts.join(period, on=["_cid", "time_period"])
    share = pl.col("value") / pl.col("value").sum().over("_cid") * 100
    cells = parts.with_columns(share.alias("_share")).sort("_share", descending=True)
    agg = cells.group_by("_cid").agg(
        (pl.col("_share") ** 2).sum().alias("hhi"),
        pl.col("_share").first().alias("top_share"),
        pl.col(dim).first().alias("top"),
        pl.col("time_period").first(),
        pl.col("unit").first(),
        pl.col("unit_mult").first(),
        pl.len().alias("parts"),
    )
    found = agg.filter((pl.col("hhi") >= limit) | (pl.col("top_share") >= top_limit))
    found = named(found, parts, "_cid", keys)
    found = found.with_columns(
        pl.lit("_T").alias(dim), pl.col("hhi").round(0), pl.lit("_Z").alias("unit")
    )  # an index: no money unit, no 亿
    return hits(
        found.with_columns(pl.col("top_share").round(2)),
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("hhi"),
        threshold=limit,
        measure=pl.col("hhi"),
        extra=["top", "top_share", "parts"],
    )


def balance(frame: pl.DataFrame, rule: Rule, dataflow: str) -> pl.DataFrame:
    """The balance (published ``B``, else X − M) is negative now and was not the period before."""
    keys = [d for d in SERIES if d != "flow"]
    flows = frame.filter(pl.col("flow").is_in(["X", "M", "B"]))
    if flows.is_empty():
        return empty_hits()
    flows = flows.with_columns(series_id(flows, keys).alias("_bid"))  # an integer, not 5 texts
    wide = flows.pivot(
        on="flow",
        index=["_bid", "time_period", "unit", "unit_mult"],
        values="value",
        aggregate_function="first",
    )
    if not {"X", "M"} <= set(wide.columns) and "B" not in wide.columns:
        return empty_hits()
    cols = set(wide.columns)
    computed = (pl.col("X") - pl.col("M")) if {"X", "M"} <= cols else pl.lit(None)
    bal = pl.coalesce(pl.col("B"), computed) if "B" in cols else computed
    data = wide.with_columns(bal.alias("value")).drop_nulls("value").sort("_bid", "time_period")
    same = pl.col("_bid") == pl.col("_bid").shift(1)
    data = data.with_columns(pl.when(same).then(pl.col("value").shift(1)).alias("prev"))
    last = data.filter(~(pl.col("_bid") == pl.col("_bid").shift(-1)).fill_null(False))
    found = last.filter((pl.col("value") < 0) & (pl.col("prev") >= 0))
    found = named(found, flows, "_bid", keys).with_columns(pl.lit("B").alias("flow"))
    return hits(
        found,
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("value"),
        threshold=0.0,
        measure=pl.lit(0.0),
        extra=["prev"],
    )


def share_falling(frame: pl.DataFrame, rule: Rule, dataflow: str) -> pl.DataFrame:
    """A province's share of the sum of all provinces fell in each of the last ``n`` years,
    by at least ``min_drop_pp`` points in all."""
    n = int(rule.params["n"])
    min_drop = float(rule.params.get("min_drop_pp", 0))
    provinces = frame.filter(pl.col("ref_area").str.contains(r"^\d{2}0000$"))
    if provinces.is_empty():
        return empty_hits()
    keys = [d for d in SERIES if d != "ref_area"]
    total = pl.col("value").sum().over([*keys, "time_period"])
    data = ordered(provinces.with_columns((pl.col("value") / total * 100).alias("share")))
    data = data.with_columns(
        pl.col("share").shift(n).over("_sid").alias("_then"),
        (pl.col("share").diff().over("_sid") < 0)
        .cast(pl.Int32)
        .rolling_sum(n)
        .over("_sid")
        .alias("_falls"),
    )
    last = latest(data).filter(
        (pl.col("_falls") == n) & (pl.col("_then") - pl.col("share") >= min_drop)
    )
    last = last.with_columns(
        (pl.col("_then") - pl.col("share")).round(2).alias("change"),
        pl.col("share").round(2),
        pl.lit(n).alias("n"),
        pl.lit("PCT").alias("unit"),
        pl.lit(0, pl.Int16).alias("unit_mult"),
    )
    return hits(
        last,
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("share"),
        threshold=min_drop,
        measure=pl.col("change"),
        extra=["change", "n"],
    )
