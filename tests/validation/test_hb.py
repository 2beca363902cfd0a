"""Hidiroglou–Berthelot edit checked against independent implementations' published results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shumao.validation.hb import QUANTILES, HBParams, Method, Quantile, hb
from shumao.validation.hb_frame import hb_frame


def test_ricefarms_matches_univoutl_readme(test_data: Path) -> None:
    """RiceFarms ``noutput``, period 5 → period 6, default U=0.5, A=0.05, C=4.

    Expected values are printed in the README of the R package univOutl (M. D'Orazio,
    github.com/marcellodo/univOutl, readme.md, section 4.1, ``HBmethod(yt1 = y5, yt2 = y6)``):
    ``bounds.E`` low -44.10808, up 44.39336; 22 outliers in the left tail and 4 in the right;
    the outlier positions; and the first six outliers' E scores.
    """
    data = pl.read_csv(test_data / "hb_examples" / "ricefarms_noutput_t5_t6.csv")
    result = hb(data["noutput_t5"].to_numpy(), data["noutput_t6"].to_numpy())
    assert result.method == "HB"
    assert result.lower == pytest.approx(-44.10808, abs=5e-6)
    assert result.upper == pytest.approx(44.39336, abs=5e-6)
    assert len(result.low_outliers) == 22
    assert len(result.high_outliers) == 4
    positions = (np.flatnonzero(result.outlier) + 1).tolist()
    assert positions == [
        18,
        21,
        22,
        24,
        25,
        26,
        37,
        39,
        69,
        77,
        79,
        82,
        90,
        93,
        99,
        101,
        102,
        103,
        108,
        110,
        116,
        129,
        134,
        138,
        145,
        168,
    ]
    scores = result.score[[17, 20, 21, 23, 24, 25]]
    assert scores == pytest.approx(
        [-103.58001, -58.12500, -65.04205, -283.11879, -276.25379, -60.77502], abs=5e-6
    )
    farm_18 = data.row(17, named=True)
    assert (farm_18["noutput_t5"], farm_18["noutput_t6"]) == (2200, 600)  # README's row 18


def test_ricefarms_polars_and_numpy_agree(test_data: Path) -> None:
    data = pl.read_csv(test_data / "hb_examples" / "ricefarms_noutput_t5_t6.csv")
    framed = hb_frame(data, group=[], y1="noutput_t5", y2="noutput_t6")
    assert framed.filter("hb_outlier")["pos"].to_list()[:3] == [18, 21, 22]
    assert framed["hb_lower"][0] == pytest.approx(-44.10808, abs=5e-6)
    assert framed["hb_upper"][0] == pytest.approx(44.39336, abs=5e-6)
    assert framed["hb_method"][0] == "HB"


BANFF = {
    # Banff unit tests (StatCan/gensol-banff, Python/tests/unit_tests/outlier/conftest.py,
    # ds_outlier_expected_outstatus_detailed_01, used by test_outlierC03_a: method="H", mii=3,
    # mei=2, defaults MDM=0.05 and EXPONENT=0): per variable the imputation bounds (MII),
    # the exclusion bounds (MEI) and the effects of the flagged units.
    "V1": {
        "imp": (-2.754166667, 4.2147619048),
        "excl": (-1.836904762, 2.809047619),
        "effects": {"R01": -4.089285714, "R07": -1.857142857},
    },
    "V2": {
        "imp": (-4.237425595, 2.7380952381),
        "excl": (-2.825744048, 1.8246031746),
        "effects": {"R01": 4.0666666667, "R07": 1.8444444444},
    },
}


@pytest.mark.parametrize("var", ["V1", "V2"])
def test_banff_unit_fixture_bounds_and_flags(test_data: Path, var: str) -> None:
    """Banff's historical HB: U = 0 (EXPONENT default), A = 0.05 (MDM), C = MII 3 / MEI 2.

    Banff takes quartiles as SAS does, which equals R's type 6 (``quantile="weibull"``).
    Banff flags R01 beyond the imputation bounds (ODIL/ODIR) and R07 only beyond the
    exclusion bounds (ODEL/ODER).
    """
    cur = pl.read_csv(test_data / "hb_examples" / "banff_unit_indata_01.csv")
    hist = pl.read_csv(test_data / "hb_examples" / "banff_unit_indata_hist_01.csv")
    expected = BANFF[var]
    ids = cur["ident"].to_list()
    for c, key, flagged in ((3.0, "imp", {"R01"}), (2.0, "excl", {"R01", "R07"})):
        params = HBParams(U=0.0, A=0.05, C=c, quantile="weibull")
        result = hb(hist[var].to_numpy(), cur[var].to_numpy(), params)
        assert (result.lower, result.upper) == pytest.approx(expected[key], abs=1e-9)
        assert {ids[i] for i in np.flatnonzero(result.outlier)} == flagged
    for ident, effect in expected["effects"].items():
        assert result.score[ids.index(ident)] == pytest.approx(effect, abs=1e-9)


@pytest.mark.parametrize("path", ["numpy", "polars", "rows"])
def test_banff_current_method_with_negatives(test_data: Path, path: str) -> None:
    """Banff's CURRENT method (E = the value itself), its unit test ``test_outlierB05_a``:
    fixture ``ds_outlier_indata_02``, V1 = 4 14 18 7 −1 5 3 −16 2 6, ``accept_negative``,
    MII 3, MEI 2. Expected (``ds_outlier_expected_outstatus_02``): R08 FTI (left), R03 FTI
    (right), R02 FTE (right). Banff's quartiles are type 6: Q1 = 1.25, Q3 = 8.75, median 4.5,
    so the imputation bounds are [−5.25, 17.25] and the exclusion bounds [−2, 13]."""
    data = pl.read_csv(test_data / "hb_examples" / "banff_unit_indata_02.csv")
    ids = data["ident"].to_list()
    found = {}
    for c, bounds in ((3.0, (-5.25, 17.25)), (2.0, (-2.0, 13.0))):
        params = HBParams(
            method="current", C=c, quantile="weibull", accept_negative=True, min_units=3
        )
        low, high, flagged = _run_path(path, data["V1"].cast(pl.Float64).to_numpy(), params)
        assert (low, high) == pytest.approx(bounds)
        found[c] = {ids[i] for i in np.flatnonzero(flagged)}
    assert found[3.0] == {"R03", "R08"}  # FTI
    assert found[2.0] - found[3.0] == {"R02"}  # FTE


def _run_path(path: str, values: np.ndarray, params: HBParams) -> tuple[float, float, np.ndarray]:
    """The CURRENT method through one of the three implementations: bounds and flags."""
    from shumao.validation.hb_rows import hb_rows

    if path == "numpy":
        result = hb(None, values, params)
        return result.lower, result.upper, result.outlier
    if path == "polars":
        framed = hb_frame(pl.DataFrame({"y2": values}), group=[], params=params)
        return framed["hb_lower"][0], framed["hb_upper"][0], framed["hb_outlier"].to_numpy()
    out = hb_rows(values[None, :], params)  # one series: its periods are the units
    flags = np.array(
        [
            hb_rows(np.append(np.delete(values, i), values[i])[None, :], params)["outlier"][0]
            for i in range(len(values))
        ]
    )  # unit i as the current
    return float(out["lower"][0]), float(out["upper"][0]), flags


def test_banff_negative_and_zero_values_are_excluded(test_data: Path) -> None:
    """Fixture 02 holds negatives and zeros (Banff's accept_negative tests); HB skips them."""
    cur = pl.read_csv(test_data / "hb_examples" / "banff_unit_indata_02.csv")
    hist = pl.read_csv(test_data / "hb_examples" / "banff_unit_indata_hist_01.csv")
    result = hb(hist["V2"].to_numpy(), cur["V2"].to_numpy(), HBParams(U=0.0, C=3.0))
    excluded = {cur["ident"][int(i)] for i in result.excluded}
    assert excluded == {"R05", "R06", "R08"}  # V2 = 0, -2, -14
    assert result.n == 7
    assert result.method == "MAD"  # 7 units < min_obs 10


def test_mad_fallback_small_group_by_hand() -> None:
    """Five units, U = 0, A = 0.05, C = 4; fewer than 10 units, so the MAD bounds apply.

    y1 = 10 for all; y2 = 10, 11, 12, 9, 30 → r = 1.0, 1.1, 1.2, 0.9, 3.0; r_med = 1.1.
    s = 1 - 1.1/1.0 = -0.1; 0; 1.2/1.1 - 1 = 0.090909; 1 - 1.1/0.9 = -0.222222;
        3.0/1.1 - 1 = 1.727273.   With U = 0, E = s; E_med = 0.
    |E - E_med| sorted: 0, 0.090909, 0.1, 0.222222, 1.727273 → MAD = 0.1.
    d = max(1.4826 × 0.1, |0.05 × 0|) = 0.14826 → bounds ±4 × 0.14826 = ±0.59304.
    Only the fifth unit (E = 1.727273) is outside.
    """
    result = hb([10, 10, 10, 10, 10], [10, 11, 12, 9, 30], HBParams(U=0.0))
    assert result.method == "MAD"
    assert result.median_ratio == pytest.approx(1.1)
    assert result.score == pytest.approx([-0.1, 0.0, 0.0909091, -0.2222222, 1.7272727], abs=1e-6)
    assert (result.lower, result.upper) == pytest.approx((-0.59304, 0.59304), abs=1e-9)
    assert result.outlier.tolist() == [False, False, False, False, True]


def test_groups_too_small_are_not_assessed() -> None:
    result = hb([1, 2, 3], [1, 2, 300])
    assert result.method == "none"
    assert not result.outlier.any()


positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(positive, positive), min_size=4, max_size=40),
    st.sampled_from([0.0, 0.5, 1.0]),
    st.sampled_from(QUANTILES),
    st.sampled_from(["ratio", "current"]),
)
def test_polars_path_equals_numpy_path(
    pairs: list[tuple[float, float]], u: float, quantile: Quantile, method: Method
) -> None:
    """Every quartile definition and both methods, the many-groups path against numpy's."""
    y1 = [a for a, _ in pairs]
    y2 = [b for _, b in pairs]
    params = HBParams(U=u, quantile=quantile, method=method)
    ref = hb(y1, y2, params)
    framed = hb_frame(pl.DataFrame({"y1": y1, "y2": y2}), group=[], params=params)
    assert framed["hb_score"].to_numpy() == pytest.approx(ref.score, rel=1e-9, abs=1e-9)
    assert framed["hb_lower"][0] == pytest.approx(ref.lower, rel=1e-9, abs=1e-9)
    assert framed["hb_upper"][0] == pytest.approx(ref.upper, rel=1e-9, abs=1e-9)
    assert framed["hb_method"][0] == ref.method


def test_hb_frame_scores_each_group_separately() -> None:
    frame = pl.DataFrame(
        {
            "g": ["a"] * 5 + ["b"] * 5,
            "y1": [10.0] * 10,
            "y2": [10, 11, 12, 9, 30, 100, 110, 120, 90, 300],
        }
    )
    out = hb_frame(frame, group=["g"], params=HBParams(U=0.0))
    assert out.filter("hb_outlier")["y2"].to_list() == [30, 300]
    assert out["hb_n"].to_list() == [5] * 10


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(positive, st.just(0.0), st.just(float("nan"))), min_size=9, max_size=9),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(
        [
            HBParams(),
            HBParams(U=0.0, C=3.0),
            HBParams(min_obs=5),
            HBParams(min_obs=5, quantile="weibull"),
            HBParams(quantile="hazen"),
            HBParams(method="current", min_obs=5, quantile="median_unbiased"),
            HBParams(method="current", min_obs=5, quantile="normal_unbiased"),
        ]
    ),
)
def test_row_wise_history_equals_numpy_hb(rows: list[list[float]], params: HBParams) -> None:
    """hb_rows (one series per row, as the history check uses) equals hb() on each series."""
    from shumao.validation.hb_rows import hb_rows

    out = hb_rows(np.array(rows), params)
    for i, values in enumerate(rows):
        ref = (
            hb(None, values, params)
            if params.method == "current"  # the periods are units
            else hb(values[:-1], values[1:], params)
        )
        assert out["method"][i] == ref.method
        assert out["n"][i] == ref.n
        if ref.method != "none":
            assert out["lower"][i] == pytest.approx(ref.lower, rel=1e-9, abs=1e-9)
            assert out["upper"][i] == pytest.approx(ref.upper, rel=1e-9, abs=1e-9)
        assert bool(out["outlier"][i]) == bool(ref.outlier[-1])
        if not np.isnan(ref.score[-1]):
            assert out["score"][i] == pytest.approx(ref.score[-1], rel=1e-9, abs=1e-9)
