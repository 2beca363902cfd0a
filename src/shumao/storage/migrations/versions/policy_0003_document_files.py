"""policy library: one document, several source files

Revision ID: policy_0003
Revises: policy_0002

Two copies of one text (the 2022 report as a PDF extraction and as a scraped traditional-script
page) used to be two documents, the worse one linked to the better by ``canonical_id``; the
library listed both. Now a document has its files (``policy_file``) and copies found on ingest
become files of one document.

Upgrade: every document's file is recorded under it; then each document that ingest had
linked to another (``canonical_id``) becomes a file of that one — its file row moves over and
the record with its passages, sections, ranking terms and candidate targets goes. Nothing a
person entered is lost: a linked record that carries editor corrections or confirmed or
rejected targets stays a record of its own (still linked, as before). Downgrade drops the
files table, refusing while a document has more than one file (their texts would be lost).
"""

import sqlalchemy as sa
from alembic import op

revision = "policy_0003"
down_revision = "policy_0002"
branch_labels = None
depends_on = None

COPIED = (
    "source_file",
    "source_format",
    "source_sha256",
    "text_sha256",
    "script",
    "quality",
    "similarity",
    "ingested_at",
    "updated_at",
    "original_text",
    "display_text",
)
DERIVED = ("policy_term", "policy_band", "policy_passage", "policy_section", "policy_target")


def upgrade() -> None:
    op.create_table(
        "policy_file",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source_file", sa.String(500), nullable=False),
        sa.Column("source_format", sa.String(10), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("script", sa.String(12), nullable=False),
        sa.Column("quality", sa.Integer, nullable=False, server_default="0"),
        sa.Column("similarity", sa.Float, nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("original_text", sa.Text, nullable=False),
        sa.Column("display_text", sa.Text, nullable=False),
    )
    for column in ("document_id", "source_sha256", "text_sha256"):
        op.create_index(f"ix_policy_file_{column}", "policy_file", [column])
    rewrite(op.get_bind())


def rewrite(conn: sa.Connection) -> None:
    """Record every document's file under it; fold linked copies into their document.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    columns = ", ".join(COPIED)
    conn.exec_driver_sql(
        f"INSERT INTO policy_file (document_id, {columns}) "
        f"SELECT id, {columns} FROM policy_document ORDER BY id"
    )
    _merge_linked_copies(conn)


def _merge_linked_copies(conn: sa.Connection) -> None:
    merged = conn.execute(
        sa.text(
            "SELECT d.id, d.canonical_id FROM policy_document d WHERE d.canonical_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM policy_correction c WHERE c.document_id = d.id) "
            "AND NOT EXISTS (SELECT 1 FROM policy_target t WHERE t.document_id = d.id "
            "AND t.status <> 'candidate') ORDER BY d.id"
        )
    ).all()
    for copy_id, document_id in merged:
        conn.execute(
            sa.text("UPDATE policy_file SET document_id = :doc WHERE document_id = :copy"),
            {"doc": document_id, "copy": copy_id},
        )
        for table in DERIVED:
            conn.execute(
                sa.text(f"DELETE FROM {table} WHERE document_id = :copy"), {"copy": copy_id}
            )
        conn.execute(sa.text("DELETE FROM policy_document WHERE id = :copy"), {"copy": copy_id})
    if merged:
        conn.execute(
            sa.text("UPDATE policy_stats SET documents = documents - :n WHERE id = 1"),
            {"n": len(merged)},
        )


def downgrade() -> None:
    conn = op.get_bind()
    shared = (
        conn.execute(
            sa.text("SELECT document_id FROM policy_file GROUP BY document_id HAVING count(*) > 1")
        )
        .scalars()
        .all()
    )
    if shared:
        raise RuntimeError(
            f"文件 {sorted(shared)} 有多个来源文件，降级会丢失其副本 / documents {sorted(shared)} "
            "have several source files; downgrading would lose the copies"
        )
    op.drop_table("policy_file")
