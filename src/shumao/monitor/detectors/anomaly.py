"""Statistical anomalies in time series (docs/methods.md §7.3).

``outlier``  robust growth-rate outliers on log growth r = ln(yₜ / yₜ₋₁):
             * against the **peers** of the same period (same dataflow, partner, product,
               flow, indicator, frequency and kind of area — parks with parks, provinces with
               provinces): z = (r − median) / (1.4826 · MAD), flagged when |z| ≥ ``peer_t``
               with at least ``min_peers`` peers — how the bases' printed series (表3) are
               checked, three years each being too short for a series of its own;
             * along the **series** (Hampel filter, window 2k+1 = 2·``hampel_window``+1):
               |r − median_w| > ``hampel_t`` · 1.4826 · MAD_w.
``cusum``    tabular CUSUM (Montgomery) on the series' robustly standardised log growth:
             S⁺ₜ = max(0, S⁺ₜ₋₁ + zₜ − k), S⁻ likewise for −z; a level shift when either
             exceeds ``h``. Computed without a loop: S = C − min(0, minⱼ≤ₜ Cⱼ), C = Σ(z − k).
``stl``      robust STL (statsmodels) of monthly or quarterly series with at least
             ``min_cycles`` seasons; a residual beyond ``t`` robust standard deviations
             (at least 1 % of the series' level); the largest is reported.

Anomaly rules read the whole series, not only its latest period: an implausible jump in a
printed series stays a question to the source until it is revised. One hit per series: the
latest anomalous period, the others listed in ``fields``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from shumao.monitor.detectors.common import SERIES, empty_hits, hits, log_growth, ordered
from shumao.monitor.rules import Rule

MAD_SCALE = 1.4826
PERIODS = {"M": 12, "Q": 4}


def area_kind() -> pl.Expr:
    """Parks, provinces, cities/counties, countries, enterprises: peers are of one kind."""
    code = pl.col("ref_area")
    return (
        pl.when(code.str.starts_with("DSEB"))
        .then(pl.lit("park"))
        .when(code.str.contains(r"^\d{2}0000$"))
        .then(pl.lit("province"))
        .when(code.str.contains(r"^\d{6}$"))
        .then(pl.lit("local"))
        .when(code.str.len_chars() == 18)
        .then(pl.lit("enterprise"))
        .otherwise(pl.lit("other"))
    )


def outlier(frame: pl.DataFrame, rule: Rule, dataflow: str) -> pl.DataFrame:
    data = log_growth(ordered(frame)).filter(pl.col("r").is_not_null())
    if data.is_empty():
        return empty_hits()
    peer = _peer_z(data, rule)
    series = _hampel_z(data, rule)
    flagged = pl.concat([peer, series], how="diagonal_relaxed")
    return _one_per_series(flagged, dataflow, rule)


def _peer_z(data: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    t = float(rule.params["peer_t"])
    others = [d for d in SERIES if d != "ref_area"] + ["time_period"]
    areas = data.select(pl.col("ref_area").unique())  # the patterns once per area, not per row
    kinds = areas.with_columns(area_kind().alias("_kind"))
    kind = pl.col("ref_area").replace_strict(kinds["ref_area"], kinds["_kind"]).alias("_kind")
    data = data.with_columns(pl.struct([*others, kind]).hash(seed=7).alias("_peer"))
    scored = robust_z(data, "_peer").with_columns(pl.len().over("_peer").alias("_peers"))
    minimum = int(rule.params.get("min_peers", 4))
    return scored.filter(
        (pl.col("_peers") >= minimum) & pl.col("z").is_finite() & (pl.col("z").abs() >= t)
    ).with_columns(pl.lit("peer").alias("how"))


def robust_z(data: pl.DataFrame, group: str) -> pl.DataFrame:
    """``z`` = (r − median) / (1.4826 · MAD) within ``group``. The median is a column before
    the MAD reads it: a window inside a window (``(r - median.over(g)).median().over(g)``)
    makes polars evaluate the inner one group by group — at a million series, 20× the rest
    of the rule (benchmarks/README.md, monitor_10m)."""
    with_med = data.with_columns(pl.col("r").median().over(group).alias("_med"))
    dev = pl.col("r") - pl.col("_med")
    return (
        with_med.with_columns(dev.abs().median().over(group).alias("_mad"))
        .with_columns((dev / (MAD_SCALE * pl.col("_mad"))).alias("z"))
        .drop("_med", "_mad")
    )


def _hampel_z(data: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """Exact Hampel: the window's median and MAD around it, from shifted copies (no loop)."""
    k = int(rule.params.get("hampel_window", 2))
    t = float(rule.params.get("hampel_t", 3.0))
    if k < 1 or data.height == 0:
        return data.head(0)
    ids = data["_sid"].to_numpy()
    r = data["r"].to_numpy().astype(float)
    mid = np.arange(k, len(r) - k)
    # series are contiguous (sorted by _sid): the window is whole where its ends are the centre's
    mid = mid[(ids[mid - k] == ids[mid]) & (ids[mid + k] == ids[mid])]
    window = np.stack([r[mid + off] for off in range(-k, k + 1)], axis=1)
    full = np.isfinite(window).all(axis=1)
    mid, inner = mid[full], window[full]
    z = np.full(len(r), np.nan)
    with np.errstate(all="ignore"):
        med = np.median(inner, axis=1)  # no gaps: rows partitioned at C speed
        mad = np.median(np.abs(inner - med[:, None]), axis=1)
        z[mid] = (r[mid] - med) / (MAD_SCALE * mad)
    keep = np.isfinite(z) & (np.abs(z) > t)
    return (
        data.with_columns(pl.Series("z", z))
        .filter(pl.Series(keep))
        .with_columns(pl.lit("series").alias("how"))
    )


def _one_per_series(flagged: pl.DataFrame, dataflow: str, rule: Rule) -> pl.DataFrame:
    if flagged.is_empty():
        return empty_hits()
    ordered_ = flagged.sort(["_sid", "time_period", "how"])
    agg = ordered_.group_by([*SERIES, "_sid"], maintain_order=True).agg(
        pl.col("time_period").last(),
        pl.col("value").last(),
        pl.col("prev").last(),
        pl.col("change").last().round(2),
        pl.col("z").last().abs().round(2).alias("zabs"),
        pl.col("how").last(),
        pl.col("unit").last(),
        pl.col("unit_mult").last(),
        pl.col("time_period").unique(maintain_order=True).alias("periods"),
    )
    t = float(rule.params.get("peer_t", 3.0))
    return hits(
        agg.with_columns(pl.col("periods").list.join("、")),
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("value"),
        threshold=t,
        measure=pl.col("zabs"),
        extra=["change", "prev", "how", "periods", "zabs"],
    )


def cusum(frame: pl.DataFrame, rule: Rule, dataflow: str) -> pl.DataFrame:
    k, h = float(rule.params["k"]), float(rule.params["h"])
    need = int(rule.params.get("min_points", 8))
    data = log_growth(ordered(frame)).filter(pl.col("r").is_not_null())
    data = data.filter(pl.len().over("_sid") >= need - 1)
    if data.is_empty():
        return empty_hits()
    data = robust_z(data, "_sid").filter(pl.col("z").is_finite().all().over("_sid"))
    up = (pl.col("z") - k).cum_sum().over("_sid")
    down = (-pl.col("z") - k).cum_sum().over("_sid")
    data = data.with_columns(up.alias("_cu"), down.alias("_cd")).with_columns(
        (
            pl.col("_cu") - pl.min_horizontal(pl.lit(0.0), pl.col("_cu").cum_min().over("_sid"))
        ).alias("_su"),
        (
            pl.col("_cd") - pl.min_horizontal(pl.lit(0.0), pl.col("_cd").cum_min().over("_sid"))
        ).alias("_sd"),
    )
    data = data.with_columns(pl.max_horizontal("_su", "_sd").alias("s"))
    crossed = data.filter(pl.col("s") > h).sort(["_sid", "time_period"])
    first = crossed.group_by([*SERIES, "_sid"], maintain_order=True).agg(
        pl.col("time_period").first(),
        pl.col("value").first(),
        pl.col("unit").first(),
        pl.col("unit_mult").first(),
        pl.col("s").max().round(2).alias("stat"),
        pl.when(pl.col("_su") >= pl.col("_sd"))
        .then(pl.lit("up"))
        .otherwise(pl.lit("down"))
        .first()
        .alias("direction"),
    )
    return hits(
        first,
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("value"),
        threshold=h,
        measure=pl.col("stat"),
        extra=["stat", "direction"],
    )


def stl(frame: pl.DataFrame, rule: Rule, dataflow: str) -> pl.DataFrame:
    """STL residuals of monthly and quarterly series long enough for ``min_cycles`` seasons."""
    # deferred: statsmodels takes ~3 s to import; only this detector needs it
    from statsmodels.tsa.seasonal import STL

    t = float(rule.params["t"])
    cycles = int(rule.params.get("min_cycles", 2))
    data = ordered(frame)
    runs = data["_sid"].rle()  # sorted by series: one run per series, its length
    longest = runs.struct.field("len").max()
    if int(longest or 0) < min(PERIODS.values()) * cycles + 1:  # type: ignore[arg-type]
        return empty_hits()  # no series is long enough: nothing to decompose (nor copied)
    data = data.filter(pl.col("freq").is_in(list(PERIODS)))
    if data.is_empty():
        return empty_hits()
    need = pl.col("freq").replace_strict(PERIODS, return_dtype=pl.Int64) * cycles + 1
    data = data.filter(pl.len().over("_sid") >= need)  # long enough, before any loop
    rows = []
    for _key, part in data.group_by("_sid", maintain_order=True):
        period = PERIODS[part["freq"][0]]
        if part.height < cycles * period + 1 or part["value"].null_count():
            continue
        fit = STL(part["value"].to_numpy().astype(float), period=period, robust=True).fit()
        resid = np.asarray(fit.resid)
        level = float(np.median(np.abs(part["value"].to_numpy())))
        # a floor of 1 % of the series' level: a season repeated exactly leaves no residual,
        # and a zero MAD would make every rounding error an anomaly
        scale = max(MAD_SCALE * float(np.median(np.abs(resid - np.median(resid)))), 0.01 * level)
        if scale <= 0:
            continue
        z = (resid - np.median(resid)) / scale
        idx = np.flatnonzero(np.abs(z) >= t)
        if idx.size:
            i = int(idx[np.argmax(np.abs(z[idx]))])
            rows.append(
                {
                    **part.row(i, named=True),
                    "zabs": round(float(abs(z[i])), 2),
                    "periods": "、".join(part["time_period"][int(j)] for j in idx),
                }
            )
    if not rows:
        return empty_hits()
    found = pl.DataFrame(rows)
    return hits(
        found,
        dataflow,
        period=pl.col("time_period"),
        value=pl.col("value"),
        threshold=t,
        measure=pl.col("zabs"),
        extra=["zabs", "periods"],
    )
