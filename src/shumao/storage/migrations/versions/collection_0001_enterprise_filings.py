"""enterprise direct reporting: enterprises, filings, uploads, cells, workflow, deadlines

Revision ID: collection_0001
Revises:
Depends on: store_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "collection_0001"
down_revision = None
branch_labels = ("collection",)
depends_on = "store_0001"

TZ = sa.DateTime(timezone=True)


def _enterprise() -> None:
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("park_code", sa.String(16), nullable=True),
        sa.Column("county_code", sa.String(6), nullable=True),
        sa.Column("city_code", sa.String(6), nullable=True),
        sa.Column("province_code", sa.String(6), nullable=True),
        sa.Column("industry_code", sa.String(8), nullable=True),
        sa.Column("high_tech", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("specialized", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("outsourcing_reporter", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("trade_reporter", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False, server_default="system"),
    )
    op.create_index("ix_enterprise_park_code", "enterprise", ["park_code"])
    op.create_index("ix_enterprise_city_code", "enterprise", ["city_code"])
    op.create_index("ix_enterprise_province_code", "enterprise", ["province_code"])
    op.create_table(
        "enterprise_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_at", TZ, nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("source", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("ix_enterprise_change_enterprise_id", "enterprise_change", ["enterprise_id"])


def _filing() -> None:
    op.create_table(
        "filing",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("form_id", sa.String(20), nullable=False),
        sa.Column("form_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
        sa.Column("current_upload_id", sa.Integer, nullable=True),
        sa.Column("approved_upload_id", sa.Integer, nullable=True),
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintage.id"), nullable=True),
        sa.Column("first_submitted_at", TZ, nullable=True),
        sa.Column("submitted_at", TZ, nullable=True),
        sa.Column("submitted_by", sa.String(100), nullable=True),
        sa.Column("approved_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("form_id", "uscc", "period", name="uq_filing_form_uscc_period"),
    )
    op.create_index("ix_filing_enterprise_id", "filing", ["enterprise_id"])
    op.create_index("ix_filing_form_period", "filing", ["form_id", "period"])


def _uploads() -> None:
    op.create_table(
        "filing_upload",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filing.id"), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("fmt", sa.String(10), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("cells", sa.Integer, nullable=False, server_default="0"),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("uploaded_at", TZ, nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_filing_upload_filing_id", "filing_upload", ["filing_id"])
    op.create_table(
        "filing_cell",
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("filing_upload.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("sheet", sa.String(64), nullable=False, server_default=""),
        sa.Column("row", sa.Integer, nullable=True),
        sa.Column("cell", sa.String(12), nullable=False, server_default=""),
        sa.Column("total_line", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("product", sa.String(16), nullable=False, server_default=""),
        sa.Column("counterpart_area", sa.String(8), nullable=False, server_default=""),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "filing_explanation",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("filing_upload.id"), nullable=False),
        sa.Column("finding_key", sa.String(200), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("explained_by", sa.String(100), nullable=False),
        sa.Column("explained_at", TZ, nullable=False),
        sa.UniqueConstraint("upload_id", "finding_key", name="uq_explanation_upload_key"),
    )
    op.create_index("ix_filing_explanation_upload_id", "filing_explanation", ["upload_id"])


def _workflow() -> None:
    op.create_table(
        "filing_transition",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filing.id"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(12), nullable=True),
        sa.Column("to_status", sa.String(12), nullable=False),
        sa.Column("filing_version", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False, server_default=""),
        sa.Column("at", TZ, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("upload_id", sa.Integer, nullable=True),
        sa.Column("vintage_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_filing_transition_filing_id", "filing_transition", ["filing_id"])
    op.create_table(
        "filing_deadline",
        sa.Column("form_id", sa.String(20), primary_key=True),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
    )


def upgrade() -> None:
    _enterprise()
    _filing()
    _uploads()
    _workflow()


def downgrade() -> None:
    for name in (
        "filing_deadline",
        "filing_transition",
        "filing_explanation",
        "filing_cell",
        "filing_upload",
        "filing",
        "enterprise_change",
        "enterprise",
    ):
        op.drop_table(name)
