"""Tables of the statistical store (SQLAlchemy Core).

An SDMX-shaped model: a *dataflow* declares its dimensions; a *series* is one combination of
dimension codes; an *observation* is a value of a series for a period **in a vintage**. Loads
never update or delete observations: each load adds a vintage and reads pick the latest
vintage (or the latest as of a vintage or date) per series and period.
Dimensions a dataflow does not use hold ``_Z`` (SDMX "not applicable").
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
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

DIMENSIONS = ("ref_area", "counterpart_area", "product", "flow", "indicator", "freq")
"""Series dimensions, in key order. ``time_period`` is the observation dimension."""

NOT_APPLICABLE = "_Z"

dataflow = Table(
    "dataflow",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("source_zh", String(300), nullable=False, server_default=""),
    Column("source_en", String(300), nullable=False, server_default=""),
    Column("definition", JSON, nullable=False),
)

vintage = Table(
    "vintage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataflow_id", String(40), ForeignKey("dataflow.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(20), nullable=False),  # import | filing | manual | restore
    Column("label", String(300), nullable=False, server_default=""),
    Column("source_file", String(500), nullable=False, server_default=""),
    Column("source_sha256", String(64), nullable=False, server_default=""),
    Column("rows", Integer, nullable=False, server_default="0"),
    Column("created_by", String(100), nullable=False, server_default="system"),
    Column("note", Text, nullable=False, server_default=""),
)

series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataflow_id", String(40), ForeignKey("dataflow.id"), nullable=False),
    *(Column(d, String(64), nullable=False) for d in DIMENSIONS),
    UniqueConstraint("dataflow_id", *DIMENSIONS, name="uq_series_key"),
)

observation = Table(
    "observation",
    metadata,
    Column("series_id", Integer, ForeignKey("series.id"), primary_key=True),
    Column("time_period", String(10), primary_key=True),
    Column("vintage_id", Integer, ForeignKey("vintage.id"), primary_key=True),
    Column("value", Float, nullable=True),
    Column("unit", String(16), nullable=False),
    Column("unit_mult", SmallInteger, nullable=False),
    Column("obs_status", String(2), nullable=False, server_default="A"),
    Column("conf_status", String(2), nullable=False, server_default="F"),
    Column("attrs", Text, nullable=True),
    Index("ix_observation_vintage", "vintage_id"),
    sqlite_with_rowid=False,
)
