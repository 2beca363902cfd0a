"""The store's figures behind the risk scoreboard: each series of ``data/risk.yaml`` read for
the assessed economies, and the three measures its rules apply (pure frame computations).

A series frame is ``economy, period, value`` in millions of USD (stored values are scaled by
their unit multiplier: UNCTAD is stored in millions, WDI and BaTIS in dollars). A series with
``by: counterpart_area`` (BaTIS, China's exports by partner) is summed over its products per
partner and year, and a year lacking any of the products is dropped rather than understated.
A measure returns the figures its reason shows, or None when the economy lacks them.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.outbound.risk_rules import Series
from shumao.storage import vintages

SCHEMA = {"economy": pl.String, "period": pl.String, "value": pl.Float64}
MILLION = 6


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def read(conn: Connection, spec: Series, economies: list[str]) -> pl.DataFrame:
    """The series ``spec`` of ``economies``, in millions of USD."""
    if not economies:
        return empty()
    where = {**spec.where, spec.by: economies}
    obs = vintages.read(conn, spec.dataflow, where=where)
    obs = obs.filter(pl.col("value").is_not_null()).with_columns(
        (pl.col("value") * 10.0 ** (pl.col("unit_mult").cast(pl.Float64) - MILLION)).alias("value")
    )
    products = spec.where.get("product", [])
    frame = obs.group_by(spec.by, "time_period").agg(
        pl.col("value").sum(), pl.col("product").n_unique().alias("n")
    )
    if spec.by != "ref_area" and len(products) > 1:
        frame = frame.filter(pl.col("n") == len(products))
    return frame.select(
        pl.col(spec.by).alias("economy"), pl.col("time_period").alias("period"), pl.col("value")
    ).cast(SCHEMA)  # type: ignore[arg-type]


def _own(frame: pl.DataFrame, economy: str) -> pl.DataFrame:
    return frame.filter(pl.col("economy") == economy).sort("period")


def _yi(value: float) -> str:
    """Millions of USD as 亿美元 with two decimals."""
    return f"{value / 100:,.2f}"


def growth(frame: pl.DataFrame, economy: str) -> dict[str, Any] | None:
    """The latest year's change on the year before (both needed, consecutive)."""
    own = _own(frame, economy)
    if own.height < 2:
        return None
    last, before = own.row(-1, named=True), own.row(-2, named=True)
    if not before["value"] or int(last["period"]) - int(before["period"]) != 1:
        return None
    pct = 100.0 * (last["value"] / before["value"] - 1.0)
    return {
        "period": last["period"],
        "value": _yi(last["value"]),
        "growth": f"{pct:.1f}",
        "drop": f"{-pct:.1f}",
        "measured": pct,
        "figures": {"value_musd": round(last["value"], 2), "growth_pct": round(pct, 2)},
    }


def level(frame: pl.DataFrame, economy: str) -> dict[str, Any] | None:
    """The latest year's value."""
    own = _own(frame, economy)
    if own.is_empty():
        return None
    last = own.row(-1, named=True)
    return {
        "period": last["period"],
        "value": _yi(last["value"]),
        "measured": last["value"] / 100,
        "figures": {"value_musd": round(last["value"], 2)},
    }


def share(part: pl.DataFrame, whole: pl.DataFrame, economy: str) -> dict[str, Any] | None:
    """The part's share of the whole in the latest year both have."""
    both = _own(part, economy).join(_own(whole, economy), on="period", suffix="_whole")
    both = both.filter(pl.col("value_whole") > 0)
    if both.is_empty():
        return None
    last = both.row(-1, named=True)
    pct = 100.0 * last["value"] / last["value_whole"]
    return {
        "period": last["period"],
        "share": f"{pct:.1f}",
        "part": _yi(last["value"]),
        "whole": _yi(last["value_whole"]),
        "measured": pct,
        "figures": {
            "part_musd": round(last["value"], 2),
            "whole_musd": round(last["value_whole"], 2),
            "share_pct": round(pct, 2),
        },
    }
