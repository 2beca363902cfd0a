"""Disclosure control: primary rules, secondary suppression, the LP audit, on the reference
examples of sdcTable, GaussSuppression and τ-ARGUS (tests/data/sdc_examples)."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compute.conftest import make_obs
from shumao.compute import aggregate as agg
from shumao.compute import hierarchy as hier
from shumao.release import disclosure as sdc
from shumao.validation import uscc

from .sdc_cases import assert_protected, cells_of, region_tree, sdctable_4x4, two_way

# --------------------------------------------------------------------------- primary


def test_threshold_and_dominance_rules() -> None:
    cells = pl.DataFrame(
        {
            "value": [100.0, 100.0, 100.0, 100.0, 0.0, 100.0],
            "n_contributors": [2, 5, 5, 5, 0, 3],
            "top1": [60.0, 90.0, 50.0, 30.0, None, 34.0],
            "top2": [40.0, 5.0, 40.0, 30.0, None, 33.0],
        }
    )
    out = sdc.primary(cells)
    assert out["reason"].to_list() == [
        "threshold",
        "dominance(1,85)",
        "dominance(2,85)",
        None,
        None,
        None,
    ]
    strict = sdc.primary(cells, sdc.Rules(threshold=4, dominance=((2, 60.0),)))
    assert strict["reason"].to_list() == [
        "threshold",
        "dominance(2,60)",
        "dominance(2,60)",
        None,
        None,
        "threshold",
    ]


def test_a_park_where_three_firms_make_90_percent() -> None:
    ents = [uscc.make(f"91330100{i:09d}") for i in range(6)]
    values = [40.0, 30.0, 20.0, 4.0, 3.0, 3.0]  # three firms: 90 %
    frame = make_obs([{"ref_area": e, "value": v} for e, v in zip(ents, values, strict=True)])
    cells = agg.aggregate(
        frame, hier.geography(dict.fromkeys(ents, "DSEB06")), top=3, include_leaves=False
    )
    park = cells.filter(pl.col("ref_area") == "DSEB06")
    assert sdc.primary(park)["primary"].to_list() == [False]  # (1,85) and (2,85) do not catch it
    rules = sdc.Rules(dominance=((1, 85.0), (2, 85.0), (3, 85.0)))
    assert sdc.primary(park, rules)["reason"].to_list() == ["dominance(3,85)"]


# --------------------------------------------------------------------------- reference examples


def test_sdctable_4x4_problem() -> None:
    table = sdctable_4x4()
    assert len(table.primary) == 9
    intervals = sdc.suppress(table)
    assert table.outcome["method"] == "optimal" and table.outcome["optimal"] is True
    assert all(i.protected for i in intervals)
    assert_protected(table)
    assert table.primary <= table.suppressed
    assert 1 <= len(table.suppressed - table.primary) <= 7  # totals stay published here
    assert ("T", "T") not in table.suppressed


def test_gausssuppression_magnitude_table(test_data: Path) -> None:
    micro = pl.read_csv(test_data / "sdc_examples" / "gausssuppression_magnitude1.csv")
    cells = cells_of(micro, "sector4", "geo", contributor="company", top=2)
    trees = [
        sdc.flat("sector4", "T", micro["sector4"].unique().to_list()),
        sdc.flat("geo", "T", micro["geo"].unique().to_list()),
    ]
    out = sdc.protect_frame(
        cells.rename({"sector4": "ref_area", "geo": "counterpart_area"}),
        ["ref_area", "counterpart_area"],
        [
            sdc.flat("ref_area", "T", trees[0].codes("member")),
            sdc.flat("counterpart_area", "T", trees[1].codes("member")),
        ],
    )
    primary = out.filter(pl.col("primary"))
    assert primary.height >= 3
    # every cell with one or two companies, or dominated, is hidden; empty cells never are
    few = pl.col("n_contributors").is_between(1, 2)
    assert out.filter(few)["conf_status"].is_in(["C", "D"]).all()
    assert out.filter(pl.col("n_contributors") == 0)["conf_status"].to_list() == ["F", "F"]
    public = sdc.public_view(out)
    assert public.filter(pl.col("conf_status").is_in(["C", "D"]))["value"].is_null().all()
    assert "top1" not in public.columns
    table = sdc.build_table(
        out,
        ["ref_area", "counterpart_area"],
        [
            sdc.flat("ref_area", "T", trees[0].codes("member")),
            sdc.flat("counterpart_area", "T", trees[1].codes("member")),
        ],
    )
    table.suppressed = {
        (r, c)
        for r, c, s in out.select("ref_area", "counterpart_area", "suppressed").iter_rows()
        if s
    }
    table.primary = {
        (r, c) for r, c, p in out.select("ref_area", "counterpart_area", "primary").iter_rows() if p
    }
    assert_protected(table)


def test_tau_argus_testdata_size_by_hierarchical_region(test_data: Path) -> None:
    micro = pl.read_csv(
        test_data / "sdc_examples" / "tau_testW.csv",
        schema_overrides={"Size": pl.String, "Region": pl.String},
    )
    micro = micro.filter(pl.col("Year") == 84).select(
        "Size", "Region", pl.col("Var2").cast(pl.Float64).alias("value")
    )
    sizes = sorted(micro["Size"].unique().to_list())
    regions = region_tree(missing_code=False)
    closure = regions.closure().select(pl.col("code").alias("Region"), "ancestor")
    rows = micro.join(closure, on="Region").drop("Region").rename({"ancestor": "Region"})
    with_size_total = pl.concat([rows, rows.with_columns(pl.lit("T").alias("Size"))])
    cells = (
        with_size_total.group_by("Size", "Region")
        .agg(
            pl.col("value").sum(),
            pl.len().alias("n_contributors"),
            pl.col("value").top_k(2).sort(descending=True).alias("_t"),
        )
        .with_columns(
            pl.col("_t").list.get(0, null_on_oob=True).alias("top1"),
            pl.col("_t").list.get(1, null_on_oob=True).alias("top2"),
        )
        .drop("_t")
    )
    trees = [sdc.flat("Size", "T", sizes), regions]
    marked = sdc.primary(cells)
    table = sdc.build_table(marked, ["Size", "Region"], trees)
    table.primary = {
        (s, r) for s, r, p in marked.select("Size", "Region", "primary").iter_rows() if p
    }
    assert len(table.primary) >= 5
    intervals = sdc.suppress(table)
    assert all(i.protected for i in intervals)
    assert_protected(table)


# --------------------------------------------------------------------------- property


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_suppression_never_leaves_a_cell_recoverable(data: st.DataObject) -> None:
    n_rows = data.draw(st.integers(2, 4))
    n_cols = data.draw(st.integers(2, 4))
    keys = list(
        itertools.product([f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)])
    )
    values = {k: float(data.draw(st.integers(0, 500))) for k in keys}
    primary = set(data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True)))
    frame, trees = two_way(values)
    table = sdc.build_table(frame, ["a", "b"], trees)
    table.primary = {p for p in primary if values[p] > 0}
    if not table.primary:
        return
    sdc.suppress(table)
    assert_protected(table)


def test_view_for_internal_users_and_the_public() -> None:
    frame = pl.DataFrame(
        {"value": [1.0, 2.0, 3.0], "conf_status": ["C", "D", "F"], "n_contributors": [1, 5, 9]}
    )
    assert sdc.view_for(frame, may_see_confidential=True)["value"].to_list() == [1.0, 2.0, 3.0]
    assert sdc.view_for(frame, may_see_confidential=False)["value"].to_list() == [None, None, 3.0]


@pytest.mark.parametrize("value", [0.0])
def test_empty_cells_are_not_sensitive(value: float) -> None:
    cells = pl.DataFrame(
        {"value": [value], "n_contributors": [0], "top1": [None], "top2": [None]},
        schema_overrides={"top1": pl.Float64, "top2": pl.Float64},
    )
    assert sdc.primary(cells)["primary"].to_list() == [False]
