"""Why a score moved: the contributions sum to the change — exactly for arithmetic
aggregation, by construction for Shapley values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from index.factories import make_coin
from shumao.index.coinr import EXAMPLE_BUILD, from_idata
from shumao.index.data import Coin
from shumao.index.decompose import explain
from shumao.index.framework import load_framework
from shumao.index.pipeline import build


def _panel(test_data: Path, steps: object) -> dict[str, Coin]:
    fw = load_framework(test_data / "coinr_asem" / "ASEM_iMeta.csv")
    panel = pl.read_csv(test_data / "coinr_asem" / "ASEM_iData_p.csv", infer_schema_length=0)
    return {
        y: build(fw, *from_idata(panel.filter(pl.col("Time") == y), fw), steps)
        for y in ("2018", "2019")
    }


@pytest.mark.parametrize("unit", ["CHN", "DEU", "AUT"])
def test_arithmetic_contributions_sum_exactly(test_data: Path, unit: str) -> None:
    coins = _panel(test_data, EXAMPLE_BUILD)
    got = explain(coins["2018"], coins["2019"], unit)
    assert got.method == "exact (arithmetic)"
    total = sum(c.contribution for c in got.contributions)
    assert total == pytest.approx(got.change, abs=1e-9)
    assert got.before == coins["2018"].dset("Aggregated").value(unit, "Index")


def test_geometric_contributions_are_shapley_and_sum_exactly(test_data: Path) -> None:
    steps = [
        *EXAMPLE_BUILD[:4],
        {"normalise": {"method": "minmax", "range": [1, 100]}},
        {"aggregate": {"method": "gmean"}},
    ]
    coins = _panel(test_data, steps)
    got = explain(coins["2018"], coins["2019"], "CHN")
    assert got.method.startswith("Shapley")
    assert sum(c.contribution for c in got.contributions) == pytest.approx(got.change, abs=1e-9)


def test_exact_shapley_agrees_with_the_linear_split_for_a_mean() -> None:
    """With few indicators Shapley is exact; on an arithmetic index it equals Wᵢ·Δnᵢ."""
    from shumao.index.decompose import _shapley

    before = make_coin([[1.0, 2.0, 3.0], [4.0, 8.0, 1.0], [2.0, 5.0, 9.0]])
    after = make_coin([[1.5, 2.0, 2.0], [4.0, 9.0, 1.0], [2.0, 5.0, 8.0]])
    steps = [{"normalise": {"method": "minmax"}}, {"aggregate": {"method": "amean"}}]
    b = build(before.framework, before.dset("Raw"), before.units, steps)
    a = build(after.framework, after.dset("Raw"), after.units, steps)
    linear = explain(b, a, "U0")
    n0 = b.dset("Normalised").values[0]
    n1 = a.dset("Normalised").values[0]
    shap = _shapley(a, n0, n1, ["amean", "amean"], 1)
    np.testing.assert_allclose(shap, [c.contribution for c in linear.contributions], atol=1e-12)
    # weights: a 1/4·1/2, b 3/4·1/2, c 1/2 of the index
    np.testing.assert_allclose(
        [c.contribution for c in linear.contributions],
        [0.125 * (n1[0] - n0[0]), 0.375 * (n1[1] - n0[1]), 0.5 * (n1[2] - n0[2])],
        atol=1e-12,
    )


@settings(max_examples=40, deadline=None)
@given(
    arrays(float, (6, 3), elements=st.floats(1, 1e4)),
    arrays(float, (6, 3), elements=st.floats(1, 1e4)),
    st.sampled_from(["amean", "gmean", "hmean", "mpi"]),
)
def test_contributions_always_add_up(x0: np.ndarray, x1: np.ndarray, method: str) -> None:
    steps = [
        {"normalise": {"method": "minmax", "range": [1, 100]}},
        {"aggregate": {"method": method}},
    ]
    if np.any(np.ptp(x0, axis=0) == 0) or np.any(np.ptp(x1, axis=0) == 0):
        return  # a constant indicator has no min-max scale
    b = make_coin(x0)
    a = make_coin(x1)
    before = build(b.framework, b.dset("Raw"), b.units, steps)
    after = build(a.framework, a.dset("Raw"), a.units, steps)
    got = explain(before, after, "U2")
    assert sum(c.contribution for c in got.contributions) == pytest.approx(got.change, abs=1e-9)
