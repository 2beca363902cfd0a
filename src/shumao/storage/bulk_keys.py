"""PostgreSQL: check a vintage's foreign keys once, as a set, instead of once per row.

``observation`` references ``series`` and ``vintage``. PostgreSQL checks such keys with a
trigger per inserted row (a look-up with a row lock in each parent table): measured on
300,000 rows, 2.8 CPU s of the server's 3.0 for the whole ``COPY``; without the two row
triggers the same ``COPY`` takes 0.56 s (``benchmarks/import_1m.py``, ARCHITECTURE.md).

When the database role may set ``session_replication_role`` (a superuser, or PostgreSQL ≥ 15
after ``GRANT SET ON PARAMETER session_replication_role TO <role>``), ``keys_checked_once``
turns the row triggers off for the observation rows of one vintage, inside the caller's
transaction only (``SET LOCAL``), and then checks the same keys as a set: the series ids the
block says its rows hold (``write_vintage``: the column it sent), or else one anti-join over
the vintage's rows. A row whose series does not exist raises ``StoreError`` and the caller's
transaction rolls back, as the row trigger would have made it. Otherwise the rows are
checked by the triggers as before. Series and vintages are never deleted one by one (only a
restore truncates the whole store), so a row lock on the parent is not needed to keep them.

``write_vintage`` also writes the vintage's new series inside the block (84,000 series of a
1 M-row load: 0.5–0.6 server CPU s with their row trigger on ``dataflow``). Their one key,
``dataflow_id``, is the vintage's own, which the vintage row's trigger checked and locked
(``FOR KEY SHARE``) before the block: the check at the end proves the vintage and its
dataflow are there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, text

from shumao.errors import StoreError


def may_skip_row_triggers(conn: Connection) -> bool:
    """Whether this PostgreSQL role may set ``session_replication_role``."""
    if conn.dialect.name != "postgresql":
        return False
    row = conn.execute(
        text(
            "SELECT rolsuper, current_setting('server_version_num')::int "
            "FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    if row[0]:
        return True
    if row[1] < 150000:  # has_parameter_privilege came with PostgreSQL 15
        return False
    return bool(
        conn.execute(
            text("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        ).scalar_one()
    )


@dataclass
class Sent:
    """What the block says it wrote: the ``series_id`` column of its observation rows."""

    series_ids: pl.Series | None = None


@contextmanager
def keys_checked_once(conn: Connection, vintage_id: int) -> Iterator[Sent]:
    """Observation rows of ``vintage_id`` written in this block have their keys checked at
    its end, once for all rows (PostgreSQL, when permitted; elsewhere row by row as usual).

    A block that sets ``Sent.series_ids`` to the series ids of every row it wrote has those
    ids checked (ranges of consecutive ids, each counted in ``series``' primary key: 1 M
    rows of 84,000 new series, 0.01 server s); otherwise the vintage's rows are read back
    (one anti-join over them: 0.12 s)."""
    sent = Sent()
    if not may_skip_row_triggers(conn):
        yield sent
        return
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    yield sent
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    missing = _missing_series(conn, sent.series_ids) if sent.series_ids is not None else None
    orphans = 0 if missing == 0 else _orphan_rows(conn, vintage_id)
    missing_vintage = conn.execute(
        text(
            "SELECT count(*) = 0 FROM vintage v JOIN dataflow d ON d.id = v.dataflow_id "
            "WHERE v.id = :v"
        ),
        {"v": vintage_id},
    ).scalar_one()
    if orphans or missing_vintage:
        raise StoreError(
            f"第 {vintage_id} 版数据有 {orphans} 行引用了不存在的序列"
            f"{'（版本本身也不存在）' if missing_vintage else ''}，已全部撤销；"
            "请重新导入，若仍出现请报告此错误 / "
            f"{orphans} observation rows of vintage {vintage_id} refer to series that do not "
            f"exist{' (nor does the vintage)' if missing_vintage else ''}; nothing was stored. "
            "Import again and report this error if it recurs."
        )


MISSING_SERIES = """
SELECT coalesce(sum(r.hi - r.lo + 1 - (
    SELECT count(*) FROM series s WHERE s.id BETWEEN r.lo AND r.hi)), 0)
FROM unnest(%(lo)s::bigint[], %(hi)s::bigint[]) AS r(lo, hi)
"""
"""How many ids of the ranges ``lo``–``hi`` have no series (each range counted in the primary
key on its own: an index range scan per range whatever the planner knows of ``series``)."""


def _missing_series(conn: Connection, ids: pl.Series) -> int:
    """How many distinct ids of ``ids`` name no series."""
    distinct = ids.unique().sort()
    first = distinct.diff().fill_null(2) != 1  # a range of consecutive ids starts here
    last = first.shift(-1, fill_value=True)
    values = {"lo": distinct.filter(first).to_list(), "hi": distinct.filter(last).to_list()}
    return int(conn.exec_driver_sql(MISSING_SERIES, values).scalar_one())


def _orphan_rows(conn: Connection, vintage_id: int) -> int:
    """How many observation rows of ``vintage_id`` name no series (one anti-join)."""
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM observation o WHERE o.vintage_id = :v "
                "AND NOT EXISTS (SELECT 1 FROM series s WHERE s.id = o.series_id)"
            ),
            {"v": vintage_id},
        ).scalar_one()
    )
