"""The alert change token: what a cached alert list is keyed on, so that no cache, in any
process, answers with alerts older than the store's.

``bump`` raises a one-row counter (``alert_change``) in the transaction of every change of an
alert (an evaluation, acknowledge, resolve, silence) and of the rule set (the rules' names).
The counter, not the newest ``updated_at`` or ``id``: two transactions commit in any order,
and a newest-timestamp or newest-id key would miss the one that took its moment or id first
and committed last; the counter's row is written under its lock, so every commit raises it.

``token`` reads, in one query: the counter, the newest enterprise change (the list names the
enterprises of enterprise-level alerts) and the moment the next silence ends (an alert
silenced until then comes back into the list without any write). Read before the list
itself, a token never labels a list older than itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, update

from shumao.collection.tables import enterprise_change
from shumao.monitor import tables as t
from shumao.storage.engine import insert_or_skip

ROW = 1
Token = tuple[int, int, str]


def bump(conn: Connection) -> None:
    """Raise the counter in the caller's transaction (call it after the change, close to the
    commit: on PostgreSQL the counter's row stays locked until then)."""
    counter = t.alert_change
    raise_ = update(counter).where(counter.c.id == ROW).values(n=counter.c.n + 1)
    if not conn.execute(raise_).rowcount:  # a store whose row was emptied: put it back
        conn.execute(insert_or_skip(conn, counter).values(id=ROW, n=0))
        conn.execute(raise_)


def token(conn: Connection) -> Token:
    """(counter, newest enterprise change, the next moment a silence ends or "")."""
    now = datetime.now(UTC)
    a = t.alert
    row = conn.execute(
        select(
            select(t.alert_change.c.n).where(t.alert_change.c.id == ROW).scalar_subquery(),
            select(func.max(enterprise_change.c.id)).scalar_subquery(),
            select(func.min(a.c.silenced_until)).where(a.c.silenced_until >= now).scalar_subquery(),
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0), str(row[2] or "")
