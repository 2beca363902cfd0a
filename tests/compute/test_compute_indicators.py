"""Indicators: definitions as data, and the pure functions computing them."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shumao.compute import aggregate as agg
from shumao.compute import hierarchy as hier
from shumao.compute import indicators as ind
from shumao.compute.shares import (
    dd_share_of_services,
    park_dd_export_share,
    share_of_parent,
    share_of_world,
)
from shumao.errors import UnknownCode

from .conftest import Obs, make_obs


def _values(frame: pl.DataFrame) -> list[float]:
    return frame.sort("time_period")["value"].to_list()


def test_every_definition_has_both_languages_and_a_function() -> None:
    ids = [d.id for d in ind.definitions()]
    assert {
        "GROWTH_YOY",
        "GROWTH_QOQ",
        "SHARE_PARENT",
        "SHARE_WORLD",
        "CAGR",
        "RANK",
        "BALANCE",
        "CONTRIB_GROWTH",
        "DD_SHARE_SERVICES",
        "PARK_DD_EXPORT_SHARE",
    } <= set(ids)
    for spec in ind.definitions():
        assert spec.name_zh and spec.name_en and spec.doc_zh and spec.doc_en and spec.formula
        assert spec.function in ind.FUNCTIONS
    with pytest.raises(UnknownCode):
        ind.definition("NOPE")


def test_yoy_growth_of_chinas_unctad_exports(obs: Obs) -> None:
    # UNCTAD panel, China exports, USD millions: 2021 191288, 2022 207007
    frame = obs(
        [{"time_period": "2021", "value": 191288.0}, {"time_period": "2022", "value": 207007.0}],
        unit_mult=6,
    )
    out = ind.compute("GROWTH_YOY", frame)
    assert out["indicator"].to_list() == ["GROWTH_YOY"]
    assert out["unit"].to_list() == ["PCT"]
    assert out["value"][0] == pytest.approx((207007 / 191288 - 1) * 100)


def test_growth_compares_values_in_different_multipliers(obs: Obs) -> None:
    frame = obs(
        [
            {"time_period": "2021", "value": 1.0, "unit_mult": 8},
            {"time_period": "2022", "value": 110.0, "unit_mult": 6},
        ]
    )
    assert ind.growth_yoy(frame)["value"][0] == pytest.approx(10.0)


def test_qoq_and_yoy_on_quarters(obs: Obs) -> None:
    periods = ["2023-Q1", "2023-Q4", "2024-Q1", "2024-Q2"]
    frame = obs(
        [{"time_period": p, "value": v} for p, v in zip(periods, [4, 8, 10, 5], strict=True)],
        freq="Q",
    )
    assert _values(ind.growth_qoq(frame)) == [25.0, -50.0]
    assert _values(ind.growth_yoy(frame)) == [150.0]


def test_cagr_uses_first_and_last_available_values(obs: Obs) -> None:
    frame = obs(
        [
            {"time_period": "2018", "value": None, "obs_status": "M"},
            {"time_period": "2019", "value": 100.0},
            {"time_period": "2020", "value": None, "obs_status": "M"},
            {"time_period": "2022", "value": 133.1},
        ]
    )
    out = ind.cagr(frame).row(0, named=True)
    assert out["value"] == pytest.approx(10.0)
    assert (out["time_period"], json.loads(out["attrs"])) == ("2022", {"start": "2019"})
    assert ind.growth_total(frame)["value"][0] == pytest.approx(33.1)


def test_share_of_world_from_wld_rows_or_a_given_total(obs: Obs) -> None:
    frame = obs([{"ref_area": "USA", "value": 6560.54}, {"ref_area": "WLD", "value": 41000.0}])
    assert share_of_world(frame)["value"][0] == pytest.approx(16.0013, abs=1e-4)
    given_total = share_of_world(
        frame.filter(pl.col("ref_area") == "USA"), 4.1, world_unit="万亿美元"
    )
    assert given_total["value"][0] == pytest.approx(16.0013, abs=1e-4)


def test_rank_balance_and_dd_share(obs: Obs) -> None:
    frame = obs(
        [
            {"ref_area": "USA", "value": 3.0},
            {"ref_area": "GBR", "value": 5.0},
            {"ref_area": "IRL", "value": 5.0},
        ]
    )
    ranks = dict(ind.rank(frame).select("ref_area", "value").iter_rows())
    assert ranks == {"GBR": 1.0, "IRL": 1.0, "USA": 3.0}
    trade = obs([{"flow": "X", "value": 2105.37}, {"flow": "M", "value": 1621.70}])
    bal = ind.balance(trade).row(0, named=True)
    assert (bal["flow"], round(bal["value"], 2)) == ("B", 483.67)
    services = obs([{"product": "DD", "value": 45.0}, {"product": "S", "value": 100.0}])
    assert dd_share_of_services(services)["value"].to_list() == [45.0]


def test_contribution_to_growth_adds_up_to_the_parents_growth(obs: Obs) -> None:
    frame = obs(
        [
            {"ref_area": "330000", "time_period": "2021", "value": 10.0},
            {"ref_area": "330000", "time_period": "2022", "value": 15.0},
            {"ref_area": "320000", "time_period": "2021", "value": 30.0},
            {"ref_area": "320000", "time_period": "2022", "value": 27.0},
        ]
    )
    cube = agg.aggregate(frame, hier.geography()).select(list(make_obs().columns))
    contrib = ind.contribution_to_growth(cube, hier.geography())
    provinces = contrib.filter(pl.col("ref_area").is_in(["330000", "320000"]))
    east = ind.growth_yoy(cube.filter(pl.col("ref_area") == "EAST"))["value"][0]
    assert provinces["value"].sum() == pytest.approx(east)
    assert sorted(provinces["value"].to_list()) == pytest.approx([-7.5, 12.5])


def test_park_digital_export_share_converts_units(obs: Obs) -> None:
    dd = obs([{"ref_area": "DSEB06", "value": 24.63}])  # 亿美元
    total = obs([{"ref_area": "DSEB06", "value": 6.7261 * 100, "unit": "CNY"}])  # 100 亿美元
    out = park_dd_export_share(dd, total)
    assert out["value"][0] == pytest.approx(24.63, rel=1e-9)


def test_prior_from_growth(obs: Obs) -> None:
    frame = obs(
        [
            {"indicator": "VALUE", "value": 110.0},
            {"indicator": "GROWTH_YOY", "value": 10.0, "unit": "PCT", "unit_mult": 0},
        ]
    )
    prior = ind.prior_from_growth(frame).row(0, named=True)
    assert (prior["time_period"], prior["obs_status"]) == ("2021", "E")
    assert prior["value"] == pytest.approx(100.0)


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "330000",
                    "320000",
                    "310000",
                    "110000",
                    "440000",
                    "510000",
                    "420000",
                    "210000",
                    "340000",
                ]
            ),
            st.floats(0.01, 1e5, allow_nan=False),
        ),
        min_size=1,
        max_size=9,
        unique_by=lambda t: t[0],
    )
)
def test_shares_of_a_parent_sum_to_100(provinces: list[tuple[str, float]]) -> None:
    frame = make_obs([{"ref_area": code, "value": v} for code, v in provinces])
    cube = agg.aggregate(frame, hier.geography()).select(list(frame.columns))
    shares = share_of_parent(cube, hier.geography())
    parents = hier.geography().nodes.select(pl.col("code").alias("ref_area"), "parent")
    by_parent = (
        shares.join(parents, on="ref_area")
        .group_by("parent")
        .agg(
            pl.col("value").sum().alias("exact"),
            pl.col("value").round(2).sum().alias("rounded"),
            pl.len().alias("n"),
        )
    )
    for _, exact, rounded, n in by_parent.iter_rows():
        assert exact == pytest.approx(100.0, abs=1e-9)
        assert abs(rounded - 100.0) <= 0.005 * n + 1e-9
