"""The detectors' array forms against the plain definitions they replace: the robust z within
a group (median and MAD), the Hampel window, the balance keyed by an integer, the decline's
join with only the periods compared — the same answers, series by series."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from shumao.monitor import rules
from shumao.monitor.detectors import anomaly, change, common

R = rules.packaged()


def _frame(rows: list[tuple[str, str, str, str, float]]) -> pl.DataFrame:
    """(area, partner, flow, period, value) rows of one product, annual, in 亿美元."""
    area, partner, flow, period, value = (list(c) for c in zip(*rows, strict=True))
    n = len(rows)
    return pl.DataFrame(
        {
            "ref_area": area,
            "counterpart_area": partner,
            "product": ["DD"] * n,
            "flow": flow,
            "indicator": ["_Z"] * n,
            "freq": ["A"] * n,
            "time_period": period,
            "value": value,
            "unit": ["USD"] * n,
            "unit_mult": pl.Series([8] * n, dtype=pl.Int16),
        }
    )


def test_robust_z_is_each_groups_median_and_mad() -> None:
    rng = np.random.default_rng(7)
    sizes = [1, 2, 5, 12, 40]
    data = pl.DataFrame(
        {
            "_sid": np.repeat(np.arange(len(sizes)), sizes),
            "r": rng.normal(size=sum(sizes)),
        }
    )
    z = anomaly.robust_z(data, "_sid")["z"].to_numpy()
    start = 0
    for n in sizes:
        r = data["r"].to_numpy()[start : start + n]
        med = np.median(r)
        mad = np.median(np.abs(r - med))
        with np.errstate(all="ignore"):
            expected = (r - med) / (anomaly.MAD_SCALE * mad)
        np.testing.assert_array_equal(z[start : start + n], expected)
        start += n
    assert np.isnan(z[0]), "one point: no spread, no z"


def _hampel_loop(r: np.ndarray, k: int, t: float) -> np.ndarray:
    """The textbook filter, point by point (the pandas twin of benchmarks/monitor_10m.py)."""
    flags = np.zeros(len(r), dtype=bool)
    for i in range(k, len(r) - k):
        w = r[i - k : i + k + 1]
        m = np.median(w)
        scale = 1.4826 * np.median(np.abs(w - m))
        flags[i] = scale > 0 and abs(r[i] - m) > t * scale
    return flags


def test_the_hampel_window_flags_what_the_loop_flags_series_by_series() -> None:
    rng = np.random.default_rng(11)
    sizes = [3, 4, 5, 6, 9, 12, 30]  # shorter than the window, exactly one window, longer
    r = rng.normal(size=sum(sizes))
    r[[6, 20, 40, 55]] += 8.0  # jumps, some near a series' edge
    sid = np.repeat(np.arange(len(sizes)), sizes)
    data = pl.DataFrame({"_sid": sid, "r": r, "i": np.arange(len(r))})
    found = anomaly._hampel_z(data, R.get("growth-outlier"))
    expected = np.concatenate([_hampel_loop(r[sid == s], 2, 3.0) for s in range(len(sizes))])
    assert sorted(found["i"].to_list()) == np.flatnonzero(expected).tolist()
    assert 55 in found["i"].to_list()  # +8 in the middle of the longest series


def test_a_balance_is_judged_series_by_series_and_named_by_its_own_dimensions() -> None:
    frame = _frame(
        [
            # 浙江 → USA: 5 − 3, then 4 − 6: turned negative in 2024
            *[("330000", "USA", f, p, v) for f, p, v in [("X", "2023", 5.0), ("M", "2023", 3.0)]],
            *[("330000", "USA", f, p, v) for f, p, v in [("X", "2024", 4.0), ("M", "2024", 6.0)]],
            # 浙江 → JPN: negative in both years, so not a turn
            *[("330000", "JPN", f, p, v) for f, p, v in [("X", "2023", 1.0), ("M", "2023", 2.0)]],
            *[("330000", "JPN", f, p, v) for f, p, v in [("X", "2024", 1.0), ("M", "2024", 3.0)]],
            # 广东 → USA: positive, then exports only (no balance in 2024): 2023 is its latest
            *[("440000", "USA", f, p, v) for f, p, v in [("X", "2023", 9.0), ("M", "2023", 1.0)]],
            ("440000", "USA", "X", "2024", 2.0),
        ]
    )
    hits = change.balance(common.prepare(frame), R.get("balance-negative"), "X_DDS")
    (hit,) = hits.iter_rows(named=True)
    assert (hit["ref_area"], hit["counterpart_area"], hit["flow"]) == ("330000", "USA", "B")
    assert hit["period"] == "2024" and hit["value"] == -2.0
    assert hit["series_key"] == "X_DDS:330000.USA.DD.B._Z.A"
    assert json.loads(hit["fields"])["prev"] == 2.0


def test_a_decline_compares_each_series_with_its_own_previous_period() -> None:
    """Series ending in different years: each is compared with the year before its own latest
    (not with the frame's latest year), and a series without that year is not judged."""
    frame = _frame(
        [
            ("330000", "USA", "X", "2022", 10.0),
            ("330000", "USA", "X", "2023", 7.0),  # latest 2023: −30 %
            ("440000", "USA", "X", "2023", 10.0),
            ("440000", "USA", "X", "2024", 9.0),  # latest 2024: −10 %
            ("110000", "USA", "X", "2022", 10.0),
            ("110000", "USA", "X", "2024", 1.0),  # no 2023: not judged
        ]
    )
    rule = R.get("decline-yoy")
    assert rule is not None
    hits = change.decline(common.prepare(frame), rule, "X_DDS")
    assert hits.select("ref_area", "period", "measure").rows() == [
        ("330000", "2023", pytest.approx(30.0))
    ]
