"""policy library: copies split off the document they were wrongly folded into

Revision ID: policy_0005
Revises: policy_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "policy_0005"
down_revision = "policy_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_split",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("policy_file.id"), nullable=False),
        sa.Column("from_document_id", sa.Integer, nullable=False),
        sa.Column("to_document_id", sa.Integer, nullable=False),
        sa.Column("was_primary", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reason", sa.String(500), nullable=False, server_default=""),
        sa.Column("split_by", sa.String(64), nullable=False),
        sa.Column("split_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_by", sa.String(64), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_policy_split_file_id", "policy_split", ["file_id"])
    op.create_index("ix_policy_split_from_document_id", "policy_split", ["from_document_id"])


def downgrade() -> None:
    op.drop_index("ix_policy_split_from_document_id", table_name="policy_split")
    op.drop_index("ix_policy_split_file_id", table_name="policy_split")
    op.drop_table("policy_split")
