"""monitoring: the alert change counter, and the index of the next silence to end

Revision ID: monitor_0003
Revises: monitor_0002

``alert_change`` holds one row whose ``n`` is raised in the transaction of every change of an
alert (evaluation, acknowledge, resolve, silence) and of the rule set. A cached alert list is
keyed on it (``monitor.changes.token``): any change, made by any process, gives a new key.
``ix_alert_silenced_until`` answers "when does the next silence end" (part of the same key:
an alert silenced until a moment comes back into the list at that moment) without a scan.
"""

import sqlalchemy as sa
from alembic import op

revision = "monitor_0003"
down_revision = "monitor_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer, nullable=False, server_default="0"),
    )
    rewrite(op.get_bind())
    op.create_index("ix_alert_silenced_until", "alert", ["silenced_until"])


def downgrade() -> None:
    op.drop_index("ix_alert_silenced_until", table_name="alert")
    op.drop_table("alert_change")


def rewrite(conn: sa.Connection) -> None:
    """The counter's one row.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    conn.exec_driver_sql(
        "INSERT INTO alert_change (id, n) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM alert_change)"
    )
