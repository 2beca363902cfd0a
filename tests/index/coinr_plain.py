"""COINr's ``build_example_coin`` written plainly in pandas, line by line after R/*.R.

Independent of ``shumao.index`` (no shared code): the tests compare every stage of the
package's build with this one, and ``benchmarks/index_build.py`` times the package against it.
It follows COINr's R code literally: column loops, ``groupby``, row-wise ``apply``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def read(idata: str, imeta: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(idata), pd.read_csv(imeta)


def denominate(data: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    out = data.copy()
    ind = meta[(meta.Type == "Indicator") & meta.Denominator.notna()]
    for _, row in ind.iterrows():
        out[row.iCode] = data[row.iCode] / (data[row.Denominator] / 1)
    return out


def impute_group_mean(data: pd.DataFrame, codes: list[str], group: str) -> pd.DataFrame:
    out = data.copy()
    for code in codes:
        means = data.groupby(group)[code].transform("mean")
        out[code] = data[code].fillna(means)
    return out


def screen(data: pd.DataFrame, codes: list[str], thresh: float) -> pd.DataFrame:
    avail = 1 - data[codes].isna().sum(axis=1) / len(codes)
    return data[avail >= thresh]


def _skew(s: pd.Series) -> float:
    x = s.dropna().to_numpy()
    n = len(x)
    d = x - x.mean()
    return np.sqrt(n) * (d**3).sum() / ((d**2).sum() ** 1.5) * np.sqrt(n * (n - 1)) / (n - 2)


def _kurt(s: pd.Series) -> float:
    x = s.dropna().to_numpy()
    n = len(x)
    d = x - x.mean()
    r = n * (d**4).sum() / ((d**2).sum() ** 2)
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def _passes(s: pd.Series) -> bool:
    return bool(abs(_skew(s)) < 2 or _kurt(s) < 3.5)


def treat(data: pd.DataFrame, codes: list[str], winmax: int = 5) -> tuple[pd.DataFrame, dict]:
    out = data.copy()
    log: dict[str, tuple[int, bool]] = {}
    for code in codes:
        x = data[code].copy()
        if _passes(x):
            continue
        nwin, imax, imin = 0, [], []
        while not _passes(x) and nwin < winmax:
            if _skew(x) >= 0:
                imax = list(x.index[x == x.max()])
                x[imax] = x.drop(imax).max()
            else:
                imin = list(x.index[x == x.min()])
                x[imin] = x.drop(imin).min()
            nwin = len(imax) + len(imin)
        logged = not _passes(x)
        if logged:
            raw = data[code]
            x = np.log(raw - raw.min() + 0.01 * (raw.max() - raw.min()))
        out[code] = x
        log[code] = (nwin, logged)
    return out, log


def normalise(data: pd.DataFrame, meta: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    out = data.copy()
    direction = meta.set_index("iCode").Direction
    for code in codes:
        x = data[code] * direction[code]
        out[code] = (x - x.min()) / (x.max() - x.min()) * (100 - 0) + 0
    return out


def aggregate(data: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    out = data.copy()
    levels = meta[meta.Type.isin(["Indicator", "Aggregate"])]
    for lev in range(2, int(levels.Level.max()) + 1):
        kids = levels[levels.Level == lev - 1]
        for parent, group in kids.groupby("Parent"):
            codes = list(group.iCode)
            w = group.set_index("iCode").Weight

            def amean(row: pd.Series, codes: list[str] = codes, w: pd.Series = w) -> float:
                ok = row[codes].notna()
                ww = w[ok] / w[ok].sum()
                return float((ww * row[codes][ok]).sum())

            out[parent] = out.apply(amean, axis=1)
    return out


def build(idata: pd.DataFrame, imeta: pd.DataFrame) -> dict[str, pd.DataFrame]:
    codes = list(imeta[imeta.Type == "Indicator"].iCode)
    stages = {"Denominated": denominate(idata, imeta)}
    stages["Imputed"] = impute_group_mean(stages["Denominated"], codes, "EurAsia_group")
    stages["Screened"] = screen(stages["Imputed"], codes, 0.9)
    stages["Treated"], _ = treat(stages["Screened"], codes)
    stages["Normalised"] = normalise(stages["Treated"], imeta, codes)
    stages["Aggregated"] = aggregate(stages["Normalised"], imeta)
    return stages
