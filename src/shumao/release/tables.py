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

The release calendar (``release_0002``):

    release_calendar    发布日程: what is released when (a dataflow, the report or an index;
                        a reference period; the scheduled moment, stored in UTC and shown in
                        Beijing time), its status (scheduled / released / postponed), the
                        prepared vintage under embargo, the embargo list, who approved it; the
                        queue the release worker claims from (``worker``)
    release_note        the notes of a release: generated from the data (``notes``), editable
    release_correction  a release outside the calendar that corrects released figures, and why
    release_snapshot    the open-data snapshot a release wrote (folder, manifest checksum)

The documents of a scheduled release (``release_0003``):

    release_document    a file of the annual report (PDF, Word, HTML, Excel) attached to a
                        calendar entry of kind ``report``: public once the entry is released
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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
    UniqueConstraint,
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

release_calendar = Table(
    "release_calendar",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # dataflow | report | index
    Column("subject", String(40), nullable=False),  # a dataflow id, "annual", a framework
    Column("title", Text, nullable=False),  # "中文 / English"
    Column("reference_period", String(16), nullable=False),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("status", String(12), nullable=False),  # scheduled | releasing | released | postponed
    Column("reason", Text, nullable=False, server_default=""),  # why postponed
    Column("vintage_id", Integer, ForeignKey("vintage.id"), nullable=True),  # under embargo
    Column("embargo", JSON, nullable=True),  # usernames who may see it before the minute
    Column("revision_reason", Text, nullable=False, server_default=""),
    Column("approved_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("release_id", Integer, ForeignKey("data_release.id"), nullable=True),
    Column("released_at", DateTime(timezone=True), nullable=True),
    Column("replaces", Integer, ForeignKey("release_calendar.id"), nullable=True),
    Index("ix_release_calendar_due", "status", "scheduled_at"),
)

release_note = Table(
    "release_note",
    metadata,
    Column("release_id", Integer, ForeignKey("data_release.id"), primary_key=True),
    Column("generated", JSON, nullable=False),  # notes.generate: the facts, as data
    Column("text_zh", Text, nullable=False),  # what the public reads; a person may edit it
    Column("text_en", Text, nullable=False),
    Column("edited_by", String(64), nullable=False, server_default=""),
    Column("edited_at", DateTime(timezone=True), nullable=True),
)

release_correction = Table(
    "release_correction",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("release_id", Integer, ForeignKey("data_release.id"), nullable=False),
    Column("corrects", Integer, ForeignKey("data_release.id"), nullable=False),
    Column("dataflow_id", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("periods", JSON, nullable=False),  # the corrected reference periods
    Column("corrected_by", String(64), nullable=False),
    Column("corrected_at", DateTime(timezone=True), nullable=False),
)

release_snapshot = Table(
    "release_snapshot",
    metadata,
    Column("release_id", Integer, ForeignKey("data_release.id"), primary_key=True),
    Column("folder", Text, nullable=False),  # relative to the open-data directory
    Column("manifest_sha256", String(64), nullable=False),
    Column("files", Integer, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("folder", name="uq_release_snapshot_folder"),
)

release_document = Table(
    "release_document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", Integer, ForeignKey("release_calendar.id"), nullable=False),
    Column("name", String(200), nullable=False),  # the file name, as downloaded
    Column("format", String(8), nullable=False),  # pdf | docx | html | xlsx
    Column("bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("attached_by", String(64), nullable=False),
    Column("attached_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("entry_id", "name", name="uq_release_document_name"),
)
