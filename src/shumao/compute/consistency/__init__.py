"""官方表格的内部一致性检查 / arithmetic checks of an official table, as findings.

A published table repeats one fact several ways: a total and its parts, exports, imports and
their sum, a growth rate and the two values it compares, a share and its numerator and
denominator. ``check_table`` recomputes each such identity from the printed figures and reports
every one that fails **beyond rounding** as a finding (severity warning); the data are never
changed.

Rounding: a printed figure stands for an interval (``96.2`` for [96.15, 96.25]); the number of
decimals is that of the printed column (``with_precision``). Every check is done in interval arithmetic, so a
finding means no choice of unrounded figures satisfies the identity.

| code | identity |
|---|---|
| ``table-flow-sum``      | 进出口 T = 出口 X + 进口 M |
| ``table-balance``       | 顺差 B = 出口 X − 进口 M |
| ``table-parts-total``   | a printed total = the sum of its printed parts (hierarchy) |
| ``table-growth``        | printed growth = growth from the two periods' printed values |
| ``table-growth-parts``  | the total's printed growth agrees with its parts' growth (previous-year values implied by value / (1 + growth) must add up) |
| ``table-share``         | printed share = value / the parent's value × 100 |
| ``table-part-exceeds``  | a part (X or M) is larger than its total T |

``check_table`` also runs the period-to-period edits of ``table_edits`` (HB and ratio edits on
each series' own history and against its peers, zero checks), the same edits filings get.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from shumao.compute import table_edits
from shumao.compute.consistency.codes import Tally
from shumao.compute.consistency.growth import check_growth, check_growth_parts
from shumao.compute.consistency.identities import (
    check_flows,
    check_parts,
    check_shares,
    with_precision,
)
from shumao.compute.hierarchy import Hierarchy, ebops_tree, geography
from shumao.validation.findings import Report


def check_table(
    frame: pl.DataFrame,
    *,
    hierarchies: Sequence[Hierarchy] | None = None,
    file: str = "",
    tally: Tally | None = None,
    history: bool = True,
) -> Report:
    """Every check (``identities``, ``growth``) on one official table (or a whole dataflow); findings only.

    Totals are checked along ``hierarchies`` (default: geography, EBOPS under services ``S``
    and under 可数字化交付 ``DD``); shares against the parent in the first of them over
    ``ref_area``. With ``history`` the period-to-period edits of ``table_edits`` run too
    (each series against its own history and its peers, zeros, totals equal to a part).
    A ``_row`` column, when present, locates those findings in the file.
    """
    trees = (
        list(hierarchies)
        if hierarchies is not None
        else [geography(), ebops_tree("S"), ebops_tree("DD")]
    )
    report = Report(source=file)
    frame = with_precision(frame)
    report.extend(check_flows(frame, file, tally))
    for tree in trees:
        report.extend(check_parts(frame, tree, file, tally))
    report.extend(check_growth(frame, file, tally))
    report.extend(check_growth_parts(frame, file, tally))
    area_tree = next((t for t in trees if t.dim == "ref_area"), None)
    if area_tree is not None:
        report.extend(check_shares(frame, area_tree, file, tally))
    if history:
        report.extend(
            table_edits.check_history(frame, file=file, count=tally.add if tally else None)
        )
    return report
