"""Impute missing values (COINr ``Impute`` with ``i_mean``, ``i_median``, ``i_mean_grp``,
``i_median_grp``), plus EM and regression as options.

Column by column: the missing values of an indicator take the mean (or median) of the
indicator's available values, over all units or within the unit's group (units whose group is
unknown are left as they are, as COINr's ``skip_f_na``). A group with no value leaves NaN.
``em`` fits a multivariate normal by expectation–maximisation and imputes the conditional
mean; ``regression`` regresses each indicator on the others, iterating until stable.
"""

from __future__ import annotations

import numpy as np

from shumao.index.data import Coin, Dataset, Step

METHODS = ("none", "mean", "median", "group_mean", "group_median", "em", "regression")


def impute(
    coin: Coin,
    *,
    dset: str = "Denominated",
    method: str = "group_mean",
    group: str | None = None,
    write_to: str = "Imputed",
    iterations: int = 100,
) -> Coin:
    if method not in METHODS:
        raise ValueError(f"impute method must be one of {METHODS}")
    ds = coin.dset(dset)
    groups = coin.units.group_of(group, ds.units) if group else None
    values = impute_values(ds.values, method, groups, iterations=iterations)
    details = {
        "imputed": int(np.isnan(ds.values).sum() - np.isnan(values).sum()),
        "still_missing": int(np.isnan(values).sum()),
        "cells": [
            [ds.units[i], ds.codes[j]]
            for i, j in zip(*np.nonzero(np.isnan(ds.values) & ~np.isnan(values)), strict=True)
        ],
    }
    settings = {"method": method, "group": group}
    return coin.add(
        Step("impute", settings, dset, write_to), Dataset(ds.units, ds.codes, values), details
    )


def impute_values(
    x: np.ndarray, method: str, groups: list[str | None] | None = None, *, iterations: int = 100
) -> np.ndarray:
    if method == "none" or not np.isnan(x).any():
        return x.copy()
    if method in ("mean", "median"):
        return _fill(x, np.nanmean if method == "mean" else np.nanmedian)
    if method in ("group_mean", "group_median"):
        if groups is None:
            raise ValueError(f"{method} needs a group")
        return _fill_groups(x, groups, np.nanmean if method == "group_mean" else np.nanmedian)
    if method == "em":
        return _em(x, iterations)
    return _regression(x, iterations)


def _fill(x: np.ndarray, stat: object) -> np.ndarray:
    out = x.copy()
    for j in range(x.shape[1]):
        col = out[:, j]
        miss = np.isnan(col)
        if miss.any() and not miss.all():
            col[miss] = stat(col)  # type: ignore[operator]
    return out


def _fill_groups(x: np.ndarray, groups: list[str | None], stat: object) -> np.ndarray:
    out = x.copy()
    labels = np.array(["" if g is None else str(g) for g in groups], dtype=object)
    known = np.array([g is not None for g in groups])
    for label in sorted(set(labels[known])):
        rows = (labels == label) & known
        block = out[rows]
        out[rows] = _fill(block, stat)
    return out


def _em(x: np.ndarray, iterations: int, tol: float = 1e-10) -> np.ndarray:
    """EM for a multivariate normal with missing values; returns the conditional means."""
    miss = np.isnan(x)
    filled = _fill(x, np.nanmean)
    n = x.shape[0]
    correction = np.zeros((x.shape[1], x.shape[1]))
    for _ in range(iterations):
        mu = filled.mean(axis=0)
        cov = np.cov(filled, rowvar=False, ddof=0) + correction / n
        correction = np.zeros_like(cov)
        new = filled.copy()
        for i in np.nonzero(miss.any(axis=1))[0]:
            m, o = miss[i], ~miss[i]
            if not o.any():
                continue
            coo = cov[np.ix_(o, o)]
            cmo = cov[np.ix_(m, o)]
            beta = np.linalg.lstsq(coo, cmo.T, rcond=None)[0].T
            new[i, m] = mu[m] + beta @ (x[i, o] - mu[o])
            correction[np.ix_(m, m)] += cov[np.ix_(m, m)] - beta @ cmo.T
        change = np.nanmax(np.abs(new - filled)) if miss.any() else 0.0
        filled = new
        if change < tol:
            break
    return filled


def _regression(x: np.ndarray, iterations: int, tol: float = 1e-10) -> np.ndarray:
    """Iterative regression imputation: each incomplete column on all the others."""
    miss = np.isnan(x)
    filled = _fill(x, np.nanmean)
    for _ in range(min(iterations, 50)):
        before = filled.copy()
        for j in np.nonzero(miss.any(axis=0))[0]:
            obs = ~miss[:, j]
            others = np.delete(filled, j, axis=1)
            design = np.column_stack([np.ones(len(x)), others])
            coef = np.linalg.lstsq(design[obs], x[obs, j], rcond=None)[0]
            filled[~obs, j] = design[~obs] @ coef
        if np.max(np.abs(filled - before)) < tol:
            break
    return filled
