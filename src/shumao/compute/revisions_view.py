"""修订对照 / the report's figures next to the same figures from UNCTAD and WTO.

Published statistics are revised: the 2022 report took its 表1 from an earlier vintage of the
international data than the files now in the store. ``compare`` puts each economy's printed
2022 exports, imports and total next to each source's value of the same economy, flow and year
(亿美元) with the difference in 亿美元 and in % of the report's figure.

What each source measures (docs/methods.md §10.1): UNCTAD ``UNCTAD_DDS`` product ``DD`` is the
digitally **deliverable** upper bound (sum of EBOPS SF…SK); WTO ``WTO_DDS`` product ``DDS`` is
the WTO's estimate of services actually **delivered** digitally (GATS mode 1), so it is smaller
by concept, not only by revision. A source's total (T) is its exports plus imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from shumao.compute.totals import with_flow_total
from shumao.query import select
from shumao.reference import countries

UNIT = "亿美元"


@dataclass(frozen=True)
class SourceSpec:
    name: str
    dataflow: str
    product: str
    label_zh: str
    label_en: str


SOURCES = (
    SourceSpec(
        "UNCTAD",
        "UNCTAD_DDS",
        "DD",
        "联合国贸发会议（可数字化交付）",
        "UNCTAD (digitally deliverable)",
    ),
    SourceSpec(
        "WTO",
        "WTO_DDS",
        "DDS",
        "世贸组织（数字交付，模式1估计）",
        "WTO (digitally delivered, mode 1 estimate)",
    ),
)


def load_sources(engine: Engine, year: str, areas: list[str]) -> dict[str, pl.DataFrame]:
    """Each source's X and M values of ``areas`` in ``year`` (亿美元); empty if not imported."""
    out = {}
    for spec in SOURCES:
        where = {
            "ref_area": areas,
            "product": [spec.product],
            "flow": ["X", "M"],
            "counterpart_area": ["WLD"],
        }
        out[spec.name] = select(engine, spec.dataflow, where=where, start=year, end=year, unit=UNIT)
    return out


def _with_total(frame: pl.DataFrame) -> pl.DataFrame:
    """X, M and T = X + M where both are present (values only)."""
    xm = frame.filter(pl.col("flow").is_in(["X", "M"]) & pl.col("value").is_not_null())
    return with_flow_total(xm.select("ref_area", "time_period", "flow", "value"))


def compare(
    report: pl.DataFrame, sources: dict[str, pl.DataFrame], year: str = "2022"
) -> pl.DataFrame:
    """Long frame: ref_area, name, flow, source, report, value, diff (亿美元), diff_pct (%)."""
    printed = report.filter(
        (pl.col("indicator") == "VALUE")
        & (pl.col("time_period") == year)
        & pl.col("ref_area").str.len_chars().eq(3)
        & pl.col("flow").is_in(["T", "X", "M"])
    ).select("ref_area", "flow", pl.col("value").alias("report"))
    parts = []
    for name, frame in sources.items():
        theirs = _with_total(frame).filter(pl.col("time_period") == year).drop("time_period")
        parts.append(
            printed.join(theirs, on=["ref_area", "flow"], how="left").with_columns(
                pl.lit(name).alias("source")
            )
        )
    if not parts:
        return printed.head(0)
    out = pl.concat(parts).with_columns(
        (pl.col("value") - pl.col("report")).alias("diff"),
        ((pl.col("value") / pl.col("report") - 1.0) * 100.0).alias("diff_pct"),
        pl.col("ref_area")
        .map_elements(lambda c: countries.lookup(c).name_zh, return_dtype=pl.String)
        .alias("name"),
    )
    order = {"T": 0, "X": 1, "M": 2}
    return (
        out.with_columns(pl.col("flow").replace_strict(order, return_dtype=pl.Int8).alias("_f"))
        .sort("ref_area", "_f", "source")
        .select("ref_area", "name", "flow", "source", "report", "value", "diff", "diff_pct")
    )
