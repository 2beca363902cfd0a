"""Reading the policy library: a document with its fields, corrections, files, sections and
targets (``get``), the list of documents, the targets awaiting or having a confirmation.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select

from shumao.errors import ShumaoError
from shumao.policy import files, metadata
from shumao.policy import tables as t


@dataclass
class DocumentView:
    id: int
    fields: dict[str, Any]
    """Effective values (extracted, corrected on top)."""
    extracted: dict[str, Any]
    corrected: dict[str, Any]
    missing: list[str]
    """Fields neither found in the text nor given by an editor."""
    source_file: str
    source_format: str
    script: str
    canonical_id: int | None
    similarity: float | None
    duplicates: list[int]
    """Records an editor linked to this one (``edit … canonical``)."""
    files: list[files.SourceFile]
    """The files the document came from, the one its text is taken from first."""
    sections: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    display_text: str
    text: str
    original_text: str
    cleaning: dict[str, Any]


def connect(bind: Engine | Connection) -> Any:
    return bind.connect() if isinstance(bind, Engine) else nullcontext(bind)


def get(bind: Engine | Connection, doc_id: int) -> DocumentView:
    d = t.document
    with connect(bind) as conn:
        row = conn.execute(select(d).where(d.c.id == doc_id)).one_or_none()
        if row is None:
            raise ShumaoError(f"没有第 {doc_id} 号文件 / no document #{doc_id}")
        extracted = _json(row.extracted)
        corrected = latest_corrections(conn, doc_id)
        secs = [
            dict(r._mapping)
            for r in conn.execute(
                select(t.section)
                .where(t.section.c.document_id == doc_id)
                .order_by(t.section.c.ordinal)
            )
        ]
        tgts = [
            dict(r._mapping)
            for r in conn.execute(
                select(t.target).where(t.target.c.document_id == doc_id).order_by(t.target.c.id)
            )
        ]
        dups = list(
            conn.execute(
                select(d.c.id).where(d.c.canonical_id == doc_id).order_by(d.c.id)
            ).scalars()
        )
        sources = files.of_document(conn, doc_id)
    fields = {
        "title": row.title,
        "doc_number": row.doc_number,
        "issuers": _json(row.issuers),
        "issue_date": _iso(row.issue_date),
        "level": row.level,
        "doc_type": row.doc_type,
    }
    missing = [f for f in metadata.FIELDS if fields[f] in (None, []) and f not in corrected]
    return DocumentView(
        doc_id,
        fields,
        extracted,
        corrected,
        missing,
        row.source_file,
        row.source_format,
        row.script,
        row.canonical_id,
        row.similarity,
        dups,
        sources,
        secs,
        tgts,
        row.display_text,
        row.text,
        row.original_text,
        _json(row.cleaning),
    )


def latest_corrections(conn: Connection, doc_id: int) -> dict[str, Any]:
    rows = conn.execute(
        select(t.correction.c.field, t.correction.c.value)
        .where(t.correction.c.document_id == doc_id)
        .order_by(t.correction.c.id)
    ).all()
    return {r.field: r.value for r in rows}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def list_documents(bind: Engine | Connection) -> list[dict[str, Any]]:
    d = t.document
    query = select(
        d.c.id,
        d.c.title,
        d.c.doc_number,
        d.c.issue_date,
        d.c.level,
        d.c.doc_type,
        d.c.script,
        d.c.source_file,
        d.c.canonical_id,
        d.c.similarity,
    ).order_by(d.c.id)
    with connect(bind) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def list_targets(bind: Engine | Connection, status: str | None = None) -> list[dict[str, Any]]:
    """Targets with their document; ``status`` candidate / confirmed / rejected, or all."""
    query = (
        select(t.target, t.document.c.title, t.document.c.canonical_id)
        .join(t.document, t.document.c.id == t.target.c.document_id)
        .order_by(t.target.c.document_id, t.target.c.id)
    )
    if status:
        query = query.where(t.target.c.status == status)
    with connect(bind) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def candidate_targets(bind: Engine | Connection) -> list[dict[str, Any]]:
    """What monitoring is offered: candidates of canonical documents."""
    return [r for r in list_targets(bind, "candidate") if r["canonical_id"] is None]


def confirmed_targets(bind: Engine | Connection) -> list[dict[str, Any]]:
    return list_targets(bind, "confirmed")
