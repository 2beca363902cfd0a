"""Revision tables: what changed in a dataflow between two vintages.

Values are compared in the unit multiplier of the newer observation; every row says what
happened (``REVISION_KINDS``). A value missing in both vintages (absent, or stored without a
value) is no revision — NaN ≠ NaN must not make one — while missing → value and value →
missing are, and are labelled so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
from sqlalchemy import Connection

from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import AsOf, read


def revisions(
    conn: Connection,
    dataflow_id: str,
    *,
    then: AsOf,
    now: AsOf = None,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pl.DataFrame:
    """Value then, value now, absolute and % revision for every series/period in either.

    Values are compared in the unit multiplier of the newer observation. ``change`` says what
    happened (``REVISION_KINDS``): a value missing in both vintages (NaN or absent) is
    ``missing``, not a revision — NaN ≠ NaN must not make one.
    """
    a = read(conn, dataflow_id, where=where, start=start, end=end, as_of=then)
    b = read(conn, dataflow_id, where=where, start=start, end=end, as_of=now)
    return compare(a, b)


def compare(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """The revision table between two reads (``READ_SCHEMA``): ``a`` then, ``b`` now."""
    keys = [*DIMENSIONS, "time_period"]
    base = lambda f, name: f.select(  # noqa: E731
        *keys,
        (pl.col("value") * 10.0 ** pl.col("unit_mult").cast(pl.Float64)).alias(name),
        pl.col("unit_mult").alias(f"{name}_mult"),
        pl.col("unit").alias(f"{name}_unit"),
        pl.col("vintage_id").alias(f"{name}_vintage"),
    )
    joined = base(a, "then").join(base(b, "now"), on=keys, how="full", coalesce=True)
    mult = pl.coalesce("now_mult", "then_mult").cast(pl.Float64)
    scale = 10.0**mult
    out = (
        joined.with_columns(
            (pl.col("then") / scale).alias("value_then"),
            (pl.col("now") / scale).alias("value_now"),
            pl.coalesce("now_unit", "then_unit").alias("unit"),
            mult.cast(pl.Int16).alias("unit_mult"),
        )
        .with_columns(pl.col("value_then").fill_nan(None), pl.col("value_now").fill_nan(None))
        .with_columns(
            (pl.col("value_now") - pl.col("value_then")).alias("revision"),
            ((pl.col("value_now") / pl.col("value_then") - 1.0) * 100.0).alias("revision_pct"),
            _change_kind().alias("change"),
        )
    )
    return out.select(
        *keys,
        "unit",
        "unit_mult",
        "then_vintage",
        "value_then",
        "now_vintage",
        "value_now",
        "revision",
        "revision_pct",
        "change",
    ).sort(keys)


REVISION_KINDS = {
    "revised": ("修订", "revised"),
    "added": ("缺失→有值", "missing → value"),
    "removed": ("有值→缺失", "value → missing"),
    "unchanged": ("未变", "unchanged"),
    "missing": ("两版均缺失", "missing in both"),
}
"""``change`` of a revision table row: (Chinese, English)."""
REVISION_TOLERANCE = 1e-12


def _change_kind() -> pl.Expr:
    then, now = pl.col("value_then").is_not_null(), pl.col("value_now").is_not_null()
    same = (pl.col("value_now") - pl.col("value_then")).abs() <= REVISION_TOLERANCE
    return (
        pl.when(then & now & same)
        .then(pl.lit("unchanged"))
        .when(then & now)
        .then(pl.lit("revised"))
        .when(now)
        .then(pl.lit("added"))
        .when(then)
        .then(pl.lit("removed"))
        .otherwise(pl.lit("missing"))
    )


def changed(table: pl.DataFrame) -> pl.DataFrame:
    """The rows of a revision table that are revisions: revised, missing → value, value →
    missing (not unchanged, not missing in both)."""
    return table.filter(pl.col("change").is_in(["revised", "added", "removed"]))


def revised_series(
    table: pl.DataFrame, before: pl.DataFrame, series: Sequence[str]
) -> pl.DataFrame:
    """The rows of a revision table whose series (the columns ``series``) ``before`` already
    had: a series published for the first time (a province's first figure in a period the
    nation already had) is new data, not a revision of anything."""
    return table.join(before.select(*series).unique(), on=list(series), how="semi")
