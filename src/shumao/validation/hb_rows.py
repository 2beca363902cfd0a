"""The Hidiroglou–Berthelot edit on many series at once, one row each (numpy): ``hb_rows`` (see ``shumao.validation.hb``)."""

from __future__ import annotations

import numpy as np

from shumao.validation.hb import (
    MAD_SCALE,
    METHODS,
    HBParams,
    Quantile,
    usable,
    usable_current,
    virtual_index,
)


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
    return {
        "ratio": ratio[:, -1],
        "centred": centred[:, -1],
        "score": last,
        "n": n,
        "method": method,
        "lower": lower,
        "upper": upper,
        "outlier": outlier,
    }


def _row_scores(
    values: np.ndarray, p: HBParams
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
        score = np.where(ok, centred * (np.sqrt(size) if p.U == 0.5 else size**p.U), np.nan)
    return ok, ratio, centred, score


def _row_median(matrix: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Row medians of a matrix whose row k has ``n[k]`` values and NaN elsewhere."""
    return _sorted_quantile(np.sort(matrix, axis=1), n, 0.5, "linear")


def _sorted_quantile(ordered: np.ndarray, n: np.ndarray, q: float, method: Quantile) -> np.ndarray:
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
