"""The files a policy document came from (``policy_file``).

A document is one text however many copies of it are added: the 2022 report as a PDF
extraction and as a scraped page in traditional script are one document with two files. A
file added later that is a near-duplicate of a document's text (``duplicates``: Jaccard of the
character 5-grams ≥ 0.6, candidates found through the MinHash bands) becomes a file of that
document; the document's text, metadata, passages and ranking terms are those of its best
file (``Prepared.quality``: more metadata found, simplified script, a clean extraction), and
its ``source_*`` columns name that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, insert, select, update

from shumao.policy import duplicates
from shumao.policy import tables as t

if TYPE_CHECKING:
    from shumao.policy.prepared import Prepared

_f, _d = t.source_file, t.document
_FIND = (
    select(_f.c.id, _f.c.document_id)
    .where(
        (_f.c.source_sha256 == bindparam("sha"))
        | ((_f.c.text_sha256 == bindparam("text_sha")) & (_f.c.source_file == bindparam("file")))
    )
    .order_by(_f.c.id)
    .limit(1)
)
_CANDIDATES = (
    select(_d.c.id, _d.c.minhash)
    .where(
        _d.c.id.in_(
            select(t.band.c.document_id).where(
                t.band.c.bucket.in_(bindparam("keys", expanding=True))
            )
        )
    )
    .order_by(_d.c.id)
)


@dataclass(frozen=True)
class SourceFile:
    id: int
    document_id: int
    source_file: str
    source_format: str
    script: str
    quality: int
    similarity: float | None
    """Jaccard similarity to the document's text when the file was added; None for the file
    the document was made from."""
    primary: bool
    """The file the document's text is taken from."""
    ingested_at: datetime


def find(conn: Connection, p: Prepared) -> tuple[int, int] | None:
    """(file id, document id) of a file already in the library: the same bytes, or a file of
    the same name whose cleaned text is the same."""
    row = conn.execute(
        _FIND, {"sha": p.source_sha256, "text_sha": p.text_sha256, "file": p.source_file}
    ).first()
    return (int(row[0]), int(row[1])) if row else None


def copy_of(conn: Connection, p: Prepared) -> tuple[int, float] | None:
    """(document id, similarity) of the document ``p`` is a copy of, if any."""
    found = conn.execute(_CANDIDATES, {"keys": p.bands}).all()
    candidates = [
        doc for doc, mh in found if duplicates.estimate(p.minhash, mh) >= duplicates.THRESHOLD - 0.2
    ]
    best, best_sim = None, 0.0
    for doc in candidates:
        text = conn.execute(select(_d.c.text).where(_d.c.id == doc)).scalar_one()
        sim = duplicates.jaccard(p.shingles, duplicates.shingles(text))
        if sim >= duplicates.THRESHOLD and sim > best_sim:
            best, best_sim = doc, sim
    if best is None:
        return None
    root = conn.execute(select(_d.c.canonical_id).where(_d.c.id == best)).scalar()
    return int(root or best), round(best_sim, 4)


def _values(p: Prepared, now: datetime) -> dict[str, Any]:
    return dict(
        source_file=p.source_file,
        source_format=p.source_format,
        source_sha256=p.source_sha256,
        text_sha256=p.text_sha256,
        script=p.cleaned.script,
        quality=p.quality,
        updated_at=now,
        original_text=p.original,
        display_text=p.cleaned.display_text,
    )


def record(
    conn: Connection, document_id: int, p: Prepared, now: datetime, similarity: float | None = None
) -> int:
    """A new file of ``document_id``."""
    inserted = conn.execute(
        insert(_f).values(
            document_id=document_id, similarity=similarity, ingested_at=now, **_values(p, now)
        )
    )
    return int(inserted.inserted_primary_key[0]) if inserted.inserted_primary_key else 0


def refresh(conn: Connection, file_id: int, p: Prepared, now: datetime) -> None:
    """A file read again: its text as extracted now."""
    conn.execute(update(_f).where(_f.c.id == file_id).values(**_values(p, now)))


def is_primary(conn: Connection, document_id: int, file_id: int) -> bool:
    """Whether the document's text is taken from this file."""
    doc = conn.execute(
        select(_d.c.source_sha256, _d.c.source_file).where(_d.c.id == document_id)
    ).one()
    own = conn.execute(select(_f.c.source_sha256, _f.c.source_file).where(_f.c.id == file_id)).one()
    return tuple(doc) == tuple(own)


def quality(conn: Connection, document_id: int) -> int:
    return int(conn.execute(select(_d.c.quality).where(_d.c.id == document_id)).scalar_one())


def of_document(conn: Connection, document_id: int) -> list[SourceFile]:
    """The document's files, the one its text comes from first, then in the order added."""
    doc = conn.execute(
        select(_d.c.source_sha256, _d.c.source_file).where(_d.c.id == document_id)
    ).one()
    rows = conn.execute(select(_f).where(_f.c.document_id == document_id).order_by(_f.c.id))
    out = [
        SourceFile(
            r.id,
            r.document_id,
            r.source_file,
            r.source_format,
            r.script,
            r.quality,
            r.similarity,
            (r.source_sha256, r.source_file) == tuple(doc),
            r.ingested_at,
        )
        for r in rows
    ]
    return sorted(out, key=lambda f: (not f.primary, f.id))


def texts(conn: Connection, file_id: int) -> tuple[str, str]:
    """(as extracted, cleaned in its own script) of one file."""
    row = conn.execute(
        select(_f.c.original_text, _f.c.display_text).where(_f.c.id == file_id)
    ).one()
    return row.original_text, row.display_text
