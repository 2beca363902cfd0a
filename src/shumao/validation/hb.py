"""Hidiroglou–Berthelot period-to-period edit, with a MAD fallback for small groups.

For each unit of a group with a previous value ``y1`` and a current value ``y2`` (METHODS.md §5;
Hidiroglou & Berthelot 1986, *Survey Methodology* 12:73–83; docs/methods.md §2)::

    r = y2 / y1                      r_med = median of r over the group
    s = 1 - r_med / r   if r < r_med
        r / r_med - 1   otherwise                    (centred ratio)
    E = s · max(y1, y2) ** U                          (effect: large units weigh more)
    lower = E_med - C · max(E_med - E_Q1, |A · E_med|)
    upper = E_med + C · max(E_Q3 - E_med, |A · E_med|)

A unit is an outlier when ``E`` lies outside ``[lower, upper]``. Defaults U = 0.5, A = 0.05,
C = 4 (univOutl::HBmethod). Units whose ``y1`` or ``y2`` is missing, zero or negative are
excluded (univOutl drops zeros and NAs; Banff rejects negatives by default); the zeros are
reported by their own checks (``zeros.py``), never silently lost.

``method="current"`` is Banff's CURRENT method: the effect is the current value itself
(``E = y2``, no ratio), bounded the same way; zeros count (Banff's ``accept_zero`` default for
it) and negatives with ``accept_negative``. ``method="ratio"`` (the default) covers Banff's
HISTORIC and RATIO methods (``y1`` the previous or the auxiliary value; its EXPONENT is U).

Quartiles (``quantile``): ``"linear"`` is R's type 7 (univOutl, numpy and polars default);
``"weibull"`` type 6, the definition Statistics Canada's Banff uses; ``"hazen"`` type 5,
``"median_unbiased"`` type 8 and ``"normal_unbiased"`` type 9 as in numpy. All three
implementations take every definition. ``probs`` may be set to (0.10, 0.90) as Hidiroglou &
Émond (2018) suggest when many units share one ratio.

Group sizes: fewer than ``min_units`` usable units (Banff's MINOBS) → the group is not assessed
(method ``"none"``; the rules report it as a finding); fewer than ``min_obs`` (10, Banff's
recommended minimum) → quartiles are unstable and ``E_med ± C · max(1.4826 · MAD(E),
|A · E_med|)`` is used instead (method ``"MAD"``; set ``min_obs = min_units`` to turn it off).

Three implementations of the same arithmetic: ``hb`` (numpy, one group, for tests and
reports), ``hb_frame`` (polars, many groups at once: the peers check) and ``hb_rows`` (numpy,
one group per row of a matrix: each series against its own earlier periods).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

MAD_SCALE = 1.4826
METHODS = np.array(["none", "MAD", "HB"])
"""``hb_rows``' method codes 0, 1, 2 by name."""
Quantile = Literal["linear", "weibull", "hazen", "median_unbiased", "normal_unbiased"]
QUANTILES: tuple[Quantile, ...] = ("linear", "weibull", "hazen", "median_unbiased",
                                   "normal_unbiased")
"""numpy's names of R's quantile types 7, 6, 5, 8 and 9."""
Method = Literal["ratio", "current"]


@dataclass(frozen=True)
class HBParams:
    U: float = 0.5
    A: float = 0.05
    C: float = 4.0
    probs: tuple[float, float] = (0.25, 0.75)
    quantile: Quantile = "linear"
    min_obs: int = 10
    """Groups smaller than this use the MAD fallback."""
    min_units: int = 4
    """Groups smaller than this are not assessed (Banff's MINOBS)."""
    method: Method = "ratio"
    """``ratio``: E from y2 / y1 (Banff HISTORIC, RATIO); ``current``: E = y2 (Banff CURRENT)."""
    accept_negative: bool = False
    """``current`` only: negative values are units too (Banff's ``accept_negative``)."""
    accept_zero: bool = True
    """``current`` only: zero values are units too (Banff's default for CURRENT)."""

    def __post_init__(self) -> None:
        if self.quantile not in QUANTILES:
            raise ValueError(f"unknown quartile definition {self.quantile!r}; one of {QUANTILES}")
        if self.method not in ("ratio", "current"):
            raise ValueError(f"unknown HB method {self.method!r}; ratio or current")


@dataclass(frozen=True)
class HBResult:
    method: str
    """"HB", "MAD" or "none" (group too small)."""
    n: int
    median_ratio: float
    e_low_q: float
    e_median: float
    e_high_q: float
    lower: float
    upper: float
    ratio: np.ndarray
    centred: np.ndarray
    score: np.ndarray
    """E per unit; NaN for excluded units."""
    outlier: np.ndarray
    """True where the unit is outside the bounds (False for excluded units)."""

    @property
    def excluded(self) -> np.ndarray:
        return np.flatnonzero(np.isnan(self.score))

    @property
    def low_outliers(self) -> np.ndarray:
        return np.flatnonzero(self.outlier & (self.score < self.lower))

    @property
    def high_outliers(self) -> np.ndarray:
        return np.flatnonzero(self.outlier & (self.score > self.upper))


def usable(y1: np.ndarray, y2: np.ndarray) -> np.ndarray:
    """Units HB can assess: both values present, finite and positive."""
    return np.isfinite(y1) & np.isfinite(y2) & (y1 > 0) & (y2 > 0)


def usable_current(x: np.ndarray, params: HBParams) -> np.ndarray:
    """Units the CURRENT method can assess: finite, and positive unless zeros or negatives
    are accepted."""
    ok = np.isfinite(x)
    sign_ok = x > 0
    if params.accept_zero:
        sign_ok = sign_ok | (x == 0)
    if params.accept_negative:
        sign_ok = sign_ok | (x < 0)
    return ok & sign_ok


def centred_ratio(ratio: np.ndarray, median_ratio: float) -> np.ndarray:
    return np.where(ratio < median_ratio, 1.0 - median_ratio / ratio, ratio / median_ratio - 1.0)


def hb(y1: Sequence[float] | np.ndarray | None, y2: Sequence[float] | np.ndarray,
       params: HBParams | None = None) -> HBResult:
    """HB scores, bounds and outliers for one group (``y1`` previous, ``y2`` current; with
    ``method="current"`` only ``y2`` is read and ``y1`` may be None)."""
    p = params or HBParams()
    b = np.asarray(y2, dtype=float)
    a = np.full(b.shape, np.nan) if y1 is None else np.asarray(y1, dtype=float)
    if a.shape != b.shape:
        raise ValueError("y1 and y2 must have the same length")
    ok = usable_current(b, p) if p.method == "current" else usable(a, b)
    n = int(ok.sum())
    ratio = np.full(a.shape, np.nan)
    centred = np.full(a.shape, np.nan)
    score = np.full(a.shape, np.nan)
    outlier = np.zeros(a.shape, dtype=bool)
    if n == 0:
        nan = float("nan")
        return HBResult("none", 0, nan, nan, nan, nan, nan, nan, ratio, centred, score, outlier)
    med_r = float("nan")
    if p.method == "current":
        score[ok] = b[ok]
    else:
        ratio[ok] = b[ok] / a[ok]
        med_r = float(np.median(ratio[ok]))
        centred[ok] = centred_ratio(ratio[ok], med_r)
        score[ok] = centred[ok] * np.maximum(a[ok], b[ok]) ** p.U
    e = score[ok]
    lo_q, e_med, hi_q = (float(v) for v in np.quantile(e, [p.probs[0], 0.5, p.probs[1]],
                                                       method=p.quantile))
    method, lower, upper = _bounds(e, e_med, lo_q, hi_q, p)
    if method != "none":
        outlier[ok] = (e < lower) | (e > upper)
    return HBResult(method, n, med_r, lo_q, e_med, hi_q, lower, upper, ratio, centred, score,
                    outlier)


def _bounds(e: np.ndarray, e_med: float, lo_q: float, hi_q: float,
            p: HBParams) -> tuple[str, float, float]:
    floor = abs(p.A * e_med)
    if e.size < p.min_units:
        return "none", np.nan, np.nan
    if e.size < p.min_obs:
        d = max(MAD_SCALE * float(np.median(np.abs(e - e_med))), floor)
        return "MAD", e_med - p.C * d, e_med + p.C * d
    d_lo = max(e_med - lo_q, floor)
    d_hi = max(hi_q - e_med, floor)
    return "HB", e_med - p.C * d_lo, e_med + p.C * d_hi


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
        stats += [_quantile(e, p.probs[0], p.quantile).alias("_e_lo"),
                  _quantile(e, p.probs[1], p.quantile).alias("_e_hi")]
    else:
        work = work.with_columns(pl.lit(None, pl.Float64).alias("_e_lo"),
                                 pl.lit(None, pl.Float64).alias("_e_hi"))
    work = _per_group(work, keys, stats)
    return _with_bounds(work, p).drop("_hb_ok", "_hb_rmed")


def _scores(frame: pl.DataFrame, keys: list[str], y1: str, y2: str, p: HBParams
            ) -> pl.DataFrame:
    """``_hb_ok``, ``hb_ratio``, ``hb_n``, ``hb_centred`` and ``hb_score`` (E) per row."""
    if p.method == "current":
        x = pl.col(y2)
        ok = x.is_not_null() & x.is_finite() & (
            (x > 0) | ((x == 0) & p.accept_zero) | ((x < 0) & p.accept_negative))
        work = frame.with_columns(ok.fill_null(False).alias("_hb_ok"))
        return _per_group(work.with_columns(
            pl.lit(None, pl.Float64).alias("hb_ratio"), pl.lit(None, pl.Float64).alias("_hb_rmed"),
            pl.lit(None, pl.Float64).alias("hb_centred"),
            pl.when("_hb_ok").then(x).otherwise(None).alias("hb_score"),
        ), keys, [pl.col("hb_score").count().alias("hb_n")])
    work = frame.with_columns(_usable_expr(y1, y2).alias("_hb_ok"))
    work = work.with_columns(
        pl.when("_hb_ok").then(pl.col(y2) / pl.col(y1)).otherwise(None).alias("hb_ratio"))
    work = _per_group(work, keys, [pl.col("hb_ratio").median().alias("_hb_rmed"),
                                   pl.col("hb_ratio").count().alias("hb_n")])
    return work.with_columns(
        pl.when(pl.col("hb_ratio") < pl.col("_hb_rmed"))
        .then(1.0 - pl.col("_hb_rmed") / pl.col("hb_ratio"))
        .otherwise(pl.col("hb_ratio") / pl.col("_hb_rmed") - 1.0)
        .alias("hb_centred")
    ).with_columns(
        (pl.col("hb_centred") * pl.max_horizontal(y1, y2).pow(p.U)).alias("hb_score"))


def virtual_index(n: Any, q: float, method: Quantile) -> Any:
    """0-based position of the ``q`` quantile among ``n`` sorted values (numpy's definitions,
    before clipping); ``n`` may be a number, a numpy array or a polars expression."""
    if method == "linear":
        return (n - 1) * q
    if method == "weibull":
        return (n + 1) * q - 1
    if method == "hazen":
        return n * q - 0.5
    if method == "median_unbiased":
        return (n + 1 / 3) * q - 2 / 3
    return (n + 0.25) * q - 0.625  # normal_unbiased


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
    return (a.is_not_null() & b.is_not_null() & a.is_finite() & b.is_finite()
            & (a > 0) & (b > 0)).fill_null(False)


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
    d_lo = pl.when(small).then(mad).otherwise(
        pl.max_horizontal(pl.col("_e_med") - pl.col("_e_lo"), "_floor"))
    d_hi = pl.when(small).then(mad).otherwise(
        pl.max_horizontal(pl.col("_e_hi") - pl.col("_e_med"), "_floor"))
    assessed = pl.col("hb_n") >= p.min_units
    work = work.with_columns(
        pl.when(assessed).then(pl.col("_e_med") - p.C * d_lo).alias("hb_lower"),
        pl.when(assessed).then(pl.col("_e_med") + p.C * d_hi).alias("hb_upper"),
        pl.when(~assessed).then(pl.lit("none")).when(small).then(pl.lit("MAD"))
        .otherwise(pl.lit("HB")).alias("hb_method"),
    )
    outside = (e < pl.col("hb_lower")) | (e > pl.col("hb_upper"))
    return work.with_columns(
        (pl.col("_hb_ok") & outside).fill_null(False).alias("hb_outlier")
    ).drop("_e_med", "_e_lo", "_e_hi", "_e_mad", "_floor")


def hb_rows(values: np.ndarray, params: HBParams | None = None) -> dict[str, np.ndarray]:
    """HB of each row's own history: the row is the group, its units the consecutive pairs.

    ``values`` holds one series per row, its periods in columns (oldest first, the current
    value last); NaN where a period has no value. Every pair (column k-1, column k) is a unit;
    the result describes the last pair against all of them, one array per key: ``ratio``,
    ``centred``, ``score``, ``n``, ``method``, ``lower``, ``upper``, ``outlier``. The same
    arithmetic as ``hb``, done along the rows of one matrix, so 200,000 series of 9 periods
    need no group-by. With ``method="current"`` every period's value is a unit (E = value).
    """
    p = params or HBParams()
    ok, ratio, centred, score = _row_scores(values, p)
    n = ok.sum(axis=1)  # NaN everywhere else below: row k has n[k] values
    ordered = np.sort(score, axis=1)  # NaN sorts last: row k's values are ordered[k, :n[k]]
    e_med = _sorted_quantile(ordered, n, 0.5, "linear")
    floor = np.abs(p.A * e_med)
    small = n < p.min_obs
    mad = np.maximum(MAD_SCALE * _row_median(np.abs(score - e_med[:, None]), n), floor)
    d_lo, d_hi = mad.copy(), mad.copy()
    if (~small).any():
        big, m = ordered[~small], n[~small]
        lo_q = _sorted_quantile(big, m, p.probs[0], p.quantile)
        hi_q = _sorted_quantile(big, m, p.probs[1], p.quantile)
        d_lo[~small] = np.maximum(e_med[~small] - lo_q, floor[~small])
        d_hi[~small] = np.maximum(hi_q - e_med[~small], floor[~small])
    assessed = n >= p.min_units
    lower = np.where(assessed, e_med - p.C * d_lo, np.nan)
    upper = np.where(assessed, e_med + p.C * d_hi, np.nan)
    last = score[:, -1]
    outlier = assessed & ok[:, -1] & ((last < lower) | (last > upper))
    method = METHODS[np.where(~assessed, 0, np.where(small, 1, 2))]
    return {"ratio": ratio[:, -1], "centred": centred[:, -1], "score": last, "n": n,
            "method": method, "lower": lower, "upper": upper, "outlier": outlier}


def _row_scores(values: np.ndarray, p: HBParams
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(usable, ratio, centred, E) per unit of every row: consecutive pairs, or with the
    CURRENT method the periods themselves."""
    if p.method == "current":
        ok = usable_current(values, p)
        nan = np.full(values.shape, np.nan)
        return ok, nan, nan, np.where(ok, values, np.nan)
    y1, y2 = values[:, :-1], values[:, 1:]
    ok = usable(y1, y2)
    n = ok.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok, y2 / y1, np.nan)
        med_r = _row_median(ratio, n)[:, None]
        centred = np.where(ratio < med_r, 1.0 - med_r / ratio, ratio / med_r - 1.0)
        size = np.maximum(y1, y2)
        score = np.where(ok, centred * (np.sqrt(size) if p.U == 0.5 else size ** p.U), np.nan)
    return ok, ratio, centred, score


def _row_median(matrix: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Row medians of a matrix whose row k has ``n[k]`` values and NaN elsewhere."""
    return _sorted_quantile(np.sort(matrix, axis=1), n, 0.5, "linear")


def _sorted_quantile(ordered: np.ndarray, n: np.ndarray, q: float,
                     method: Quantile) -> np.ndarray:
    """Row quantiles of a row-sorted matrix with ``n`` leading values per row (NaN after).

    numpy's definitions (``np.nanquantile(..., method=...)``), without its per-row loop:
    the definition's virtual index (``virtual_index``) clipped to the values; between two
    values, interpolate."""
    last = np.maximum(n - 1, 0)
    h = np.clip(virtual_index(n, q, method), 0, last)
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, last)
    a = np.take_along_axis(ordered, lo[:, None], axis=1)[:, 0]
    b = np.take_along_axis(ordered, hi[:, None], axis=1)[:, 0]
    return np.where(n > 0, a + (h - lo) * (b - a), np.nan)
