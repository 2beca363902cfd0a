"""auth and dissemination: the disclosure-control rule set recorded with each release

Revision ID: auth_0003
Revises: auth_0002

``data_release.disclosure`` (JSON, nullable): the rule set (name and parameters) a micro-data
release's published cells were protected with, and a summary of how secondary suppression went
(tables, primary and secondary cells, optimal or greedy). Releases made before it stay null.
"""

import sqlalchemy as sa
from alembic import op

revision = "auth_0003"
down_revision = "auth_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_release") as batch:
        batch.add_column(sa.Column("disclosure", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_release") as batch:
        batch.drop_column("disclosure")
