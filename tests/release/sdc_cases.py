"""Helpers of the disclosure-control tests: the reference examples as tables, and an audit
written independently of ``shumao.release.disclosure``.

The examples (tests/data/sdc_examples, ATTRIBUTION.md): τ-ARGUS's tau_testW with its Region
hierarchy, sdcTable's microdata1 and 4 × 4 problem, SSBtools' magnitude1 (GaussSuppression).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl
from scipy.optimize import linprog

from shumao.compute import hierarchy as hier
from shumao.release import disclosure as sdc

Cell = tuple[str, ...]
DATA = Path(__file__).resolve().parents[1] / "data" / "sdc_examples"
REGIONS = {"Nr": [1, 2, 3], "Os": [4, 5, 6, 7], "Ws": [8, 9, 10], "Zd": [11, 12]}


# --------------------------------------------------------------------------- independent audit


def independent_intervals(
    table: sdc.Table, known: Iterable[Cell] | None = None
) -> dict[Cell, tuple[float, float]]:
    """Min/max of every suppressed cell with *all* cells as LP variables: published cells and
    the cells the attacker knows (``known``, default ``table.known``: empty cells, structural
    zeros) fixed to their values, the suppressed ones ≥ 0 (a formulation separate from
    ``disclosure.audit``)."""
    fixed = set(table.known if known is None else known)
    cells = sorted(table.values)
    index = {c: i for i, c in enumerate(cells)}
    rows = []
    for total, parts in table.relations:
        coef = np.zeros(len(cells))
        coef[index[total]] = 1.0
        for p in parts:
            coef[index[p]] -= 1.0
        rows.append(coef)
    a_eq = np.array(rows) if rows else None
    b_eq = np.zeros(len(rows)) if rows else None
    bounds = [
        (0.0, None)
        if c in table.suppressed and c not in fixed
        else (table.values[c], table.values[c])
        for c in cells
    ]
    out = {}
    for cell in table.suppressed:
        obj = np.zeros(len(cells))
        obj[index[cell]] = 1.0
        lo = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-obj, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert lo.status == 0
        out[cell] = (lo.fun, -hi.fun if hi.status == 0 else float("inf"))
    return out


def recoverable(table: sdc.Table, known: Iterable[Cell] | None = None) -> dict[Cell, float]:
    """The suppressed cells an attacker computes exactly, with their values."""
    return {
        c: table.values[c]
        for c, (lo, hi) in independent_intervals(table, known).items()
        if hi - lo <= 1e-6 * max(1.0, abs(table.values[c]))
    }


def assert_protected(table: sdc.Table, rules: sdc.Rules | None = None) -> None:
    rules = rules or sdc.Rules()
    for cell, (lo, hi) in independent_intervals(table).items():
        value = table.values[cell]
        assert hi - lo > 1e-6, f"{cell} = {value} is recoverable from the published margins"
        if cell in table.primary:
            low, high = table.level(cell, rules.protection)
            tol = 1e-6 * max(1.0, value)
            assert lo <= value - low + tol and hi >= value + high - tol, (cell, lo, hi)


def secondary_value(table: sdc.Table) -> float:
    return sum(table.values[c] for c in table.suppressed - table.primary)


# --------------------------------------------------------------------------- tables


def two_way(
    values: dict[tuple[str, str], float], empty: Iterable[tuple[str, str]] = ()
) -> tuple[pl.DataFrame, list[hier.Hierarchy]]:
    """Inner cells plus row, column and grand totals ("T") as a frame, with flat trees.
    ``empty`` inner cells have no contributors (value 0); the others five each."""
    empty = set(empty)
    rows = sorted({r for r, _ in values})
    cols = sorted({c for _, c in values})
    count = {k: 0 if k in empty else 5 for k in values}
    cells, counts = dict(values), dict(count)
    for r in rows:
        cells[(r, "T")] = sum(values[(r, c)] for c in cols)
        counts[(r, "T")] = sum(count[(r, c)] for c in cols)
    for c in cols:
        cells[("T", c)] = sum(values[(r, c)] for r in rows)
        counts[("T", c)] = sum(count[(r, c)] for r in rows)
    cells[("T", "T")] = sum(values.values())
    counts[("T", "T")] = sum(count.values())
    frame = pl.DataFrame(
        [
            {"a": r, "b": c, "value": v, "n_contributors": counts[(r, c)]}
            for (r, c), v in cells.items()
        ]
    )
    return frame, [sdc.flat("a", "T", rows), sdc.flat("b", "T", cols)]


def sdctable_4x4() -> sdc.Table:
    """sdcTable's 4 × 4 frequency problem with its 9 primary cells (test-simpleheuristic.R)."""
    data = pl.read_csv(DATA / "sdcTable_problemdata_4x4.csv")
    values = {(a, b): float(f) for a, b, f in data.select("v1", "v2", "freq").iter_rows()}
    frame, trees = two_way(values)
    table = sdc.build_table(frame, ["a", "b"], trees)
    table.primary = {
        (a, b) for a, b, p in data.select("v1", "v2", "primary").iter_rows() if p == "u"
    }
    return table


def cells_of(
    micro: pl.DataFrame,
    row: str,
    col: str,
    *,
    total: str = "T",
    top: int = 3,
    contributor: str | None = None,
    trees: dict[str, hier.Hierarchy] | None = None,
) -> pl.DataFrame:
    """row × col cells with every margin (along ``trees`` where given, else flat), the
    contributor count and the ``top`` largest contributions; empty cells included (value 0,
    no contributors). Contributors are records, or ``contributor`` groups summed first."""
    rows = micro
    for dim in (row, col):
        if trees and dim in trees:
            closure = trees[dim].closure().select(pl.col("code").alias(dim), "ancestor")
            rows = rows.join(closure, on=dim).drop(dim).rename({"ancestor": dim})
        else:
            rows = pl.concat([rows, rows.with_columns(pl.lit(total).alias(dim))])
    if contributor:
        rows = rows.group_by(row, col, contributor).agg(pl.col("value").sum())
    stats = rows.group_by(row, col).agg(
        pl.col("value").sum(),
        pl.len().alias("n_contributors"),
        pl.col("value").top_k(top).sort(descending=True).alias("_t"),
    )
    stats = stats.with_columns(
        pl.col("_t").list.get(i, null_on_oob=True).alias(f"top{i + 1}") for i in range(top)
    ).drop("_t")
    codes = {
        d: (
            trees[d].codes()
            if trees and d in trees
            else [*sorted(micro[d].unique().to_list()), total]
        )
        for d in (row, col)
    }
    grid = pl.DataFrame([{row: r, col: c} for r in codes[row] for c in codes[col]])
    return grid.join(stats, on=[row, col], how="left").with_columns(
        pl.col("value").fill_null(0.0), pl.col("n_contributors").fill_null(0)
    )


def region_tree(*, missing_code: bool = True) -> hier.Hierarchy:
    """τ-ARGUS's tau_testW Region hierarchy (region2.hrc): Nr, Os, Ws, Zd under the total;
    with ``missing_code`` also 99, the Region missing code τ-ARGUS shows as a column."""
    rows: list[tuple[str, str | None, str]] = [("T", None, "total")]
    for group, members in REGIONS.items():
        rows.append((group, "T", "group"))
        rows += [(str(m), group, "region") for m in members]
    if missing_code:
        rows.append(("99", "T", "region"))
    return hier.Hierarchy(
        "tau:Region", "Region", ("region", "group", "total"), hier.node_frame(rows)
    )


def tau_micro(*, sizes_1_to_5: bool = False) -> pl.DataFrame:
    """tau_testW: Size, Region and Var2 of every record; ``sizes_1_to_5`` recodes Size 1–5
    to "1" (the recode GK.grc of τ-ARGUS's TestRecode.arb)."""
    micro = pl.read_csv(
        DATA / "tau_testW.csv", schema_overrides={"Size": pl.String, "Region": pl.String}
    )
    size = pl.col("Size")
    if sizes_1_to_5:
        size = pl.when(size.is_in(["1", "2", "3", "4", "5"])).then(pl.lit("1")).otherwise(size)
    return micro.select(
        size.alias("Size"), "Region", pl.col("Var2").cast(pl.Float64).alias("value")
    )


def tau_table(marked: pl.DataFrame, micro: pl.DataFrame, regions: hier.Hierarchy) -> sdc.Table:
    sizes = sorted(micro["Size"].unique().to_list())
    return sdc.build_table(marked, ["Size", "Region"], [sdc.flat("Size", "T", sizes), regions])
