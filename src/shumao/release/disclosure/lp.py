"""One linear programme solved for many objectives and bounds (HiGHS, warm-started).

The audit asks for the minimum and maximum of every suppressed cell over the same constraints;
the optimal method asks the same attacker LP with other bounds hundreds of times. Building a
``scipy.optimize.linprog`` problem for each costs more than solving it (measured: 41 ms a
call, 10 ms of it in HiGHS, on a 594-cell table); one ``highspy.Highs`` model whose objective
and bounds change keeps its basis, and most re-solves take a few pivots.
"""

from __future__ import annotations

import os
from functools import lru_cache

import highspy
import numpy as np
from scipy.sparse import csc_array, csr_array

INF = highspy.kHighsInf


@lru_cache(maxsize=1)
def _quiet() -> None:
    """HiGHS prints its banner to stdout when the first model is made: send it to /dev/null."""
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class LP:
    """``min/max c·y`` subject to ``A·y = b`` and bounds, for one ``c`` at a time."""

    def __init__(self, a_eq: csr_array | None, b_eq: np.ndarray | None, n: int) -> None:
        _quiet()
        self.n = n
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")  # keeps the basis between solves
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.full(n, -INF)
        lp.col_upper_ = np.full(n, INF)
        if a_eq is not None and a_eq.shape[0]:
            matrix = csc_array(a_eq)
            lp.num_row_ = matrix.shape[0]
            lp.row_lower_ = np.asarray(b_eq, dtype=float)
            lp.row_upper_ = np.asarray(b_eq, dtype=float)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = matrix.indptr
            lp.a_matrix_.index_ = matrix.indices
            lp.a_matrix_.value_ = matrix.data
            lp.a_matrix_.num_col_ = n
            lp.a_matrix_.num_row_ = matrix.shape[0]
        self.highs.passModel(lp)
        self.cost = np.zeros(n)

    def bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        lo = np.where(np.isfinite(lower), lower, -INF)
        hi = np.where(np.isfinite(upper), upper, INF)
        self.highs.changeColsBounds(self.n, np.arange(self.n, dtype=np.int32), lo, hi)

    def minimise(self, cost: np.ndarray) -> tuple[float, np.ndarray | None]:
        """The minimum of ``cost · y`` (``-inf`` when unbounded) and the reduced costs."""
        changed = np.flatnonzero(cost != self.cost)
        if changed.size:
            self.highs.changeColsCost(changed.size, changed.astype(np.int32), cost[changed])
            self.cost = cost.copy()
        self.highs.run()
        status = self.highs.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return -np.inf, None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {self.highs.modelStatusToString(status)}")
        return (
            float(self.highs.getInfo().objective_function_value),
            np.asarray(self.highs.getSolution().col_dual),
        )
