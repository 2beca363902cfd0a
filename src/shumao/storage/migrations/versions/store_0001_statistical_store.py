"""statistical store: dataflow, vintage, series, observation

Revision ID: store_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "store_0001"
down_revision = None
branch_labels = ("store",)
depends_on = None

DIMS = ("ref_area", "counterpart_area", "product", "flow", "indicator", "freq")


def upgrade() -> None:
    op.create_table(
        "dataflow",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("source_zh", sa.String(300), nullable=False, server_default=""),
        sa.Column("source_en", sa.String(300), nullable=False, server_default=""),
        sa.Column("definition", sa.JSON, nullable=False),
    )
    op.create_table(
        "vintage",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataflow_id", sa.String(40), sa.ForeignKey("dataflow.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("label", sa.String(300), nullable=False, server_default=""),
        sa.Column("source_file", sa.String(500), nullable=False, server_default=""),
        sa.Column("source_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", sa.String(100), nullable=False, server_default="system"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_vintage_dataflow_id", "vintage", ["dataflow_id"])
    op.create_table(
        "series",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataflow_id", sa.String(40), sa.ForeignKey("dataflow.id"), nullable=False),
        *(sa.Column(d, sa.String(64), nullable=False) for d in DIMS),
        sa.UniqueConstraint("dataflow_id", *DIMS, name="uq_series_key"),
    )
    op.create_table(
        "observation",
        sa.Column("series_id", sa.Integer, sa.ForeignKey("series.id"), primary_key=True),
        sa.Column("time_period", sa.String(10), primary_key=True),
        sa.Column("vintage_id", sa.Integer, sa.ForeignKey("vintage.id"), primary_key=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("unit_mult", sa.SmallInteger, nullable=False),
        sa.Column("obs_status", sa.String(2), nullable=False, server_default="A"),
        sa.Column("conf_status", sa.String(2), nullable=False, server_default="F"),
        sa.Column("attrs", sa.Text, nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_observation_vintage", "observation", ["vintage_id"])


def downgrade() -> None:
    op.drop_table("observation")
    op.drop_table("series")
    op.drop_table("vintage")
    op.drop_table("dataflow")
