"""Tables of enterprise direct reporting (SQLAlchemy Core, on the shared ``metadata``).

    enterprise             the enterprise database (企业信息库); ``version`` counts changes
    enterprise_change      every change of an enterprise: who, when, what (field: [old, new])
    filing                 one form × enterprise × period; ``status`` and ``version`` (optimistic
                           lock: every state change is ``UPDATE … WHERE version = seen``)
    filing_upload          every upload, accepted or rejected, with its findings and the file
    filing_cell            the cells an upload supplied (text as written + parsed value)
    filing_observation     the observations an accepted upload stands for, as approval stores
                           them (worked out once at upload: ``workflow.accepted``)
    filing_explanation     the filer's written explanation of a warning of an upload
    filing_transition      every workflow step: from → to, who (name, role, scope), when, why
    filing_deadline        the due date of a form's period when it differs from the form's rule

Created by migrations ``collection_0001`` … (branch ``collection``); ``filing_observation`` by
``collection_0004``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from shumao.storage.tables import DIMENSIONS, metadata

enterprise = Table(
    "enterprise",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("park_code", String(16), nullable=True, index=True),
    Column("county_code", String(6), nullable=True),
    Column("city_code", String(6), nullable=True, index=True),
    Column("province_code", String(6), nullable=True, index=True),
    Column("industry_code", String(8), nullable=True),
    Column("high_tech", Boolean, nullable=False, server_default=false()),
    Column("specialized", Boolean, nullable=False, server_default=false()),
    Column("outsourcing_reporter", Boolean, nullable=False, server_default=false()),
    Column("trade_reporter", Boolean, nullable=False, server_default=false()),
    Column("cbec_reporter", Boolean, nullable=False, server_default=false()),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False, server_default="system"),
)

enterprise_change = Table(
    "enterprise_change",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("action", String(20), nullable=False),  # create | update
    Column("changes", JSON, nullable=False),
    Column("source", String(300), nullable=False, server_default=""),
)

filing = Table(
    "filing",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("form_id", String(20), nullable=False),
    Column("form_version", Integer, nullable=False, server_default="1"),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id"), nullable=False, index=True),
    Column("uscc", String(18), nullable=False),
    Column("period", String(10), nullable=False),
    Column("status", String(12), nullable=False),  # draft | submitted | approved | returned
    Column("version", Integer, nullable=False, server_default="1"),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("current_upload_id", Integer, nullable=True),
    Column("approved_upload_id", Integer, nullable=True),
    Column("vintage_id", Integer, ForeignKey("vintage.id"), nullable=True),
    Column("first_submitted_at", DateTime(timezone=True), nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("submitted_by", String(100), nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("form_id", "uscc", "period", name="uq_filing_form_uscc_period"),
    Index("ix_filing_form_period", "form_id", "period"),
)

filing_upload = Table(
    "filing_upload",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("filing_id", Integer, ForeignKey("filing.id"), nullable=False, index=True),
    Column("filename", String(300), nullable=False),
    Column("fmt", String(10), nullable=False),  # xlsx | csv | json | unknown
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    # the file as received; NULL when refused unread (e.g. over the size limit)
    Column("content", LargeBinary, nullable=True),
    Column("status", String(12), nullable=False),  # accepted | rejected
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("cells", Integer, nullable=False, server_default="0"),
    Column("report", JSON, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_by", String(100), nullable=False),
)

filing_cell = Table(
    "filing_cell",
    metadata,
    Column("upload_id", Integer, ForeignKey("filing_upload.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("line", Integer, nullable=False),
    Column("field", String(32), nullable=False),
    Column("sheet", String(64), nullable=False, server_default=""),
    Column("row", Integer, nullable=True),
    Column("cell", String(12), nullable=False, server_default=""),
    Column("total_line", Boolean, nullable=False, server_default=false()),
    Column("product", String(16), nullable=False, server_default=""),
    Column("counterpart_area", String(8), nullable=False, server_default=""),
    Column("value", Float, nullable=True),
    # the cell as written; never evaluated, escaped on export (shumao.output.inert)
    Column("text", Text, nullable=True),
    sqlite_with_rowid=False,
)

filing_observation = Table(
    "filing_observation",
    metadata,
    Column("upload_id", Integer, ForeignKey("filing_upload.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    *(Column(d, String(64), nullable=False) for d in DIMENSIONS),
    Column("time_period", String(10), nullable=False),
    Column("value", Float, nullable=True),
    Column("unit", String(16), nullable=False),
    Column("unit_mult", Integer, nullable=False, server_default="0"),
    Column("obs_status", String(2), nullable=False, server_default="A"),
    sqlite_with_rowid=False,
)

filing_explanation = Table(
    "filing_explanation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("upload_id", Integer, ForeignKey("filing_upload.id"), nullable=False, index=True),
    Column("finding_key", String(200), nullable=False),
    Column("code", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("explained_by", String(100), nullable=False),
    Column("explained_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("upload_id", "finding_key", name="uq_explanation_upload_key"),
)

filing_transition = Table(
    "filing_transition",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("filing_id", Integer, ForeignKey("filing.id"), nullable=False, index=True),
    Column("action", String(20), nullable=False),
    Column("from_status", String(12), nullable=True),
    Column("to_status", String(12), nullable=False),
    Column("filing_version", Integer, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("role", String(12), nullable=False),
    Column("scope", String(20), nullable=False, server_default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("upload_id", Integer, nullable=True),
    Column("vintage_id", Integer, nullable=True),
)

filing_deadline = Table(
    "filing_deadline",
    metadata,
    Column("form_id", String(20), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("due", Date, nullable=False),
    Column("set_by", String(100), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)
