"""Aggregate up the levels of the framework (COINr ``Aggregate``), one method per level.

Every function works on a stack of replications at once — values ``(R, units, children)``,
weights ``(R, children)`` — so that one build (R = 1) and ten thousand sensitivity
replications run the same code. Missing children are skipped and the weights of the others
re-scaled (COINr's ``a_amean``); ``dat_thresh`` makes a score missing when fewer than that
share of its children are available.

    amean      Σ w·x / Σ w                                   fully compensatory
    gmean      exp(Σ w·ln x / Σ w)                           needs x > 0
    hmean      Σ w / Σ (w/x)                                 needs x ≠ 0
    mpi        Mazziotta–Pareto: M − S²/M (= M − S·cv), M and S the weighted mean and sd
    copeland   row sums of the weighted outranking matrix (COINr ``a_copeland``): for each
               pair, the weight of the children where a unit is higher, half where equal
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from shumao.index.data import Coin, Dataset, Step
from shumao.index.framework import Framework
from shumao.index.normalise import rank_min

METHODS = ("amean", "gmean", "hmean", "mpi", "copeland")


class NotPositive(ValueError):
    def __init__(self, code: str, method: str) -> None:
        super().__init__(f"{code}: zero or negative values cannot be aggregated by {method}")
        self.code = code
        self.method = method


def combine(
    x: np.ndarray, w: np.ndarray, method: str, *, code: str = "", dat_thresh: float | None = None
) -> np.ndarray:
    """Aggregate ``x`` (R, units, children) with weights ``w`` (R, children) → (R, units)."""
    mask = ~np.isnan(x)
    x0 = np.where(mask, x, 0.0)
    wm = mask * w[:, None, :]
    den = wm.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "amean":
            out = np.einsum("ruc,ruc->ru", x0, wm / den[..., None])
        elif method == "gmean":
            if np.any(x0[mask] <= 0):
                raise NotPositive(code, method)
            out = np.exp(np.einsum("ruc,ruc->ru", np.log(np.where(mask, x, 1.0)), wm) / den)
        elif method == "hmean":
            if np.any(x0[mask] == 0):
                raise NotPositive(code, method)
            out = den / np.einsum("ruc,ruc->ru", np.where(mask, 1 / np.where(mask, x, 1.0), 0), wm)
        elif method == "mpi":
            wn = wm / den[..., None]
            mean = np.einsum("ruc,ruc->ru", x0, wn)
            var = np.einsum("ruc,ruc->ru", (x0 - mean[..., None]) ** 2 * mask, wn)
            out = mean - var / mean
        elif method == "copeland":
            out = _copeland(x, w)
        else:
            raise ValueError(f"unknown aggregation {method!r}; one of {METHODS}")
    out = np.where(mask.any(axis=2), out, np.nan)
    if dat_thresh is not None:
        out = np.where(mask.mean(axis=2) < dat_thresh, np.nan, out)
    return out


def _copeland(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    wn = w / w.sum(axis=1, keepdims=True)
    higher = x[:, :, None, :] > x[:, None, :, :]
    equal = x[:, :, None, :] == x[:, None, :, :]
    upper = np.einsum("rijc,rc->rij", higher, wn) + np.einsum("rijc,rc->rij", equal, wn) / 2
    n = x.shape[1]
    iu = np.triu_indices(n, 1)
    orm = np.zeros_like(upper)
    orm[:, iu[0], iu[1]] = upper[:, iu[0], iu[1]]
    orm[:, iu[1], iu[0]] = 1 - upper[:, iu[0], iu[1]]
    return orm.sum(axis=2)


def aggregate_all(
    fw: Framework,
    codes: Sequence[str],
    x: np.ndarray,
    weights: Mapping[str, np.ndarray],
    methods: Sequence[str],
    dat_thresh: Sequence[float | None] | None = None,
) -> dict[str, np.ndarray]:
    """Scores of every aggregate: ``x`` (R, units, indicators) in ``codes`` order, ``weights``
    code → (R,), ``methods`` one per level above the indicators. Returns code → (R, units)."""
    scores = {c: x[:, :, j] for j, c in enumerate(codes)}
    for lev in range(2, fw.max_level + 1):
        method = methods[lev - 2]
        thresh = dat_thresh[lev - 2] if dat_thresh else None
        for code in fw.level(lev):
            kids = fw.children(code)
            stack = np.stack([scores[k] for k in kids], axis=2)
            w = np.stack([weights[k] for k in kids], axis=1)
            scores[code] = combine(stack, w, method, code=code, dat_thresh=thresh)
    return scores


def per_level(method: str | Sequence[str], levels: int) -> list[str]:
    methods = [method] * levels if isinstance(method, str) else list(method)
    if len(methods) != levels or any(m not in METHODS for m in methods):
        raise ValueError(f"aggregation needs one of {METHODS} for each of {levels} level(s)")
    return methods


def aggregate(
    coin: Coin,
    *,
    dset: str = "Normalised",
    method: str | Sequence[str] = "amean",
    dat_thresh: float | Sequence[float] | None = None,
    write_to: str = "Aggregated",
) -> Coin:
    fw = coin.framework
    ds = coin.dset(dset)
    methods = per_level(method, fw.max_level - 1)
    thresh = (
        [dat_thresh] * (fw.max_level - 1) if isinstance(dat_thresh, int | float) else dat_thresh
    )
    w = {c: np.array([v]) for c, v in coin.effective_weights().items()}
    scores = aggregate_all(fw, ds.codes, ds.values[None], w, methods, thresh)
    new = [c for n in range(2, fw.max_level + 1) for c in fw.level(n)]
    out = ds.with_columns(new, np.column_stack([scores[c][0] for c in new]))
    settings = {"method": methods, "dat_thresh": thresh, "weights": coin.effective_weights()}
    return coin.add(Step("aggregate", settings, dset, write_to), out)


def results(coin: Coin, dset: str = "Aggregated") -> Dataset:
    """Ranks of every column: rank of −score, ties the lowest rank (COINr ``get_results``)."""

    ds = coin.dset(dset)
    ranks = np.column_stack([rank_min(-ds.values[:, j]) for j in range(len(ds.codes))])
    return Dataset(ds.units, ds.codes, ranks)
