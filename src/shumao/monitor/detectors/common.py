"""What every detector shares: series keys, ordering, growth, and the hit frame."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from shumao.storage.tables import DIMENSIONS

SERIES = list(DIMENSIONS)
HIT_SCHEMA: dict[str, Any] = {
    "dataflow": pl.String, "series_key": pl.String, "ref_area": pl.String,
    "period": pl.String, "value": pl.Float64, "threshold": pl.Float64,
    "measure": pl.Float64, "unit": pl.String, "unit_mult": pl.Int16, "fields": pl.String,
    **dict.fromkeys(SERIES[1:], pl.String),
}
"""A hit names its series (dataflow, key, dimensions), period, value, threshold, measure."""


def empty_hits() -> pl.DataFrame:
    return pl.DataFrame(schema=HIT_SCHEMA)


def key_expr(dataflow: str) -> pl.Expr:
    """``DATAFLOW:ref_area.counterpart.product.flow.indicator.freq`` — one alert per series."""
    return pl.concat_str([pl.lit(dataflow + ":"), pl.concat_str(SERIES, separator=".")])


def select(frame: pl.DataFrame, where: dict[str, list[str]]) -> pl.DataFrame:
    """Rows whose dimensions are in ``where`` (an empty list or a missing key: any)."""
    conds = [pl.col(dim).is_in(codes) for dim, codes in where.items() if codes and dim in SERIES]
    data = frame.filter(*conds) if conds else frame
    return data.filter(pl.col("value").is_not_null() & pl.col("value").is_finite())


def ordered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort([*SERIES, "time_period"])


def fields_json(columns: list[str]) -> pl.Expr:
    """The message fields as one JSON text column (numbers as numbers, text as text)."""
    return pl.struct(columns).struct.json_encode().alias("fields")


def hits(frame: pl.DataFrame, dataflow: str, *, period: pl.Expr, value: pl.Expr,
         threshold: float | pl.Expr, measure: pl.Expr, extra: list[str] | None = None
         ) -> pl.DataFrame:
    """Shape detector output as ``HIT_SCHEMA``; ``extra`` columns go into ``fields``."""
    if frame.is_empty():
        return empty_hits()
    cols = extra or []
    base = frame.with_columns(
        key_expr(dataflow).alias("series_key"), period.alias("period"), value.alias("_value"),
        (threshold if isinstance(threshold, pl.Expr) else pl.lit(float(threshold)))
        .alias("_threshold"), measure.alias("_measure"))
    shaped = base.select(
        pl.lit(dataflow).alias("dataflow"), "series_key", "ref_area", "period",
        pl.col("_value").cast(pl.Float64).alias("value"),
        pl.col("_threshold").cast(pl.Float64).alias("threshold"),
        pl.col("_measure").cast(pl.Float64).alias("measure"),
        pl.col("unit").cast(pl.String), pl.col("unit_mult").cast(pl.Int16),
        (fields_json(cols) if cols else pl.lit("{}")).alias("fields"),
        *SERIES[1:],
    )
    return shaped


def latest(frame: pl.DataFrame) -> pl.DataFrame:
    """The last period of every series (frame ordered)."""
    return frame.group_by(SERIES, maintain_order=True).last()


def log_growth(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``prev`` (the previous observation of the series), ``r`` = ln(value / prev) where
    both are positive, and ``change`` = growth in %. Frame ordered by series and period."""
    prev = pl.col("value").shift(1).over(SERIES)
    positive = (pl.col("value") > 0) & (prev > 0)
    return frame.with_columns(prev.alias("prev")).with_columns(
        pl.when(positive).then((pl.col("value") / pl.col("prev")).log()).alias("r"),
        ((pl.col("value") / pl.col("prev") - 1) * 100).alias("change"))


def decode(fields: str) -> dict[str, Any]:
    return json.loads(fields) if fields else {}
