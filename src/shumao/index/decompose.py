"""Why did a unit's score move? Contributions of each indicator to the change of an index
between two builds (two years, or the same year on two vintages), and the revisions between
two builds.

Arithmetic aggregation at every level makes the index linear in the normalised indicators:
index = Σ Wᵢ·nᵢ with Wᵢ the product of the (re-scaled, for missing values) weights from the
indicator up to the index. The contribution of indicator i is then exactly
W_i^after·n_i^after − W_i^before·n_i^before, and the contributions sum to the change.

Other aggregations are not linear: the contributions are Shapley values over the indicators
— the average, over all orders of switching indicators from their *before* to their *after*
normalised values, of the change each switch makes (all 2^d subsets up to 14 indicators,
seeded random orders beyond). Shapley values also sum exactly to the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial
from typing import Any

import numpy as np

from shumao.index.aggregate import aggregate_all, results
from shumao.index.data import Coin

EXACT_UP_TO = 14


@dataclass(frozen=True)
class Contribution:
    code: str
    before: float
    after: float
    raw_before: float
    raw_after: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    unit: str
    before: float
    after: float
    method: str
    contributions: tuple[Contribution, ...]

    @property
    def change(self) -> float:
        return self.after - self.before

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "method": self.method,
            "contributions": [c.__dict__ for c in self.contributions],
        }


def _methods(coin: Coin) -> list[str]:
    step = next(s for s in reversed(coin.log) if s.name == "aggregate")
    return list(step.settings["method"])


def _vector(coin: Coin, dset: str, unit: str, codes: tuple[str, ...]) -> np.ndarray:
    ds = coin.dset(dset)
    if unit not in ds.units:
        return np.full(len(codes), np.nan)
    return np.array([ds.value(unit, c) for c in codes])


def explain(before: Coin, after: Coin, unit: str, *, seed: int = 1) -> Explanation:
    fw = after.framework
    codes = fw.indicators
    methods = _methods(after)
    if "copeland" in methods:
        raise ValueError("Copeland scores depend on every other unit: not decomposable per unit")
    n0, n1 = (_vector(c, "Normalised", unit, codes) for c in (before, after))
    r0, r1 = (_vector(c, "Raw", unit, codes) for c in (before, after))
    s0 = before.dset("Aggregated").value(unit, fw.root)
    s1 = after.dset("Aggregated").value(unit, fw.root)
    if all(m == "amean" for m in methods + _methods(before)):
        w0 = _linear_weights(before, n0)
        w1 = _linear_weights(after, n1)
        contrib = np.nan_to_num(w1 * n1) - np.nan_to_num(w0 * n0)
        how = "exact (arithmetic)"
    else:
        contrib = _shapley(after, n0, n1, methods, seed)
        how = "Shapley" if len(codes) <= EXACT_UP_TO else "Shapley (sampled orders)"
    items = tuple(
        Contribution(c, float(n0[i]), float(n1[i]), float(r0[i]), float(r1[i]), float(contrib[i]))
        for i, c in enumerate(codes)
    )
    return Explanation(unit, float(s0), float(s1), how, items)


def _linear_weights(coin: Coin, n: np.ndarray) -> np.ndarray:
    """Wᵢ for one unit: the index's derivative in each indicator (arithmetic everywhere)."""
    fw = coin.framework
    w = coin.effective_weights()
    avail = {c: not np.isnan(v) for c, v in zip(fw.indicators, n, strict=True)}
    for lev in range(2, fw.max_level + 1):
        for code in fw.level(lev):
            avail[code] = any(avail[k] for k in fw.children(code))
    share = {fw.root: 1.0}
    for lev in range(fw.max_level, 1, -1):
        for code in fw.level(lev):
            kids = [k for k in fw.children(code) if avail[k]]
            total = sum(w[k] for k in kids)
            for k in kids:
                share[k] = share.get(code, 0.0) * w[k] / total
    return np.array([share.get(c, 0.0) for c in fw.indicators])


def _score(coin: Coin, x: np.ndarray, methods: list[str]) -> np.ndarray:
    """The index of one unit for each row of ``x`` (rows: alternative indicator vectors)."""
    fw = coin.framework
    weights = {c: np.full(x.shape[0], v) for c, v in coin.effective_weights().items()}
    got = aggregate_all(fw, fw.indicators, x[:, None, :], weights, methods)
    return got[fw.root][:, 0]


def _shapley(
    coin: Coin, n0: np.ndarray, n1: np.ndarray, methods: list[str], seed: int
) -> np.ndarray:
    d = n0.size
    if d <= EXACT_UP_TO:
        masks = ((np.arange(1 << d)[:, None] >> np.arange(d)) & 1).astype(bool)
        values = _score(coin, np.where(masks, n1, n0), methods)
        size = masks.sum(axis=1)
        out = np.zeros(d)
        for i in range(d):
            without = ~masks[:, i]
            idx = np.nonzero(without)[0]
            k = size[idx]
            weight = np.array([factorial(s) * factorial(d - s - 1) for s in k]) / factorial(d)
            out[i] = np.sum(weight * (values[idx | (1 << i)] - values[idx]))
        return out
    rng = np.random.default_rng(seed)
    out = np.zeros(d)
    orders = 2000
    for _ in range(orders):
        order = rng.permutation(d)
        x = np.tile(n0, (d + 1, 1))
        for step, i in enumerate(order):
            x[step + 1 :, i] = n1[i]
        vals = _score(coin, x, methods)
        out[order] += np.diff(vals)
    return out / orders


def revisions(before: Coin, after: Coin) -> dict[str, Any]:
    """Scores and ranks that changed between two builds, and the input cells that did."""

    fw = after.framework
    a0, a1 = before.dset("Aggregated"), after.dset("Aggregated")
    k0, k1 = results(before), results(after)
    units = [u for u in a1.units if u in a0.units]
    rows = [
        {
            "unit": u,
            "before": a0.value(u, fw.root),
            "after": a1.value(u, fw.root),
            "rank_before": k0.value(u, fw.root),
            "rank_after": k1.value(u, fw.root),
        }
        for u in units
    ]
    raw0, raw1 = before.dset("Raw"), after.dset("Raw")
    cells = []
    for u in raw1.units:
        for c in raw1.codes:
            v1 = raw1.value(u, c)
            v0 = raw0.value(u, c) if u in raw0.units and c in raw0.codes else float("nan")
            if not (np.isnan(v0) and np.isnan(v1)) and v0 != v1:
                cells.append({"unit": u, "code": c, "before": v0, "after": v1})
    return {
        "scores": rows,
        "cells": cells,
        "entered": [u for u in a1.units if u not in a0.units],
        "left": [u for u in a0.units if u not in a1.units],
    }
