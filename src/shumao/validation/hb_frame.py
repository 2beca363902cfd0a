"""The Hidiroglou–Berthelot edit on a frame of many groups at once (polars): ``hb_frame`` (see ``shumao.validation.hb``)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from shumao.validation.hb import MAD_SCALE, HBParams, Quantile, virtual_index


def hb_frame(
    frame: pl.DataFrame,
    *,
    group: Sequence[str],
    y1: str = "y1",
    y2: str = "y2",
    params: HBParams | None = None,
) -> pl.DataFrame:
    """Add HB columns to ``frame`` for every group at once.

    Added: ``hb_ratio``, ``hb_centred`` (s), ``hb_score`` (E), ``hb_n``, ``hb_method``,
    ``hb_lower``, ``hb_upper``, ``hb_outlier``. With no ``group`` the whole frame is one group.
    Two group-bys (median ratio, then the score statistics) joined back: many small groups
    (one per series) stay fast. Quartiles of any definition (``params.quantile``) are read
    from each group's sorted scores at the definition's virtual index.
    """
    p = params or HBParams()
    keys = list(group)
    work = _scores(frame, keys, y1, y2, p)
    e = pl.col("hb_score")
    stats = [e.median().alias("_e_med"), (e - e.median()).abs().median().alias("_e_mad")]
    largest = work["hb_n"].max()
    if isinstance(largest, int) and largest >= p.min_obs:  # quartiles only for large groups
        stats += [
            _quantile(e, p.probs[0], p.quantile).alias("_e_lo"),
            _quantile(e, p.probs[1], p.quantile).alias("_e_hi"),
        ]
    else:
        work = work.with_columns(
            pl.lit(None, pl.Float64).alias("_e_lo"), pl.lit(None, pl.Float64).alias("_e_hi")
        )
    work = _per_group(work, keys, stats)
    return _with_bounds(work, p).drop("_hb_ok", "_hb_rmed")


def _scores(frame: pl.DataFrame, keys: list[str], y1: str, y2: str, p: HBParams) -> pl.DataFrame:
    """``_hb_ok``, ``hb_ratio``, ``hb_n``, ``hb_centred`` and ``hb_score`` (E) per row."""
    if p.method == "current":
        x = pl.col(y2)
        ok = (
            x.is_not_null()
            & x.is_finite()
            & ((x > 0) | ((x == 0) & p.accept_zero) | ((x < 0) & p.accept_negative))
        )
        work = frame.with_columns(ok.fill_null(False).alias("_hb_ok"))
        return _per_group(
            work.with_columns(
                pl.lit(None, pl.Float64).alias("hb_ratio"),
                pl.lit(None, pl.Float64).alias("_hb_rmed"),
                pl.lit(None, pl.Float64).alias("hb_centred"),
                pl.when("_hb_ok").then(x).otherwise(None).alias("hb_score"),
            ),
            keys,
            [pl.col("hb_score").count().alias("hb_n")],
        )
    work = frame.with_columns(_usable_expr(y1, y2).alias("_hb_ok"))
    work = work.with_columns(
        pl.when("_hb_ok").then(pl.col(y2) / pl.col(y1)).otherwise(None).alias("hb_ratio")
    )
    work = _per_group(
        work,
        keys,
        [pl.col("hb_ratio").median().alias("_hb_rmed"), pl.col("hb_ratio").count().alias("hb_n")],
    )
    return work.with_columns(
        pl.when(pl.col("hb_ratio") < pl.col("_hb_rmed"))
        .then(1.0 - pl.col("_hb_rmed") / pl.col("hb_ratio"))
        .otherwise(pl.col("hb_ratio") / pl.col("_hb_rmed") - 1.0)
        .alias("hb_centred")
    ).with_columns((pl.col("hb_centred") * pl.max_horizontal(y1, y2).pow(p.U)).alias("hb_score"))


def _quantile(e: pl.Expr, q: float, method: Quantile) -> pl.Expr:
    """The ``q`` quantile of ``e`` within each group, interpolated between order statistics."""
    if method == "linear":
        return e.quantile(q, "linear")
    ordered = e.drop_nulls().sort()
    n = ordered.len().cast(pl.Float64)
    h = virtual_index(n, q, method).clip(0.0, (n - 1).clip(0.0, None))
    lo = h.floor().cast(pl.Int64)
    hi = pl.min_horizontal(lo + 1, (n - 1).cast(pl.Int64))
    a = ordered.get(lo, null_on_oob=True)
    b = ordered.get(hi, null_on_oob=True)
    return a + (h - lo) * (b - a)


def _usable_expr(y1: str, y2: str) -> pl.Expr:
    a, b = pl.col(y1), pl.col(y2)
    return (
        a.is_not_null() & b.is_not_null() & a.is_finite() & b.is_finite() & (a > 0) & (b > 0)
    ).fill_null(False)


def _per_group(work: pl.DataFrame, keys: list[str], aggs: list[pl.Expr]) -> pl.DataFrame:
    """Attach per-group aggregates to every row (one group-by and one join)."""
    if not keys:
        return work.with_columns(aggs)
    stats = work.group_by(keys).agg(aggs)
    return work.join(stats, on=keys, how="left", nulls_equal=True)


def _with_bounds(work: pl.DataFrame, p: HBParams) -> pl.DataFrame:
    e = pl.col("hb_score")
    work = work.with_columns((pl.col("_e_med") * p.A).abs().alias("_floor"))
    small = pl.col("hb_n") < p.min_obs
    mad = pl.max_horizontal(pl.col("_e_mad") * MAD_SCALE, "_floor")
    d_lo = (
        pl.when(small)
        .then(mad)
        .otherwise(pl.max_horizontal(pl.col("_e_med") - pl.col("_e_lo"), "_floor"))
    )
    d_hi = (
        pl.when(small)
        .then(mad)
        .otherwise(pl.max_horizontal(pl.col("_e_hi") - pl.col("_e_med"), "_floor"))
    )
    assessed = pl.col("hb_n") >= p.min_units
    work = work.with_columns(
        pl.when(assessed).then(pl.col("_e_med") - p.C * d_lo).alias("hb_lower"),
        pl.when(assessed).then(pl.col("_e_med") + p.C * d_hi).alias("hb_upper"),
        pl.when(~assessed)
        .then(pl.lit("none"))
        .when(small)
        .then(pl.lit("MAD"))
        .otherwise(pl.lit("HB"))
        .alias("hb_method"),
    )
    outside = (e < pl.col("hb_lower")) | (e > pl.col("hb_upper"))
    return work.with_columns(
        (pl.col("_hb_ok") & outside).fill_null(False).alias("hb_outlier")
    ).drop("_e_med", "_e_lo", "_e_hi", "_e_mad", "_floor")
