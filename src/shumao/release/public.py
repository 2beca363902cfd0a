"""What the public sees of a dataflow: a released vintage, disclosure-controlled.

* the dataflow as of its newest released vintage (or an older released one, ``as_of``);
* cells marked confidential (``conf_status`` C or D) lose their value;
* micro-data dataflows (``ref_area`` an enterprise's USCC, e.g. ``ENT_DDS``) are never
  shown per enterprise: the public reads the protected aggregates the release published
  (``cells``), and ``protected_by`` names the rule set that protected them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from shumao.release import cells, history, publish, shown
from shumao.release.publish import is_microdata
from shumao.release.tables import data_release
from shumao.storage import vintages
from shumao.storage.dataflows import get_dataflow

Where = Mapping[str, Sequence[str]]


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=vintages.READ_SCHEMA)


def public_view(
    conn: Connection,
    dataflow_id: str,
    *,
    where: Where | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: int | datetime | None = None,
) -> pl.DataFrame:
    """What the public sees: a released vintage, disclosure-controlled."""
    flow = get_dataflow(dataflow_id)
    shown.note(flow.id)
    limit = vintages.resolve_as_of(conn, as_of) if as_of is not None else None
    released = history.public_as_of(conn, flow.id, limit)
    if released is None:
        return empty()
    filters = {k: list(v) for k, v in (where or {}).items() if v}
    if is_microdata(flow):
        release_id = history.release_of(conn, flow.id, released)
        return cells.cells(conn, release_id, released, where=filters, start=start, end=end)
    frame = vintages.read(conn, flow.id, where=filters, start=start, end=end, as_of=released)
    return blank_confidential(frame)


def protected_by(
    conn: Connection, dataflow_id: str, as_of: int | datetime | None = None
) -> dict[str, Any] | None:
    """The disclosure rule set (name and parameters) that protected what the public reads of
    a micro-data dataflow; ``None`` for a dataflow published as it is, or not released."""
    flow = get_dataflow(dataflow_id)
    limit = vintages.resolve_as_of(conn, as_of) if as_of is not None else None
    released = history.public_as_of(conn, flow.id, limit)
    if released is None or not is_microdata(flow):
        return None
    release_id = history.release_of(conn, flow.id, released)
    record = conn.execute(
        select(data_release.c.disclosure).where(data_release.c.id == release_id)
    ).scalar()
    return (record or {}).get("rules")


def blank_confidential(frame: pl.DataFrame) -> pl.DataFrame:
    secret = pl.col("conf_status").is_in(["C", "D"])
    return frame.with_columns(pl.when(secret).then(None).otherwise(pl.col("value")).alias("value"))


def prospective(conn: Connection, flow_id: str, vintage_id: int) -> pl.DataFrame:
    """The public view a release of ``vintage_id`` would give (not stored)."""
    flow = get_dataflow(flow_id)
    if publish.is_microdata(flow):
        return (
            publish.cube(conn, flow.id, vintage_id)
            .with_columns(
                pl.lit(None, pl.String).alias("attrs"),
                pl.lit(vintage_id, pl.Int64).alias("vintage_id"),
            )
            .select(list(vintages.READ_SCHEMA))
        )
    return blank_confidential(vintages.read(conn, flow.id, as_of=vintage_id))
