"""MOFCOM's services-trade releases (dataflow ``MOFCOM_SERVICES``): pure frame → frame.

A release gives the year-to-date total (``CUM``) with its published growth (``CUM_GROWTH``);
sometimes the month itself. Two helpers make the series monitoring needs:

``monthly_from_cumulative``
    the month as the difference of two consecutive year-to-date figures of one year and one
    unit (``CUM(m) − CUM(m−1)``; January is ``CUM(1)``); a month whose previous cumulative
    figure is missing is not derived (never guessed). Derived rows carry indicator
    ``VALUE_DERIVED`` and ``attrs`` naming the two figures, so a published single month
    (``VALUE``) stays beside its derivation.
``dd_share``
    可数字化交付的服务贸易占服务贸易总额的比重 (%) per year (flow T, annual): 可数字化交付的服务进出口
    (``DD``) over 服务进出口 (``S``), both in 亿美元 (converted at the year's average rate when
    printed in different currencies); else 知识密集型服务进出口 (``KIS``, the same six
    categories) over ``S``; else the share MOFCOM printed (``KIS`` ``SHARE``). ``basis`` says
    which (``DD``, ``KIS``, ``SHARE``).
``growth_table``
    every value with its **published** growth next to the growth **computed** from the same
    unit's value a year before as now stored (releases compare with the prior year's revised
    figure, so the two differ by the revision), and the difference in percentage points.
"""

from __future__ import annotations

import json

import polars as pl

from shumao.compute import aggregate
from shumao.compute.periods import previous_period
from shumao.storage.tables import DIMENSIONS

SERIES = [d for d in DIMENSIONS if d not in ("indicator",)]
GROWTH_OF = {"CUM": "CUM_GROWTH", "VALUE": "GROWTH_YOY"}


def monthly_from_cumulative(frame: pl.DataFrame) -> pl.DataFrame:
    """Single months derived from consecutive year-to-date figures (see the module)."""
    cum = frame.filter((pl.col("indicator") == "CUM") & pl.col("value").is_not_null())
    if cum.is_empty():
        return frame.head(0)
    cum = cum.with_columns(
        pl.col("time_period").str.slice(0, 4).alias("_year"),
        pl.col("time_period").str.slice(5, 2).cast(pl.Int32).alias("_m"),
    )
    prev = cum.select(
        *SERIES,
        "_year",
        "unit",
        "unit_mult",
        (pl.col("_m") + 1).alias("_m"),
        pl.col("value").alias("_prev"),
        pl.col("time_period").alias("_pp"),
    )
    joined = cum.join(prev, on=[*SERIES, "_year", "unit", "unit_mult", "_m"], how="left")
    derived = joined.filter((pl.col("_m") == 1) | pl.col("_prev").is_not_null())
    attrs = (
        pl.when(pl.col("_m") == 1)
        .then(pl.lit(json.dumps({"derived": "CUM(1)"})))
        .otherwise(pl.format('{{"derived": "CUM({}) - CUM({})"}}', "time_period", "_pp"))
    )
    return derived.with_columns(
        pl.lit("VALUE_DERIVED").alias("indicator"),
        (pl.col("value") - pl.col("_prev").fill_null(0.0)).alias("value"),
        pl.lit("E").alias("obs_status"),
        attrs.alias("attrs"),
    ).select(frame.columns)


def growth_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Values with published and computed year-on-year growth (%), and their difference."""
    values = frame.filter(
        pl.col("indicator").is_in(list(GROWTH_OF)) & pl.col("value").is_not_null()
    )
    keys = [*SERIES, "indicator", "time_period"]
    published = frame.filter(pl.col("indicator").is_in(list(GROWTH_OF.values()))).select(
        *SERIES,
        pl.col("indicator").replace_strict({v: k for k, v in GROWTH_OF.items()}),
        "time_period",
        pl.col("value").alias("published_growth"),
    )
    before = values.select(
        *SERIES,
        "indicator",
        "unit",
        "unit_mult",
        pl.col("time_period").alias("_pp"),
        pl.col("value").alias("prior"),
    )
    out = (
        values.select(*keys, "value", "unit", "unit_mult")
        .with_columns(previous_period(pl.col("time_period"), years=1).alias("_pp"))
        .join(before, on=[*SERIES, "indicator", "unit", "unit_mult", "_pp"], how="left")
        .join(published, on=keys, how="left")
        .with_columns(((pl.col("value") / pl.col("prior") - 1) * 100).alias("computed_growth"))
    )
    return (
        out.with_columns(
            (pl.col("published_growth") - pl.col("computed_growth")).alias("difference_pp")
        )
        .rename({"_pp": "prior_period"})
        .sort(keys)
    )


def dd_share(frame: pl.DataFrame) -> pl.DataFrame:
    """The share of digitally deliverable services in services trade per year (module doc):
    ``time_period``, ``value`` (%, two decimals), ``basis``; ``frame`` is one area's annual
    flow-T rows of ``MOFCOM_SERVICES``."""
    frame = frame.filter(pl.col("value").is_not_null())
    values = frame.filter(pl.col("indicator") == "VALUE")
    usd = aggregate.to_unit(values, "亿美元") if values.height else values
    level = {(p, y): v for p, y, v in usd.select("product", "time_period", "value").iter_rows()}
    printed = {
        y: v
        for p, y, v in frame.filter(pl.col("indicator") == "SHARE")
        .select("product", "time_period", "value")
        .iter_rows()
        if p == "KIS"
    }
    rows = []
    for y in sorted({y for (_, y) in level} | set(printed)):
        total = level.get(("S", y))
        part = next(((k, level[(k, y)]) for k in ("DD", "KIS") if (k, y) in level), None)
        if total and part:
            rows.append((y, round(part[1] / total * 100, 2), part[0]))
        elif y in printed:
            rows.append((y, printed[y], "SHARE"))
    return pl.DataFrame(
        rows, schema={"time_period": pl.Utf8, "value": pl.Float64, "basis": pl.Utf8}, orient="row"
    )
