"""The biennial re-review (复审, notice 四(五)): the application criteria on the two years
before the re-review year, a verdict of 复审合格 / 复审不合格 / 待补材料, the due date on the
working-day calendar, and an explanation sheet per base.

A base designated on 2020-04-01 is re-reviewed in 2022, 2024, 2026 …; the 2024 re-review
looks at 2022 and 2023, is due on 2024-04-01 moved to the next working day, and its result is
published for five working days (``calendar.publicity_end``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from shumao.auth.scope import Scope
from shumao.bases import assessment, calendar, evaluate, registry, rules, targets


@dataclass(frozen=True)
class Rereview:
    base: registry.Base
    cycle: int
    years: tuple[str, ...]
    due: date | None
    evaluation: evaluate.Evaluation
    targets: list[targets.TargetCheck]
    what_if: list[evaluate.WhatIf]


def cycles(base: registry.Base, until: int) -> list[int]:
    if base.designated_on is None:
        return []
    designated = _designated(base)
    return calendar.rereview_years(designated, every=rules.review_every_years(), until=until)


def _designated(base: registry.Base) -> date:
    """The first designation date, even when the current status is a later one."""
    assert base.designated_on is not None
    return base.designated_on


def latest_cycle(base: registry.Base, today: date) -> int | None:
    found = cycles(base, today.year)
    return found[-1] if found else None


def years_of(cycle: int) -> tuple[str, ...]:
    return tuple(str(cycle - k) for k in range(rules.review_every_years(), 0, -1))


def run(
    conn: Connection,
    *,
    scope: Scope,
    base_code: str,
    cycle: int | None = None,
    today: date | None = None,
) -> Rereview:
    base = registry.get(conn, base_code)
    first = registry.history(conn, base.code)
    designated = next((s.effective_on for s in first if s.status == "designated"), None)
    today = today or date.today()
    if cycle is None:
        every = rules.review_every_years()
        cycle = (
            calendar.rereview_years(designated, every=every, until=today.year)[-1]
            if designated and designated.year + every <= today.year
            else today.year
        )
    years = years_of(cycle)
    due = calendar.rereview_due(designated, cycle) if designated else None
    result = assessment.assess(
        conn, scope=scope, base_code=base.code, kind="rereview", years=list(years)
    )
    checks = [t for y in years for t in targets.check(conn, base=base, year=y)]
    return Rereview(base, cycle, years, due, result, checks, evaluate.what_if(result))
