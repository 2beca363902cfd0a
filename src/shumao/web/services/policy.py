"""The policy library (行业政策库) for the pages and the API: search with highlighted passages
and facets, browsing, a document with its metadata, files, targets and text.

Passages are matched on simplified text; a document kept in traditional script is shown in
simplified (OpenCC, as stored at ingest) with its own script one click away. Policy documents
are public: every role, and the public, may read the library.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Connection, select

from shumao.errors import ShumaoError, UnknownCode
from shumao.labels import pick
from shumao.policy import browse, documents, metadata, search
from shumao.policy import tables as t
from shumao.policy.search import Filters
from shumao.web.schemas_policy import (
    PolicyDocumentOut,
    PolicyFacetValue,
    PolicyFileOut,
    PolicyHit,
    PolicySearchOut,
    PolicyTargetOut,
)
from shumao.web.services import policy_foreign_view as foreign_view

PAGE = 20


def _name(kind: str, value: str | None, lang: str) -> str:
    if not value:
        return ""
    return metadata.english_name(kind, value) if lang == "en" else value


def search_page(
    conn: Connection, *, q: str, filters: Filters, page: int = 1, lang: str = "zh"
) -> PolicySearchOut:
    """One page of the documents matching ``q`` (best first) or, without ``q``, of all
    documents passing the filters (newest first), with the facets of the whole result."""
    ids = browse.ids(conn, q, filters)
    facets = {
        name: [
            PolicyFacetValue(value=str(v), text=_facet_text(name, v, lang), count=n)
            for v, n in counts
        ]
        for name, counts in browse.facets(conn, ids).items()
    }
    if q.strip():
        found = search.search(conn, q, filters=filters, limit=page * PAGE)
        hits = [_hit(h, lang) for h in found.hits[(page - 1) * PAGE :]]
        total, terms, more = found.total, found.terms, found.more
    else:
        total, listed = browse.documents(conn, filters, limit=PAGE, offset=(page - 1) * PAGE)
        hits = [_listed(d, lang) for d in listed]
        terms, more = [], False
    shown = foreign_view.overlay(conn, [h.id for h in hits], lang)
    hits = [h.model_copy(update=shown[h.id]) if h.id in shown else h for h in hits]
    return PolicySearchOut(
        query=q,
        terms=terms,
        total=total,
        more=more,
        page=page,
        pages=max(1, -(-total // PAGE)),
        hits=hits,
        facets=facets,
    )


def _facet_text(name: str, value: Any, lang: str) -> str:
    if name == "year":
        return str(value) if lang == "en" else f"{value}年"
    return _name({"doc_type": "type"}.get(name, name), str(value), lang)


def _common(d: Any, lang: str) -> dict[str, Any]:
    return dict(
        id=d.id if hasattr(d, "id") else d.document_id,
        title=d.title,
        doc_number=d.doc_number,
        issue_date=d.issue_date,
        level=d.level,
        level_text=_name("level", d.level, lang),
        doc_type=d.doc_type,
        doc_type_text=_name("type", d.doc_type, lang),
        issuers=d.issuers,
        issuers_text=[_name("issuer", i, lang) for i in d.issuers],
    )


def _hit(h: search.Hit, lang: str) -> PolicyHit:
    return PolicyHit(
        **_common(h, lang),
        section=h.section,
        snippet=h.simplified or h.snippet,
        snippet_original=h.snippet,
        marks=h.marks,
        script=h.script,
        score=round(h.score, 6),
    )


def _listed(d: browse.Listed, lang: str) -> PolicyHit:
    return PolicyHit(**_common(d, lang), script=d.script)


def highlight(text: str, marks: list[tuple[int, int]]) -> Markup:
    """``text`` as HTML with every mark in ``<mark>``."""
    out, pos = [], 0
    for start, end in marks:
        out += [
            escape(text[pos:start]),
            Markup("<mark>"),
            escape(text[start:end]),
            Markup("</mark>"),
        ]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def document(conn: Connection, *, doc_id: int, lang: str = "zh") -> PolicyDocumentOut:
    """A document: metadata (what was not found says so), files, targets, text by paragraph."""
    try:
        view = documents.get(conn, doc_id)
    except ShumaoError:
        raise UnknownCode("政策库 policy library", doc_id) from None
    shown = foreign_view.overlay(conn, [doc_id], lang).get(doc_id)
    out = _document_out(conn, view, lang)
    if shown is None:
        return out
    missing = [m for m in out.missing if m not in ("title", "issuers", "doc_type")]
    return out.model_copy(
        update={
            **shown,
            "missing": missing,
            "paragraphs": foreign_view.in_language(out.paragraphs, lang),
        }
    )


def _document_out(conn: Connection, view: documents.DocumentView, lang: str) -> PolicyDocumentOut:
    f, doc_id = view.fields, view.id
    issued = f["issue_date"]
    return PolicyDocumentOut(
        id=view.id,
        title=f["title"],
        doc_number=f["doc_number"],
        issuers=f["issuers"] or [],
        issuers_text=[_name("issuer", i, lang) for i in f["issuers"] or []],
        issue_date=issued,
        level=f["level"],
        level_text=_name("level", f["level"], lang),
        doc_type=f["doc_type"],
        doc_type_text=_name("type", f["doc_type"], lang),
        missing=view.missing,
        corrected=sorted(view.corrected),
        script=view.script,
        files=[
            PolicyFileOut(
                id=s.id,
                source_file=s.source_file,
                source_format=s.source_format,
                script=s.script,
                primary=s.primary,
                similarity=s.similarity,
            )
            for s in view.files
        ],
        canonical_id=view.canonical_id,
        duplicates=view.duplicates,
        sections=[
            {k: s[k] for k in ("ordinal", "level", "label", "heading", "path")}
            for s in view.sections
        ],
        targets=[
            PolicyTargetOut(**{k: r[k] for k in PolicyTargetOut.model_fields}) for r in view.targets
        ],
        paragraphs=_paragraphs(conn, doc_id),
    )


def _paragraphs(conn: Connection, doc_id: int) -> list[dict[str, str]]:
    p = t.passage
    rows = conn.execute(
        select(p.c.section_path, p.c.text, p.c.display)
        .where(p.c.document_id == doc_id)
        .order_by(p.c.ordinal)
    )
    return [{"section": r.section_path, "text": r.text, "original": r.display} for r in rows]


def filters(
    *,
    issuer: str | None,
    level: str | None,
    doc_type: str | None,
    year: int | None,
    year_from: int | None,
    year_to: int | None,
) -> Filters:
    """The filters a request asks for (``year`` is one year: from and to)."""
    return Filters(
        issuer=issuer or None,
        level=level or None,
        doc_type=doc_type or None,
        year_from=year if year else year_from,
        year_to=year if year else year_to,
    )


def field_label(name: str, lang: str) -> str:
    zh, en = metadata.LABELS[name]
    return pick(zh, en, lang)
