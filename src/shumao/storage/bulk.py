"""Fast bulk inserts of tidy rows: COPY on PostgreSQL, multi-row INSERT on SQLite (the observations
of a vintage, an upload's cells and accepted observations)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection


def cursor(conn: Connection) -> Any:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    return dbapi.cursor()


OBS_COLS = (
    "series_id",
    "time_period",
    "vintage_id",
    "value",
    "unit",
    "unit_mult",
    "obs_status",
    "conf_status",
    "attrs",
)
SQLITE_MAX_PARAMS = 999
"""The smallest limit any SQLite build has on parameters per statement."""


def insert_observations(conn: Connection, batch: pl.DataFrame) -> None:
    insert_rows(conn, "observation", batch.select(OBS_COLS))


def insert_rows(conn: Connection, table: str, rows: pl.DataFrame) -> None:
    """Insert ``rows`` (columns named as in ``table``): COPY on PostgreSQL, else ``VALUES``."""
    cur = cursor(conn)
    try:
        if conn.dialect.name == "postgresql":
            _postgres_copy_rows(cur, table, rows)
        else:
            _sqlite_insert_rows(cur, table, rows)
    finally:
        cur.close()


def _postgres_copy_rows(cur: Any, table: str, rows: pl.DataFrame) -> None:
    """COPY ``rows`` as CSV written by Polars: no Python work per row.

    Exact: floats are written in their shortest round-trip form, NULL as an empty field and
    an empty string as ``""``, which PostgreSQL's CSV format tells apart.
    """
    data = rows.write_csv(include_header=False, null_value="", quote_style="necessary")
    sql = f"COPY {table} ({', '.join(rows.columns)}) FROM STDIN WITH (FORMAT csv)"
    with cur.copy(sql) as copy:
        copy.write(data.encode("utf-8"))


def _sqlite_insert_rows(cur: Any, table: str, batch: pl.DataFrame) -> None:
    """Insert ``batch`` into ``table`` with multi-row ``INSERT … VALUES`` statements.

    A column holding one value in the whole batch (the vintage, usually the unit, statuses)
    is bound once per statement as a numbered parameter; the others are bound per row. This
    halves the time SQLite spends per row compared with one ``executemany`` row at a time.
    """
    if batch.height == 0:
        return
    constant = [c for c in batch.columns[1:] if batch[c].n_unique() == 1]
    varying = [c for c in batch.columns if c not in constant]
    fixed = [batch[c][0] for c in constant]
    per_stmt = max(1, (SQLITE_MAX_PARAMS - len(constant)) // len(varying))
    columns = [batch[c].to_list() for c in varying]
    flat = list(itertools.chain.from_iterable(zip(*columns, strict=True)))
    step = per_stmt * len(varying)
    whole = len(flat) // step * step
    if whole:
        sql = _values_sql(table, batch.columns, constant, varying, per_stmt)
        cur.executemany(sql, (fixed + flat[i : i + step] for i in range(0, whole, step)))
    if whole < len(flat):
        rest = (len(flat) - whole) // len(varying)
        cur.execute(
            _values_sql(table, batch.columns, constant, varying, rest), fixed + flat[whole:]
        )


def _values_sql(
    table: str, columns: Sequence[str], constant: list[str], varying: list[str], rows: int
) -> str:
    """``INSERT INTO table (…) VALUES (?3, ?1, …), (?5, ?1, …)`` for ``rows`` rows."""
    place = {c: f"?{i + 1}" for i, c in enumerate(constant)}
    tuples = []
    for r in range(rows):
        first = len(constant) + r * len(varying)
        place.update({c: f"?{first + j + 1}" for j, c in enumerate(varying)})
        tuples.append("(" + ", ".join(place[c] for c in columns) + ")")
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(tuples)}"
