"""collection: the English half of an approved filing's vintage label names its form and period

Revision ID: collection_0005
Revises: collection_0004

The label of an approved filing's vintage read "数贸季1表 数字服务进出口情况（季度） 2024-Q3
企业直报审核通过 第1版 / approved enterprise filings, revision 1": the explorer's vintage list
showed it whole in either language, and its English half did not say which form or period.
Labels now carry the form's English title and the period in the English half
(``workflow.vintage.vintage_label``) and the explorer shows the half of its language; this
rewrites the labels already stored, with the forms' titles as they are at this revision.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "collection_0005"
down_revision = "collection_0004"
branch_labels = None
depends_on = None

TITLES_EN = {
    "数贸季1表": "Digital services trade (quarterly)",
    "数贸季2表": "Cross-border e-commerce sales (quarterly)",
    "数贸年1表": "Enterprise basic information (annual)",
}
OLD = re.compile(
    r"^(?P<zh>(?P<form>\S+) \S+ (?P<period>\S+) 企业直报审核通过 第(?P<rev>\d+)版) / "
    r"approved enterprise filings, revision \d+$"
)
VINTAGE = sa.table(
    "vintage",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("label", sa.String),
)


def upgrade() -> None:
    rewrite(op.get_bind())


def rewrite(conn: sa.Connection) -> None:
    """Name the form and period in the English half of the stored labels.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    rows = conn.execute(
        sa.select(VINTAGE.c.id, VINTAGE.c.label).where(VINTAGE.c.kind == "filing")
    ).all()
    for row in rows:
        found = OLD.match(row.label or "")
        if found and found["form"] in TITLES_EN:
            label = (
                f"{found['zh']} / {TITLES_EN[found['form']]} {found['period']}, approved "
                f"revision {found['rev']}"
            )
            conn.execute(sa.update(VINTAGE).where(VINTAGE.c.id == row.id).values(label=label))


def downgrade() -> None:
    pass  # the older English half said less; nothing to put back
