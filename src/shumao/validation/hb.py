"""Hidiroglou–Berthelot period-to-period edit, with a MAD fallback for small groups.

For each unit of a group with a previous value ``y1`` and a current value ``y2`` (Hidiroglou &
Berthelot 1986, *Survey Methodology* 12:73–83; docs/methods.md §2.1)::

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

MAD_SCALE = 1.4826
METHODS = np.array(["none", "MAD", "HB"])
"""``hb_rows``' method codes 0, 1, 2 by name."""
Quantile = Literal["linear", "weibull", "hazen", "median_unbiased", "normal_unbiased"]
QUANTILES: tuple[Quantile, ...] = (
    "linear",
    "weibull",
    "hazen",
    "median_unbiased",
    "normal_unbiased",
)
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


def hb(
    y1: Sequence[float] | np.ndarray | None,
    y2: Sequence[float] | np.ndarray,
    params: HBParams | None = None,
) -> HBResult:
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
    lo_q, e_med, hi_q = (
        float(v) for v in np.quantile(e, [p.probs[0], 0.5, p.probs[1]], method=p.quantile)
    )
    method, lower, upper = _bounds(e, e_med, lo_q, hi_q, p)
    if method != "none":
        outlier[ok] = (e < lower) | (e > upper)
    return HBResult(
        method, n, med_r, lo_q, e_med, hi_q, lower, upper, ratio, centred, score, outlier
    )


def _bounds(
    e: np.ndarray, e_med: float, lo_q: float, hi_q: float, p: HBParams
) -> tuple[str, float, float]:
    floor = abs(p.A * e_med)
    if e.size < p.min_units:
        return "none", np.nan, np.nan
    if e.size < p.min_obs:
        d = max(MAD_SCALE * float(np.median(np.abs(e - e_med))), floor)
        return "MAD", e_med - p.C * d, e_med + p.C * d
    d_lo = max(e_med - lo_q, floor)
    d_hi = max(hi_q - e_med, floor)
    return "HB", e_med - p.C * d_lo, e_med + p.C * d_hi


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
