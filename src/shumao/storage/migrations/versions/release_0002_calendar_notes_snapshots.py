"""release: the release calendar, release notes, corrections and open-data snapshots

Revision ID: release_0002
Revises: release_0001

``release_calendar`` (发布日程, also the queue the release worker claims from),
``release_note`` (generated from the data, editable), ``release_correction`` (releases outside
the calendar that correct released figures) and ``release_snapshot`` (the open-data folder a
release wrote). Releases made before have no notes and no snapshot: the release worker writes
the missing snapshots on its first round.
"""

import sqlalchemy as sa
from alembic import op

revision = "release_0002"
down_revision = "release_0001"
branch_labels = None
depends_on = None

UTC_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "release_calendar",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(40), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("reference_period", sa.String(16), nullable=False),
        sa.Column("scheduled_at", UTC_MOMENT, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintage.id"), nullable=True),
        sa.Column("embargo", sa.JSON, nullable=True),
        sa.Column("revision_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("approved_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_MOMENT, nullable=False),
        sa.Column("release_id", sa.Integer, sa.ForeignKey("data_release.id"), nullable=True),
        sa.Column("released_at", UTC_MOMENT, nullable=True),
        sa.Column("replaces", sa.Integer, sa.ForeignKey("release_calendar.id"), nullable=True),
    )
    op.create_index("ix_release_calendar_due", "release_calendar", ["status", "scheduled_at"])
    op.create_table(
        "release_note",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("data_release.id"), primary_key=True),
        sa.Column("generated", sa.JSON, nullable=False),
        sa.Column("text_zh", sa.Text, nullable=False),
        sa.Column("text_en", sa.Text, nullable=False),
        sa.Column("edited_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("edited_at", UTC_MOMENT, nullable=True),
    )
    op.create_table(
        "release_correction",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("release_id", sa.Integer, sa.ForeignKey("data_release.id"), nullable=False),
        sa.Column("corrects", sa.Integer, sa.ForeignKey("data_release.id"), nullable=False),
        sa.Column("dataflow_id", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("periods", sa.JSON, nullable=False),
        sa.Column("corrected_by", sa.String(64), nullable=False),
        sa.Column("corrected_at", UTC_MOMENT, nullable=False),
    )
    op.create_table(
        "release_snapshot",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("data_release.id"), primary_key=True),
        sa.Column("folder", sa.Text, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("written_at", UTC_MOMENT, nullable=False),
        sa.UniqueConstraint("folder", name="uq_release_snapshot_folder"),
    )


def downgrade() -> None:
    op.drop_table("release_snapshot")
    op.drop_table("release_correction")
    op.drop_table("release_note")
    op.drop_index("ix_release_calendar_due", table_name="release_calendar")
    op.drop_table("release_calendar")
