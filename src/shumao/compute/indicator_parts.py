"""What every indicator function is built from: labels, statuses, rates, units made comparable."""

from __future__ import annotations

import polars as pl

from shumao.compute.aggregate import to_unit
from shumao.reference import units
from shumao.storage.tables import NOT_APPLICABLE
from shumao.storage.vintages import FRAME_SCHEMA, conform

BASE_INDICATORS = ("VALUE", NOT_APPLICABLE)
PCT = "PCT"


def label(indicator_id: str) -> pl.Expr:
    base = pl.col("indicator")
    return (
        pl.when(base.is_in(list(BASE_INDICATORS)))
        .then(pl.lit(indicator_id))
        .otherwise(pl.lit(indicator_id + ".") + base)
        .alias("indicator")
    )


def status(*columns: str) -> pl.Expr:
    flags = [pl.col(c).is_in(["E", "M"]) for c in columns]
    estimated = flags[0]
    for flag in flags[1:]:
        estimated = estimated | flag
    return pl.when(estimated).then(pl.lit("E")).otherwise(pl.lit("A")).alias("obs_status")


def rate(
    frame: pl.DataFrame, indicator_id: str, value: pl.Expr, *statuses: str, unit: str = PCT
) -> pl.DataFrame:
    """The result rows in ``FRAME_SCHEMA``: value, unit %, status from the inputs."""
    out = frame.with_columns(
        value.alias("value"),
        label(indicator_id),
        pl.lit(unit).alias("unit"),
        pl.lit(0, pl.Int16).alias("unit_mult"),
        status(*statuses),
        pl.lit("F").alias("conf_status"),
    )
    return out.filter(pl.col("value").is_not_null() & pl.col("value").is_finite()).select(
        list(FRAME_SCHEMA)
    )


def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den != 0).then(num / den * 100.0).otherwise(None)


def comparable(*frames: pl.DataFrame) -> list[pl.DataFrame]:
    """``frames`` with one multiplier per unit code (the first row's), so that values divide.

    Only the power of ten changes: a currency is never exchanged here (a CNY series stays in
    CNY; exchanging at each year's rate would distort its growth).
    """
    seen = pl.concat([f.select("unit", "unit_mult") for f in frames])
    reference = seen.unique("unit", keep="first", maintain_order=True).rename(
        {"unit_mult": "_ref_mult"}
    )
    out = []
    for frame in frames:
        scaled = frame.join(reference, on="unit", how="left").with_columns(
            (
                pl.col("value")
                * pl.lit(10.0).pow((pl.col("unit_mult") - pl.col("_ref_mult")).cast(pl.Float64))
            ).alias("value"),
            pl.col("_ref_mult").cast(pl.Int16).alias("unit_mult"),
        )
        out.append(scaled.drop("_ref_mult"))
    return out


def in_unit_of(frame: pl.DataFrame, model: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in the (money) unit of ``model``'s first row, exchanged by year if needed."""
    if model.is_empty() or frame.is_empty():
        return frame
    first = model.row(0, named=True)
    if frame["unit"].unique().to_list() == [first["unit"]]:
        return frame
    return to_unit(frame, units.Unit(first["unit"], int(first["unit_mult"]), "", ""))


def non_rates(frame: pl.DataFrame) -> pl.DataFrame:
    """Level values of a frame that may carry extra columns (kept)."""
    return frame.filter(pl.col("unit") != PCT)


def levels(frame: pl.DataFrame) -> pl.DataFrame:
    """The level values of ``frame`` (rates and shares in % left out), in ``FRAME_SCHEMA``."""
    return conform(frame).filter(pl.col("unit") != PCT)
