"""collection: vintage labels of approved filings no longer name the filer

Revision ID: collection_0002
Revises: collection_0001

Every logged-in role may list a dataflow's vintages (and the public the released ones); the
label of an approved filing's vintage carried the enterprise's credit code and the filing
number ("数贸季1表 … 91320114MA… 2024-Q3 第1版 / filing #17 revision 1"), so anyone could
read who had filed. Labels now say which form and period only (``workflow.vintage.vintage_label``);
this rewrites the labels already stored the same way. Who filed stays in ``filing`` and
``filing_transition``, read within scope.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "collection_0002"
down_revision = "collection_0001"
branch_labels = None
depends_on = None

OLD = re.compile(
    r"^(?P<form>\S+) (?P<title>\S+) [0-9A-Z]{18} (?P<period>\S+) 第(?P<rev>\d+)版 / "
    r"filing #\d+ revision \d+$"
)


def upgrade() -> None:
    rewrite(op.get_bind())


def rewrite(conn: sa.Connection) -> None:
    """Take the filer's code and the filing number out of the stored labels.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    vintage = sa.table(
        "vintage",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("label", sa.String),
    )
    rows = conn.execute(
        sa.select(vintage.c.id, vintage.c.label).where(vintage.c.kind == "filing")
    ).all()
    for row in rows:
        found = OLD.match(row.label or "")
        if found:
            label = (
                f"{found['form']} {found['title']} {found['period']} 企业直报审核通过 第"
                f"{found['rev']}版 / approved enterprise filings, revision {found['rev']}"
            )
            conn.execute(sa.update(vintage).where(vintage.c.id == row.id).values(label=label))


def downgrade() -> None:
    pass  # the filer's code is not put back into a label anyone may read
