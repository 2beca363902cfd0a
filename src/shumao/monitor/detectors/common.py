"""What every detector shares: series keys, ordering, growth, and the hit frame."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from shumao.storage.tables import DIMENSIONS

SERIES = list(DIMENSIONS)
HIT_SCHEMA: dict[str, Any] = {
    "dataflow": pl.String,
    "series_key": pl.String,
    "ref_area": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "threshold": pl.Float64,
    "measure": pl.Float64,
    "unit": pl.String,
    "unit_mult": pl.Int16,
    "fields": pl.String,
    **dict.fromkeys(SERIES[1:], pl.String),
}
"""A hit names its series (dataflow, key, dimensions), period, value, threshold, measure."""


COLUMNS = ["time_period", "value", "unit", "unit_mult"]
"""Besides the dimensions, what the detectors read of an observation."""


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


BITS = {"ref_area": 28, "counterpart_area": 12, "product": 10, "flow": 4, "indicator": 6, "freq": 4}
"""Bits of each dimension's category code in the packed series id (64 in all)."""


def series_id(frame: pl.DataFrame, dims: list[str] | None = None) -> pl.Series:
    """One 64-bit integer per series (or per combination of ``dims``, a subset of the series'
    dimensions): the category codes packed side by side (exact, no collision) — or a hash of
    the key when a dimension has too many codes. Grouping and sorting by it are an integer's."""
    dims = dims or SERIES
    codes = {d: frame[d].cast(pl.Categorical).to_physical().cast(pl.UInt64) for d in dims}
    if all(int(codes[d].max() or 0) < 2 ** BITS[d] for d in dims):  # type: ignore[arg-type]
        packed = codes[dims[0]]
        for d in dims[1:]:
            packed = packed * (2 ** BITS[d]) + codes[d]
        return packed.alias("_sid")
    return frame.select(pl.struct(dims).hash(seed=20240101))[:, 0].alias("_sid")


def named(found: pl.DataFrame, source: pl.DataFrame, key: str, dims: list[str]) -> pl.DataFrame:
    """``found`` (grouped by the integer ``key``) with the ``dims`` the key stands for, read
    from ``source`` for the found keys only."""
    names = source.select(key, *dims).join(found.select(key), on=key, how="semi")
    return found.join(names.unique(key), on=key)


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """Once per frame: its series ids, sorted by series and period, and the growth columns
    every detector reads (``prev``, ``r``, ``change``), and only the columns they read.
    Detectors given a prepared frame do not sort or recompute; filters on dimensions keep it
    prepared (they drop whole series)."""
    if "_sid" in frame.columns:
        return frame
    data = frame.select(*SERIES, *COLUMNS).filter(
        pl.col("value").is_not_null() & pl.col("value").is_finite()
    )  # the status and attribute columns no rule reads are not copied
    data = data.with_columns(series_id(data)).sort(["_sid", "time_period"])
    return log_growth(data)


def ordered(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame sorted by series and period, with ``_sid`` (see ``prepare``)."""
    if "_sid" in frame.columns:
        return frame
    return frame.with_columns(series_id(frame)).sort(["_sid", "time_period"])


def same_series(offset: int = 1) -> pl.Expr:
    """True where the row ``offset`` rows up (down, if negative) is of the same series."""
    return pl.col("_sid") == pl.col("_sid").shift(offset)


def fields_json(columns: list[str]) -> pl.Expr:
    """The message fields as one JSON text column (numbers as numbers, text as text)."""
    return pl.struct(columns).struct.json_encode().alias("fields")


def hits(
    frame: pl.DataFrame,
    dataflow: str,
    *,
    period: pl.Expr,
    value: pl.Expr,
    threshold: float | pl.Expr,
    measure: pl.Expr,
    extra: list[str] | None = None,
) -> pl.DataFrame:
    """Shape detector output as ``HIT_SCHEMA``; ``extra`` columns go into ``fields``."""
    if frame.is_empty():
        return empty_hits()
    cols = extra or []
    base = frame.with_columns(
        key_expr(dataflow).alias("series_key"),
        period.alias("period"),
        value.alias("_value"),
        (threshold if isinstance(threshold, pl.Expr) else pl.lit(float(threshold))).alias(
            "_threshold"
        ),
        measure.alias("_measure"),
    )
    shaped = base.select(
        pl.lit(dataflow).alias("dataflow"),
        "series_key",
        "ref_area",
        "period",
        pl.col("_value").cast(pl.Float64).alias("value"),
        pl.col("_threshold").cast(pl.Float64).alias("threshold"),
        pl.col("_measure").cast(pl.Float64).alias("measure"),
        pl.col("unit").cast(pl.String),
        pl.col("unit_mult").cast(pl.Int16),
        (fields_json(cols) if cols else pl.lit("{}")).alias("fields"),
        *SERIES[1:],
    )
    return shaped


def latest(frame: pl.DataFrame) -> pl.DataFrame:
    """The last period of every series (frame ``ordered``)."""
    return frame.filter(~same_series(-1).fill_null(False))


def log_growth(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``prev`` (the previous observation of the series in the same unit), ``r`` =
    ln(value / prev) where both are positive, and ``change`` = growth in %. Frame ``ordered``."""
    if "r" in frame.columns:
        return frame
    same_unit = (pl.col("unit") == pl.col("unit").shift(1)) & (
        pl.col("unit_mult") == pl.col("unit_mult").shift(1)
    )
    prev = pl.when(same_series(1) & same_unit).then(pl.col("value").shift(1))
    positive = (pl.col("value") > 0) & (pl.col("prev") > 0)
    return frame.with_columns(prev.alias("prev")).with_columns(
        pl.when(positive).then((pl.col("value") / pl.col("prev")).log()).alias("r"),
        ((pl.col("value") / pl.col("prev") - 1) * 100).alias("change"),
    )


def decode(fields: str) -> dict[str, Any]:
    return json.loads(fields) if fields else {}
