"""Growth identities: a printed growth rate against its two periods, a total’s growth against its parts’."""

from __future__ import annotations

import polars as pl

from shumao.compute.consistency.codes import Tally, count, where_of
from shumao.compute.consistency.identities import by_flow, span_of, value_rows, with_precision
from shumao.compute.consistency.intervals import Span, fmt, pct
from shumao.compute.periods import previous_period
from shumao.storage.tables import DIMENSIONS
from shumao.validation.findings import Finding, finding


def check_growth(frame: pl.DataFrame, file: str = "", tally: Tally | None = None) -> list[Finding]:
    """Printed growth against the two periods' printed values, where both are there."""
    frame = with_precision(frame)
    keys = [d for d in DIMENSIONS if d != "indicator"] + ["time_period"]
    growth = frame.filter(pl.col("indicator") == "GROWTH_YOY").select(
        *keys, pl.col("value").alias("g"), pl.col("_h").alias("hg")
    )
    values = value_rows(frame).select(*keys, "value", "_h", "unit", "unit_mult")
    prev = values.rename({"time_period": "_pp", "value": "prev", "_h": "hp"})
    # two periods compare only in one unit: a release in 亿美元 after one in 亿元 is no growth
    both = (
        growth.join(values, on=keys)
        .with_columns(previous_period(pl.col("time_period"), years=1).alias("_pp"))
        .join(prev, on=[*[k for k in keys if k != "time_period"], "_pp", "unit", "unit_mult"])
    )
    out: list[Finding] = []
    for row in both.iter_rows(named=True):
        count(tally, "table-growth")
        computed = pct(span_of(row["value"], row["_h"]) / span_of(row["prev"], row["hp"]), True)
        if not span_of(row["g"], row["hg"]).overlaps(computed):
            out.append(
                finding(
                    "table-growth",
                    file=file,
                    value=row["g"],
                    where=where_of(row),
                    printed=fmt(row["g"]),
                    computed=fmt((row["value"] / row["prev"] - 1) * 100),
                    low=fmt(computed.low),
                    high=fmt(computed.high),
                )
            )
    return out


def _prior(value: float, growth: float, hv: float | None, hg: float | None) -> Span:
    v, g = span_of(value, hv), span_of(growth, hg)
    return Span(v.low / (1 + g.high / 100), v.high / (1 + g.low / 100))


def check_growth_parts(
    frame: pl.DataFrame, file: str = "", tally: Tally | None = None
) -> list[Finding]:
    """The total's growth against the growth implied by exports and imports."""
    frame = with_precision(frame)
    values, growth = by_flow(frame, ["VALUE", "_Z"]), by_flow(frame, ["GROWTH_YOY"])
    if values.is_empty() or growth.is_empty():
        return []
    flows = {"X", "M", "T", "B"}
    keys = [c for c in values.columns if c not in flows and c not in {f"h{f}" for f in flows}]
    both = values.join(growth, on=keys, suffix="_g", nulls_equal=True)
    out: list[Finding] = []
    for row in both.iter_rows(named=True):
        if any(row.get(k) is None for k in ("T", "X", "M", "T_g", "X_g", "M_g")):
            continue
        count(tally, "table-growth-parts")
        prior_parts = _prior(row["X"], row["X_g"], row.get("hX"), row.get("hX_g")) + _prior(
            row["M"], row["M_g"], row.get("hM"), row.get("hM_g")
        )
        implied = pct(span_of(row["T"], row.get("hT")) / prior_parts, True)
        if not span_of(row["T_g"], row.get("hT_g")).overlaps(implied):
            mid = row["X"] / (1 + row["X_g"] / 100) + row["M"] / (1 + row["M_g"] / 100)
            out.append(
                finding(
                    "table-growth-parts",
                    file=file,
                    value=row["T_g"],
                    where=where_of(row),
                    printed=fmt(row["T_g"]),
                    computed=fmt((row["T"] / mid - 1) * 100),
                    low=fmt(implied.low),
                    high=fmt(implied.high),
                )
            )
    return out
