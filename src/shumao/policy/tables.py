"""Tables of the policy library (branch ``policy`` of the store's migrations).

- ``policy_document``: one record per ingested file — the text as extracted, the cleaned text
  in its original script (for display) and in simplified (for search), the *effective*
  metadata (extracted, with editor corrections on top) and the extracted values as they were
  (``extracted``), and the link to the canonical record when it is a duplicate.
- ``policy_file``: the files a document came from. Copies of one document (a PDF extraction
  and a scraped traditional-script page of the same report) are one document with several
  files; the document's text and passages are those of its best file (its ``source_*``
  columns name that file), each file keeps its own text as extracted and cleaned.
- ``policy_correction``: an editor's value for one field; applied again on every re-ingest.
- ``policy_section`` / ``policy_passage``: the section tree and the paragraphs; a passage's
  ``tokens`` (jieba search mode, each token framed by spaces) is what full-text search
  indexes — an FTS5 table on SQLite, a generated ``tsvector`` column with a GIN index on
  PostgreSQL, both created by the migration only (they are not portable DDL).
- ``policy_target``: quantitative targets; candidates until a person confirms the indicator.
- ``policy_term``: the ranking index — one row per term and document with the term's weight
  in that document (BM25 of its best passage, computed at ingest), ordered by weight so that
  the best documents for a term are read first.
- ``policy_band``: MinHash band buckets for finding near-duplicates.
- ``policy_stats``: the number of documents in the ranking index (one row).
- ``policy_split``: a copy split off the document it was wrongly folded into (audited, undone
  by moving it back).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)

from shumao.storage.tables import metadata

document = Table(
    "policy_document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_file", String(500), nullable=False),
    Column("source_format", String(10), nullable=False),
    Column("source_sha256", String(64), nullable=False, index=True),
    Column("text_sha256", String(64), nullable=False, index=True),
    Column("script", String(12), nullable=False),
    Column("title", String(500), nullable=True),
    Column("doc_number", String(100), nullable=True, index=True),
    Column("issuers", JSON, nullable=False),
    Column("issuers_text", String(1000), nullable=False, server_default=""),
    Column("issue_date", Date, nullable=True),
    Column("issue_year", Integer, nullable=True, index=True),
    Column("level", String(10), nullable=True),
    Column("doc_type", String(20), nullable=True),
    Column("canonical_id", Integer, ForeignKey("policy_document.id"), nullable=True, index=True),
    Column("similarity", Float, nullable=True),
    Column("quality", Integer, nullable=False, server_default="0"),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # large values last: SQLite then reads the small columns above without the overflow pages
    Column("extracted", JSON, nullable=False),
    Column("cleaning", JSON, nullable=False),
    Column("minhash", Text, nullable=False, server_default=""),
    Column("original_text", Text, nullable=False),
    Column("display_text", Text, nullable=False),
    Column("text", Text, nullable=False),
    # the canonical documents with their date: the ranking reads' join is index-only
    Index(
        "ix_policy_document_live",
        "id",
        "issue_date",
        postgresql_where=text("canonical_id IS NULL"),
        sqlite_where=text("canonical_id IS NULL"),
    ),
)

source_file = Table(
    "policy_file",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("source_file", String(500), nullable=False),
    Column("source_format", String(10), nullable=False),
    Column("source_sha256", String(64), nullable=False, index=True),
    Column("text_sha256", String(64), nullable=False, index=True),
    Column("script", String(12), nullable=False),
    Column("quality", Integer, nullable=False, server_default="0"),
    Column("similarity", Float, nullable=True),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("original_text", Text, nullable=False),
    Column("display_text", Text, nullable=False),
)

correction = Table(
    "policy_correction",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("field", String(30), nullable=False),
    Column("value", JSON, nullable=True),
    Column("corrected_by", String(100), nullable=False, server_default="editor"),
    Column("corrected_at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)

section = Table(
    "policy_section",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("ordinal", Integer, nullable=False),
    Column("parent", Integer, nullable=True),
    Column("level", SmallInteger, nullable=False),
    Column("label", String(20), nullable=False),
    Column("heading", String(300), nullable=False),
    Column("path", String(1000), nullable=False),
    Column("first_par", Integer, nullable=False),
    Column("last_par", Integer, nullable=False),
)

passage = Table(
    "policy_passage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("ordinal", Integer, nullable=False),
    Column("section_path", String(1000), nullable=False, server_default=""),
    Column("text", Text, nullable=False),
    Column("display", Text, nullable=False),
    Column("tokens", Text, nullable=False),
    Column("n_tokens", Integer, nullable=False),
)

target = Table(
    "policy_target",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("key", String(32), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("indicator", String(300), nullable=False),
    Column("target_year", Integer, nullable=False),
    Column("comparator", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("sentence", Text, nullable=False),
    Column("section_path", String(1000), nullable=False, server_default=""),
    Column("status", String(12), nullable=False, server_default="candidate"),
    Column("indicator_code", String(60), nullable=True),
    Column("confirmed_by", String(100), nullable=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Index("ix_policy_target_status", "status"),
)

term = Table(
    "policy_term",
    metadata,
    Column("term", String(64), primary_key=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("weight", Float, nullable=False),
    Column("passage_id", Integer, nullable=False),
    # covering: a term's best documents and a document's weights are index-only reads
    Index("ix_policy_term_rank", "term", "weight", "document_id"),
    Index("ix_policy_term_document_id", "document_id", "term", "weight"),
    sqlite_with_rowid=False,
)

band = Table(
    "policy_band",
    metadata,
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("band", SmallInteger, primary_key=True),
    Column("bucket", String(16), nullable=False),
    Index("ix_policy_band_bucket", "bucket"),
)

stats = Table(
    "policy_stats",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("documents", Integer, nullable=False, server_default="0"),
)

foreign = Table(
    # a foreign rule (host-economy digital rules: data localisation, digital services taxes,
    # digital antitrust, investment screening …): its economy, type, validity and source
    # address, on top of its document (text, passages, search) — migration policy_0004
    "policy_foreign",
    metadata,
    Column(
        "document_id",
        Integer,
        ForeignKey("policy_document.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("entry_key", String(60), nullable=False, unique=True),
    Column("economy", String(5), nullable=False, index=True),
    Column("rule_type", String(30), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("source_url", String(500), nullable=False),
    Column("authority", String(200), nullable=False, server_default=""),
    Column("title_zh", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

split = Table(
    # a copy that was folded into the wrong document, split off by an administrator into a
    # document of its own; undone (moved back) when ``undone_at`` is set — migration policy_0005
    "policy_split",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", Integer, ForeignKey("policy_file.id"), nullable=False, index=True),
    Column("from_document_id", Integer, nullable=False, index=True),
    Column("to_document_id", Integer, nullable=False),
    Column("was_primary", Integer, nullable=False, server_default="0"),
    Column("reason", String(500), nullable=False, server_default=""),
    Column("split_by", String(64), nullable=False),
    Column("split_at", DateTime(timezone=True), nullable=False),
    Column("undone_by", String(64), nullable=True),
    Column("undone_at", DateTime(timezone=True), nullable=True),
)
