"""Outlier treatment, exactly as COINr's ``Treat`` (R/treat.R, v1.1.14) does it by default.

For each indicator:

1. ``check``: it passes when ``|skew| < skew_thresh`` OR ``kurtosis < kurt_thresh`` (skew and
   kurtosis as e1071 type 2 / Excel, NaN-free values; fewer than 3 (skew) or 4 (kurtosis)
   values give NA, and R's three-valued OR decides: NA | TRUE is TRUE, NA | FALSE is NA — an
   NA result leaves the indicator untreated).
2. If it fails, ``winsorise``: while it fails and fewer than ``winmax`` points are winsorised,
   the maximum (skew ≥ 0) or minimum (skew < 0) value(s) take the value of the next one. The
   count is COINr's: the number of points at the last winsorised end(s) — tied points count
   together, which is how successive winsorisations add up.
3. If it still fails, ``log_CT`` on the **original** values (COINr's ``combine_treat = FALSE``):
   ``log(x − min(x) + 0.01 (max(x) − min(x)))``.

Every decision is kept: the details table (skew, kurtosis and pass flag before and after each
stage, points winsorised) and the treated points (``winhi``, ``winlo``, ``log_CT``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shumao.index.data import Coin, Dataset, Step

F2 = ("log_CT", "log_CT_orig", "log_CT_plus", "none")


@dataclass(frozen=True)
class Spec:
    winmax: int | None = 5
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    f2: str = "log_CT"
    force_win: bool = False
    combine_treat: bool = False


@dataclass
class Treated:
    x: np.ndarray
    points: list[str]
    details: dict[str, Any] = field(default_factory=dict)


def _centred(x: np.ndarray, least: int) -> tuple[np.ndarray | None, int]:
    """The non-missing values less their mean, or None with fewer than ``least`` of them."""
    x = x[~np.isnan(x)]
    return (x - x.mean() if x.size >= least else None), x.size


def skew(x: np.ndarray) -> float:
    d, n = _centred(x, 3)
    if d is None:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.sqrt(n) * np.sum(d**3) / (np.sum(d**2) ** 1.5)
        return float(y * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: np.ndarray) -> float:
    d, n = _centred(x, 4)
    if d is None:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = n * np.sum(d**4) / (np.sum(d**2) ** 2)
        return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def check(x: np.ndarray, spec: Spec) -> tuple[bool | None, float, float]:
    """COINr ``check_SkewKurt`` with R's NA logic: (pass or None, skew, kurtosis)."""
    sk, kt = skew(x), kurt(x)
    a = None if np.isnan(sk) else bool(abs(sk) < spec.skew_thresh)
    b = None if np.isnan(kt) else bool(kt < spec.kurt_thresh)
    if a is True or b is True:
        return True, sk, kt
    if a is None or b is None:
        return None, sk, kt
    return False, sk, kt


def winsorise(x: np.ndarray, spec: Spec) -> tuple[np.ndarray, int, list[str]] | None:
    """COINr ``winsorise``; ``None`` where R would stop (an NA check inside the loop)."""
    x = x.copy()
    passing, _, _ = check(x, spec)
    nwin = 0
    imax: np.ndarray | None = None
    imin: np.ndarray | None = None
    if passing is None and not spec.force_win:
        return None
    while (passing is False or spec.force_win) and (spec.winmax is None or nwin < spec.winmax):
        if skew(x) >= 0:
            imax = np.nonzero(x == np.nanmax(x))[0]
            x[imax] = _rest(x, imax, np.nanmax)
        else:
            imin = np.nonzero(x == np.nanmin(x))[0]
            x[imin] = _rest(x, imin, np.nanmin)
        nwin = (0 if imax is None else imax.size) + (0 if imin is None else imin.size)
        passing, _, _ = check(x, spec)
        if passing is None:
            return None
    treated = [""] * x.size
    for i in imax if imax is not None else ():
        treated[i] = "winhi"
    for i in imin if imin is not None else ():
        treated[i] = "winlo"
    return x, nwin, treated


def _rest(x: np.ndarray, drop: np.ndarray, stat: Any) -> float:
    rest = np.delete(x, drop)
    rest = rest[~np.isnan(rest)]
    return float(stat(rest)) if rest.size else float("nan")


def transform(x: np.ndarray, f2: str) -> np.ndarray:
    lo, hi = np.nanmin(x), np.nanmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        if f2 == "log_CT":
            return np.log(x - lo + 0.01 * (hi - lo))
        if f2 == "log_CT_orig":
            return np.log(x - lo + 1)
        if f2 == "log_CT_plus":
            a = 0.01 * (hi - lo)
            return np.log(x - lo + a) if skew(x) > 0 else -np.log(hi + a - x)
    raise ValueError(f"unknown second-stage treatment {f2!r}; one of {F2}")


def treat_column(x: np.ndarray, spec: Spec) -> Treated:
    """COINr ``Treat.numeric`` with f1 = winsorise, f2 = ``spec.f2``, f_pass = check."""
    pass0, sk0, kt0 = check(x, spec)
    out = Treated(x.copy(), [""] * x.size, {"pass0": pass0, "skew0": sk0, "kurt0": kt0})
    if pass0 is None or pass0:  # force_win only acts once the check has failed (as COINr)
        return out
    win = winsorise(x, spec)
    if win is None:
        out.details["untreated"] = "check returned NA while winsorising"
        return out
    x1, nwin, points = win
    pass1, sk1, kt1 = check(x1, spec)
    out.details.update(nwin=nwin, pass1=pass1, skew1=sk1, kurt1=kt1)
    out.x, out.points = x1, points
    if pass1 is None:
        out.x, out.points = x.copy(), [""] * x.size
        return out
    if pass1 or spec.f2 == "none":
        return out
    x2 = transform(x1 if spec.combine_treat else x, spec.f2)
    pass2, sk2, kt2 = check(x2, spec)
    out.details.update(pass2=pass2, skew2=sk2, kurt2=kt2)
    if pass2 is None:
        out.x, out.points = x.copy(), [""] * x.size
        return out
    out.x = x2
    out.points = [f"{p}+{spec.f2}" if p and spec.combine_treat else spec.f2 for p in points]
    return out


def treat(
    coin: Coin,
    *,
    dset: str = "Screened",
    write_to: str = "Treated",
    indiv: Mapping[str, Mapping[str, Any] | str] | None = None,
    **spec: Any,
) -> Coin:
    """Treat every indicator of ``dset``; ``indiv`` overrides per indicator (``"none"`` skips)."""
    ds = coin.dset(dset)
    base = Spec(**spec)
    values = ds.values.copy()
    table, points = [], {}
    for j, code in enumerate(ds.codes):
        own = (indiv or {}).get(code)
        if own == "none":
            continue
        col_spec = Spec(**{**base.__dict__, **own}) if isinstance(own, Mapping) else base
        result = treat_column(ds.values[:, j], col_spec)
        values[:, j] = result.x
        table.append({"code": code, **result.details})
        if any(result.points):
            points[code] = result.points
    settings = {**base.__dict__, "indiv": dict(indiv or {})}
    details = {"table": table, "points": points, "units": list(ds.units)}
    return coin.add(
        Step("treat", settings, dset, write_to), Dataset(ds.units, ds.codes, values), details
    )
