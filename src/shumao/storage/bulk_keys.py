"""PostgreSQL: check a vintage's foreign keys once, as a set, instead of once per row.

``observation`` references ``series`` and ``vintage``. PostgreSQL checks such keys with a
trigger per inserted row (a look-up with a row lock in each parent table): measured on
300,000 rows, 2.8 CPU s of the server's 3.0 for the whole ``COPY``; without the two row
triggers the same ``COPY`` takes 0.56 s (``benchmarks/import_1m.py``, ARCHITECTURE.md).

When the database role may set ``session_replication_role`` (a superuser, or PostgreSQL ≥ 15
after ``GRANT SET ON PARAMETER session_replication_role TO <role>``), ``keys_checked_once``
turns the row triggers off for the observation rows of one vintage, inside the caller's
transaction only (``SET LOCAL``), and then checks the same keys with one anti-join over the
vintage's rows: a row whose series does not exist raises ``StoreError`` and the caller's
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


@contextmanager
def keys_checked_once(conn: Connection, vintage_id: int) -> Iterator[None]:
    """Observation rows of ``vintage_id`` written in this block have their keys checked at
    its end, once for all rows (PostgreSQL, when permitted; elsewhere row by row as usual)."""
    if not may_skip_row_triggers(conn):
        yield
        return
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    yield
    conn.execute(text("SET LOCAL session_replication_role = origin"))
    orphans = conn.execute(
        text(
            "SELECT count(*) FROM observation o WHERE o.vintage_id = :v "
            "AND NOT EXISTS (SELECT 1 FROM series s WHERE s.id = o.series_id)"
        ),
        {"v": vintage_id},
    ).scalar_one()
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
