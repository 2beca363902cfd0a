"""Secondary suppression, greedy against optimal, on the reference tables (tests/data/sdc_examples).

For every table: the primary cells by its rule, then the greedy method and the optimal method
(MILP, cut generation, HiGHS) in the same process, each ``--repeat`` times: secondary cells,
suppressed value (the sum of the secondary cells' values: τ-ARGUS's default cost), CPU seconds
(median; this process, all threads) and whether HiGHS proved the pattern optimal. Every pattern
is audited (every suppressed cell protected) before it is counted. Where a package published
its own result on the same table and rule, it is printed beside ours:

  τ-ARGUS OPT     trygu/tauargus, bindings/python/notebooks/02_protection_and_audit.ipynb
                  (the τ-ARGUS engine, TestRecode.arb table 1): 3 secondary cells, 244,953
  GaussSuppression  cran/GaussSuppression, vignette "Magnitude table suppression", Tables 2
                  and 3 (exact-disclosure protection, no interval)

Run: .venv/bin/python benchmarks/disclosure_compare.py [--repeat 3] [--industry-digits 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "release"))

from sdc_cases import DATA, cells_of, region_tree, sdctable_4x4, tau_micro

from shumao.compute import hierarchy as hier
from shumao.release import disclosure as sdc


@dataclass
class Case:
    name: str
    build: Callable[[], sdc.Table]
    rules: sdc.Rules
    published: str = "—"


def _table(
    cells: pl.DataFrame, dims: list[str], trees: list, rules: sdc.Rules
) -> Callable[[], sdc.Table]:
    marked = sdc.primary(cells, rules)
    return lambda: sdc.build_table(marked, dims, trees)


def _flat(micro: pl.DataFrame, dim: str, total: str = "T") -> hier.Hierarchy:
    return sdc.flat(dim, total, sorted(micro[dim].unique().to_list()))


def _industry(digits: int) -> tuple[pl.DataFrame, hier.Hierarchy]:
    micro = pl.read_csv(
        DATA / "tau_testW.csv", schema_overrides={"IndustryCode": pl.String, "Region": pl.String}
    )
    micro = micro.select(
        pl.col("IndustryCode").str.slice(0, digits).alias("Industry"),
        "Region",
        pl.col("Var2").cast(pl.Float64).alias("value"),
    )
    return micro, _flat(micro, "Industry")


def cases(industry_digits: int) -> list[Case]:
    out = []
    nk = sdc.Rules(threshold=0, dominance=((2, 75.0),), protection=0.0)
    micro, regions = tau_micro(sizes_1_to_5=True), region_tree()
    cells = cells_of(micro, "Size", "Region", top=2, trees={"Region": regions})
    out.append(
        Case(
            "tau_testW TestRecode t1: Size(1–5→1) × Region hier., NK(2,75)",
            _table(cells, ["Size", "Region"], [_flat(micro, "Size"), regions], nk),
            nk,
            "τ-ARGUS OPT: 3 cells, 244,953",
        )
    )
    p15 = sdc.Rules(threshold=0, dominance=(), p_percent=((15.0, 1),), protection=0.0)
    micro = tau_micro()
    cells = cells_of(micro, "Size", "Region", top=2, trees={"Region": regions})
    out.append(
        Case(
            "tau_testW Simple2D: Size × Region hier., p% 15",
            _table(cells, ["Size", "Region"], [_flat(micro, "Size"), regions], p15),
            p15,
            "τ-ARGUS Modular: not readable (see README)",
        )
    )
    legacy = sdc.load("legacy-2026-11")
    cells = cells_of(micro, "Size", "Region", top=2)
    out.append(
        Case(
            "tau_testW Size × Region flat, threshold 3 + (1,85),(2,85)",
            _table(
                cells, ["Size", "Region"], [_flat(micro, "Size"), _flat(micro, "Region")], legacy
            ),
            legacy,
        )
    )
    micro, industry = _industry(industry_digits)
    cells = cells_of(micro, "Industry", "Region", top=2, trees={"Region": regions})
    out.append(
        Case(
            f"tau_testW Industry({industry_digits} digits) × Region hier., NK(2,75)",
            _table(cells, ["Industry", "Region"], [industry, regions], nk),
            nk,
        )
    )
    out += _sdctable_cases() + _gauss_cases()
    return out


def _sdctable_cases() -> list[Case]:
    micro = pl.read_csv(DATA / "sdcTable_microdata1.csv").rename({"val": "value"})
    p70 = sdc.Rules(threshold=0, dominance=(), p_percent=((70.0, 1),))
    cells = cells_of(micro, "region", "gender", total="Total", top=2)
    trees = [_flat(micro, "region", "Total"), _flat(micro, "gender", "Total")]
    return [
        Case(
            "sdcTable microdata1 region × gender, p% 70",
            _table(cells, ["region", "gender"], trees, p70),
            p70,
        ),
        Case("sdcTable 4 × 4 problem, its 9 primary cells, 10 %", sdctable_4x4, sdc.Rules()),
    ]


def _gauss_cases() -> list[Case]:
    micro = pl.read_csv(DATA / "gausssuppression_magnitude1.csv")
    cells = cells_of(micro, "sector4", "geo", total="Total", top=2)
    trees = [_flat(micro, "sector4", "Total"), _flat(micro, "geo", "Total")]
    few = sdc.Rules(threshold=2, dominance=(), protection=0.0)
    dom = sdc.Rules(threshold=0, dominance=((1, 80.0),), protection=0.0)
    return [
        Case(
            "magnitude1 sector4 × geo, maxN = 1",
            _table(cells, ["sector4", "geo"], trees, few),
            few,
            "GaussSuppression: 4 cells, 62.50",
        ),
        Case(
            "magnitude1 sector4 × geo, n = 1, k = 80",
            _table(cells, ["sector4", "geo"], trees, dom),
            dom,
            "GaussSuppression: 3 cells, 38.90",
        ),
    ]


def run(case: Case, method: str, repeat: int) -> tuple[int, float, float, bool, int]:
    seconds, last = [], None
    for _ in range(repeat):
        table = case.build()
        start = time.process_time()
        intervals = sdc.suppress(table, case.rules, method=method)  # type: ignore[arg-type]
        seconds.append(time.process_time() - start)
        if not all(i.protected for i in intervals):
            raise SystemExit(f"{case.name} / {method}: a suppressed cell is not protected")
        last = table
    assert last is not None
    secondary = last.suppressed - last.primary
    value = sum(last.values[c] for c in secondary)
    return (
        len(secondary),
        value,
        statistics.median(seconds),
        bool(last.outcome.get("optimal")),
        len(last.primary),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--industry-digits", type=int, default=2)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    print(
        "| table | cells | primary | greedy cells / value / CPU s | optimal cells / value / "
        "CPU s (proven) | value greedy ÷ optimal | published |"
    )
    print("|---|---|---|---|---|---|---|")
    for case in cases(args.industry_digits):
        g = run(case, "greedy", args.repeat)
        o = run(case, "optimal", args.repeat)
        ratio = g[1] / o[1] if o[1] else float("nan")
        print(
            f"| {case.name} | {len(case.build().values)} | {o[4]} | {g[0]} / {g[1]:,.2f} / "
            f"{g[2]:.2f} | {o[0]} / {o[1]:,.2f} / {o[2]:.2f} ({'yes' if o[3] else 'no'}) | "
            f"{ratio:.2f} | {case.published} |",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
