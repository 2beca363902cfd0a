"""Tables of releases and the cells they publish (SQLAlchemy Core, shared metadata).

    data_release   a vintage of a dataflow made public (the public reads only released vintages);
                   ``disclosure`` records the rule set its published cells were protected with
                   and how each table went (``publish.disclosure_record``)
    release_cell   for micro-data dataflows (rows per enterprise), the protected aggregates a
                   release publishes, computed once when it is released (``cells.store``)

Both were created on the ``auth`` Alembic branch, when releases were part of ``auth``:
``auth_0001`` made them and ``auth_0003`` added ``data_release.disclosure``. That history stays
as it is (the table names did not change); later migrations of these tables are on the
``release`` branch: ``release_0001`` (depends on ``auth_0003``) records the rules of the
releases made before the rule set was stored.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from shumao.storage.tables import DIMENSIONS, metadata

data_release = Table(
    "data_release",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataflow_id", String(40), ForeignKey("dataflow.id"), nullable=False),
    Column("vintage_id", Integer, ForeignKey("vintage.id"), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=False),
    Column("released_by", String(64), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("disclosure", JSON, nullable=True),  # rule set + outcome (auth_0003)
    Index("ix_data_release_flow", "dataflow_id", "vintage_id"),
)

release_cell = Table(
    "release_cell",
    metadata,
    Column("release_id", Integer, ForeignKey("data_release.id"), nullable=False),
    *(Column(d, String(64), nullable=False) for d in DIMENSIONS),
    Column("time_period", String(10), nullable=False),
    Column("value", Float, nullable=True),
    Column("unit", String(16), nullable=False),
    Column("unit_mult", SmallInteger, nullable=False),
    Column("obs_status", String(2), nullable=False),
    Column("conf_status", String(2), nullable=False),
    Index("ix_release_cell_area", "release_id", "ref_area"),
)
