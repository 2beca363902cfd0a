"""release: the documents a scheduled release publishes (the annual report's files)

Revision ID: release_0003
Revises: release_0002

``release_document``: a file (PDF, Word, HTML, Excel) attached to a calendar entry of kind
``report``, kept in the documents folder under its checksum; the public sees it only once the
release worker has released the entry at its minute.
"""

import sqlalchemy as sa
from alembic import op

revision = "release_0003"
down_revision = "release_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_document",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("release_calendar.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("attached_by", sa.String(64), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("entry_id", "name", name="uq_release_document_name"),
    )


def downgrade() -> None:
    op.drop_table("release_document")
