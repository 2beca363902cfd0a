"""release: the rules that protected releases made before the rule set was recorded

Revision ID: release_0001
Revises:
Depends on: auth_0003

The first revision of the ``release`` branch (``shumao.release``: ``data_release`` and
``release_cell``, made on the ``auth`` branch when releases were part of ``auth``). Since
``auth_0003`` every micro-data release stores the disclosure-control rule set its published
cells were protected with (``data_release.disclosure``). Releases made before it published
cells protected by the rules that were then fixed in the code — threshold 3, (1, 85) and
(2, 85) dominance, 10 % protection, greedy secondary suppression: the set ``legacy-2026-11`` of
``release/disclosure/rules.yaml`` — and stored nothing. This records those rules with them, so
that every published figure can say which rules protected it. The parameters are written out
here, not read from ``rules.yaml``: a migration states what was true when it was written.
Releases of tables published as they are (no ``release_cell`` rows) stay null.
"""

import sqlalchemy as sa
from alembic import op

revision = "release_0001"
down_revision = None
branch_labels = ("release",)
depends_on = "auth_0003"

MARK = "release_0001"
LEGACY = {
    "threshold": 3,
    "dominance": [[1, 85.0], [2, 85.0]],
    "p_percent": [],
    "pq": [],
    "protection": 10.0,
    "method": "greedy",
    "cost": "value",
    "time_limit": 30.0,
    "name": "legacy-2026-11",
}

release = sa.table("data_release", sa.column("id", sa.Integer), sa.column("disclosure", sa.JSON))
cell = sa.table("release_cell", sa.column("release_id", sa.Integer))


def upgrade() -> None:
    rewrite(op.get_bind())


def rewrite(conn: sa.Connection) -> None:
    """Record the legacy rules with the releases that published protected cells.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    published = sa.select(cell.c.release_id).distinct()
    # JSON null and SQL NULL both mean "nothing recorded" (``sa.JSON`` may store either)
    rows = conn.execute(
        sa.select(release.c.id, release.c.disclosure).where(release.c.id.in_(published))
    ).all()
    for row in rows:
        if row.disclosure is None:
            conn.execute(
                sa.update(release)
                .where(release.c.id == row.id)
                .values(disclosure={"rules": LEGACY, "recorded_by": MARK})
            )


def downgrade() -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(release.c.id, release.c.disclosure)).all():
        if (row.disclosure or {}).get("recorded_by") == MARK:
            conn.execute(
                sa.update(release).where(release.c.id == row.id).values(disclosure=sa.null())
            )
