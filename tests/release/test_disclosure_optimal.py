"""Optimal secondary suppression (MILP, HiGHS) against the published results of τ-ARGUS and
GaussSuppression, and against the greedy method on the same tables."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shumao.release import disclosure as sdc
from shumao.release.disclosure import optimal

from .sdc_cases import (
    assert_protected,
    cells_of,
    region_tree,
    secondary_value,
    tau_micro,
    tau_table,
    two_way,
)

NK_2_75 = sdc.Rules(threshold=0, dominance=((2, 75.0),), protection=0.0)


def _testrecode_table(method: str) -> tuple[sdc.Table, list[sdc.Interval]]:
    """τ-ARGUS's TestRecode.arb table 1: Size (1–5 recoded to 1) × Region (hierarchy with the
    missing code 99), Var2, NK(2,75), records as contributors, cost = Var2."""
    micro = tau_micro(sizes_1_to_5=True)
    regions = region_tree()
    cells = cells_of(micro, "Size", "Region", top=2, trees={"Region": regions})
    table = tau_table(sdc.primary(cells, NK_2_75), micro, regions)
    return table, sdc.suppress(table, NK_2_75, method=method)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["optimal", "greedy"])
def test_tau_argus_opt_on_its_own_test_table(method: str) -> None:
    """The τ-ARGUS engine's published OPT result on this table (repo trygu/tauargus,
    bindings/python/notebooks/02_protection_and_audit.ipynb, run 2026-10-10): 126 cells, 21
    empty, 1 unsafe by NK(2,75); after OPT 3 secondary cells, and the audit's intervals
    cell 78 [0, 30118] 18150, 79 [69831, 99949] 81799, 96 [0, 30118] 11968 (the primary),
    97 [126854, 156972] 145004 — i.e. Size 8 × Region 4, 8 × 5, 9 × 4 and 9 × 5."""
    table, intervals = _testrecode_table(method)
    assert len(table.values) == 126 and len(table.known) == 21
    assert table.primary == {("9", "4")}
    assert table.suppressed - table.primary == {("8", "4"), ("8", "5"), ("9", "5")}
    assert secondary_value(table) == 18150 + 81799 + 145004
    got = {i.cell: (round(i.low), round(i.high), i.value) for i in intervals}
    assert got == {
        ("8", "4"): (0, 30118, 18150),
        ("8", "5"): (69831, 99949, 81799),
        ("9", "4"): (0, 30118, 11968),
        ("9", "5"): (126854, 156972, 145004),
    }
    assert all(i.protected for i in intervals)
    assert table.outcome["method"] == method
    assert table.outcome["optimal"] is (method == "optimal")


def _magnitude1(test_data: Path) -> tuple[pl.DataFrame, list]:
    micro = pl.read_csv(test_data / "sdc_examples" / "gausssuppression_magnitude1.csv")
    cells = cells_of(micro, "sector4", "geo", total="Total", top=2)
    trees = [sdc.flat(d, "Total", sorted(micro[d].unique().to_list())) for d in ("sector4", "geo")]
    return cells, trees


GAUSS = [
    # GaussSuppression vignette "Magnitude table suppression" (cran/GaussSuppression 1.0.0,
    # inst/doc/Magnitude_table_suppression.html), each row a contribution: Table 2
    # (SuppressFewContributors, maxN = 1) and Table 3 (SuppressDominantCells, n = 1, k = 80).
    # The Gauss method protects against exact disclosure: protection 0 here.
    (
        "maxN = 1",
        sdc.Rules(threshold=2, dominance=(), protection=0.0),
        {("Entertainment", "Iceland"), ("Industry", "Spain")},
        {
            ("Entertainment", "Portugal"),
            ("Governmental", "Portugal"),
            ("Governmental", "Spain"),
            ("Industry", "Iceland"),
        },
    ),
    (
        "n = 1, k = 80",
        sdc.Rules(threshold=0, dominance=((1, 80.0),), protection=0.0),
        {
            ("Entertainment", "Iceland"),
            ("Governmental", "Portugal"),
            ("Industry", "Portugal"),
            ("Industry", "Spain"),
        },
        {("Entertainment", "Portugal"), ("Governmental", "Spain"), ("Industry", "Iceland")},
    ),
]


@pytest.mark.parametrize(
    ("name", "rules", "primary", "secondary"), GAUSS, ids=[g[0] for g in GAUSS]
)
def test_gausssuppression_vignette_patterns(
    test_data: Path, name: str, rules: sdc.Rules, primary: set, secondary: set
) -> None:
    cells, trees = _magnitude1(test_data)
    out = sdc.protect_frame(cells, ["sector4", "geo"], trees, rules)
    status = {(r["sector4"], r["geo"]): r["conf_status"] for r in out.iter_rows(named=True)}
    assert {k for k, s in status.items() if s == "C"} == primary
    assert {k for k, s in status.items() if s == "D"} == secondary
    assert status[("Agriculture", "Iceland")] == status[("Governmental", "Iceland")] == "F"


def test_optimal_suppresses_far_less_than_greedy_on_tau_testw() -> None:
    """τ-ARGUS's Simple2D GUI test (checkTauArgus): Size × Region of the whole file, p% rule
    p = 15, n = 1, cost = Var2. Optimal: 6 cells, 521,926; greedy: 20 cells, 2,358,791."""
    micro = tau_micro()
    regions = region_tree()
    rules = sdc.Rules(threshold=0, dominance=(), p_percent=((15.0, 1),), protection=0.0)
    cells = cells_of(micro, "Size", "Region", top=2, trees={"Region": regions})
    marked = sdc.primary(cells, rules)
    found = {}
    for method in ("optimal", "greedy"):
        table = tau_table(marked, micro, regions)
        sdc.suppress(table, rules, method=method)  # type: ignore[arg-type]
        assert_protected(table, rules)
        found[method] = (len(table.suppressed - table.primary), secondary_value(table))
    assert len(table.primary) == 9
    assert found == {"optimal": (6, 521926.0), "greedy": (20, 2358791.0)}


def test_cost_count_minimises_cells_and_cost_value_the_value() -> None:
    micro = tau_micro()
    regions = region_tree()
    base = sdc.Rules(threshold=0, dominance=(), p_percent=((15.0, 1),), protection=0.0)
    marked = sdc.primary(cells_of(micro, "Size", "Region", top=2, trees={"Region": regions}), base)
    result = {}
    for cost in ("value", "count"):
        rules = sdc.Rules(**{**base.record(), "cost": cost})  # type: ignore[arg-type]
        table = tau_table(marked, micro, regions)
        sdc.suppress(table, rules)
        assert table.outcome["optimal"] is True
        result[cost] = (len(table.suppressed - table.primary), secondary_value(table))
    assert result["count"][0] <= result["value"][0]
    assert result["value"][1] <= result["count"][1]


def test_greedy_takes_over_when_the_time_limit_passes() -> None:
    micro = tau_micro(sizes_1_to_5=True)
    regions = region_tree()
    rules = sdc.Rules(**{**NK_2_75.record(), "time_limit": 1e-9})  # type: ignore[arg-type]
    cells = cells_of(micro, "Size", "Region", top=2, trees={"Region": regions})
    table = tau_table(sdc.primary(cells, rules), micro, regions)
    intervals = sdc.suppress(table, rules)
    assert table.outcome["method"] == "greedy" and table.outcome["fallback"]
    assert all(i.protected for i in intervals)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_optimal_never_suppresses_more_value_than_greedy(data: st.DataObject) -> None:
    n_rows, n_cols = data.draw(st.integers(2, 4)), data.draw(st.integers(2, 5))
    keys = list(
        itertools.product([f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)])
    )
    values = {k: float(data.draw(st.integers(1, 500))) for k in keys}
    chosen = data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    frame, trees = two_way(values)
    spent = {}
    for method in ("optimal", "greedy"):
        table = sdc.build_table(frame, ["a", "b"], trees)
        table.primary = set(chosen)
        sdc.suppress(table, method=method)  # type: ignore[arg-type]
        assert_protected(table)
        spent[method] = secondary_value(table)
        if method == "optimal":
            assert table.outcome["optimal"] is True
    assert spent["optimal"] <= spent["greedy"] + 1e-6
    table = sdc.build_table(frame, ["a", "b"], trees)
    table.primary = set(chosen)
    table.suppressed |= table.primary
    compact, cuts = (optimal.solve_compact(table, sdc.Rules()), optimal.solve(table, sdc.Rules()))
    assert compact is not None and cuts is not None
    assert cuts.objective == pytest.approx(compact.objective, rel=1e-6)  # one optimum
