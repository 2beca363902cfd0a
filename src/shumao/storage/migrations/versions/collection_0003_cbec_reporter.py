"""collection: the enterprise flag 跨境电商直报 (cbec_reporter), the reporters of 数贸季2表

Revision ID: collection_0003
Revises: collection_0002

数贸季2表 (CBEC_Q, cross-border e-commerce sales) is filed by the platform and seller
enterprises of the bases that trade by cross-border e-commerce, not by every 服贸直报
enterprise: with ``reporters: trade_reporter`` every direct reporter saw it due and was counted
漏报. The form now names its own flag. Enterprises that already filed 数贸季2表 get the flag, so
no filer drops out of its own to-do; everyone else starts without it.
"""

import sqlalchemy as sa
from alembic import op

revision = "collection_0003"
down_revision = "collection_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "enterprise",
        sa.Column("cbec_reporter", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    rewrite(op.get_bind())


def rewrite(conn: sa.Connection) -> None:
    """Mark the enterprises that filed 数贸季2表 as its reporters.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    enterprise = sa.table(
        "enterprise", sa.column("id", sa.Integer), sa.column("cbec_reporter", sa.Boolean)
    )
    filing = sa.table(
        "filing", sa.column("enterprise_id", sa.Integer), sa.column("form_id", sa.String)
    )
    filers = sa.select(filing.c.enterprise_id).where(filing.c.form_id == "CBEC_Q")
    conn.execute(
        sa.update(enterprise).where(enterprise.c.id.in_(filers)).values(cbec_reporter=True)
    )


def downgrade() -> None:
    op.drop_column("enterprise", "cbec_reporter")  # SQLite ≥ 3.35 drops it in place
