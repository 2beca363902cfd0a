"""auth: login_counter, the atomic count of log-in attempts

Revision ID: auth_0002
Revises: auth_0001

Failures used to be counted from the audit log and the new one recorded after the password
check: 50 parallel wrong passwords for one user got 21 password checks against a limit of 5.
One row per user name and per address is now bumped (``INSERT … ON CONFLICT DO UPDATE …
RETURNING``) before the password is checked, and that count decides.
"""

import sqlalchemy as sa
from alembic import op

revision = "auth_0002"
down_revision = "auth_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_counter",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("login_counter")
