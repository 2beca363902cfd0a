"""monitoring and early warning: targets (versioned), rule sets, alerts and their events,
evaluation runs, notices and subscribers

Revision ID: monitor_0001
Revises:
Depends on: store_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "monitor_0001"
down_revision = None
branch_labels = ("monitor",)
depends_on = "store_0001"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "monitor_target",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("policy_target_id", sa.Integer, nullable=True),
        sa.Column("document_id", sa.Integer, nullable=True),
        sa.Column("indicator", sa.String(60), nullable=False),
        sa.Column("scope_kind", sa.String(12), nullable=False),
        sa.Column("area", sa.String(64), nullable=False),
        sa.Column("comparator", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("deadline_year", sa.Integer, nullable=False),
        sa.Column("name_zh", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False, server_default=""),
        sa.Column("sentence", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("key", "version", name="uq_monitor_target_version"),
    )
    op.create_index("ix_monitor_target_current", "monitor_target", ["current", "key"])
    op.create_table(
        "monitor_ruleset",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.Integer, nullable=False, unique=True),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("rule_code", sa.String(40), nullable=False),
        sa.Column("rule_kind", sa.String(20), nullable=False),
        sa.Column("ruleset_version", sa.Integer, nullable=False),
        sa.Column("dataflow", sa.String(40), nullable=False),
        sa.Column("series_key", sa.String(400), nullable=False),
        sa.Column("ref_area", sa.String(64), nullable=False),
        sa.Column("province", sa.String(6), nullable=True),
        sa.Column("city", sa.String(6), nullable=True),
        sa.Column("park", sa.String(16), nullable=True),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("state", sa.String(14), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("threshold", sa.Float, nullable=True),
        sa.Column("message_zh", sa.Text, nullable=False),
        sa.Column("message_en", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.Column("pending_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("first_seen", TZ, nullable=False),
        sa.Column("last_seen", TZ, nullable=False),
        sa.Column("fired_at", TZ, nullable=True),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("silenced_until", TZ, nullable=True),
        sa.Column("silenced_value", sa.Float, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_alert_area", "alert", ["ref_area"])
    op.create_index("ix_alert_city", "alert", ["city"])
    op.create_index("ix_alert_open", "alert", ["state", "rank", "id"])
    op.create_index("ix_alert_park", "alert", ["park"])
    op.create_index("ix_alert_province", "alert", ["province", "state"])
    op.create_index("ix_alert_rule", "alert", ["rule_code", "state"])
    op.create_table(
        "alert_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alert.id"), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(14), nullable=True),
        sa.Column("to_state", sa.String(14), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_alert_event_alert_id", "alert_event", ["alert_id"])
    op.create_table(
        "monitor_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("dataflows", sa.String(400), nullable=False, server_default=""),
        sa.Column("as_of", sa.String(40), nullable=False, server_default=""),
        sa.Column("ok", sa.Boolean, nullable=True),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("fired", sa.Integer, nullable=False, server_default="0"),
        sa.Column("resolved", sa.Integer, nullable=False, server_default="0"),
        sa.Column("open", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", sa.String(100), nullable=False, server_default="system"),
    )
    op.create_table(
        "alert_notice",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("rule_code", sa.String(40), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("alert_ids", sa.JSON, nullable=False),
        sa.Column("sent_at", TZ, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
    )
    op.create_index(
        "ix_alert_notice_day", "alert_notice", ["username", "channel", "rule_code", "day"]
    )
    op.create_table(
        "alert_subscriber",
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("min_level", sa.String(8), nullable=False, server_default="yellow"),
        sa.Column("digest", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("alert_subscriber")
    op.drop_table("alert_notice")
    op.drop_table("monitor_run")
    op.drop_table("alert_event")
    op.drop_table("alert")
    op.drop_table("monitor_ruleset")
    op.drop_table("monitor_target")
