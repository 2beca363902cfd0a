"""auth and dissemination: users, sessions, audit log, data releases and their published cells

Revision ID: auth_0001
Revises:
Depends on: store_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "auth_0001"
down_revision = None
branch_labels = ("auth",)
depends_on = "store_0001"

TZ = sa.DateTime(timezone=True)
DIMENSIONS = ("ref_area", "counterpart_area", "product", "flow", "indicator", "freq")


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("last_login_at", TZ, nullable=True),
    )
    op.create_table(
        "auth_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_index("ix_auth_session_user_id", "auth_session", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("username", sa.String(64), nullable=False, server_default=""),
        sa.Column("role", sa.String(12), nullable=False, server_default=""),
        sa.Column("scope", sa.String(20), nullable=False, server_default=""),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(200), nullable=False, server_default=""),
        sa.Column("ok", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    op.create_table(
        "data_release",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataflow_id", sa.String(40), sa.ForeignKey("dataflow.id"), nullable=False),
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintage.id"), nullable=False),
        sa.Column("released_at", TZ, nullable=False),
        sa.Column("released_by", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_data_release_flow", "data_release", ["dataflow_id", "vintage_id"])
    op.create_table(
        "release_cell",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("data_release.id"), nullable=False),
        *(sa.Column(d, sa.String(64), nullable=False) for d in DIMENSIONS),
        sa.Column("time_period", sa.String(10), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("unit_mult", sa.SmallInteger, nullable=False),
        sa.Column("obs_status", sa.String(2), nullable=False),
        sa.Column("conf_status", sa.String(2), nullable=False),
    )
    op.create_index("ix_release_cell_area", "release_cell", ["release_id", "ref_area"])


def downgrade() -> None:
    op.drop_table("release_cell")
    op.drop_table("data_release")
    op.drop_table("audit_log")
    op.drop_table("auth_session")
    op.drop_table("app_user")
