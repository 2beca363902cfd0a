"""The audit: how precisely an attacker can pin each suppressed cell (τ-ARGUS manual §2.15).

For every suppressed cell two linear programmes (one HiGHS model, ``lp.LP``) give the
smallest and the largest value the cell can take given every published cell (known zeros
included), every relation and the attacker's lower bound (cells ≥ 0). A primary cell is
protected when that interval reaches its protection levels below and above its true value;
a secondary cell when the interval is not a point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array

from shumao.compute.disclosure.lp import LP
from shumao.compute.disclosure.rules import Rules
from shumao.compute.disclosure.table import Cell, Table


@dataclass(frozen=True)
class Interval:
    cell: Cell
    value: float
    low: float
    high: float
    required: float
    """The upper protection level (0 for a secondary cell)."""
    protected: bool
    required_low: float = 0.0
    """The lower protection level (0 for a secondary cell)."""


def _system(table: Table) -> tuple[list[Cell], csr_array | None, np.ndarray | None]:
    """The hidden cells and the relations over them: A · hidden = b."""
    hidden = sorted(table.suppressed - table.known)
    index = {c: i for i, c in enumerate(hidden)}
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    rhs: list[float] = []
    for total, parts in table.relations:
        coef: dict[int, float] = {}
        constant = 0.0
        for c, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if c in index:
                coef[index[c]] = coef.get(index[c], 0.0) + sign
            else:
                constant -= sign * table.values[c]
        coef = {k: v for k, v in coef.items() if v}
        if coef:
            for k, v in coef.items():
                rows.append(len(rhs))
                cols.append(k)
                data.append(v)
            rhs.append(constant)
    if not rhs:
        return hidden, None, None
    matrix = csr_array((data, (rows, cols)), shape=(len(rhs), len(hidden)))
    return hidden, matrix, np.array(rhs)


def feasible_interval(table: Table, cell: Cell) -> tuple[float, float]:
    """Min and max of ``cell`` given the published cells, every relation and cells ≥ 0."""
    return _intervals(table, [cell])[cell]


def _intervals(table: Table, cells: list[Cell]) -> dict[Cell, tuple[float, float]]:
    hidden, a_eq, b_eq = _system(table)
    index = {c: i for i, c in enumerate(hidden)}
    lp = LP(a_eq, b_eq, len(hidden))
    bound = -np.inf if table.lower_bound is None else table.lower_bound
    lp.bounds(np.full(len(hidden), bound), np.full(len(hidden), np.inf))
    out = {}
    for cell in cells:
        if cell not in index:  # published (a known zero is published)
            out[cell] = (table.values[cell], table.values[cell])
            continue
        objective = np.zeros(len(hidden))
        objective[index[cell]] = 1.0
        low, _ = lp.minimise(objective)
        high, _ = lp.minimise(-objective)
        out[cell] = (low, -high)
    return out


def audit(table: Table, rules: Rules | None = None) -> list[Interval]:
    """The feasible interval of every suppressed cell and whether it is protected."""
    rules = rules or Rules()
    cells = sorted(table.suppressed)
    out = []
    for cell, (lo, hi) in _intervals(table, cells).items():
        value = table.values[cell]
        tol = 1e-7 * max(1.0, abs(value))
        need_low = need = 0.0
        ok = hi - lo > tol
        if cell in table.primary:
            need_low, need = table.level(cell, rules.protection)
            ok = ok and lo <= value - need_low + tol and hi >= value + need - tol
        out.append(Interval(cell, value, lo, hi, need, ok, need_low))
    return out
