"""Weights: equal, manual (the framework's), PCA-based, correlation-optimised.

Weights are relative within each parent. ``pca``: within each aggregation group, the squared
loadings of the first principal component of the children (standardised, complete rows),
scaled to sum to 1 (the OECD/JRC Handbook's factor-analysis weights; COINr ``get_PCA``).
``optimised``: weights chosen so that every child correlates equally with its parent's score
(COINr ``get_opt_weights`` with ``optim_type = "balance"``), level by level from the top down,
by minimising the spread of those correlations (scipy, Nelder–Mead on log-weights).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from shumao.index.aggregate import aggregate_all, per_level
from shumao.index.data import Coin, Step
from shumao.index.framework import Framework

METHODS = ("manual", "equal", "pca", "optimised")


def equal_weights(fw: Framework) -> dict[str, float]:
    return {n.code: 1.0 for n in fw.nodes}


def _complete(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x).any(axis=1)]


def pca_weights(
    fw: Framework, codes: tuple[str, ...], values: np.ndarray, method: str | list[str] = "amean"
) -> dict[str, float]:
    out = fw.weights()
    scores = _scores(fw, codes, values, out, method)
    for lev in range(2, fw.max_level + 1):
        for parent in fw.level(lev):
            kids = fw.children(parent)
            if len(kids) < 2:
                continue
            x = _complete(np.column_stack([scores[k] for k in kids]))
            if x.shape[0] < 3:
                continue
            z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
            z = np.nan_to_num(z)
            _, vecs = np.linalg.eigh(np.cov(z, rowvar=False))
            load2 = vecs[:, -1] ** 2
            for k, v in zip(kids, load2 / load2.sum(), strict=True):
                out[k] = float(v)
    return out


def optimised_weights(
    fw: Framework, codes: tuple[str, ...], values: np.ndarray, method: str | list[str] = "amean"
) -> dict[str, float]:
    # deferred: scipy.optimize takes ~1.2 s to import; only this weighting needs it
    from scipy.optimize import minimize

    weights = fw.weights()
    for lev in range(fw.max_level, 1, -1):
        for parent in fw.level(lev):
            kids = fw.children(parent)
            if len(kids) < 2:
                continue

            def spread(
                logw: np.ndarray, kids: tuple[str, ...] = kids, parent: str = parent
            ) -> float:
                trial = {**weights, **dict(zip(kids, np.exp(logw), strict=True))}
                s = _scores(fw, codes, values, trial, method)
                r = [_corr(s[k], s[parent]) for k in kids]
                return float(np.nanvar(r)) if not np.all(np.isnan(r)) else 0.0

            start = np.log([max(weights[k], 1e-6) for k in kids])
            best = minimize(
                spread,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-6, "fatol": 1e-12, "maxiter": 400},
            )
            w = np.exp(best.x)
            weights.update({k: float(v) for k, v in zip(kids, w / w.sum(), strict=True)})
    return weights


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def _scores(
    fw: Framework,
    codes: tuple[str, ...],
    values: np.ndarray,
    weights: Mapping[str, float],
    method: str | list[str],
) -> dict[str, np.ndarray]:
    w = {c: np.array([v]) for c, v in weights.items()}
    got = aggregate_all(fw, codes, values[None], w, per_level(method, fw.max_level - 1))
    return {c: v[0] for c, v in got.items()}


def weigh(
    coin: Coin,
    *,
    method: str = "manual",
    dset: str = "Normalised",
    aggregation: str | list[str] = "amean",
) -> Coin:
    """Set the weights in force for the aggregation that follows (a step without data set)."""
    fw = coin.framework
    ds = coin.dset(dset)
    if method == "manual":
        w = fw.weights()
    elif method == "equal":
        w = equal_weights(fw)
    elif method == "pca":
        w = pca_weights(fw, ds.codes, ds.values, aggregation)
    elif method == "optimised":
        w = optimised_weights(fw, ds.codes, ds.values, aggregation)
    else:
        raise ValueError(f"unknown weighting {method!r}; one of {METHODS}")
    step = Step("weigh", {"method": method}, dset, "Weights")
    return coin.add(step, None, {"weights": w}, weights=w)
