"""policy library: foreign rules (economy, type, validity, source address)

Revision ID: policy_0004
Revises: policy_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "policy_0004"
down_revision = "policy_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_foreign",
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_document.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("entry_key", sa.String(60), nullable=False, unique=True),
        sa.Column("economy", sa.String(5), nullable=False),
        sa.Column("rule_type", sa.String(30), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date, nullable=True),
        sa.Column("source_url", sa.String(500), nullable=False),
        sa.Column("authority", sa.String(200), nullable=False, server_default=""),
        sa.Column("title_zh", sa.String(300), nullable=False),
        sa.Column("title_en", sa.String(300), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_policy_foreign_economy", "policy_foreign", ["economy"])


def downgrade() -> None:
    op.drop_index("ix_policy_foreign_economy", table_name="policy_foreign")
    op.drop_table("policy_foreign")
