"""Writing a prepared text to the policy library (``store``): a file read again (re-ingest),
a copy of a document (one more file of it, see ``files``) or a new document, with its
derived rows — sections, passages (the full-text indexes follow them), the ranking index,
MinHash bands and targets — in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from shumao.policy import files, metadata
from shumao.policy import tables as t
from shumao.policy.editing import apply_corrections, effective_columns
from shumao.policy.prepared import Prepared
from shumao.validation.findings import Report, finding


@dataclass
class AddResult:
    file: str
    status: str
    """added, reingested, attached (a copy of a document: now one of its files) or rejected."""
    document_id: int | None = None
    canonical_id: int | None = None
    similarity: float | None = None
    report: Report = field(default_factory=Report)
    title: str | None = None
    targets: int = 0


_d = t.document


def store(conn: Connection, p: Prepared, report: Report) -> AddResult:
    """Write a prepared text: a file read again, a copy of a document (a file of it), or a new
    document (see ``files``)."""
    now = datetime.now(UTC)
    known = files.find(conn, p)
    if known is not None:
        return _reingest(conn, p, report, now, *known)
    copy = files.copy_of(conn, p)
    if copy is not None:
        return _attach(conn, p, report, now, *copy)
    doc_id = insert_document(conn, p, now)
    files.record(conn, doc_id, p, now)
    _report_outcome(conn, doc_id, p, report, "added", 0, None)
    title = conn.execute(select(_d.c.title).where(_d.c.id == doc_id)).scalar()
    return AddResult(p.source_file, "added", doc_id, None, None, report, title, len(p.targets))


def insert_document(conn: Connection, p: Prepared, now: datetime) -> int:
    """A new document made from ``p`` with its passages, terms, bands and targets (no file)."""
    row = document_row(p, now)
    inserted = conn.execute(insert(_d).values(ingested_at=now, **row)).inserted_primary_key
    doc_id = int(inserted[0]) if inserted else 0
    write_derived(conn, doc_id, p, fresh=True)
    return doc_id


def _reingest(
    conn: Connection, p: Prepared, report: Report, now: datetime, file_id: int, doc_id: int
) -> AddResult:
    """A file read again: its record keeps its id; the document is rebuilt from it when it is
    the document's text (or now better than it), editor corrections applied again."""
    primary = files.is_primary(conn, doc_id, file_id)
    files.refresh(conn, file_id, p, now)
    corrections = 0
    if primary or p.quality > files.quality(conn, doc_id):
        corrections = rebuild(conn, doc_id, p, now)
    _report_outcome(conn, doc_id, p, report, "reingested", corrections, None)
    return _result(conn, p, report, "reingested", doc_id)


def _attach(
    conn: Connection, p: Prepared, report: Report, now: datetime, doc_id: int, similarity: float
) -> AddResult:
    """A copy of a document becomes one of its files; its text when it is the better one."""
    files.record(conn, doc_id, p, now, similarity)
    if p.quality > files.quality(conn, doc_id):
        rebuild(conn, doc_id, p, now)
    _report_outcome(conn, doc_id, p, report, "attached", 0, similarity)
    return _result(conn, p, report, "attached", doc_id, similarity)


def rebuild(conn: Connection, doc_id: int, p: Prepared, now: datetime) -> int:
    """The document's text, metadata and derived rows from ``p``; corrections on top."""
    _drop_derived(conn, doc_id)
    conn.execute(update(_d).where(_d.c.id == doc_id).values(**document_row(p, now)))
    write_derived(conn, doc_id, p, fresh=False)
    return apply_corrections(conn, doc_id)


def _result(
    conn: Connection,
    p: Prepared,
    report: Report,
    status: str,
    doc_id: int,
    similarity: float | None = None,
) -> AddResult:
    canonical, title = conn.execute(
        select(_d.c.canonical_id, _d.c.title).where(_d.c.id == doc_id)
    ).one()
    return AddResult(
        p.source_file, status, doc_id, canonical, similarity, report, title, len(p.targets)
    )


def document_row(p: Prepared, now: datetime) -> dict[str, Any]:
    extracted = p.meta.as_json()
    return dict(
        source_file=p.source_file,
        source_format=p.source_format,
        source_sha256=p.source_sha256,
        text_sha256=p.text_sha256,
        original_text=p.original,
        display_text=p.cleaned.display_text,
        text=p.cleaned.simplified_text,
        script=p.cleaned.script,
        extracted=extracted,
        updated_at=now,
        quality=p.quality,
        minhash=p.minhash.tobytes().hex(),
        cleaning={
            "removed": dict(p.cleaned.removed),
            "garbled": p.cleaned.garbled,
            "scraped": p.cleaned.scraped,
        },
        **effective_columns(extracted),
    )


def _drop_derived(conn: Connection, doc_id: int) -> None:
    for table in (t.term, t.section, t.passage, t.band):
        conn.execute(delete(table).where(table.c.document_id == doc_id))


def write_derived(conn: Connection, doc_id: int, p: Prepared, *, fresh: bool) -> None:
    if p.sections:
        conn.execute(
            insert(t.section),
            [
                dict(
                    document_id=doc_id,
                    ordinal=s.ordinal,
                    parent=s.parent,
                    level=s.level,
                    label=s.label,
                    heading=s.heading[:300],
                    path=s.path[:1000],
                    first_par=s.first,
                    last_par=s.last,
                )
                for s in p.sections
            ],
        )
    rows = [
        dict(
            document_id=doc_id,
            ordinal=i,
            section_path=_path(p, i),
            text=simple,
            display=shown,
            tokens=framed(tokens),
            n_tokens=len(tokens),
        )
        for i, (simple, shown, tokens) in enumerate(
            zip(p.cleaned.text, p.cleaned.display, p.tokens, strict=True)
        )
    ]
    conn.execute(insert(t.passage), rows)
    ids = dict(
        conn.execute(
            select(t.passage.c.ordinal, t.passage.c.id).where(t.passage.c.document_id == doc_id)
        ).all()
    )
    conn.execute(
        insert(t.term),
        [
            dict(term=term, document_id=doc_id, weight=weight, passage_id=ids[index])
            for term, weight, index in p.terms
        ],
    )
    if fresh:
        _bump_stats(conn, 1)
    conn.execute(
        insert(t.band),
        [dict(document_id=doc_id, band=i, bucket=key) for i, key in enumerate(p.bands)],
    )
    _write_targets(conn, doc_id, p, fresh=fresh)


def _path(p: Prepared, paragraph: int) -> str:
    owner = p.owner[paragraph]
    return p.sections[owner].path[:1000] if owner is not None else ""


def framed(tokens: list[str]) -> str:
    """`` a  b  c `` — every token between its own two spaces, so that ``replace(' b ', '')``
    removes each occurrence, adjacent ones included."""
    return "".join(f" {tok} " for tok in tokens)


_BUMP = (
    update(t.stats).where(t.stats.c.id == 1).values(documents=t.stats.c.documents + bindparam("dn"))
)


def _bump_stats(conn: Connection, documents: int) -> None:
    """Count documents in the ranking index (the row is re-created if a store was emptied)."""
    if not conn.execute(_BUMP, {"dn": documents}).rowcount:
        total = conn.execute(select(func.count()).select_from(t.document)).scalar_one()
        conn.execute(insert(t.stats).values(id=1, documents=total))


def _write_targets(conn: Connection, doc_id: int, p: Prepared, *, fresh: bool) -> None:
    """Replace the candidates; keep confirmed (or rejected) targets that are found again."""
    kept: dict[str, Any] = {}
    if not fresh:
        kept = {
            r.key: r
            for r in conn.execute(
                select(t.target).where(
                    (t.target.c.document_id == doc_id) & (t.target.c.status != "candidate")
                )
            ).all()
        }
        conn.execute(delete(t.target).where(t.target.c.document_id == doc_id))
    rows = []
    for target in p.targets:
        prior = kept.get(target.key)
        rows.append(
            dict(
                document_id=doc_id,
                key=target.key,
                subject=target.subject[:300],
                indicator=target.indicator[:300],
                target_year=target.target_year,
                comparator=target.comparator,
                value=target.value,
                unit=target.unit,
                sentence=target.sentence,
                section_path=_path(p, target.paragraph),
                status=prior.status if prior else "candidate",
                indicator_code=prior.indicator_code if prior else None,
                confirmed_by=prior.confirmed_by if prior else None,
                confirmed_at=prior.confirmed_at if prior else None,
            )
        )
    if rows:
        conn.execute(insert(t.target), rows)


def _report_outcome(
    conn: Connection,
    doc_id: int,
    p: Prepared,
    report: Report,
    status: str,
    corrections: int,
    similarity: float | None,
) -> None:
    file = p.source_file
    corrected = (
        set()
        if status == "added"
        else set(
            conn.execute(
                select(t.correction.c.field).where(t.correction.c.document_id == doc_id)
            ).scalars()
        )
    )
    for name in p.meta.missing() if status != "attached" else ():
        if name not in corrected:
            zh, en = metadata.LABELS[name]
            report.add(finding("policy-field-not-found", file=file, column=f"{zh} / {en}"))
    if status == "attached" and similarity is not None:
        report.add(finding("policy-duplicate", file=file, value=doc_id, detail=f"{similarity:.2f}"))
    if status == "reingested":
        report.add(finding("policy-reingested", file=file, value=doc_id, detail=corrections))
