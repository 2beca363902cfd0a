"""Uncertainty and sensitivity analysis: Monte Carlo over the modelling choices, Sobol
first-order and total indices (SALib), rank intervals per unit.

The uncertain choices (each a factor of the Sobol design, sampled uniformly and mapped onto
its alternatives):

    impute      the imputation method (the build's, plus the alternatives given)
    treat       outlier treatment on or off
    normalise   the normalisation (default: min-max 1–100, or percentile ranks on 1–100;
                both strictly positive, so every aggregation alternative is defined)
    weights     one of ``weight_sets`` perturbed weight sets: every weight times U(1−x, 1+x)
    aggregate   the aggregation method, the same at every level

The output of a replication is the index of every unit and its rank; the Sobol indices are
those of the mean absolute rank shift from the nominal ranking (Saisana, Saltelli & Tarantola
2005). Every replication's parameters and the summary statistics of every data set it used are
kept (``Analysis.replications``, ``Analysis.variants``), so that one can check what was run.

Speed: the data sets before aggregation depend only on (impute, treat, normalise) — a few
variants, each built once by the ordinary steps; all replications of a variant and an
aggregation method are aggregated at once (``aggregate.aggregate_all`` on a stack).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import rankdata

from shumao.index.aggregate import aggregate_all
from shumao.index.data import Coin, Step
from shumao.index.impute import impute
from shumao.index.normalise import normalise
from shumao.index.treat import treat

FACTORS = ("impute", "treat", "normalise", "weights", "aggregate")
POSITIVE_NORMS: tuple[Mapping[str, Any], ...] = (
    {"method": "minmax", "range": [1, 100]},
    {"method": "percentile", "then_range": [1, 100]},
)


@dataclass(frozen=True)
class Settings:
    replications: int = 10_000
    """At least this many: Sobol needs N·(factors + 2) runs with N a power of two."""
    impute: tuple[str, ...] = ("mean", "median")
    normalise: tuple[Mapping[str, Any], ...] = POSITIVE_NORMS
    aggregate: tuple[str, ...] = ("amean", "gmean")
    weight_noise: float = 0.25
    weight_sets: int = 100
    seed: int = 20240101
    sobol: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "replications": self.replications,
            "impute": list(self.impute),
            "normalise": [dict(n) for n in self.normalise],
            "aggregate": list(self.aggregate),
            "weight_noise": self.weight_noise,
            "weight_sets": self.weight_sets,
            "seed": self.seed,
            "sobol": self.sobol,
        }


@dataclass
class Analysis:
    units: tuple[str, ...]
    nominal_rank: np.ndarray
    ranks: np.ndarray
    """(replications, units)"""
    scores: np.ndarray
    params: list[dict[str, Any]]
    replications: list[dict[str, Any]]
    variants: list[dict[str, Any]]
    weight_sets: list[dict[str, float]]
    sobol: dict[str, dict[str, float]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def rank_intervals(self) -> list[dict[str, Any]]:
        q = np.nanpercentile(self.ranks, [5, 50, 95], axis=0)
        return [
            {
                "unit": u,
                "nominal": int(self.nominal_rank[i]),
                "p05": float(q[0, i]),
                "median": float(q[1, i]),
                "p95": float(q[2, i]),
                "mean": float(np.nanmean(self.ranks[:, i])),
            }
            for i, u in enumerate(self.units)
        ]


def _choices(coin: Coin, st: Settings) -> dict[str, list[Any]]:
    nominal = _step_settings(coin, "impute")
    imps = [nominal] + [
        {"method": m, "group": None} for m in st.impute if m != nominal.get("method")
    ]
    return {
        "impute": imps,
        "treat": [True, False],
        "normalise": [dict(n) for n in st.normalise],
        "weights": list(range(st.weight_sets)),
        "aggregate": list(st.aggregate),
    }


def _step_settings(coin: Coin, name: str) -> dict[str, Any]:
    step = next((s for s in coin.log if s.name == name), None)
    return {
        k: v
        for k, v in (step.settings if step else {"method": "none"}).items()
        if k in ("method", "group")
    }


def _sample(st: Settings, sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of choice indices: a Sobol (Saltelli) design, or plain random draws."""
    d = len(FACTORS)
    if st.sobol:
        # deferred: SALib loads scipy (~1.2 s); only a sensitivity run needs it
        from SALib.sample import sobol as sobol_sample

        n = 1 << max(0, int(np.ceil(np.log2(max(1, st.replications / (d + 2))))))
        problem = {"num_vars": d, "names": list(FACTORS), "bounds": [[0, 1]] * d}
        u = sobol_sample.sample(problem, n, calc_second_order=False, seed=st.seed)
    else:
        u = np.random.default_rng(st.seed).random((st.replications, d))
    return np.minimum((u * np.array(sizes)).astype(int), np.array(sizes) - 1), u


def _weight_sets(coin: Coin, st: Settings) -> list[dict[str, float]]:
    rng = np.random.default_rng(st.seed + 1)
    base = coin.effective_weights()
    return [
        {c: w * rng.uniform(1 - st.weight_noise, 1 + st.weight_noise) for c, w in base.items()}
        for _ in range(st.weight_sets)
    ]


def _variant(
    coin: Coin,
    source: str,
    units: tuple[str, ...],
    imp: Mapping[str, Any],
    treated: bool,
    norm: Mapping[str, Any],
) -> tuple[np.ndarray, dict[str, Any]]:
    c = impute(
        coin, dset=source, method=imp["method"], group=imp.get("group"), write_to="SA_Imputed"
    )
    keep = np.isin(np.array(c.dset("SA_Imputed").units), units)
    ds = c.dset("SA_Imputed").select_units(keep)
    c = c.add(Step("select", {}, "SA_Imputed", "SA_Screened"), ds)
    c = (
        treat(c, dset="SA_Screened", write_to="SA_Treated", **_treat_settings(coin))
        if treated
        else c.add(Step("treat-off", {}, "SA_Screened", "SA_Treated"), ds)
    )
    spec = dict(norm)
    then = spec.pop("then_range", None)
    c = normalise(c, dset="SA_Treated", write_to="SA_Normalised", **spec)
    x = c.dset("SA_Normalised").values
    if then is not None:
        lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (x - lo) / (hi - lo) * (then[1] - then[0]) + then[0]
    stats = {name: c.dset(f"SA_{name}").summary() for name in ("Imputed", "Treated")}
    stats["Normalised"] = _summary(x)
    return x, stats


def _treat_settings(coin: Coin) -> dict[str, Any]:
    step = next((s for s in coin.log if s.name == "treat"), None)
    return dict(step.settings) if step else {}


def _summary(x: np.ndarray) -> dict[str, float | int]:
    ok = x[~np.isnan(x)]
    return {
        "n": int(ok.size),
        "missing": int(x.size - ok.size),
        "mean": float(ok.mean()),
        "sd": float(ok.std(ddof=1)),
        "min": float(ok.min()),
        "max": float(ok.max()),
    }


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks of −score along the units, ties the lowest rank; NaN stays NaN."""
    filled = np.where(np.isnan(scores), np.inf, -scores)
    r = rankdata(filled, method="min", axis=1).astype(float)
    return np.where(np.isnan(scores), np.nan, r)


def analyse(coin: Coin, settings: Settings | None = None, *, progress: Any = None) -> Analysis:
    """Run the replications around the built ``coin`` (its screened units, its weights)."""
    st = settings or Settings()
    fw = coin.framework
    choices = _choices(coin, st)
    idx, u = _sample(st, [len(choices[f]) for f in FACTORS])
    source = (
        next(s.reads for s in coin.log if s.name == "impute")
        if any(s.name == "impute" for s in coin.log)
        else "Raw"
    )
    units = coin.dset("Aggregated").units
    nominal = _ranks(coin.dset("Aggregated").col(fw.root)[None])[0]
    wsets = _weight_sets(coin, st)
    codes = coin.dset("Normalised").codes
    levels = fw.max_level - 1
    n = idx.shape[0]
    scores = np.full((n, len(units)), np.nan)
    variants: dict[tuple[int, int, int], tuple[int, np.ndarray]] = {}
    variant_rows: list[dict[str, Any]] = []
    keys: list[tuple[int, int, int, int]] = [
        (int(r[0]), int(r[1]), int(r[2]), int(r[4])) for r in idx
    ]
    for key in sorted(set(keys)):
        vkey = (key[0], key[1], key[2])
        if vkey not in variants:
            x, stats = _variant(
                coin,
                source,
                units,
                choices["impute"][vkey[0]],
                choices["treat"][vkey[1]],
                choices["normalise"][vkey[2]],
            )
            variants[vkey] = (len(variant_rows), x)
            variant_rows.append(
                {
                    "id": len(variant_rows),
                    "impute": choices["impute"][vkey[0]],
                    "treat": choices["treat"][vkey[1]],
                    "normalise": choices["normalise"][vkey[2]],
                    "stats": stats,
                }
            )
        _vid, x = variants[vkey]
        rows = np.array([i for i, k in enumerate(keys) if k == key])
        w = {c: np.array([wsets[int(idx[r, 3])][c] for r in rows]) for c in wsets[0]}
        method = choices["aggregate"][key[3]]
        stack = np.broadcast_to(x, (rows.size, *x.shape))
        got = aggregate_all(fw, codes, stack, w, [method] * levels)
        scores[rows] = got[fw.root]
        if progress:
            progress(rows.size)
    ranks = _ranks(scores)
    shift = np.nanmean(np.abs(ranks - nominal[None]), axis=1)
    vid_of = {k: variants[k][0] for k in variants}
    params = [
        {
            "impute": choices["impute"][r[0]]["method"],
            "treat": bool(choices["treat"][r[1]]),
            "normalise": _label(choices["normalise"][r[2]]),
            "weights": int(r[3]),
            "aggregate": choices["aggregate"][r[4]],
        }
        for r in idx.tolist()
    ]
    reps = [
        {
            "variant": vid_of[(k[0], k[1], k[2])],
            "u": [round(float(v), 6) for v in u[i]],
            "index": _summary(scores[i]),
            "mean_abs_rank_shift": float(shift[i]),
        }
        for i, k in enumerate(keys)
    ]
    out = Analysis(
        units=units,
        nominal_rank=nominal,
        ranks=ranks,
        scores=scores,
        params=params,
        replications=reps,
        variants=variant_rows,
        weight_sets=wsets,
        settings=st.as_dict(),
    )
    if st.sobol:
        out.sobol = _sobol(shift, st)
    return out


def _label(norm: Mapping[str, Any]) -> str:
    extra = {k: v for k, v in norm.items() if k != "method"}
    return norm["method"] + (f" {extra}" if extra else "")


def _sobol(y: np.ndarray, st: Settings) -> dict[str, dict[str, float]]:
    # deferred: SALib loads scipy (~1.2 s); only a sensitivity run needs it
    from SALib.analyze import sobol

    problem = {"num_vars": len(FACTORS), "names": list(FACTORS), "bounds": [[0, 1]] * len(FACTORS)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a factor with no effect: 0/0 → nan
        res = sobol.analyze(problem, y, calc_second_order=False, seed=st.seed, num_resamples=100)
    return {
        name: {
            "S1": _f(res["S1"][i]),
            "S1_conf": _f(res["S1_conf"][i]),
            "ST": _f(res["ST"][i]),
            "ST_conf": _f(res["ST_conf"][i]),
        }
        for i, name in enumerate(FACTORS)
    }


def _f(v: Any) -> float:
    return float(v) if np.isfinite(v) else 0.0
