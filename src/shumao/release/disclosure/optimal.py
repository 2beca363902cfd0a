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

from shumao.release.disclosure.lp import LP
from shumao.release.disclosure.rules import Rules
from shumao.release.disclosure.table import Cell, Table

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


def _room(table: Table, model: _Model) -> np.ndarray:
    """How far each cell can fall: to the lower bound (no bound: as far as it may rise)."""
    bound = table.lower_bound
    cap = BIG_M * max((abs(level) for _, level in model.targets), default=1.0)
    return np.array([cap if bound is None else table.values[c] - bound for c in model.cells])


def _costs(table: Table, model: _Model, rules: Rules) -> np.ndarray:
    values = np.array([abs(table.values[c]) for c in model.cells[model.n_primary :]])
    total = float(values.sum()) + 1.0
    if rules.cost == "count":
        return 1.0 + 1e-3 * values / total  # fewest cells; among equals, the smaller values
    return values + 1e-6 * total / max(len(values), 1)  # smallest value; then fewest cells


def _bounds(table: Table, model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of every variable: x in [0, 1], then each witness block."""
    n, k = len(model.cells), len(model.cells) - model.n_primary
    room = _room(table, model)
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
        blocks.append(
            coo_array(
                (rel.data, (rel.row, rel.col + offset)),
                shape=(rel.shape[0], k + len(model.targets) * n),
            )
        )
        hi, lo = highs[offset + cand], lows[offset + cand]
        link_up = coo_array(
            (
                np.concatenate([np.ones(k), -hi]),
                (np.concatenate([eye_rows, eye_rows]), np.concatenate([offset + cand, eye_rows])),
            ),
            shape=(k, k + len(model.targets) * n),
        )
        link_down = coo_array(
            (
                np.concatenate([-np.ones(k), lo]),
                (np.concatenate([eye_rows, eye_rows]), np.concatenate([offset + cand, eye_rows])),
            ),
            shape=(k, k + len(model.targets) * n),
        )
        blocks += [link_up, link_down]
    matrix = vstack(blocks).tocsr()
    upper = np.zeros(matrix.shape[0])
    lower = np.full(matrix.shape[0], -np.inf)
    start = 0
    for _ in model.targets:
        n_rel = model.relations.shape[0]
        lower[start : start + n_rel] = 0.0  # relations are equalities
        start += n_rel + 2 * k
    return LinearConstraint(matrix, lower, upper)


def solve_compact(table: Table, rules: Rules, time_limit: float | None = None) -> Solution | None:
    """The compact model in one MILP (every witness as variables): the reference formulation
    ``solve`` is checked against; ``None`` when no pattern was found in the time limit or the
    programme is too large to build."""
    started = time.perf_counter()
    model = _model(table, rules)
    k = len(model.cells) - model.n_primary
    if not model.targets:
        return Solution(set(), True, 0.0, 0.0)
    if k + len(model.targets) * len(model.cells) > MAX_VARIABLES:
        return None
    lows, highs = _bounds(table, model)
    cost = np.concatenate(
        [_costs(table, model, rules), np.zeros(len(model.targets) * len(model.cells))]
    )
    integrality = np.concatenate([np.ones(k), np.zeros(len(lows) - k)])
    result = milp(
        cost,
        constraints=_constraints(model, lows, highs),
        bounds=Bounds(lows, highs),
        integrality=integrality,
        options={"time_limit": time_limit or rules.time_limit, "disp": False, "mip_rel_gap": 1e-6},
    )
    if result.x is None:
        return None
    chosen = {model.cells[model.n_primary + j] for j in np.flatnonzero(result.x[:k] > 0.5)}
    return Solution(
        chosen,
        result.status == 0,
        time.perf_counter() - started,
        float(sum(abs(table.values[c]) for c in chosen)),
    )


# --------------------------------------------------------------------------- cut generation


def solve(table: Table, rules: Rules, time_limit: float | None = None) -> Solution | None:
    """The cheapest secondary suppression protecting every primary cell (Benders' method, as
    τ-ARGUS's Optimal: manual §2.9), or ``None`` when none was found in the time limit.

    The master programme holds only the binaries ``x`` and the cuts found so far. For its
    pattern, each primary cell and direction is one attacker LP over the witness ``y``
    (``A·y = 0``, ``y`` within ``−room·x … M·x``). When the attacker cannot move the cell by
    its level, the LP's duals give a cut every protecting pattern satisfies (Fischetti &
    Salazar's capacity inequality): ``Σ (μ_c·M_c + ν_c·room_c)·x_c ≥ level − (primary cells'
    share)``; it is added and the master solved again. The first pattern no LP rejects is
    optimal for the model (the compact ``solve_compact`` reaches the same cost)."""
    started = time.perf_counter()
    deadline = started + (time_limit or rules.time_limit)
    model = _model(table, rules)
    if not model.targets:
        return Solution(set(), True, 0.0, 0.0)
    master = _Master(_costs(table, model, rules), _cover_cuts(table, model))
    caps = [_caps(table, model, level) for _, level in model.targets]
    attacker = LP(model.relations, np.zeros(model.relations.shape[0]), len(model.cells))
    while (left := deadline - time.perf_counter()) > 0:
        x, proven = master.solve(left)
        if x is None:
            return None
        cuts = [
            cut
            for (i, level), cap in zip(model.targets, caps, strict=True)
            if (cut := _attack(attacker, model, x, i, level, cap)) is not None
        ]
        if not cuts:
            chosen = {model.cells[model.n_primary + j] for j in np.flatnonzero(x > 0.5)}
            return Solution(
                chosen,
                proven,
                time.perf_counter() - started,
                float(sum(abs(table.values[c]) for c in chosen)),
            )
        master.add(cuts)
    return None


@dataclass
class _Master:
    costs: np.ndarray
    rows: list[tuple[np.ndarray, float]]
    """Cuts ``coef · x ≥ rhs`` over the candidates' binaries."""

    def add(self, cuts: list[tuple[np.ndarray, float]]) -> None:
        self.rows += cuts

    def solve(self, time_limit: float) -> tuple[np.ndarray | None, bool]:
        k = len(self.costs)
        if k == 0:
            return np.zeros(0), True
        constraints = []
        if self.rows:
            matrix = np.array([coef for coef, _ in self.rows])
            constraints = [
                LinearConstraint(matrix, np.array([rhs for _, rhs in self.rows]), np.inf)
            ]
        result = milp(
            self.costs,
            constraints=constraints,
            bounds=Bounds(0, 1),
            integrality=np.ones(k),
            options={"time_limit": time_limit, "disp": False, "mip_rel_gap": 1e-6},
        )
        return (None if result.x is None else np.round(result.x)), result.status == 0


def _cover_cuts(table: Table, model: _Model) -> list[tuple[np.ndarray, float]]:
    """A primary cell alone in a relation is recomputable: every relation holding one primary
    cell needs another of its cells suppressed (a cut the attacker LPs would find one by one)."""
    k = len(model.cells) - model.n_primary
    index = {c: i - model.n_primary for i, c in enumerate(model.cells) if i >= model.n_primary}
    cuts = []
    for total, parts in table.relations:
        cells = [total, *parts]
        if sum(c in table.primary for c in cells) != 1:
            continue
        coef = np.zeros(k)
        for c in cells:
            if c in index:
                coef[index[c]] = 1.0
        if coef.any():
            cuts.append((coef, 1.0))
    return cuts


def _caps(table: Table, model: _Model, level: float) -> tuple[np.ndarray, np.ndarray]:
    """How far a witness may move each cell up (``M``) and down (``room``) if it is hidden."""
    return np.full(len(model.cells), BIG_M * abs(level)), np.minimum(
        _room(table, model), BIG_M * abs(level)
    )


def _attack(
    attacker: LP,
    model: _Model,
    x: np.ndarray,
    target: int,
    level: float,
    caps: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, float] | None:
    """The attacker LP for one primary cell and direction under pattern ``x``: ``None`` when
    the cell can move by ``level``, else the cut (over the candidates) this pattern violates."""
    up, down = caps
    hidden = np.concatenate([np.ones(model.n_primary), x])
    upper, lower = up * hidden, -down * hidden
    if level > 0:
        upper[target] = level
    else:
        lower[target] = level
    objective = np.zeros(len(model.cells))
    objective[target] = -1.0 if level > 0 else 1.0
    attacker.bounds(lower, upper)
    value, reduced = attacker.minimise(objective)
    reached = -value if level > 0 else value
    if abs(reached - level) <= 1e-9 * max(1.0, abs(level)) or reduced is None:
        return None
    mu, nu = np.minimum(reduced, 0.0), np.maximum(reduced, 0.0)  # at upper / lower bounds
    weight = -mu * up + nu * down  # what each hidden cell is worth to the attacker
    fixed = float(np.sum(weight[: model.n_primary]) - weight[target])
    fixed += -mu[target] * upper[target] - nu[target] * lower[target]
    return weight[model.n_primary :], abs(level) - fixed
