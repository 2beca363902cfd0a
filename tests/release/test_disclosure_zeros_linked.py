"""Known zeros and linked tables: what an attacker knows beyond one table's published cells.

Empty cells (no contributors) and structural zeros are published zeros: never chosen as
secondary suppressions, and the audit (here an independent one) fixes them to zero. Two tables
that share cells are protected together, so that neither undoes the other's suppression.
"""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shumao.release import disclosure as sdc

from .sdc_cases import (
    assert_protected,
    cells_of,
    independent_intervals,
    recoverable,
    tau_micro,
    two_way,
)

LEGACY = sdc.Rules(threshold=3, dominance=((1, 85.0), (2, 85.0)))  # the rules before p%


@pytest.mark.parametrize("method", ["optimal", "greedy"])
def test_empty_cells_of_tau_testw_are_never_suppressed(method: str) -> None:
    """tau_testW, Size × Region (flat), the whole file: Size 2, 4 and 99 have records in only
    4, 3 and 1 of the 12 regions, so 28 inner cells are empty. The greedy method used to pick
    them as secondary suppressions; an attacker who knows they are zero then computed two
    suppressed cells exactly: Size 4 × Region 11 (15.00) and Size 6 × Region 9 (430,851)."""
    micro = tau_micro()
    cells = cells_of(micro, "Size", "Region", top=2)
    sizes = sorted(micro["Size"].unique().to_list())
    regions = sorted(micro["Region"].unique().to_list())
    marked = sdc.primary(cells, LEGACY)
    table = sdc.build_table(
        marked, ["Size", "Region"], [sdc.flat("Size", "T", sizes), sdc.flat("Region", "T", regions)]
    )
    assert len(table.known) == 28 and len(table.primary) == 6
    sdc.suppress(table, LEGACY, method=method)  # type: ignore[arg-type]
    assert not table.suppressed & table.known
    assert recoverable(table) == {}
    assert_protected(table, LEGACY)


def test_structural_zeros_are_known_too() -> None:
    frame, trees = two_way(
        {("r0", "c0"): 40.0, ("r0", "c1"): 0.0, ("r1", "c0"): 60.0, ("r1", "c1"): 70.0}
    )
    frame = frame.with_columns(
        ((pl.col("a") == "r0") & (pl.col("b") == "c1")).alias("structural_zero")
    )
    table = sdc.build_table(frame, ["a", "b"], trees)
    table.primary = {("r0", "c0")}
    assert table.known == {("r0", "c1")}
    sdc.suppress(table)
    # r0's other cell is a known zero, so the row total has to go with the primary cell
    assert ("r0", "c1") not in table.suppressed and ("r0", "T") in table.suppressed
    assert_protected(table)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["optimal", "greedy"]))
def test_no_suppressed_cell_is_recoverable_by_an_attacker_who_knows_the_zeros(
    data: st.DataObject, method: str
) -> None:
    """The property "no suppressed cell is recoverable", with the attacker knowing which
    cells are empty (zero): every suppressed cell keeps a non-point interval, every primary
    cell its protection levels, and no empty cell is ever suppressed."""
    n_rows, n_cols = data.draw(st.integers(2, 4)), data.draw(st.integers(2, 4))
    keys = list(
        itertools.product([f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)])
    )
    empty = set(data.draw(st.lists(st.sampled_from(keys), max_size=len(keys) // 2, unique=True)))
    values = {k: 0.0 if k in empty else float(data.draw(st.integers(1, 500))) for k in keys}
    frame, trees = two_way(values, empty)
    table = sdc.build_table(frame, ["a", "b"], trees)
    table.primary = (
        set(
            data.draw(
                st.lists(
                    st.sampled_from(sorted(set(keys) - empty) or keys),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
        )
        - empty
    )
    if not table.primary:
        return
    intervals = sdc.suppress(table, method=method)  # type: ignore[arg-type]
    assert not table.suppressed & table.known
    assert all(i.protected for i in intervals)  # totals can always absorb a deviation
    assert_protected(table)


# --------------------------------------------------------------------------- linked tables

# Enterprises (contributor, province, item, partner, value), found by a random search for
# two tables whose separate protection undoes itself: province × item (partner total) and
# province × partner (item total) share the province totals.
ENTERPRISES = [
    ("e0", "330000", "SK1", "JPN", 800.0),
    ("e1", "310000", "SI2", "JPN", 300.0),
    ("e2", "320000", "SJ2", "DEU", 10.0),
    ("e3", "310000", "SI2", "DEU", 300.0),
    ("e3", "310000", "SK1", "JPN", 100.0),
    ("e3", "310000", "SJ2", "JPN", 5.0),
    ("e4", "310000", "SI2", "JPN", 2.0),
    ("e4", "310000", "SJ2", "JPN", 2.0),
    ("e4", "310000", "SJ2", "JPN", 2.0),
    ("e5", "320000", "SK1", "JPN", 2.0),
    ("e5", "320000", "SJ2", "USA", 300.0),
    ("e5", "320000", "SJ2", "DEU", 5.0),
    ("e6", "330000", "SI2", "JPN", 800.0),
    ("e6", "330000", "SI2", "USA", 300.0),
    ("e7", "310000", "SJ2", "USA", 50.0),
    ("e7", "310000", "SJ2", "USA", 300.0),
    ("e7", "310000", "SK1", "JPN", 1.0),
    ("e8", "320000", "SJ2", "JPN", 1.0),
    ("e8", "320000", "SI2", "JPN", 10.0),
    ("e8", "320000", "SJ2", "USA", 5.0),
    ("e9", "330000", "SK1", "USA", 50.0),
    ("e10", "330000", "SJ2", "JPN", 800.0),
    ("e10", "330000", "SI2", "JPN", 100.0),
    ("e10", "330000", "SJ2", "DEU", 2.0),
    ("e11", "320000", "SJ2", "USA", 50.0),
    ("e11", "320000", "SI2", "USA", 2.0),
    ("e11", "320000", "SK1", "JPN", 1.0),
    ("e12", "310000", "SK1", "JPN", 5.0),
    ("e12", "310000", "SI2", "JPN", 100.0),
    ("e13", "310000", "SJ2", "JPN", 100.0),
    ("e13", "310000", "SK1", "DEU", 1.0),
]
DIMS = ["ref_area", "product", "counterpart_area"]
RULES = sdc.Rules(threshold=3, dominance=(), p_percent=((10.0, 1),))


def _cube() -> tuple[pl.DataFrame, pl.DataFrame, list]:
    """The two published tables: province × item (partner WLD), province × partner (item DD)."""
    micro = pl.DataFrame(ENTERPRISES, schema=["ent", *DIMS, "value"], orient="row")
    totals = {"ref_area": "CHN", "product": "DD", "counterpart_area": "WLD"}
    frames = []
    for keep in (("ref_area", "product"), ("ref_area", "counterpart_area")):
        rows = micro.with_columns(pl.lit(totals[d]).alias(d) for d in DIMS if d not in keep)
        for d in keep:
            rows = pl.concat([rows, rows.with_columns(pl.lit(totals[d]).alias(d))])
        per = rows.group_by(*DIMS, "ent").agg(pl.col("value").sum())
        frames.append(
            per.group_by(DIMS)
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
    trees = [sdc.flat(d, totals[d], sorted(micro[d].unique().to_list())) for d in DIMS]
    return frames[0], frames[1], trees


def _union_table(a: pl.DataFrame, b: pl.DataFrame, hidden: set, trees: list) -> sdc.Table:
    union = pl.concat([a, b]).unique(subset=DIMS)
    table = sdc.build_table(sdc.primary(union, RULES), DIMS, trees)
    table.suppressed = hidden
    return table


def _hidden(frame: pl.DataFrame) -> set[tuple[str, ...]]:
    return {
        tuple(r[d] for d in DIMS)
        for r in frame.iter_rows(named=True)
        if r["conf_status"] in ("C", "D")
    }


def _weak(table: sdc.Table) -> list[tuple[str, ...]]:
    out = []
    for cell, (lo, hi) in independent_intervals(table).items():
        value = table.values[cell]
        low, high = table.level(cell, RULES.protection) if cell in table.primary else (0, 0)
        if hi - lo <= 1e-6 or lo > value - low + 1e-6 or hi < value + high - 1e-6:
            out.append(cell)
    return out


def test_separately_protected_tables_undo_each_other() -> None:
    """Protected one by one, each table looks safe, but a province total one suppresses the
    other publishes: 320000's total becomes exact and 330000 × USA loses its protection."""
    a, b, trees = _cube()
    pa, pb = (sdc.protect_frame(t, DIMS, trees, RULES) for t in (a, b))
    shared = set(map(tuple, a.select(DIMS).rows())) & set(map(tuple, b.select(DIMS).rows()))
    hidden = (_hidden(pa) | _hidden(pb)) - {
        c for c in shared if not (c in _hidden(pa) and c in _hidden(pb))
    }  # a shared cell one table publishes is public
    table = _union_table(a, b, hidden, trees)
    assert set(_weak(table)) == {("320000", "DD", "WLD"), ("330000", "DD", "USA")}


@pytest.mark.parametrize("method", ["optimal", "greedy"])
def test_linked_tables_are_protected_together(method: str) -> None:
    a, b, trees = _cube()
    rules = sdc.Rules(**{**RULES.record(), "method": method})  # type: ignore[arg-type]
    la, lb = sdc.protect_linked([a, b], DIMS, trees, rules)
    assert la.height == a.height and lb.height == b.height
    shared = la.join(lb, on=DIMS, suffix="_b")
    assert (shared["conf_status"] == shared["conf_status_b"]).all()  # one status per cell
    table = _union_table(a, b, _hidden(la) | _hidden(lb), trees)
    assert _weak(table) == []
