"""export bases: a status' reason in English beside the Chinese one

Revision ID: bases_0002
Revises: bases_0001

The first batch's designations were stored with one note in both languages ("据《中国数字贸易
发展报告2022》… / per the 2022 report, …") in ``export_base_status.reason``, and a base's page
showed it whole in either view. ``reason_en`` holds the English of a note shumao writes itself;
``reason`` keeps the Chinese, and a reason an official typed stays as typed with ``reason_en``
empty (either view shows it as written). This splits the stored first-batch notes.
"""

import sqlalchemy as sa
from alembic import op

revision = "bases_0002"
down_revision = "bases_0001"
branch_labels = None
depends_on = None

ZH = (
    "据《中国数字贸易发展报告2022》：2020年4月商务部会同中央网信办、工业和信息化部联合认定；"
    "报告只载月份，日期记为当月1日"
)
EN = (
    "per the 2022 report, designated in April 2020 (the report gives the month only; "
    "recorded as the 1st)"
)
STATUS = sa.table(
    "export_base_status",
    sa.column("reason", sa.Text),
    sa.column("reason_en", sa.Text),
)


def upgrade() -> None:
    op.add_column(
        "export_base_status",
        sa.Column("reason_en", sa.Text, nullable=False, server_default=""),
    )
    rewrite(op.get_bind())


def rewrite(conn: sa.Connection) -> None:
    """Split the stored first-batch note into its Chinese and English.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    conn.execute(
        sa.update(STATUS).where(STATUS.c.reason == f"{ZH} / {EN}").values(reason=ZH, reason_en=EN)
    )


def downgrade() -> None:
    op.execute(
        sa.update(STATUS)
        .where(STATUS.c.reason == ZH, STATUS.c.reason_en == EN)
        .values(reason=f"{ZH} / {EN}")
    )
    with op.batch_alter_table("export_base_status") as batch:
        batch.drop_column("reason_en")
