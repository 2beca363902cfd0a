"""Aggregation along the hierarchies: sums, contributors, dominance inputs, status."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shumao.compute import aggregate as agg
from shumao.compute import hierarchy as hier
from shumao.reference import fx
from shumao.validation import uscc

from .conftest import Obs, make_obs

PARENTS = ["DSEB05", "DSEB06", "DSEB01", "330108", "110105", "510104", "210202", "420102"]
ENTERPRISES = [uscc.make(f"91330100{i:09d}") for i in range(40)]


def _cell(frame: pl.DataFrame, **key: str) -> dict[str, object]:
    hit = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in key.items()))
    assert hit.height == 1, key
    return hit.row(0, named=True)


def test_enterprises_to_nation_with_contributors_and_status(obs: Obs) -> None:
    ents = ENTERPRISES[:4]
    tree = hier.geography(dict(zip(ents, ["DSEB06", "DSEB06", "DSEB05", "330108"], strict=True)))
    frame = obs(
        [
            {"ref_area": ents[0], "value": 10.0},
            {"ref_area": ents[1], "value": 5.0, "obs_status": "E"},
            {"ref_area": ents[2], "value": None, "obs_status": "M"},
            {"ref_area": ents[3], "value": 1.0},
        ],
        product="SI2",
        unit_mult=4,
    )
    out = agg.aggregate(frame, tree)
    park = _cell(out, ref_area="DSEB06")
    assert (park["value"], park["n_contributors"], park["top1"], park["top2"]) == (
        15.0,
        2,
        10.0,
        5.0,
    )
    assert (park["level"], park["agg_status"], park["obs_status"]) == ("park", "estimated", "E")
    nation = _cell(out, ref_area="CHN")
    assert (nation["value"], nation["n_contributors"], nation["n_missing"]) == (16.0, 3, 1)
    assert nation["agg_status"] == "estimated_incomplete"
    empty = _cell(out, ref_area="DSEB05")
    assert (empty["value"], empty["obs_status"], empty["n_contributors"]) == (None, "M", 0)
    assert _cell(out, ref_area=ents[1])["level"] == "enterprise"


def test_rollup_crosses_products_and_geography_counting_enterprises(obs: Obs) -> None:
    ents = ENTERPRISES[:2]
    tree = hier.geography({ents[0]: "DSEB06", ents[1]: "DSEB06"})
    frame = obs(
        [
            {"ref_area": ents[0], "product": "SI1", "value": 2.0},
            {"ref_area": ents[0], "product": "SI2", "value": 10.0},
            {"ref_area": ents[1], "product": "SJ1", "value": 4.0},
        ]
    )
    out = agg.rollup(frame, [tree, hier.ebops_tree("DD")], include_leaves=False)
    dd = _cell(out, ref_area="DSEB06", product="DD")
    # contributors are enterprises (2), and the largest is enterprise 1's DD total 12
    assert (dd["value"], dd["n_contributors"], dd["top1"], dd["top2"]) == (16.0, 2, 12.0, 4.0)
    assert _cell(out, ref_area="CHN", product="SI")["value"] == 12.0
    assert not out["level"].is_in(["enterprise"]).any()


def test_values_of_different_units_are_never_added(obs: Obs) -> None:
    frame = obs([{"ref_area": "330000", "unit_mult": 8}, {"ref_area": "320000", "unit_mult": 4}])
    out = agg.aggregate(frame, hier.geography()).filter(pl.col("ref_area") == "EAST")
    assert sorted(out["unit_mult"].to_list()) == [4, 8]
    same = agg.aggregate(agg.to_unit(frame, "亿美元"), hier.geography())
    assert _cell(same, ref_area="EAST")["value"] == pytest.approx(1.0001)


def test_to_unit_exchanges_by_the_periods_year(obs: Obs) -> None:
    frame = obs(
        [
            {"unit": "CNY", "unit_mult": 8, "value": 6.7261, "time_period": "2022"},
            {"unit": "PCT", "unit_mult": 0, "value": 5.0},
        ]
    )
    out = agg.to_unit(frame, "亿美元")
    assert out["value"][0] == pytest.approx(6.7261 / fx.rate(2022, "USD", "CNY"))
    assert out["unit"].to_list() == ["USD", "PCT"]


def test_groupings_use_membership_as_of_the_period(obs: Obs) -> None:
    rows = [
        {"counterpart_area": c, "time_period": p, "value": 1.0}
        for p in ("2023", "2024")
        for c in ("BRA", "RUS", "IND", "CHN", "ZAF", "EGY", "ARE")
    ]
    out = agg.aggregate_groups(obs(rows, ref_area="USA"), ["BRICS"])
    counts = dict(out.select("time_period", "n_contributors").iter_rows())
    assert counts == {"2023": 5, "2024": 7}
    assert set(out["counterpart_area"]) == {"BRICS"}


def test_leaves_only_drops_a_published_parent_next_to_its_parts(obs: Obs) -> None:
    frame = obs(
        [
            {"product": "SI", "value": 99.0},
            {"product": "SI1", "value": 1.0},
            {"product": "SI2", "value": 2.0},
            {"product": "SJ", "value": 5.0, "ref_area": "USA"},
        ]
    )
    kept = agg.leaves_only(frame, hier.ebops_tree())
    assert sorted(kept["product"].to_list()) == ["SI1", "SI2", "SJ"]
    out = agg.aggregate(kept, hier.ebops_tree())
    assert _cell(out, ref_area="CHN", product="SI")["value"] == 3.0


def test_unmapped_codes_are_reported_not_summed(obs: Obs) -> None:
    frame = obs([{"ref_area": "330000"}, {"ref_area": "XX"}])
    assert agg.unmapped(frame, hier.geography())["ref_area"].to_list() == ["XX"]
    assert _cell(agg.aggregate(frame, hier.geography()), ref_area="CHN")["value"] == 1.0


def test_period_totals_mark_incomplete_years(obs: Obs) -> None:
    months = [{"time_period": f"2024-{m:02d}", "value": 1.0} for m in range(1, 12)]
    frame = obs(months, freq="M")
    year = agg.period_totals(frame, "A").row(0, named=True)
    assert (year["value"], year["n_periods"], year["obs_status"]) == (11.0, 11, "E")
    quarters = agg.period_totals(frame, "Q").sort("time_period")
    assert quarters["obs_status"].to_list() == ["A", "A", "A", "E"]


# --------------------------------------------------------------------------- properties

leaf_values = st.lists(
    st.tuples(
        st.integers(0, len(ENTERPRISES) - 1),
        st.sampled_from(PARENTS),
        st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda t: t[0],
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaf_values)
def test_regrouping_preserves_totals(leaves: list[tuple[int, str, float | None]]) -> None:
    mapping = {ENTERPRISES[i]: parent for i, parent, _ in leaves}
    frame = make_obs(
        [
            {"ref_area": ENTERPRISES[i], "value": v, "obs_status": "M" if v is None else "A"}
            for i, _, v in leaves
        ]
    )
    out = agg.aggregate(frame, hier.geography(mapping))
    present = [v for _, _, v in leaves if v is not None]
    nation = _cell(out, ref_area="CHN")
    assert nation["n_contributors"] == len(present)
    if present:
        assert nation["value"] == pytest.approx(sum(present), rel=1e-9, abs=1e-6)
        ordered = sorted(present, reverse=True)
        assert nation["top1"] == ordered[0]
        assert nation["top2"] == (ordered[1] if len(ordered) > 1 else None)
        regions = out.filter(pl.col("level") == "region")["value"].fill_null(0).sum()
        assert regions == pytest.approx(sum(present), rel=1e-9, abs=1e-6)
    else:
        assert nation["value"] is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["SI1", "SI2", "SI3", "SJ1", "SJ2", "SK1", "SH", "SF"]),
            st.floats(0, 1e6, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda t: t[0],
    )
)
def test_product_regrouping_preserves_the_dd_total(items: list[tuple[str, float]]) -> None:
    frame = make_obs([{"product": p, "value": v} for p, v in items])
    out = agg.aggregate(frame, hier.ebops_tree("DD"))
    total = sum(v for _, v in items)
    assert _cell(out, product="DD")["value"] == pytest.approx(total, rel=1e-9, abs=1e-6)
    mains = out.filter(pl.col("level") == "main_item")["value"].sum()
    assert mains == pytest.approx(total, rel=1e-9, abs=1e-6)
