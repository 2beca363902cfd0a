"""Analysis of a built coin: indicator statistics, correlations within and across levels,
Cronbach's alpha and PCA per aggregation group (COINr ``get_stats``, ``get_corr``,
``get_cronbach``, ``get_PCA``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from shumao.index.data import Coin
from shumao.index.treat import Spec, check, kurt, skew


def stats(coin: Coin, dset: str = "Raw") -> list[dict[str, Any]]:
    """Per indicator: availability, min/max/mean/median/sd, skew, kurtosis, outlier flag."""
    ds = coin.dset(dset)
    out = []
    for j, code in enumerate(ds.codes):
        x = ds.values[:, j]
        ok = x[~np.isnan(x)]
        passes, _sk, _kt = check(x, Spec())
        q1, q3 = np.percentile(ok, [25, 75]) if ok.size else (np.nan, np.nan)
        iqr = q3 - q1
        out.append(
            {
                "code": code,
                "available": float(ok.size / x.size),
                "n": int(ok.size),
                "min": _f(ok.min()) if ok.size else None,
                "max": _f(ok.max()) if ok.size else None,
                "mean": _f(ok.mean()) if ok.size else None,
                "median": _f(np.median(ok)) if ok.size else None,
                "sd": _f(ok.std(ddof=1)) if ok.size > 1 else None,
                "skew": _f(skew(x)),
                "kurt": _f(kurt(x)),
                "outliers_iqr": int(np.sum((ok < q1 - 1.5 * iqr) | (ok > q3 + 1.5 * iqr))),
                "skew_kurt_flag": passes is False,
            }
        )
    return out


def _f(v: float) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def correlations(coin: Coin, dset: str = "Aggregated") -> dict[str, Any]:
    """Pearson correlations of every column with every other (pairwise complete)."""
    ds = coin.dset(dset)
    n = len(ds.codes)
    r = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(i, n):
            a, b = ds.values[:, i], ds.values[:, j]
            ok = ~(np.isnan(a) | np.isnan(b))
            if ok.sum() > 2 and np.std(a[ok]) > 0 and np.std(b[ok]) > 0:
                r[i, j] = r[j, i] = np.corrcoef(a[ok], b[ok])[0, 1]
    return {"codes": list(ds.codes), "r": [[_f(v) for v in row] for row in r]}


def cronbach(x: np.ndarray) -> float | None:
    """Cronbach's alpha of the columns of ``x`` (complete rows)."""
    x = x[~np.isnan(x).any(axis=1)]
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return None
    total = x.sum(axis=1).var(ddof=1)
    return _f(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total)) if total else None


def groups(coin: Coin, dset: str = "Normalised") -> list[dict[str, Any]]:
    """For each aggregate: its children's Cronbach's alpha and first principal component."""
    fw = coin.framework
    agg = coin.dset("Aggregated") if "Aggregated" in coin.data else coin.dset(dset)
    out = []
    for lev in range(2, fw.max_level + 1):
        for code in fw.level(lev):
            kids = [k for k in fw.children(code) if k in agg.codes]
            x = agg.cols(kids)
            row: dict[str, Any] = {"code": code, "children": kids, "alpha": cronbach(x)}
            complete = x[~np.isnan(x).any(axis=1)]
            if len(kids) > 1 and complete.shape[0] > 2:
                z = (complete - complete.mean(axis=0)) / np.where(
                    complete.std(axis=0, ddof=1) > 0, complete.std(axis=0, ddof=1), 1
                )
                vals, vecs = np.linalg.eigh(np.cov(z, rowvar=False))
                row["pc1_variance"] = _f(vals[-1] / vals.sum())
                row["pc1_loadings"] = dict(
                    zip(kids, (vecs[:, -1] * np.sign(vecs[:, -1].sum() or 1)).tolist(), strict=True)
                )
            out.append(row)
    return out
