"""Browsing the library: the documents matching filters (newest first) and the facets of a
result — how many of its documents each issuing body, level, type and year has.

Facets count the canonical documents of the result (a search's matches, up to
``search.TOTAL_CAP``, or every document passing the filters): a document issued jointly by
three bodies counts once under each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from shumao.policy import search
from shumao.policy.search import Filters

FACETS = ("issuer", "level", "doc_type", "year")


@dataclass(frozen=True)
class Listed:
    id: int
    title: str | None
    doc_number: str | None
    issue_date: date | None
    level: str | None
    doc_type: str | None
    issuers: list[str]
    script: str


def documents(
    conn: Connection, filters: Filters, *, limit: int, offset: int = 0
) -> tuple[int, list[Listed]]:
    """(how many, one page of) the canonical documents passing the filters, newest first."""
    where, params = search.filter_sql(filters)
    base = f"FROM policy_document d WHERE d.canonical_id IS NULL{where}"
    total = int(conn.execute(text(f"SELECT count(*) {base}"), params).scalar_one())
    rows = conn.execute(
        text(
            "SELECT d.id, d.title, d.doc_number, d.issue_date, d.level, d.doc_type, d.issuers, "
            f"d.script {base} ORDER BY d.issue_date DESC NULLS LAST, d.id LIMIT :n OFFSET :o"
        ),
        {**params, "n": limit, "o": offset},
    ).all()
    return total, [
        Listed(
            r.id,
            r.title,
            r.doc_number,
            search.as_date(r.issue_date),
            r.level,
            r.doc_type,
            search.as_list(r.issuers),
            r.script,
        )
        for r in rows
    ]


def ids(conn: Connection, query: str, filters: Filters) -> list[int]:
    """The documents a result holds: the search's matches, or (no query) all passing the
    filters."""
    if query.strip():
        return search.matching(conn, query, filters)
    where, params = search.filter_sql(filters)
    return [
        int(r[0])
        for r in conn.execute(
            text(f"SELECT d.id FROM policy_document d WHERE d.canonical_id IS NULL{where}"), params
        )
    ]


def facets(conn: Connection, document_ids: list[int]) -> dict[str, list[tuple[Any, int]]]:
    """Per facet, (value, documents) most frequent first (years newest first)."""
    counts: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    for start in range(0, len(document_ids), 500):
        chunk = ", ".join(str(i) for i in document_ids[start : start + 500])
        for r in conn.execute(
            text(
                "SELECT issuers, level, doc_type, issue_year FROM "
                f"policy_document WHERE id IN ({chunk})"
            )
        ):
            counts["issuer"].update(set(search.as_list(r.issuers)))
            for name, value in (
                ("level", r.level),
                ("doc_type", r.doc_type),
                ("year", r.issue_year),
            ):
                if value is not None:
                    counts[name][value] += 1
    out = {
        name: sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0]))) for name, c in counts.items()
    }
    out["year"] = sorted(counts["year"].items(), key=lambda kv: -int(kv[0]))
    return out
