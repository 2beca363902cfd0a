"""Secondary suppression of one table: the optimal method with the greedy one as its fallback,
then the audit, which must find every suppressed cell protected."""

from __future__ import annotations

import logging
import time

from shumao.release.disclosure import greedy, optimal
from shumao.release.disclosure.audit import Interval, audit
from shumao.release.disclosure.rules import Method, Rules
from shumao.release.disclosure.table import Table

log = logging.getLogger(__name__)


def suppress(
    table: Table,
    rules: Rules | None = None,
    *,
    method: Method | None = None,
    max_rounds: int = 1000,
) -> list[Interval]:
    """Suppress secondary cells until the audit finds every suppressed cell protected.

    ``method`` (default ``rules.method``): ``optimal`` solves the MILP within
    ``rules.time_limit`` and falls back to ``greedy`` when it finds no pattern in time.
    ``table.outcome`` tells what happened (method used, proven optimal, seconds)."""
    rules = rules or Rules()
    started = time.perf_counter()
    table.suppressed |= table.primary
    table.suppressed -= table.known
    used = method or rules.method
    table.outcome = {"method": used, "optimal": False}
    if used == "optimal" and table.primary:
        solution = optimal.solve(table, rules)
        if solution is None:
            log.warning(
                "optimal suppression found no pattern in %.0f s for a table of %d cells;"
                " using the greedy method",
                rules.time_limit,
                len(table.values),
            )
            table.outcome.update(method="greedy", fallback="time limit or size")
        else:
            table.suppressed |= solution.secondary
            table.outcome["optimal"] = solution.optimal
    intervals = _greedy_until_protected(table, rules, max_rounds)
    table.outcome["seconds"] = round(time.perf_counter() - started, 3)
    return intervals


def _greedy_until_protected(table: Table, rules: Rules, max_rounds: int) -> list[Interval]:
    """The greedy loop; after an optimal pattern it normally ends at once (a safety net)."""
    intervals: list[Interval] = []
    for _ in range(max_rounds):
        greedy.secondary(table)
        intervals = audit(table, rules)
        weak = [i for i in intervals if not i.protected]
        if not weak:
            break
        if table.outcome["method"] == "optimal":
            table.outcome["strengthened"] = True
        if not any([greedy.strengthen(table, i.cell) for i in weak]):
            break
    else:
        intervals = audit(table, rules)
    return intervals
