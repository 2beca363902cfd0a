"""outbound: project register, self-checks, host-economy risk levels and their alerts

Revision ID: outbound_0001
Revises:
Depends on: collection_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "outbound_0001"
down_revision = None
branch_labels = ("outbound",)
depends_on = "collection_0001"


def upgrade() -> None:
    op.create_table(
        "outbound_project",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filing.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("province_code", sa.String(6), nullable=True),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("project_no", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("host", sa.String(3), nullable=False),
        sa.Column("area", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("stage", sa.String(12), nullable=False),
        sa.Column("odi_cert", sa.String(14), nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("started_on", sa.Date, nullable=True),
        sa.Column("operating_on", sa.Date, nullable=True),
        sa.Column("exited_on", sa.Date, nullable=True),
        sa.Column("approved", sa.Float, nullable=False),
        sa.Column("invested", sa.Float, nullable=True),
        sa.Column("revenue", sa.Float, nullable=True),
        sa.Column("employees", sa.Integer, nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
    )
    for col in ("uscc", "province_code", "host", "odi_cert"):
        op.create_index(f"ix_outbound_project_{col}", "outbound_project", [col])
    op.create_index("ix_outbound_project_filing", "outbound_project", ["filing_id", "revision"])
    op.create_table(
        "outbound_selfcheck",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("project_no", sa.String(20), nullable=False),
        sa.Column("rule_set", sa.String(30), nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("on_day", sa.Date, nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("route", sa.String(30), nullable=False),
        sa.Column("article", sa.String(60), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_outbound_selfcheck_uscc", "outbound_selfcheck", ["uscc"])
    op.create_table(
        "outbound_risk",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("economy", sa.String(3), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("inputs", sa.String(64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbound_risk_economy", "outbound_risk", ["economy"])
    op.create_table(
        "outbound_alert",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("economy", sa.String(3), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("province_code", sa.String(6), nullable=True),
        sa.Column("level_from", sa.String(10), nullable=True),
        sa.Column("level_to", sa.String(10), nullable=False),
        sa.Column("projects", sa.JSON, nullable=False),
        sa.Column("message_zh", sa.String(500), nullable=False),
        sa.Column("message_en", sa.String(500), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    )
    for col in ("economy", "uscc", "province_code"):
        op.create_index(f"ix_outbound_alert_{col}", "outbound_alert", [col])


def downgrade() -> None:
    for name in ("outbound_alert", "outbound_risk", "outbound_selfcheck", "outbound_project"):
        op.drop_table(name)
