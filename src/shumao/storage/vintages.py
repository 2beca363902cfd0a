"""Write a load as a new vintage; read the latest (or as-of) values (revision tables: revisions.py).

Observations are never updated or deleted. A vintage holds the values one load supplied; a
read takes, for each series and period, the value from the newest vintage that has one
(optionally only vintages up to ``as_of``). A value withdrawn by a source is loaded as a new
observation with status ``M`` and no value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, insert, select, text, update

from shumao.errors import StoreError
from shumao.storage import bulk, read_statement
from shumao.storage.bulk_keys import keys_checked_once
from shumao.storage.series_ids import attach_series_ids
from shumao.storage.tables import DIMENSIONS, NOT_APPLICABLE, vintage

ANALYZE_AFTER_ROWS = 10_000
"""A vintage of this many rows refreshes PostgreSQL's statistics of the store's tables …"""
ANALYZE_GROWTH = 0.1
"""… when it adds at least this share of the rows they last counted (autovacuum's default)."""
FRAME_SCHEMA: dict[str, Any] = {
    **dict.fromkeys(DIMENSIONS, pl.String),
    "time_period": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "unit_mult": pl.Int16,
    "obs_status": pl.String,
    "conf_status": pl.String,
    "attrs": pl.String,
}
"""The tidy frame every importer produces and every read returns (plus ``vintage_id``)."""

AsOf = int | datetime | None


@dataclass(frozen=True)
class VintageInfo:
    id: int
    dataflow_id: str
    created_at: datetime
    kind: str
    label: str
    source_file: str
    source_sha256: str
    rows: int
    created_by: str
    note: str


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing optional columns with their defaults and cast to ``FRAME_SCHEMA``."""
    defaults: dict[str, Any] = {
        **dict.fromkeys(DIMENSIONS, NOT_APPLICABLE),
        "obs_status": "A",
        "conf_status": "F",
        "attrs": None,
        "unit_mult": 0,
    }
    missing = [pl.lit(v).alias(k) for k, v in defaults.items() if k not in frame.columns]
    frame = frame.with_columns(missing) if missing else frame
    return frame.select([pl.col(k).cast(t) for k, t in FRAME_SCHEMA.items()])


def conform_all(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """``frames`` as one frame of ``FRAME_SCHEMA`` (conformed); none: an empty one."""
    return conform(pl.concat(frames)) if frames else pl.DataFrame(schema=FRAME_SCHEMA)


def write_vintage(
    conn: Connection,
    *,
    dataflow_id: str,
    frame: pl.DataFrame,
    kind: str = "import",
    label: str = "",
    source_file: str = "",
    source_sha256: str = "",
    created_by: str = "system",
    note: str = "",
    batch_rows: int = 50_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store ``frame`` (see ``FRAME_SCHEMA``) as a new vintage of ``dataflow_id``; return its id.

    Runs inside the caller's transaction: if anything fails the caller's rollback removes the
    vintage, its new series and every observation written so far.
    """
    frame = conform(frame)
    vintage_id = conn.execute(
        insert(vintage)
        .values(
            dataflow_id=dataflow_id,
            created_at=datetime.now(UTC),
            kind=kind,
            label=label,
            source_file=source_file,
            source_sha256=source_sha256,
            rows=frame.height,
            created_by=created_by,
            note=note,
        )
        .returning(vintage.c.id)
    ).scalar_one()
    analyze = _analyze_due(conn, frame.height)
    with keys_checked_once(conn, int(vintage_id)) as sent:
        rows = attach_series_ids(
            conn,
            dataflow_id,
            frame,
            beside_sort=partial(_analyze, conn, "series") if analyze else None,
        ).with_columns(pl.lit(vintage_id, pl.Int64).alias("vintage_id"))
        bulk.insert_observations(conn, rows, batch_rows=batch_rows, progress=progress)
        sent.series_ids = rows["series_id"]
    if analyze:
        _analyze(conn, "observation")
    return int(vintage_id)


def set_source_sha256(conn: Connection, vintage_id: int, digest: str) -> None:
    """Record the loaded file's SHA-256 on its vintage (computed while the rows were written)."""
    conn.execute(update(vintage).where(vintage.c.id == vintage_id).values(source_sha256=digest))


def _analyze_due(conn: Connection, added: int) -> bool:
    """PostgreSQL: whether a vintage of ``added`` rows refreshes the store's statistics.

    Planned on an empty table's estimates, the newest-vintage read of 100,000 freshly loaded
    rows ran for minutes (CI, before autovacuum had analysed them). ``ANALYZE`` counts this
    transaction's own rows; it costs 0.08–0.1 server s after 1 M rows (``series`` 0.03 s of
    it: ``write_vintage`` runs that part once the series are sent, while the client still
    sorts the rows), so a vintage that adds less than a tenth of what the statistics counted
    leaves them to autovacuum, whose rule that is (the planner scales the counts by the
    table's size meanwhile). Decided before the rows are written (the count is the one the
    statistics hold, which writing does not change).
    """
    if conn.dialect.name != "postgresql" or added < ANALYZE_AFTER_ROWS:
        return False
    counted = conn.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = 'observation'::regclass")
    ).scalar_one()
    return bool(counted < 0 or added >= ANALYZE_GROWTH * counted)  # -1: never counted


def _analyze(conn: Connection, table: str) -> None:
    conn.execute(text(f"ANALYZE {table}"))


def resolve_as_of(conn: Connection, as_of: AsOf, dataflow_id: str | None = None) -> int | None:
    """A vintage id, a datetime (newest vintage created at or before it) or None (latest).

    With ``dataflow_id``, a vintage of another dataflow, a vintage that does not exist or a
    date before the dataflow's first vintage is an error naming the dataflow's vintages (an
    answer "as of" it would be silently empty).
    """
    if as_of is None:
        return None
    if isinstance(as_of, int):
        if dataflow_id is not None:
            _check_vintage(conn, as_of, dataflow_id)
        return as_of
    first = select(func.min(vintage.c.id))
    if dataflow_id is not None:
        first = first.where(vintage.c.dataflow_id == dataflow_id)
    earliest = conn.execute(first.where(vintage.c.created_at <= as_of)).scalar()
    if earliest is None:
        raise StoreError(
            f"{as_of:%Y-%m-%d %H:%M} 之前{_flow_zh(dataflow_id)}没有任何数据版本 / no vintage"
            f"{_flow_en(dataflow_id)} exists at or before {as_of:%Y-%m-%d %H:%M}"
            + _known(conn, dataflow_id)
        )
    found = conn.execute(select(func.max(vintage.c.id)).where(vintage.c.created_at <= as_of))
    return int(found.scalar_one())


def _check_vintage(conn: Connection, vintage_id: int, dataflow_id: str) -> None:
    owner = conn.execute(select(vintage.c.dataflow_id).where(vintage.c.id == vintage_id)).scalar()
    if owner == dataflow_id:
        return
    if owner is None:
        what = f"没有第 {vintage_id} 号数据版本 / there is no vintage {vintage_id}"
    else:
        what = (
            f"版本 {vintage_id} 属于数据流 {owner}，不是 {dataflow_id} / vintage {vintage_id} "
            f"belongs to dataflow {owner}, not {dataflow_id}"
        )
    raise StoreError(what + _known(conn, dataflow_id))


def _known(conn: Connection, dataflow_id: str | None) -> str:
    if dataflow_id is None:
        return ""
    rows = list_vintages(conn, dataflow_id)
    if not rows:
        return f"；{dataflow_id} 还没有数据版本 / {dataflow_id} has no vintage yet"
    listed = "、".join(f"{v.id}（{v.created_at:%Y-%m-%d %H:%M}）" for v in rows[-20:])
    more = f"……（共 {len(rows)} 个）" if len(rows) > 20 else ""
    return (
        f"。{dataflow_id} 的数据版本 / vintages of {dataflow_id}: {more}{listed}"
        "（shumao vintages " + dataflow_id + "）"
    )


def _flow_zh(dataflow_id: str | None) -> str:
    return f"数据流 {dataflow_id} " if dataflow_id else ""


def _flow_en(dataflow_id: str | None) -> str:
    return f" of dataflow {dataflow_id}" if dataflow_id else ""


def read(
    conn: Connection,
    dataflow_id: str,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: AsOf = None,
) -> pl.DataFrame:
    """Latest values (or latest as of a vintage/date) of ``dataflow_id`` matching ``where``."""
    return frame_of(read_rows(conn, dataflow_id, where=where, start=start, end=end, as_of=as_of))


def read_rows(
    conn: Connection,
    dataflow_id: str,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: AsOf = None,
) -> Sequence[Sequence[Any]]:
    """``read``'s rows as the driver returns them, in ``READ_SCHEMA``'s column order (the
    explorer computes a small view on them without a frame)."""
    limit = resolve_as_of(conn, as_of, dataflow_id)
    stmt, values = read_statement.statement(
        dataflow_id, where, start, end, limit, conn.dialect.name
    )
    return conn.execute(stmt, values).all()


def frame_of(rows: Sequence[Sequence[Any]]) -> pl.DataFrame:
    """``READ_SCHEMA``'s frame of the rows, built column by column (a fifth faster than row
    by row, and the explorer reads a page of them per request)."""
    columns: list[Sequence[Any]] = (
        list(zip(*rows, strict=True)) if rows else [()] * len(READ_SCHEMA)
    )
    return pl.DataFrame(
        [
            pl.Series(name, col, dtype=t)
            for col, (name, t) in zip(columns, READ_SCHEMA.items(), strict=True)
        ]
    )


READ_SCHEMA = {**FRAME_SCHEMA, "vintage_id": pl.Int64}
"""What ``read`` returns: the tidy frame and the vintage of each row."""
CHUNK = 500
"""Areas per statement when a filter lists many (an enterprise has ≈500 rows a year)."""


def read_in_chunks(
    conn: Connection,
    dataflow_id: str,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: AsOf = None,
) -> pl.DataFrame:
    """``read``, a long ``ref_area`` list split into statements of ``CHUNK`` codes (a province
    of thousands of enterprises neither overflows a statement's parameters nor one result)."""
    parts = [
        read(conn, dataflow_id, where=chunk, start=start, end=end, as_of=as_of)
        for chunk in area_chunks(where)
    ]
    return parts[0] if len(parts) == 1 else pl.concat(parts).sort([*DIMENSIONS, "time_period"])


def area_chunks(where: Mapping[str, Sequence[str]] | None) -> list[dict[str, Sequence[str]]]:
    """``where`` as filters of at most ``CHUNK`` ``ref_area`` codes each (one if fewer)."""
    filters = dict(where or {})
    areas = list(filters.get("ref_area", []))
    if len(areas) <= CHUNK:
        return [filters]
    return [{**filters, "ref_area": areas[i : i + CHUNK]} for i in range(0, len(areas), CHUNK)]


def list_vintages(conn: Connection, dataflow_id: str | None = None) -> list[VintageInfo]:
    stmt = select(vintage).order_by(vintage.c.id)
    if dataflow_id:
        stmt = stmt.where(vintage.c.dataflow_id == dataflow_id)
    return [VintageInfo(**row._mapping) for row in conn.execute(stmt)]


def rows_in_chunks(
    conn: Connection,
    dataflow_id: str,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: AsOf = None,
) -> list[Sequence[Any]]:
    """``read_rows`` with ``read_in_chunks``'s statements of ``CHUNK`` areas (rows unsorted
    across chunks)."""
    out: list[Sequence[Any]] = []
    for chunk in area_chunks(where):
        out += read_rows(conn, dataflow_id, where=chunk, start=start, end=end, as_of=as_of)
    return out
