"""Totals over the codes of one dimension, added where the data has none: one function for
every layer that needs them (the release's world totals, the dashboard's X + M, comparisons).

    with_flow_total   T = X + M, only where both have a value (add_total on ``flow``)
    with_world_total  WLD = Σ partners, of the values there are (on ``counterpart_area``)

A published total is never replaced: a combination that already has its ``total`` row keeps
it (derived totals are computed, never stored over published ones).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from shumao.storage.tables import DIMENSIONS

KEY_COLUMNS = (*DIMENSIONS, "time_period", "unit", "unit_mult")
ESTIMATED = ("E", "M")
"""Observation statuses that make a sum an estimate (estimated, missing)."""


def add_total(
    frame: pl.DataFrame, dim: str, total: str, *, members: Sequence[str] | None = None
) -> pl.DataFrame:
    """``frame`` plus a row ``dim = total`` for every combination of the other key columns
    that has members but no ``total`` row.

    With ``members`` named (``T`` = ``X`` + ``M``) a total needs every one of them, each with a
    value: the sum of some of the parts is not the total. Without, the members are every other
    code of ``dim`` (``WLD`` = the sum of the partners) and the total sums the values there
    are. A total is an estimate (``obs_status`` E) when a member is; it is never confidential
    by itself (``conf_status`` F: disclosure control decides later).
    """
    keys = [c for c in KEY_COLUMNS if c in frame.columns and c != dim]
    parts = frame.filter(pl.col(dim).is_in(list(members)) if members else pl.col(dim) != total)
    if parts.is_empty():
        return frame
    value = pl.col("value").sum()
    if members:
        value = pl.when(pl.col("value").null_count() == 0).then(value)
    status = []
    if "obs_status" in frame.columns:
        estimated = pl.col("obs_status").is_in(ESTIMATED).any()
        status.append(
            pl.when(estimated).then(pl.lit("E")).otherwise(pl.lit("A")).alias("obs_status")
        )
    totals = parts.group_by(keys).agg(value.alias("value"), pl.len().alias("_n"), *status)
    if members:
        totals = totals.filter(pl.col("_n") == len(set(members)))
    totals = totals.with_columns(
        pl.lit(total).alias(dim),
        pl.lit("F").alias("conf_status"),
        pl.lit(None, pl.String).alias("attrs"),
    )
    have = frame.filter(pl.col(dim) == total).select(keys).unique()
    totals = totals.join(have, on=keys, how="anti") if have.height else totals
    return pl.concat([frame, totals.select(frame.columns)])


def with_flow_total(frame: pl.DataFrame) -> pl.DataFrame:
    """Flow ``T`` = X + M where the data has both and no published T."""
    return add_total(frame, "flow", "T", members=("X", "M"))


def with_world_total(frame: pl.DataFrame) -> pl.DataFrame:
    """Partner ``WLD`` = the sum of the partners where the data has no world total."""
    return add_total(frame, "counterpart_area", "WLD")
