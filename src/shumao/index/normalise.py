"""Normalise indicators onto a common scale (COINr ``Normalise`` and its ``n_*`` functions).

Each indicator is first multiplied by its direction (−1 reverses it), then scaled:

    minmax       (x − min)/(max − min)·(u − l) + l           any range [l, u], default 0–100
    zscore       (x − mean)/sd·s + m                         default mean 0, sd 1 (sample sd)
    rank         rank, ties take the lowest rank ("sport")   NaN stays NaN
    percentile   (rank − 1)/(n − 1)
    borda        rank − 1
    dist2max     1 − (max − x)/(max − min)
    dist2target  (x − min)/(target − min), optionally capped at 1 (target from the framework,
                 multiplied by the direction like the values)
    frontier     x / max (distance to the frontier: the best unit scores 1)
    goalposts    (x − l)/(u − l)·a, truncated to the posts
    none         the direction-adjusted values
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import rankdata

from shumao.index.data import Coin, Dataset, Step

METHODS = (
    "minmax",
    "zscore",
    "rank",
    "percentile",
    "borda",
    "dist2max",
    "dist2target",
    "frontier",
    "goalposts",
    "none",
)


def rank_min(x: np.ndarray) -> np.ndarray:
    """R's ``rank(x, ties.method = "min", na.last = "keep")``."""
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    out[ok] = rankdata(x[ok], method="min")
    return out


def normalise_column(
    x: np.ndarray,
    method: str = "minmax",
    *,
    direction: int = 1,
    target: float | None = None,
    **para: Any,
) -> np.ndarray:
    x = x * direction
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "minmax":
            lo_hi = para.get("range", (0, 100))
            mn, mx = np.nanmin(x), np.nanmax(x)
            return (x - mn) / (mx - mn) * (lo_hi[1] - lo_hi[0]) + lo_hi[0]
        if method == "zscore":
            m, s = para.get("mean_sd", (0, 1))
            return (x - np.nanmean(x)) / np.nanstd(x, ddof=1) * s + m
        if method in ("rank", "percentile", "borda"):
            r = rank_min(x)
            return {"rank": r, "borda": r - 1, "percentile": (r - 1) / (np.sum(~np.isnan(x)) - 1)}[
                method
            ]
        if method == "dist2max":
            mn, mx = np.nanmin(x), np.nanmax(x)
            return 1 - (mx - x) / (mx - mn)
        if method == "dist2target":
            if target is None:
                raise ValueError("dist2target needs a target in the framework")
            t = target * direction
            y = (x - np.nanmin(x)) / (t - np.nanmin(x))
            return np.minimum(y, 1.0) if para.get("cap", True) else y
        if method == "frontier":
            return x / np.nanmax(x)
        if method == "goalposts":
            lo, hi, scale = para["goalposts"]
            y = (x - lo * direction) / (hi * direction - lo * direction)
            return np.clip(y, 0, 1) * scale if para.get("truncate", True) else y * scale
        if method == "none":
            return x
    raise ValueError(f"unknown normalisation {method!r}; one of {METHODS}")


def normalise(
    coin: Coin,
    *,
    dset: str = "Treated",
    method: str = "minmax",
    write_to: str = "Normalised",
    indiv: Mapping[str, Mapping[str, Any]] | None = None,
    **para: Any,
) -> Coin:
    ds = coin.dset(dset)
    by = coin.framework.by_code
    values = np.empty_like(ds.values)
    for j, code in enumerate(ds.codes):
        node = by[code]
        own = dict((indiv or {}).get(code, {}))
        m = own.pop("method", method)
        values[:, j] = normalise_column(
            ds.values[:, j], m, direction=node.direction, target=node.target, **{**para, **own}
        )
    settings = {"method": method, **para, "indiv": dict(indiv or {})}
    return coin.add(
        Step("normalise", settings, dset, write_to), Dataset(ds.units, ds.codes, values)
    )
