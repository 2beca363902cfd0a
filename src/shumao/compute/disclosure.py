"""披露控制 / statistical disclosure control for anything published.

1. **Primary suppression** (``primary``): a cell is sensitive when it has fewer than ``N``
   contributors (threshold rule, ``N = 3``) or when its ``n`` largest contributors make up more
   than ``k`` % of it ((n, k) dominance rule; ``(1, 85)`` and ``(2, 85)`` by default). A cell
   without contributors (an empty cell) is not sensitive. Contributor counts and the largest
   contributions come from ``aggregate`` (``n_contributors``, ``top1`` …).
2. **Secondary suppression** (``secondary``): a published table is a set of cells tied by
   additive relations (each total = the sum of its parts, along every hierarchy of the table).
   A suppressed cell alone in a relation could be recomputed by subtraction, so the classic
   greedy heuristic adds, for every relation holding exactly one suppressed cell, the
   smallest non-empty unsuppressed cell of that relation, until no relation holds exactly one.
3. **Audit** (``audit``): that heuristic is not a proof (two suppressed cells in a row can still
   be pinned by their columns). For every suppressed cell the audit solves two linear
   programmes (``scipy.optimize.linprog``, HiGHS): the smallest and the largest value the cell
   can take given every published cell and relation and non-negative cells. A primary cell is
   protected when that interval reaches ``protection`` % below and above its true value
   (upper and lower protection levels); a secondary cell when the interval is not a point.
   Where a cell is not protected, the cheapest free cell nearest to it (in its own relations,
   else in the relations of the suppressed cells they reach) is suppressed and the loop runs
   again; it ends when every suppressed cell is protected or no free cell is left in reach.
   ``suppress`` runs 2 and 3 on a table; ``protect_frame`` runs all three on a frame.

The result marks cells ``conf_status`` ``C`` (primary confidential), ``D`` (secondary) or
``F`` (free); ``public_view`` blanks the values of ``C`` and ``D`` cells: internal users with the
right scope read the store, the public reads the public view.

Tables are given as a frame with one row per cell (the output of ``aggregate``/``rollup``) and
the hierarchies of the table's dimensions; cells sharing the other dimensions form one table
(``protect_frame``). Relations between such tables (e.g. across partners) are not linked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy.optimize import linprog

from shumao.compute.hierarchy import Hierarchy, node_frame
from shumao.storage.tables import DIMENSIONS

REASON_THRESHOLD = "threshold"
REASON_SECONDARY = "secondary"


@dataclass(frozen=True)
class Rules:
    """Primary suppression rules and the protection the audit requires."""

    threshold: int = 3
    """Fewer than this many contributors → sensitive (0 contributors: empty, not sensitive)."""
    dominance: tuple[tuple[int, float], ...] = ((1, 85.0), (2, 85.0))
    """(n, k): the n largest contributors exceed k % of the cell → sensitive."""
    protection: float = 10.0
    """% of a primary cell's value its feasible interval must reach on each side."""


def dominance_reason(n: int, k: float) -> str:
    return f"dominance({n},{k:g})"


# --------------------------------------------------------------------------- primary


def primary(cells: pl.DataFrame, rules: Rules = Rules()) -> pl.DataFrame:
    """``cells`` with ``primary`` (bool) and ``reason`` (the first rule that applies)."""
    n = pl.col("n_contributors")
    value = pl.col("value")
    reason: Any = pl.when((n > 0) & (n < rules.threshold)).then(pl.lit(REASON_THRESHOLD))
    for size, share in rules.dominance:
        tops = [f"top{i}" for i in range(1, size + 1)]
        missing = [t for t in tops if t not in cells.columns]
        if missing:
            raise ValueError(f"dominance ({size},{share}) needs columns {missing}")
        largest = pl.sum_horizontal(pl.col(t).fill_null(0.0) for t in tops)
        hit = (n > 0) & (value > 0) & (largest > value * share / 100.0)
        reason = reason.when(hit).then(pl.lit(dominance_reason(size, share)))
    return cells.with_columns(reason.otherwise(None).alias("reason")).with_columns(
        pl.col("reason").is_not_null().alias("primary"))


# --------------------------------------------------------------------------- tables


@dataclass
class Table:
    """Cells (by key) with their values and the additive relations between them."""

    values: dict[tuple[str, ...], float]
    relations: list[tuple[tuple[str, ...], list[tuple[str, ...]]]]
    """(total, parts): value(total) = Σ value(parts)."""
    suppressed: set[tuple[str, ...]] = field(default_factory=set)
    primary: set[tuple[str, ...]] = field(default_factory=set)

    def relations_of(self, cell: tuple[str, ...]) -> list[list[tuple[str, ...]]]:
        return [[total, *parts] for total, parts in self.relations if cell == total or cell in parts]


def flat(dim: str, total: str, members: Iterable[str]) -> Hierarchy:
    """A one-level hierarchy ``total`` → ``members`` (a table margin without reference data)."""
    rows: list[tuple[str, str | None, str]] = [(total, None, "total")]
    rows += [(m, total, "member") for m in members]
    return Hierarchy(f"flat:{dim}", dim, ("member", "total"), node_frame(rows))


def build_table(
    frame: pl.DataFrame, dims: Sequence[str], hierarchies: Sequence[Hierarchy]
) -> Table:
    """The cells of ``frame`` keyed by ``dims`` and the relations of each dimension's tree.

    A relation is kept when its total and all its parts are cells of the table.
    """
    values = {tuple(str(r[d]) for d in dims): float(r["value"] or 0.0)
              for r in frame.iter_rows(named=True)}
    by_dim = {h.dim: h for h in hierarchies}
    relations = []
    for axis, dim in enumerate(dims):
        tree = by_dim.get(dim)
        if tree is None:
            continue
        children: dict[str, list[str]] = {}
        for code, parent in tree.nodes.select("code", "parent").iter_rows():
            if parent is not None:
                children.setdefault(parent, []).append(code)
        for key in values:
            kids = children.get(key[axis], [])
            parts = [(*key[:axis], kid, *key[axis + 1:]) for kid in kids]
            parts = [p for p in parts if p in values]
            if parts and len(parts) == len(kids):
                relations.append((key, parts))
    return Table(values, relations)


# --------------------------------------------------------------------------- secondary


def _cost(table: Table, cell: tuple[str, ...]) -> tuple[int, float]:
    """Prefer cells with a value (a zero cannot absorb a decrease), then the smallest."""
    value = abs(table.values[cell])
    return (0 if value > 0 else 1, value)


def secondary(table: Table) -> set[tuple[str, ...]]:
    """Greedy complementary suppression: no relation may hold exactly one suppressed cell."""
    changed = True
    while changed:
        changed = False
        for total, parts in table.relations:
            cells = [total, *parts]
            hidden = [c for c in cells if c in table.suppressed]
            if len(hidden) != 1:
                continue
            free = [c for c in cells if c not in table.suppressed]
            table.suppressed.add(min(free, key=lambda c: _cost(table, c)))
            changed = True
    return table.suppressed - table.primary


@dataclass(frozen=True)
class Interval:
    cell: tuple[str, ...]
    value: float
    low: float
    high: float
    required: float
    protected: bool


def feasible_interval(table: Table, cell: tuple[str, ...]) -> tuple[float, float]:
    """Min and max of ``cell`` given the published cells, every relation and cells ≥ 0."""
    hidden = sorted(table.suppressed)
    index = {c: i for i, c in enumerate(hidden)}
    rows, rhs = [], []
    for total, parts in table.relations:
        coef = np.zeros(len(hidden))
        constant = 0.0
        for c, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if c in index:
                coef[index[c]] += sign
            else:
                constant -= sign * table.values[c]
        if coef.any():
            rows.append(coef)
            rhs.append(constant)
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    bounds = [(0.0, None)] * len(hidden)
    objective = np.zeros(len(hidden))
    objective[index[cell]] = 1.0
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    lo = float(low.fun) if low.status == 0 else 0.0
    hi = float(-high.fun) if high.status == 0 else float("inf")
    return lo, hi


def audit(table: Table, rules: Rules = Rules()) -> list[Interval]:
    """The feasible interval of every suppressed cell and whether it is protected."""
    out = []
    for cell in sorted(table.suppressed):
        value = table.values[cell]
        lo, hi = feasible_interval(table, cell)
        tol = 1e-7 * max(1.0, abs(value))
        if cell in table.primary:
            need = abs(value) * rules.protection / 100.0
            ok = (hi - lo > tol) and lo <= value - need + tol and hi >= value + need - tol
        else:
            need = 0.0
            ok = hi - lo > tol
        out.append(Interval(cell, value, lo, hi, need, ok))
    return out


def _strengthen(table: Table, cell: tuple[str, ...]) -> bool:
    """Suppress the cheapest free cell nearest to ``cell``: first in its own relations, then in
    the relations of the suppressed cells reached through them (when a cell's own relations are
    all suppressed, its interval is still bounded by the relations one step further).
    False when no free cell is left anywhere in reach."""
    seen = {cell}
    frontier = [cell]
    while frontier:
        relations = [rel for c in frontier for rel in table.relations_of(c)]
        free = {c for rel in relations for c in rel if c not in table.suppressed}
        if free:
            table.suppressed.add(min(free, key=lambda c: _cost(table, c)))
            return True
        frontier = [c for rel in relations for c in rel if c not in seen]
        seen.update(frontier)
    return False


def suppress(table: Table, rules: Rules = Rules(), *, max_rounds: int = 1000) -> list[Interval]:
    """Secondary suppression until the audit finds every suppressed cell protected."""
    table.suppressed |= table.primary
    for _ in range(max_rounds):
        secondary(table)
        weak = [i for i in audit(table, rules) if not i.protected]
        if not weak:
            break
        grown = [_strengthen(table, i.cell) for i in weak]
        if not any(grown):
            break
    return audit(table, rules)


# --------------------------------------------------------------------------- frames


def protect_frame(
    frame: pl.DataFrame,
    dims: Sequence[str],
    hierarchies: Sequence[Hierarchy],
    rules: Rules = Rules(),
) -> pl.DataFrame:
    """Primary + secondary suppression of each table (cells sharing the dimensions not in
    ``dims``); adds ``primary``, ``reason``, ``suppressed`` and sets ``conf_status``."""
    marked = primary(frame, rules)
    others = [c for c in (*DIMENSIONS, "time_period", "unit", "unit_mult")
              if c in frame.columns and c not in dims]
    parts = []
    for _, part in marked.group_by(others, maintain_order=True) if others else [((), marked)]:
        table = build_table(part, dims, hierarchies)
        table.primary = {tuple(str(r[d]) for d in dims)
                         for r in part.filter(pl.col("primary")).iter_rows(named=True)}
        suppress(table, rules)
        hidden = pl.Series([tuple(str(r[d]) for d in dims) in table.suppressed
                            for r in part.iter_rows(named=True)], dtype=pl.Boolean)
        parts.append(part.with_columns(hidden.alias("suppressed")))
    out = pl.concat(parts) if parts else marked.with_columns(pl.lit(False).alias("suppressed"))
    return out.with_columns(
        pl.when(pl.col("primary")).then(pl.lit("C")).when(pl.col("suppressed"))
        .then(pl.lit("D")).otherwise(pl.lit("F")).alias("conf_status"),
        pl.when(pl.col("suppressed") & ~pl.col("primary")).then(pl.lit(REASON_SECONDARY))
        .otherwise(pl.col("reason")).alias("reason"),
    )


def public_view(frame: pl.DataFrame) -> pl.DataFrame:
    """What the public sees: values of confidential cells (``C``, ``D``) blanked, and the
    contributor statistics (which would disclose them) dropped."""
    hidden = pl.col("conf_status").is_in(["C", "D"])
    drop = [c for c in frame.columns if c.startswith("top") or c in ("n_contributors",
                                                                     "n_missing", "n_estimated",
                                                                     "n_provisional")]
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col("value")).alias("value")).drop(drop)


def view_for(frame: pl.DataFrame, *, may_see_confidential: bool) -> pl.DataFrame:
    """Internal users with the right scope see everything; everybody else the public view."""
    return frame if may_see_confidential else public_view(frame)
