"""A target's trajectory: current value, required path, trend, projection, status (pure).

Projection: statsmodels' ETS (``ETSModel``: additive errors, additive damped trend) fitted to
the annual series and forecast to the deadline with 80 % and 95 % prediction intervals.
Chosen over statsforecast because statsmodels is already a wheel in the environment and
brings STL with it (the seasonal rule), while statsforecast needs numba, whose JIT
compilation costs seconds on the first call of every process; ETSModel gives analytic
intervals for the additive model, which is what a band on a share needs.

Years without an observation between two observed years are filled by linear interpolation
for the model only and are marked ``interpolated`` (a gap is never hidden). With fewer than
four observed years there is no projection and the status says 数据不足.

Status (``STATUS``): 达标 met — the latest value already meets the target; 正常 on track — the
projection meets it at the deadline; 关注 watch — it does not, but the upper 80 % bound does;
预警 warning — not even the upper 80 % bound does (``severity`` 3 when the upper 95 % bound
misses too). The probability is P(value at the deadline meets the target) under the
forecast's normal distribution.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

STATUS = {
    "met": ("达标", "met"),
    "on_track": ("正常", "on track"),
    "watch": ("关注", "watch"),
    "warning": ("预警", "warning"),
    "no_data": ("数据不足", "not enough data"),
}
MIN_YEARS = 4
TREND_YEARS = 5


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    source: str = ""
    interpolated: bool = False


@dataclass
class Trajectory:
    target: float
    comparator: str
    deadline: int
    points: list[Point]
    current: Point | None = None
    required_per_year: float | None = None
    trend_per_year: float | None = None
    projection: list[tuple[int, float, float, float, float, float]] = field(default_factory=list)
    """(year, mean, lower80, upper80, lower95, upper95)."""
    at_deadline: float | None = None
    probability: float | None = None
    crossing_year: int | None = None
    status: str = "no_data"
    severity: int = 0

    @property
    def status_zh(self) -> str:
        return STATUS[self.status][0]

    @property
    def status_en(self) -> str:
        return STATUS[self.status][1]


def meets(value: float, target: float, comparator: str) -> bool:
    if comparator in ("≤", "<="):
        return value <= target
    if comparator == "about":
        return abs(value - target) <= 0.05 * abs(target)
    return value >= target


def filled(points: list[Point]) -> list[Point]:
    """Every year from the first to the last observation; gaps interpolated (marked)."""
    known = {p.year: p for p in sorted(points, key=lambda p: p.year)}
    years = sorted(known)
    out: list[Point] = []
    for a, b in itertools.pairwise(years):
        out.append(known[a])
        for y in range(a + 1, b):
            frac = (y - a) / (b - a)
            out.append(
                Point(
                    y, known[a].value + frac * (known[b].value - known[a].value), interpolated=True
                )
            )
    if years:
        out.append(known[years[-1]])
    return out


def trend(points: list[Point], years: int = TREND_YEARS) -> float | None:
    """Least-squares slope per year over the observed points of the last ``years`` years."""
    if not points:
        return None
    last = max(p.year for p in points)
    recent = [p for p in points if p.year > last - years and not p.interpolated]
    if len(recent) < 2:
        return None
    x = np.array([p.year for p in recent], dtype=float)
    y = np.array([p.value for p in recent], dtype=float)
    return float(np.polyfit(x, y, 1)[0])


def _forecast(series: list[Point], horizon: int) -> list[tuple[float, float, float, float, float]]:
    # deferred: pandas (~0.9 s) is needed only at this boundary with a pandas-only library
    import pandas as pd
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = pd.Series(
        [p.value for p in series],
        dtype=float,
        index=pd.period_range(str(series[0].year), periods=len(series), freq="Y"),
    )
    with warnings.catch_warnings():
        # a short annual series: the optimiser may stop at its iteration limit; the fit is
        # still the best it found, and the interval widths say how sure it is
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
        pred = fit.get_prediction(start=len(y), end=len(y) + horizon - 1)
        f80 = pred.summary_frame(alpha=0.2)
        f95 = pred.summary_frame(alpha=0.05)
    return [
        (float(m), float(a), float(b), float(c), float(d))
        for m, a, b, c, d in zip(
            f80["mean"],
            f80["pi_lower"],
            f80["pi_upper"],
            f95["pi_lower"],
            f95["pi_upper"],
            strict=True,
        )
    ]


def project(points: list[Point], *, target: float, comparator: str, deadline: int) -> Trajectory:
    """The trajectory of ``points`` (annual, any order) towards ``target`` by ``deadline``."""
    observed = sorted((p for p in points if math.isfinite(p.value)), key=lambda p: p.year)
    out = Trajectory(target, comparator, deadline, observed)
    if not observed:
        return out
    out.current = observed[-1]
    years_left = deadline - out.current.year
    out.required_per_year = (target - out.current.value) / years_left if years_left > 0 else None
    out.trend_per_year = trend(observed)
    if meets(out.current.value, target, comparator):
        out.status = "met"
    if len(observed) < MIN_YEARS or years_left <= 0:
        return out
    series = filled(observed)
    horizon = max(years_left, 1) + 10
    rows = _forecast(series, horizon)
    start = series[-1].year + 1
    out.projection = [(start + i, *r) for i, r in enumerate(rows)]
    at = next(r for r in out.projection if r[0] == deadline)
    out.at_deadline = at[1]
    sd = (at[5] - at[4]) / (2 * 1.959964) if at[5] > at[4] else 0.0
    out.probability = _probability(at[1], sd, target, comparator)
    out.crossing_year = next(
        (r[0] for r in out.projection if meets(r[1], target, comparator)), None
    )
    if out.status != "met":
        out.status, out.severity = _status(at, target, comparator)
    return out


def _probability(mean: float, sd: float, target: float, comparator: str) -> float:
    if sd <= 0:
        return 1.0 if meets(mean, target, comparator) else 0.0
    below = 0.5 * (1 + math.erf((target - mean) / (sd * math.sqrt(2))))
    return below if comparator in ("≤", "<=") else 1 - below


def _status(
    at: tuple[int, float, float, float, float, float], target: float, comparator: str
) -> tuple[str, int]:
    _, mean, _lo80, hi80, lo95, hi95 = at
    optimistic80 = _lo80 if comparator in ("≤", "<=") else hi80
    optimistic95 = lo95 if comparator in ("≤", "<=") else hi95
    if meets(mean, target, comparator):
        return "on_track", 0
    if meets(optimistic80, target, comparator):
        return "watch", 1
    return "warning", 2 if meets(optimistic95, target, comparator) else 3
