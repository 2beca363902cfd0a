"""composite index: runs (framework, settings, data vintages) and sensitivity replications

Revision ID: index_0001
Revises:
Depends on: store_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "index_0001"
down_revision = None
branch_labels = ("index",)
depends_on = "store_0001"


def upgrade() -> None:
    op.create_table(
        "index_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("index_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("period", sa.String(10), nullable=False, server_default=""),
        sa.Column("framework_version", sa.String(40), nullable=False, server_default=""),
        sa.Column("framework_sha256", sa.String(64), nullable=False),
        sa.Column("framework_text", sa.Text, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("data_vintages", sa.JSON, nullable=False),
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintage.id"), nullable=True),
        sa.Column("build_run_id", sa.Integer, sa.ForeignKey("index_run.id"), nullable=True),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_index_run_index_id", "index_run", ["index_id"])
    op.create_table(
        "index_replication",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("index_run.id"), primary_key=True),
        sa.Column("replication", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("stats", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("index_replication")
    op.drop_index("ix_index_run_index_id", table_name="index_run")
    op.drop_table("index_run")
