"""A published table as the attacker sees it: cells, the additive relations between them, and
the cells whose value everybody knows.

- **Relations.** Each total equals the sum of its parts along every hierarchy of the table.
  A part that is not a cell of the table is an empty cell (nothing to publish), so a relation
  is kept whenever its present parts add up to the total; it is dropped when they do not (the
  missing parts then hold something unpublished, and the identity is not one an attacker can
  use). Two published tables that share cells are one table here (``protect_linked``).
- **Known cells.** An empty cell (no contributors) or a structural zero is published as
  zero: every attacker knows it. It is never chosen as a secondary suppression, and the audit
  treats it as a published zero (τ-ARGUS shows empty cells as "-", sdcTable gives them status
  ``z``, GaussSuppression leaves them out of the candidates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from shumao.compute.hierarchy import Hierarchy, node_frame

Cell = tuple[str, ...]
Relation = tuple[Cell, list[Cell]]


@dataclass
class Table:
    """Cells (by key) with their values and the additive relations between them."""

    values: dict[Cell, float]
    relations: list[Relation]
    """(total, parts): value(total) = Σ value(parts)."""
    suppressed: set[Cell] = field(default_factory=set)
    primary: set[Cell] = field(default_factory=set)
    known: set[Cell] = field(default_factory=set)
    """Empty cells and structural zeros: published, known to everybody, never suppressed."""
    levels: dict[Cell, tuple[float, float]] = field(default_factory=dict)
    """(lower, upper) protection level of a primary cell, in value units; a primary cell
    without an entry needs ``Rules.protection`` % of its value."""
    outcome: dict[str, Any] = field(default_factory=dict)
    """How secondary suppression went: method used, whether proven optimal, seconds."""

    def relations_of(self, cell: Cell) -> list[list[Cell]]:
        return [
            [total, *parts] for total, parts in self.relations if cell == total or cell in parts
        ]

    @property
    def lower_bound(self) -> float | None:
        """What an attacker knows every cell is at least: 0, unless the table has negatives."""
        return None if any(v < 0 for v in self.values.values()) else 0.0

    def level(self, cell: Cell, protection: float) -> tuple[float, float]:
        """(lower, upper) protection a primary cell needs; the lower capped at its value."""
        value = abs(self.values[cell])
        low, high = self.levels.get(cell, (value * protection / 100.0,) * 2)
        return min(low, value), high

    def candidates(self) -> set[Cell]:
        """Cells secondary suppression may choose: in a relation, not known, not suppressed."""
        related = {c for total, parts in self.relations for c in (total, *parts)}
        return related - self.known - self.suppressed


def flat(dim: str, total: str, members: Iterable[str]) -> Hierarchy:
    """A one-level hierarchy ``total`` → ``members`` (a table margin without reference data)."""
    rows: list[tuple[str, str | None, str]] = [(total, None, "total")]
    rows += [(m, total, "member") for m in members]
    return Hierarchy(f"flat:{dim}", dim, ("member", "total"), node_frame(rows))


def _children(tree: Hierarchy) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for code, parent in tree.nodes.select("code", "parent").iter_rows():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    return children


def _adds_up(values: dict[Cell, float], total: Cell, parts: list[Cell]) -> bool:
    summed = sum(values[p] for p in parts)
    scale = max(1.0, abs(values[total]), sum(abs(values[p]) for p in parts))
    return abs(values[total] - summed) <= 1e-9 * scale


def _relations(
    values: dict[Cell, float], dims: Sequence[str], hierarchies: Sequence[Hierarchy]
) -> list[Relation]:
    by_dim = {h.dim: h for h in hierarchies}
    relations: list[Relation] = []
    for axis, dim in enumerate(dims):
        tree = by_dim.get(dim)
        if tree is None:
            continue
        children = _children(tree)
        for key in values:
            kids = children.get(key[axis], [])
            parts = [
                p for p in ((*key[:axis], kid, *key[axis + 1 :]) for kid in kids) if p in values
            ]
            if parts and _adds_up(values, key, parts):
                relations.append((key, parts))
    return relations


def _keys(frame: pl.DataFrame, dims: Sequence[str], where: pl.Expr) -> set[Cell]:
    rows = frame.filter(where).select(dims).iter_rows()
    return {tuple(str(v) for v in row) for row in rows}


def build_table(
    frame: pl.DataFrame, dims: Sequence[str], hierarchies: Sequence[Hierarchy]
) -> Table:
    """The cells of ``frame`` keyed by ``dims``, the relations of each dimension's tree, the
    known cells (``n_contributors`` 0 or ``structural_zero``) and, for rows marked ``primary``,
    their protection levels (``lpl``/``upl``, from ``primary()``)."""
    values = {
        tuple(str(r[d]) for d in dims): float(r["value"] or 0.0)
        for r in frame.iter_rows(named=True)
    }
    table = Table(values, _relations(values, dims, hierarchies))
    if "n_contributors" in frame.columns:
        table.known |= _keys(frame, dims, pl.col("n_contributors").fill_null(1) == 0)
    if "structural_zero" in frame.columns:
        table.known |= _keys(frame, dims, pl.col("structural_zero").fill_null(False))
    if "primary" in frame.columns:
        table.primary = _keys(frame, dims, pl.col("primary").fill_null(False))
    if {"lpl", "upl"} <= set(frame.columns):
        rows = frame.filter(pl.col("upl").is_not_null()).select(*dims, "lpl", "upl").iter_rows()
        table.levels = {tuple(str(v) for v in r[:-2]): (float(r[-2]), float(r[-1])) for r in rows}
    return table
