"""policy library: documents, corrections, sections, passages (+ full-text index), ranking
terms, targets

Revision ID: policy_0001
Revises:
Depends on: store_0001

The full-text index is dialect-specific: on SQLite an external-content FTS5 table kept in
step with ``policy_passage`` by triggers; on PostgreSQL a generated ``tsvector`` column over
the pre-segmented tokens (``tokens::tsvector``: the tokens are taken as they are, no parser or
dictionary in between, like FTS5's unicode61 on space-separated words) with a GIN index.
"""

import sqlalchemy as sa
from alembic import op

revision = "policy_0001"
down_revision = None
branch_labels = ("policy",)
depends_on = "store_0001"


def _document() -> None:
    op.create_table(
        "policy_document",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_file", sa.String(500), nullable=False),
        sa.Column("source_format", sa.String(10), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("script", sa.String(12), nullable=False),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("doc_number", sa.String(100), nullable=True),
        sa.Column("issuers", sa.JSON, nullable=False),
        sa.Column("issuers_text", sa.String(1000), nullable=False, server_default=""),
        sa.Column("issue_date", sa.Date, nullable=True),
        sa.Column("issue_year", sa.Integer, nullable=True),
        sa.Column("level", sa.String(10), nullable=True),
        sa.Column("doc_type", sa.String(20), nullable=True),
        sa.Column("canonical_id", sa.Integer, sa.ForeignKey("policy_document.id"), nullable=True),
        sa.Column("similarity", sa.Float, nullable=True),
        sa.Column("quality", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        # large values last (SQLite reads the small columns without the overflow pages)
        sa.Column("extracted", sa.JSON, nullable=False),
        sa.Column("cleaning", sa.JSON, nullable=False),
        sa.Column("minhash", sa.Text, nullable=False, server_default=""),
        sa.Column("original_text", sa.Text, nullable=False),
        sa.Column("display_text", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    for column in ("source_sha256", "text_sha256", "doc_number", "issue_year", "canonical_id"):
        op.create_index(f"ix_policy_document_{column}", "policy_document", [column])


def _children() -> None:
    fk = sa.ForeignKey("policy_document.id", ondelete="CASCADE")
    op.create_table(
        "policy_correction",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, fk, nullable=False),
        sa.Column("field", sa.String(30), nullable=False),
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("corrected_by", sa.String(100), nullable=False, server_default="editor"),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "policy_section",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("parent", sa.Integer, nullable=True),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("heading", sa.String(300), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("first_par", sa.Integer, nullable=False),
        sa.Column("last_par", sa.Integer, nullable=False),
    )
    op.create_table(
        "policy_passage",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("section_path", sa.String(1000), nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("display", sa.Text, nullable=False),
        sa.Column("tokens", sa.Text, nullable=False),
        sa.Column("n_tokens", sa.Integer, nullable=False),
    )
    op.create_table(
        "policy_target",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("indicator", sa.String(300), nullable=False),
        sa.Column("target_year", sa.Integer, nullable=False),
        sa.Column("comparator", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("section_path", sa.String(1000), nullable=False, server_default=""),
        sa.Column("status", sa.String(12), nullable=False, server_default="candidate"),
        sa.Column("indicator_code", sa.String(60), nullable=True),
        sa.Column("confirmed_by", sa.String(100), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "policy_term",
        sa.Column("term", sa.String(64), primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_document.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("passage_id", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_policy_term_rank", "policy_term", ["term", "weight"])
    op.create_index("ix_policy_term_document_id", "policy_term", ["document_id"])
    op.create_table(
        "policy_band",
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("policy_document.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("band", sa.SmallInteger, primary_key=True),
        sa.Column("bucket", sa.String(16), nullable=False),
    )
    op.create_table(
        "policy_stats",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("documents", sa.Integer, nullable=False, server_default="0"),
    )
    for table in ("policy_correction", "policy_section", "policy_passage", "policy_target"):
        op.create_index(f"ix_{table}_document_id", table, ["document_id"])
    op.create_index("ix_policy_target_status", "policy_target", ["status"])
    op.create_index("ix_policy_band_bucket", "policy_band", ["bucket"])


SQLITE_FTS = (
    "CREATE VIRTUAL TABLE policy_fts USING fts5(tokens, content='policy_passage', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER policy_passage_ai AFTER INSERT ON policy_passage BEGIN "
    "INSERT INTO policy_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER policy_passage_ad AFTER DELETE ON policy_passage BEGIN "
    "INSERT INTO policy_fts(policy_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER policy_passage_au AFTER UPDATE OF tokens ON policy_passage BEGIN "
    "INSERT INTO policy_fts(policy_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO policy_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
)
POSTGRES_FTS = (
    "ALTER TABLE policy_passage ADD COLUMN search tsvector "
    "GENERATED ALWAYS AS (CAST(tokens AS tsvector)) STORED",
    "CREATE INDEX ix_policy_passage_search ON policy_passage USING gin (search)",
)


def upgrade() -> None:
    _document()
    _children()
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS:
        op.execute(statement)
    rewrite(op.get_bind())


def rewrite(conn: sa.Connection) -> None:
    """The library's one counter row, counting the documents stored.

    Also run by ``shumao restore`` on the rows of a backup made before this revision."""
    conn.exec_driver_sql(
        "INSERT INTO policy_stats (id, documents) SELECT 1, count(*) FROM policy_document "
        "WHERE NOT EXISTS (SELECT 1 FROM policy_stats)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("policy_passage_au", "policy_passage_ad", "policy_passage_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS policy_fts")
    for table in (
        "policy_stats",
        "policy_band",
        "policy_term",
        "policy_target",
        "policy_passage",
        "policy_section",
        "policy_correction",
        "policy_document",
    ):
        op.drop_table(table)
