"""Uncertainty and sensitivity analysis: what it ran is saved and can be checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from shumao.index import runs
from shumao.index.coinr import EXAMPLE_BUILD, read_idata
from shumao.index.data import Coin
from shumao.index.framework import load_framework
from shumao.index.pipeline import build
from shumao.index.sensitivity import FACTORS, Settings, analyse

FRAMEWORKS = Path(runs.__file__).with_name("frameworks")


@pytest.fixture(scope="module")
def asem(test_data: Path) -> Coin:
    fw = load_framework(test_data / "coinr_asem" / "ASEM_iMeta.csv")
    raw, units = read_idata(test_data / "coinr_asem" / "ASEM_iData.csv", fw)
    return build(fw, raw, units, EXAMPLE_BUILD)


def test_the_design_and_every_replication(asem: Coin) -> None:
    result = analyse(asem, Settings(replications=500, weight_sets=20))
    n = 128 * (len(FACTORS) + 2)  # Sobol: N = 2^⌈log2(500 / 7)⌉ = 128, N·(factors + 2) runs
    assert result.ranks.shape == (n, 51) and len(result.params) == n == len(result.replications)
    first = result.params[0]
    assert set(first) == set(FACTORS)
    assert first["aggregate"] in ("amean", "gmean") and 0 <= first["weights"] < 20
    variants = {v["id"]: v for v in result.variants}
    # every replication names the data sets it used, and their statistics are kept
    for rep in result.replications[:50]:
        stats = variants[rep["variant"]]["stats"]
        assert set(stats) == {"Imputed", "Treated", "Normalised"}
        assert stats["Normalised"]["min"] >= 1 - 1e-9 and stats["Normalised"]["max"] <= 100
        assert rep["index"]["n"] == 51
    # the replication of the nominal choices reproduces the nominal ranking
    nominal = [
        i
        for i, p in enumerate(result.params)
        if p["impute"] == "group_mean"
        and p["treat"]
        and p["aggregate"] == "amean"
        and p["normalise"].startswith("minmax")
    ]
    assert nominal
    shift = [result.replications[i]["mean_abs_rank_shift"] for i in nominal]
    assert min(shift) < 2  # only the weights differ from the nominal build
    s = result.sobol
    assert set(s) == set(FACTORS)
    assert all(v["ST"] >= -0.05 for v in s.values())
    for r in result.rank_intervals():
        assert r["p05"] <= r["median"] <= r["p95"]


def test_the_same_seed_gives_the_same_analysis(asem: Coin) -> None:
    a = analyse(asem, Settings(replications=100, weight_sets=5, seed=7))
    b = analyse(asem, Settings(replications=100, weight_sets=5, seed=7))
    np.testing.assert_array_equal(a.ranks, b.ranks)
    assert a.sobol == b.sobol


def test_a_stored_sensitivity_run_keeps_its_replications(index_store: Engine) -> None:
    fw = load_framework(FRAMEWORKS / "bases.yaml")
    built = runs.build_run(index_store, fw)
    run_id, result = runs.sensitivity_run(
        index_store, built.run_id, Settings(replications=200, weight_sets=10)
    )
    with index_store.connect() as conn:
        stored = runs.replications(conn, run_id)
        run = runs.get_run(conn, run_id)
    assert len(stored) == len(result.params) == 32 * 7
    assert stored[5]["params"] == result.params[5]
    assert stored[5]["stats"]["index"]["n"] == 7
    assert run.build_run_id == built.run_id and run.kind == "sensitivity"
    assert run.settings["weight_noise"] == 0.25 and run.settings["replications"] == 200
    assert len(run.summary["weight_sets"]) == 10
    assert {r["unit"] for r in run.summary["rank_intervals"]} == set(
        built.coin.dset("Aggregated").units
    )
