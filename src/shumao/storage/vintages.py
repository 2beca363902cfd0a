"""Write a load as a new vintage; read the latest (or as-of) values; draw revision tables.

Observations are never updated or deleted. A vintage holds the values one load supplied; a
read takes, for each series and period, the value from the newest vintage that has one
(optionally only vintages up to ``as_of``). A value withdrawn by a source is loaded as a new
observation with status ``M`` and no value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy.sql import ColumnElement

from shumao.errors import StoreError
from shumao.storage.tables import DIMENSIONS, NOT_APPLICABLE, observation, series, vintage

OBS_FIELDS = ("time_period", "value", "unit", "unit_mult", "obs_status", "conf_status", "attrs")
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
    keyed = _attach_series_ids(conn, dataflow_id, frame)
    rows = keyed.select("series_id", *OBS_FIELDS).with_columns(
        pl.lit(vintage_id, pl.Int64).alias("vintage_id")
    )
    for start in range(0, rows.height, batch_rows):
        batch = rows.slice(start, batch_rows)
        _insert_observations(conn, batch)
        if progress:
            progress(batch.height)
    return int(vintage_id)


def _attach_series_ids(conn: Connection, dataflow_id: str, frame: pl.DataFrame) -> pl.DataFrame:
    keys = frame.select(DIMENSIONS).unique()
    known = _series_frame(conn, dataflow_id)
    new = keys.join(known, on=list(DIMENSIONS), how="anti")
    if new.height:
        records = [dict(zip(DIMENSIONS, r, strict=True), dataflow_id=dataflow_id) for r in new.rows()]
        conn.execute(insert(series), records)
        known = _series_frame(conn, dataflow_id)
    return frame.join(known, on=list(DIMENSIONS), how="left")


def _series_frame(conn: Connection, dataflow_id: str) -> pl.DataFrame:
    result = conn.execute(
        select(series.c.id, *(series.c[d] for d in DIMENSIONS)).where(
            series.c.dataflow_id == dataflow_id
        )
    )
    schema = {"series_id": pl.Int64, **dict.fromkeys(DIMENSIONS, pl.String)}
    return pl.DataFrame(result.all(), schema=schema, orient="row")


_OBS_COLS = ("series_id", "time_period", "vintage_id", "value", "unit", "unit_mult",
             "obs_status", "conf_status", "attrs")


def _insert_observations(conn: Connection, batch: pl.DataFrame) -> None:
    batch = batch.select(_OBS_COLS)
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    try:
        if conn.dialect.name == "postgresql":
            cols = ", ".join(_OBS_COLS)
            with cur.copy(f"COPY observation ({cols}) FROM STDIN") as copy:
                for row in batch.iter_rows():
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(_OBS_COLS))
            cur.executemany(
                f"INSERT INTO observation ({', '.join(_OBS_COLS)}) VALUES ({marks})",
                batch.iter_rows(),
            )
    finally:
        cur.close()


def resolve_as_of(conn: Connection, as_of: AsOf) -> int | None:
    """A vintage id, a datetime (newest vintage created at or before it) or None (latest)."""
    if as_of is None or isinstance(as_of, int):
        return as_of
    found = conn.execute(select(func.max(vintage.c.id)).where(vintage.c.created_at <= as_of))
    vid = found.scalar()
    if vid is None:
        raise StoreError(
            f"{as_of:%Y-%m-%d %H:%M} 之前没有任何数据版本 / no vintage exists at or before {as_of}"
        )
    return int(vid)


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
    limit = resolve_as_of(conn, as_of)
    o2 = observation.alias("o2")
    newest = select(func.max(o2.c.vintage_id)).where(
        o2.c.series_id == observation.c.series_id, o2.c.time_period == observation.c.time_period
    )
    if limit is not None:
        newest = newest.where(o2.c.vintage_id <= limit)
    conds: list[ColumnElement[bool]] = [
        series.c.dataflow_id == dataflow_id,
        observation.c.vintage_id == newest.scalar_subquery(),
    ]
    conds += _selection(where, start, end)
    stmt = (
        select(*(series.c[d] for d in DIMENSIONS), *(observation.c[f] for f in OBS_FIELDS),
               observation.c.vintage_id)
        .select_from(observation.join(series, series.c.id == observation.c.series_id))
        .where(and_(*conds))
        .order_by(*(series.c[d] for d in DIMENSIONS), observation.c.time_period)
    )
    schema = {**FRAME_SCHEMA, "vintage_id": pl.Int64}
    return pl.DataFrame(conn.execute(stmt).all(), schema=schema, orient="row")


def _selection(
    where: Mapping[str, Sequence[str]] | None, start: str | None, end: str | None
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    for dim, codes in (where or {}).items():
        if dim not in DIMENSIONS:
            raise StoreError(f"未知维度 {dim} / unknown dimension {dim}")
        if codes:
            conds.append(series.c[dim].in_(list(codes)))
    if start:
        conds.append(observation.c.time_period >= start)
    if end:
        conds.append(observation.c.time_period <= end + "~")  # "2023~" sorts after "2023-Q4"
    return conds


def list_vintages(conn: Connection, dataflow_id: str | None = None) -> list[VintageInfo]:
    stmt = select(vintage).order_by(vintage.c.id)
    if dataflow_id:
        stmt = stmt.where(vintage.c.dataflow_id == dataflow_id)
    return [VintageInfo(**row._mapping) for row in conn.execute(stmt)]


def revisions(
    conn: Connection,
    dataflow_id: str,
    *,
    then: AsOf,
    now: AsOf = None,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pl.DataFrame:
    """Value then, value now, absolute and % revision for every series/period in either.

    Values are compared in the unit multiplier of the newer observation.
    """
    keys = [*DIMENSIONS, "time_period"]
    a = read(conn, dataflow_id, where=where, start=start, end=end, as_of=then)
    b = read(conn, dataflow_id, where=where, start=start, end=end, as_of=now)
    base = lambda f, name: f.select(  # noqa: E731
        *keys, (pl.col("value") * 10.0 ** pl.col("unit_mult").cast(pl.Float64)).alias(name),
        pl.col("unit_mult").alias(f"{name}_mult"), pl.col("unit").alias(f"{name}_unit"),
        pl.col("vintage_id").alias(f"{name}_vintage"),
    )
    joined = base(a, "then").join(base(b, "now"), on=keys, how="full", coalesce=True)
    mult = pl.coalesce("now_mult", "then_mult").cast(pl.Float64)
    scale = 10.0 ** mult
    out = joined.with_columns(
        (pl.col("then") / scale).alias("value_then"),
        (pl.col("now") / scale).alias("value_now"),
        pl.coalesce("now_unit", "then_unit").alias("unit"),
        mult.cast(pl.Int16).alias("unit_mult"),
    ).with_columns(
        (pl.col("value_now") - pl.col("value_then")).alias("revision"),
        ((pl.col("value_now") / pl.col("value_then") - 1.0) * 100.0).alias("revision_pct"),
    )
    return out.select(
        *keys, "unit", "unit_mult", "then_vintage", "value_then", "now_vintage", "value_now",
        "revision", "revision_pct",
    ).sort(keys)


def vintage_rows(conn: Connection, vintage_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(observation).where(
                observation.c.vintage_id == vintage_id
            )
        ).scalar_one()
    )
