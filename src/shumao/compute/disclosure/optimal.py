"""Optimal secondary suppression: one mixed-integer programme per table, solved by HiGHS.

One binary ``x_c`` per cell that may be suppressed (every cell of a relation that is neither
primary nor known). A pattern protects primary cell ``p`` upwards when the attacker's maximum
of ``p`` reaches ``a_p + upl_p``: when some table ``a + y`` consistent with everything
published has ``y_p = upl_p``. So for every primary cell and direction the programme carries
such a deviation ``y`` as continuous variables (the compact form of Fischetti & Salazar's
model that τ-ARGUS's Optimal method solves by Benders cuts, manual §2.9):

    A · y = 0                        the relations still hold
    y_p = +upl_p   (or −lpl_p)       the cell moves as far as its protection level
    −(a_c − l) · x_c ≤ y_c ≤ M · x_c only suppressed cells move; none below the lower bound l
    minimise Σ cost_c · x_c          cost = the cell's value, or 1 per cell

Every feasible pattern is protected (its deviations are the witness), so the big-M only
limits how far a witness may move a cell (``M`` = twice the level): a too-small M can cost
optimality, never protection; the audit checks the result all the same. HiGHS stops at the
time limit with the best pattern found (``optimal: False``), or without one (``None``: the
caller falls back to the greedy method).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, vstack

from shumao.compute.disclosure.rules import Rules
from shumao.compute.disclosure.table import Cell, Table

BIG_M = 2.0
"""A witness may move a suppressed cell by at most BIG_M × the protection level."""
MAX_VARIABLES = 2_000_000
"""Larger programmes are not built (memory); the greedy method protects those tables."""


@dataclass(frozen=True)
class Solution:
    secondary: set[Cell]
    optimal: bool
    """True when HiGHS proved the pattern optimal (within its default gap)."""
    seconds: float
    objective: float


@dataclass
class _Model:
    cells: list[Cell]
    """Every cell a witness may move: primary cells first, then the candidates."""
    n_primary: int
    relations: csr_array
    targets: list[tuple[int, float]]
    """(cell index, signed level) of every primary cell and direction that needs protection."""


def _model(table: Table, rules: Rules) -> _Model:
    primary = sorted(table.primary)
    candidates = sorted(table.candidates() - table.primary)
    cells = primary + candidates
    index = {c: i for i, c in enumerate(cells)}
    rows, cols, data, n_rows = [], [], [], 0
    for total, parts in table.relations:
        coef: dict[int, float] = {}
        for c, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if c in index:
                coef[index[c]] = coef.get(index[c], 0.0) + sign
        coef = {k: v for k, v in coef.items() if v}
        for k, v in coef.items():
            rows.append(n_rows)
            cols.append(k)
            data.append(v)
        n_rows += bool(coef)
    relations = csr_array((data, (rows, cols)), shape=(n_rows, len(cells)))
    targets = []
    for i, cell in enumerate(primary):
        low, high = table.level(cell, rules.protection)
        floor = 1e-6 * max(1.0, abs(table.values[cell]))  # a zero level: not a point
        targets.append((i, max(high, floor)))
        room = np.inf if table.lower_bound is None else table.values[cell] - table.lower_bound
        if room > 0:
            targets.append((i, -min(max(low, floor), room)))
    return _Model(cells, len(primary), relations, targets)


def _costs(table: Table, model: _Model, rules: Rules) -> np.ndarray:
    values = np.array([abs(table.values[c]) for c in model.cells[model.n_primary:]])
    total = float(values.sum()) + 1.0
    if rules.cost == "count":
        return 1.0 + 1e-3 * values / total  # fewest cells; among equals, the smaller values
    return values + 1e-6 * total / max(len(values), 1)  # smallest value; then fewest cells


def _bounds(table: Table, model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of every variable: x in [0, 1], then each witness block."""
    n, k = len(model.cells), len(model.cells) - model.n_primary
    lower_bound = table.lower_bound
    room = np.array([np.inf if lower_bound is None else table.values[c] - lower_bound
                     for c in model.cells])
    lows, highs = [np.zeros(k)], [np.ones(k)]
    for i, level in model.targets:
        cap = BIG_M * abs(level)
        lo = -np.minimum(room, cap)
        hi = np.full(n, cap)
        lo[i] = hi[i] = level
        lows.append(lo)
        highs.append(hi)
    return np.concatenate(lows), np.concatenate(highs)


def _constraints(model: _Model, lows: np.ndarray, highs: np.ndarray) -> LinearConstraint:
    """Per witness block: relations (= 0) and, per candidate, y ≤ hi·x and −y ≤ −lo·x."""
    n, k = len(model.cells), len(model.cells) - model.n_primary
    blocks = []
    cand = np.arange(model.n_primary, n)
    eye_rows = np.arange(k)
    for b in range(len(model.targets)):
        offset = k + b * n
        rel = model.relations.tocoo()
        blocks.append(coo_array((rel.data, (rel.row, rel.col + offset)),
                                shape=(rel.shape[0], k + len(model.targets) * n)))
        hi, lo = highs[offset + cand], lows[offset + cand]
        link_up = coo_array((np.concatenate([np.ones(k), -hi]),
                             (np.concatenate([eye_rows, eye_rows]),
                              np.concatenate([offset + cand, eye_rows]))),
                            shape=(k, k + len(model.targets) * n))
        link_down = coo_array((np.concatenate([-np.ones(k), lo]),
                               (np.concatenate([eye_rows, eye_rows]),
                                np.concatenate([offset + cand, eye_rows]))),
                              shape=(k, k + len(model.targets) * n))
        blocks += [link_up, link_down]
    matrix = vstack(blocks).tocsr()
    upper = np.zeros(matrix.shape[0])
    lower = np.full(matrix.shape[0], -np.inf)
    start = 0
    for _ in model.targets:
        n_rel = model.relations.shape[0]
        lower[start:start + n_rel] = 0.0  # relations are equalities
        start += n_rel + 2 * k
    return LinearConstraint(matrix, lower, upper)


def solve(table: Table, rules: Rules, time_limit: float | None = None) -> Solution | None:
    """The cheapest secondary suppression protecting every primary cell, or ``None`` when no
    pattern was found in the time limit (or the programme is too large to build)."""
    started = time.perf_counter()
    model = _model(table, rules)
    k = len(model.cells) - model.n_primary
    if not model.targets:
        return Solution(set(), True, 0.0, 0.0)
    if k + len(model.targets) * len(model.cells) > MAX_VARIABLES:
        return None
    lows, highs = _bounds(table, model)
    cost = np.concatenate([_costs(table, model, rules),
                           np.zeros(len(model.targets) * len(model.cells))])
    integrality = np.concatenate([np.ones(k), np.zeros(len(lows) - k)])
    result = milp(cost, constraints=_constraints(model, lows, highs), bounds=Bounds(lows, highs),
                  integrality=integrality,
                  options={"time_limit": time_limit or rules.time_limit, "disp": False})
    if result.x is None:
        return None
    chosen = {model.cells[model.n_primary + j] for j in np.flatnonzero(result.x[:k] > 0.5)}
    return Solution(chosen, result.status == 0, time.perf_counter() - started,
                    float(sum(abs(table.values[c]) for c in chosen)))
