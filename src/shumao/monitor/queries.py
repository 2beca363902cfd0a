"""Reading alerts for a scope: the list with filters and pages, counts by level, the worst open
level per province (the map), the badge, one alert with its history.

Scopes are SQL conditions on the alert's own columns (``province``, ``city``, ``park``,
``ref_area``), written when the alert is made: a province sees the alerts of its area, a city
and a park theirs, an enterprise its own, the ministry and admins all; the public sees only
alerts marked public (rules with ``public: true``, on released figures).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, true
from sqlalchemy.sql import ColumnElement

from shumao.auth.permissions import sees_all
from shumao.auth.scope import Scope
from shumao.monitor import tables as t
from shumao.monitor.alerts import OPEN

a = t.alert


def scope_condition(scope: Scope) -> ColumnElement[bool]:
    if sees_all(scope):
        return true()
    if scope.is_public:
        return a.c.public.is_(True)
    column = {
        "province": a.c.province,
        "city": a.c.city,
        "park": a.c.park,
        "enterprise": a.c.ref_area,
    }[scope.role]
    return column == scope.code


def inside(scope: Scope) -> Any:
    """The same test on a fetched row (for actions on one alert)."""

    def check(row: dict[str, Any]) -> bool:
        if sees_all(scope):
            return True
        if scope.is_public:
            return bool(row["public"])
        key = {"province": "province", "city": "city", "park": "park", "enterprise": "ref_area"}[
            scope.role
        ]
        return row[key] == scope.code

    return check


@dataclass(frozen=True)
class Filters:
    level: str | None = None
    state: str | None = None
    """A state, ``open`` (pending, firing, acknowledged; the default) or ``all``."""
    rule: str | None = None
    area: str | None = None
    """A province, city or park code, or any ``ref_area``."""
    period: str | None = None
    silenced: bool = False
    """Include silenced alerts (hidden by default while their silence lasts)."""


def _conditions(scope: Scope, f: Filters) -> list[ColumnElement[bool]]:
    conds = [scope_condition(scope)]
    state = f.state or "open"
    if state == "open":
        conds.append(a.c.state.in_(OPEN))
    elif state != "all":
        conds.append(a.c.state == state)
    if f.level:
        conds.append(a.c.level == f.level)
    if f.rule:
        conds.append(a.c.rule_code == f.rule)
    if f.area:
        conds.append(
            or_(
                a.c.province == f.area,
                a.c.city == f.area,
                a.c.park == f.area,
                a.c.ref_area == f.area,
            )
        )
    if f.period:
        conds.append(a.c.period.startswith(f.period))
    if not f.silenced:
        now = datetime.now(UTC)
        conds.append(
            and_(
                or_(a.c.silenced_until.is_(None), a.c.silenced_until < now),
                a.c.silenced_value.is_(None),
            )
        )
    return conds


LIST_COLUMNS = (
    a.c.id,
    a.c.rule_code,
    a.c.level,
    a.c.rank,
    a.c.state,
    a.c.ref_area,
    a.c.province,
    a.c.park,
    a.c.period,
    a.c.value,
    a.c.threshold,
    a.c.message_zh,
    a.c.message_en,
    a.c.fired_at,
    a.c.updated_at,
    a.c.dataflow,
    a.c.version,
)


def page(
    conn: Connection, scope: Scope, f: Filters, *, page_no: int = 1, size: int = 50
) -> tuple[list[dict[str, Any]], int]:
    """One page of alerts, worst level first, newest first within a level; and the total."""
    where = and_(*_conditions(scope, f))
    total = conn.execute(select(func.count()).select_from(a).where(where)).scalar_one()
    return rows(conn, scope, f, page_no=page_no, size=size), int(total)


def rows(
    conn: Connection, scope: Scope, f: Filters, *, page_no: int = 1, size: int = 50
) -> list[dict[str, Any]]:
    """One page of alerts, worst level first, newest first within a level (``ix_alert_open``
    gives each open state in that order: SQLite stops after ``size`` rows of each)."""
    found = conn.execute(
        select(*LIST_COLUMNS)
        .where(and_(*_conditions(scope, f)))
        .order_by(a.c.rank.desc(), a.c.id.desc())
        .limit(size)
        .offset((page_no - 1) * size)
    )
    return [dict(r._mapping) for r in found]


@dataclass(frozen=True)
class Summary:
    """What the list shows besides its rows: alerts per level under the filters (the level
    filter itself left out: the tiles), and the worst open level per province (the map)."""

    counts: dict[str, int]
    worst: dict[str, int]
    """Province code → rank of its worst open alert (4 red … 1 blue)."""

    def total(self, f: Filters) -> int:
        """The number of alerts under ``f``: its level's count, or all levels'."""
        return self.counts.get(f.level, 0) if f.level else sum(self.counts.values())


def summary(conn: Connection, scope: Scope, f: Filters) -> Summary:
    """Counts per level and the worst level per province in one grouped read of the covering
    index ``ix_alert_open`` when the filters (the level aside) are the default ones, as on
    the page people open first; otherwise the map takes a second read without the filters."""
    unlevelled = replace(f, level=None, state=f.state or "open")
    where = and_(*_conditions(scope, unlevelled))
    found = conn.execute(
        select(a.c.level, a.c.province, func.count(), func.max(a.c.rank))
        .where(where)
        .group_by(a.c.level, a.c.province)
    ).all()
    counts: dict[str, int] = {}
    for level, _province, n, _rank in found:
        counts[level] = counts.get(level, 0) + int(n)
    if unlevelled != Filters(state="open"):
        return Summary(counts, worst_by_province(conn, scope))
    worst: dict[str, int] = {}
    for _level, province, _n, rank in found:
        if province is not None:
            worst[province] = max(worst.get(province, 0), int(rank))
    return Summary(counts, worst)


def counts(conn: Connection, scope: Scope, f: Filters) -> dict[str, int]:
    """Alerts per level under the filters (the level filter itself left out)."""
    where = and_(*_conditions(scope, Filters(**{**f.__dict__, "level": None})))
    found = conn.execute(select(a.c.level, func.count()).where(where).group_by(a.c.level))
    return {level: int(n) for level, n in found}


def worst_by_province(conn: Connection, scope: Scope) -> dict[str, int]:
    """Province code → rank of its worst open alert (4 red … 1 blue)."""
    where = and_(*_conditions(scope, Filters()), a.c.province.is_not(None))
    found = conn.execute(
        select(a.c.province, func.max(a.c.rank)).where(where).group_by(a.c.province)
    )
    return {p: int(r) for p, r in found}


def badge(conn: Connection, scope: Scope) -> int:
    """Firing alerts in the scope (not acknowledged, not silenced): the number in the menu."""
    where = and_(*_conditions(scope, Filters(state="firing")))
    return int(conn.execute(select(func.count()).select_from(a).where(where)).scalar_one())


def one(conn: Connection, scope: Scope, alert_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(a).where(a.c.id == alert_id, scope_condition(scope))).first()
    return dict(row._mapping) if row else None


def rules_used(conn: Connection, scope: Scope) -> list[str]:
    rows = conn.execute(
        select(a.c.rule_code).where(scope_condition(scope)).distinct().order_by(a.c.rule_code)
    )
    return [r for (r,) in rows]
