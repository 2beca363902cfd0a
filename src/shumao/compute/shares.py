"""Shares as indicators: of a total, of the parent in a hierarchy, of the world, of services
(digitally deliverable), of a park’s exports."""

from __future__ import annotations

import polars as pl

from shumao.compute import hierarchy as hier
from shumao.compute import indicator_parts as parts
from shumao.reference import units
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import conform

WORLD = "WLD"


def share_of(
    frame: pl.DataFrame, denominator: pl.DataFrame, *, on: list[str], indicator_id: str
) -> pl.DataFrame:
    """x / d × 100 where ``denominator`` matches ``frame`` on the columns ``on``."""
    data = parts.non_rates(frame)
    den = parts.in_unit_of(parts.non_rates(denominator), data)
    data, den = parts.comparable(data, den)
    den = den.select(*on, pl.col("value").alias("_den"), pl.col("obs_status").alias("_den_status"))
    joined = data.join(den.unique(on, keep="first"), on=on)
    return parts.rate(
        joined,
        indicator_id,
        parts.ratio(pl.col("value"), pl.col("_den")),
        "obs_status",
        "_den_status",
    )


def share_of_parent(
    frame: pl.DataFrame,
    hierarchy: hier.Hierarchy | None = None,
    denominator: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Each node's share of its parent; parents from ``denominator`` or from ``frame`` itself."""
    tree = hierarchy or hier.geography()
    dim = tree.dim
    parents = tree.nodes.select(pl.col("code").alias(dim), pl.col("parent").alias("_parent"))
    data = parts.levels(frame).join(parents.drop_nulls(), on=dim)
    den = parts.levels(denominator if denominator is not None else frame).rename({dim: "_parent"})
    on = ["_parent", *[d for d in DIMENSIONS if d != dim], "time_period"]
    return share_of(data, den, on=on, indicator_id="SHARE_PARENT")


def share_of_world(
    frame: pl.DataFrame,
    world: pl.DataFrame | float | None = None,
    *,
    world_unit: str = "亿美元",
    dim: str = "ref_area",
) -> pl.DataFrame:
    """Share of the world: ``WLD`` rows of ``frame``, a world frame, or one world value."""
    data = parts.levels(frame)
    if world is None:
        den = data.filter(pl.col(dim) == WORLD)
        data = data.filter(pl.col(dim) != WORLD)
    elif isinstance(world, pl.DataFrame):
        den = parts.levels(world)
    else:
        unit = units.parse(world_unit)
        den = conform(
            data.select([d for d in DIMENSIONS if d != dim] + ["time_period"])
            .unique()
            .with_columns(
                pl.lit(float(world)).alias("value"),
                pl.lit(unit.code).alias("unit"),
                pl.lit(unit.mult, pl.Int16).alias("unit_mult"),
                pl.lit(WORLD).alias(dim),
            )
        )
    on = [d for d in DIMENSIONS if d not in (dim, "indicator")] + ["time_period"]
    return share_of(data, den, on=on, indicator_id="SHARE_WORLD")


def dd_share_of_services(frame: pl.DataFrame, total: pl.DataFrame | None = None) -> pl.DataFrame:
    """DD / S × 100 for the same area, partner, flow and period."""
    data = parts.levels(frame)
    den = parts.levels(total) if total is not None else data.filter(pl.col("product") == "S")
    on = [d for d in DIMENSIONS if d not in ("product", "indicator")] + ["time_period"]
    return share_of(
        data.filter(pl.col("product") == "DD"), den, on=on, indicator_id="DD_SHARE_SERVICES"
    )


def park_dd_export_share(frame: pl.DataFrame, total_exports: pl.DataFrame) -> pl.DataFrame:
    """A park's DD exports over its total exports (``total_exports``: same ref_area, period)."""
    data = parts.levels(frame).filter((pl.col("product") == "DD") & (pl.col("flow") == "X"))
    data = data.filter(pl.col("ref_area").str.starts_with("DSEB"))
    return share_of(
        data, total_exports, on=["ref_area", "time_period"], indicator_id="PARK_DD_EXPORT_SHARE"
    )
