"""Release cells: the protected aggregates a micro-data release publishes, stored once
(``store``) and read by every public request (``cells``) — cheap, shared by every server
process, and identical for everyone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
from sqlalchemy import Connection, and_, insert, select

from shumao.release.tables import release_cell
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA, READ_SCHEMA

CELL_COLUMNS = (
    *DIMENSIONS,
    "time_period",
    "value",
    "unit",
    "unit_mult",
    "obs_status",
    "conf_status",
)
BATCH = 5_000


def store(conn: Connection, release_id: int, cells: pl.DataFrame) -> int:
    rows = cells.select(CELL_COLUMNS).with_columns(pl.lit(release_id).alias("release_id"))
    for start in range(0, rows.height, BATCH):
        conn.execute(insert(release_cell), rows.slice(start, BATCH).to_dicts())
    return rows.height


def cells(
    conn: Connection,
    release_id: int,
    vintage_id: int,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pl.DataFrame:
    """The published cells of a release matching the filters (``READ_SCHEMA``)."""
    filters = {dim: list(codes) for dim, codes in (where or {}).items() if codes}
    if "ref_area" in filters:  # enterprises are never published: only places can match
        filters["ref_area"] = [c for c in filters["ref_area"] if len(c) != 18]
        if not filters["ref_area"]:
            return pl.DataFrame(schema=READ_SCHEMA)
    conds = [release_cell.c.release_id == release_id]
    conds += [release_cell.c[dim].in_(codes) for dim, codes in filters.items()]
    if start:
        conds.append(release_cell.c.time_period >= start)
    if end:
        conds.append(release_cell.c.time_period <= end + "~")
    rows = conn.execute(
        select(*(release_cell.c[c] for c in CELL_COLUMNS))
        .where(and_(*conds))
        .order_by(*(release_cell.c[d] for d in DIMENSIONS), release_cell.c.time_period)
    ).all()
    schema = {c: FRAME_SCHEMA[c] for c in CELL_COLUMNS}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(
        pl.lit(None, pl.String).alias("attrs"), pl.lit(vintage_id, pl.Int64).alias("vintage_id")
    ).select(list(READ_SCHEMA))
