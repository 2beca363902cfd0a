"""export bases: registry and status history, applications and re-reviews with evidence,
service-outsourcing rosters, record linkage runs, results and review decisions

Revision ID: bases_0001
Revises:
Depends on: store_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "bases_0001"
down_revision = None
branch_labels = ("bases",)
depends_on = "store_0001"
TABLES = (
    "link_decision",
    "link_result",
    "link_run",
    "so_roster_row",
    "so_roster_load",
    "base_evidence",
    "base_application_item",
    "base_application",
    "export_base_status",
    "export_base",
)


def upgrade() -> None:
    op.create_table(
        "export_base",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("province_code", sa.String(6), nullable=False),
        sa.Column("region_group", sa.String(8), nullable=False),
        sa.Column("batch", sa.Integer, nullable=False),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_export_base_province_code", "export_base", ["province_code"])
    op.create_table(
        "export_base_status",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("base_code", sa.String(16), sa.ForeignKey("export_base.code"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("until", sa.Date, nullable=True),
        sa.Column("document", sa.String(200), nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_export_base_status_base_code", "export_base_status", ["base_code"])
    op.create_table(
        "base_application",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("base_code", sa.String(16), sa.ForeignKey("export_base.code"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("years", sa.String(20), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("verdict", sa.String(12), nullable=True),
        sa.Column("override_reason", sa.Text, nullable=True),
        sa.Column("override_by", sa.String(100), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_base_application_base_code", "base_application", ["base_code"])
    op.create_table(
        "base_application_item",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "application_id", sa.Integer, sa.ForeignKey("base_application.id"), nullable=False
        ),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("year", sa.String(4), nullable=False, server_default=""),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("unit", sa.String(10), nullable=False, server_default=""),
        sa.Column("statement", sa.Text, nullable=False, server_default=""),
        sa.Column("decision", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("application_id", "code", "year", name="uq_base_item_code_year"),
    )
    op.create_index(
        "ix_base_application_item_application_id", "base_application_item", ["application_id"]
    )
    op.create_table(
        "base_evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("base_application_item.id"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_base_evidence_item_id", "base_evidence", ["item_id"])
    op.create_table(
        "so_roster_load",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("file", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "so_roster_row",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("load_id", sa.Integer, sa.ForeignKey("so_roster_load.id"), nullable=False),
        sa.Column("row_no", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("base_code", sa.String(16), nullable=True),
        sa.Column("year", sa.String(4), nullable=False),
        sa.Column("record_key", sa.String(64), nullable=False),
        sa.Column("ito_contract", sa.Float, nullable=True),
        sa.Column("ito_exec", sa.Float, nullable=True),
        sa.Column("bpo_contract", sa.Float, nullable=True),
        sa.Column("bpo_exec", sa.Float, nullable=True),
        sa.Column("kpo_contract", sa.Float, nullable=True),
        sa.Column("kpo_exec", sa.Float, nullable=True),
    )
    op.create_index("ix_so_roster_row_base_year", "so_roster_row", ["base_code", "year"])
    op.create_index("ix_so_roster_row_record_key", "so_roster_row", ["record_key"])
    op.create_index("ix_so_roster_row_load_id", "so_roster_row", ["load_id"])
    op.create_table(
        "link_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("base_code", sa.String(16), nullable=True),
        sa.Column("year", sa.String(4), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("model", sa.JSON, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "link_result",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("link_run.id"), primary_key=True),
        sa.Column("roster_row_id", sa.Integer, sa.ForeignKey("so_roster_row.id"), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("candidate_uscc", sa.String(18), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("match_weight", sa.Float, nullable=True),
        sa.Column("match_probability", sa.Float, nullable=True),
        sa.Column("runner_up", sa.Float, nullable=True),
        sa.Column("weights", sa.JSON, nullable=True),
    )
    op.create_table(
        "link_decision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record_key", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("record_key", "uscc", name="uq_link_decision_pair"),
    )


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
