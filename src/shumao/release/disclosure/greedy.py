"""The greedy secondary suppression: fast, never optimal, the fallback of the MILP.

1. ``secondary``: a suppressed cell alone in a relation can be recomputed by subtraction, so
   for every relation holding exactly one suppressed cell the smallest non-empty published cell
   of that relation is suppressed too, until no relation holds exactly one.
2. ``strengthen``: that is not a proof (two suppressed cells in a row can still be pinned by
   their columns); where the audit finds a cell unprotected, the cheapest free cell nearest to
   it (in its own relations, else in the relations of the suppressed cells they reach) is
   suppressed and the audit runs again.

Known cells (empty, structural zeros) are never chosen: an attacker knows they are zero.
"""

from __future__ import annotations

from shumao.release.disclosure.table import Cell, Table


def _cost(table: Table, cell: Cell) -> tuple[int, float]:
    """Prefer cells with a value (a zero cannot absorb a decrease), then the smallest."""
    value = abs(table.values[cell])
    return (0 if value > 0 else 1, value)


def secondary(table: Table) -> set[Cell]:
    """Greedy complementary suppression: no relation may hold exactly one suppressed cell."""
    changed = True
    while changed:
        changed = False
        for total, parts in table.relations:
            cells = [total, *parts]
            hidden = [c for c in cells if c in table.suppressed]
            free = [c for c in cells if c not in table.suppressed and c not in table.known]
            if len(hidden) != 1 or not free:
                continue
            table.suppressed.add(min(free, key=lambda c: _cost(table, c)))
            changed = True
    return table.suppressed - table.primary


def strengthen(table: Table, cell: Cell) -> bool:
    """Suppress the cheapest free cell nearest to ``cell``: first in its own relations, then in
    the relations of the suppressed cells reached through them. False when no free cell is
    left anywhere in reach."""
    seen = {cell}
    frontier = [cell]
    while frontier:
        relations = [rel for c in frontier for rel in table.relations_of(c)]
        free = {
            c
            for rel in relations
            for c in rel
            if c not in table.suppressed and c not in table.known
        }
        if free:
            table.suppressed.add(min(free, key=lambda c: _cost(table, c)))
            return True
        frontier = [c for rel in relations for c in rel if c not in seen]
        seen.update(frontier)
    return False
