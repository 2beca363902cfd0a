"""The page of a search: each document found with its best passage, highlighted.

The documents and their passages that hold any of the query's terms (``instr``/``strpos`` on
the framed tokens) are read in one statement; ``passages`` matches them on their tokens exactly
as both full-text indexes would, keeps those holding every term (any term, when no passage
holds them all) and picks the best: its section and a window of it with the terms marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Connection

from shumao.policy.passages import Passage, best_passage, matching_passages, snippet_of
from shumao.policy.query import Query, as_date, as_list, rows

MARK = ("【", "】")


class Ranked(Protocol):
    id: int
    score: float


@dataclass
class Hit:
    document_id: int
    title: str | None
    doc_number: str | None
    issue_date: date | None
    level: str | None
    doc_type: str | None
    issuers: list[str]
    section: str
    """Path of the section the best passage is in (一、… › （三）…), empty before the first."""
    snippet: str
    """A window of the best passage in the document's own script."""
    marks: list[tuple[int, int]]
    """(start, end) of every query term in ``snippet`` (and in ``simplified``)."""
    score: float
    passages: int
    """How many passages of the document match."""
    simplified: str = ""
    """The same window in simplified script (equal to ``snippet`` for a simplified text)."""
    script: str = "simplified"
    """The document's script: ``traditional`` when ``snippet`` is in traditional characters."""

    def highlighted(
        self, before: str = MARK[0], after: str = MARK[1], *, simplified: bool = False
    ) -> str:
        text_ = self.simplified if simplified and self.simplified else self.snippet
        out, pos = [], 0
        for start, end in self.marks:
            out += [text_[pos:start], before, text_[start:end], after]
            pos = end
        return "".join([*out, text_[pos:]])


def hits(conn: Connection, top: Sequence[Ranked], q: Query, idfs: dict[str, float]) -> list[Hit]:
    """The ``top`` documents as hits, in their order (one statement)."""
    if not top:
        return []
    ids = ", ".join(str(c.id) for c in top)
    find = "instr" if conn.dialect.name == "sqlite" else "strpos"
    holds = " OR ".join(f"{find}(p.tokens, :n{i}) > 0" for i in range(len(idfs)))
    docs: dict[int, tuple[Any, ...]] = {}
    found_in: dict[int, list[Passage]] = {}
    sql = (
        "SELECT d.id, d.title, d.doc_number, d.issue_date, d.level, d.doc_type, d.issuers, "
        "d.script, p.ordinal, p.text, p.display, p.section_path, p.tokens, p.n_tokens "
        f"FROM policy_document d LEFT JOIN policy_passage p ON p.document_id = d.id AND ({holds}) "
        f"WHERE d.id IN ({ids}) ORDER BY d.id, p.id"
    )
    for row in rows(conn, sql, {f"n{i}": f" {t} " for i, t in enumerate(idfs)}):
        docs.setdefault(row[0], row[:8])
        if row[8] is not None:
            found_in.setdefault(row[0], []).append(Passage(*row[8:]))
    out = []
    for c in top:
        _, title, number, issued, level, doc_type, issuers, script = docs[c.id]
        every, found = matching_passages(found_in.get(c.id, []), list(idfs))
        best = best_passage(found, q, idfs)
        snippet, marks = snippet_of(best.text, best.display, q) if best else ("", [])
        simple = (
            snippet
            if not best or best.display == best.text
            else snippet_of(best.text, best.text, q)[0]
        )
        out.append(
            Hit(
                c.id,
                title,
                number,
                as_date(issued),
                level,
                doc_type,
                as_list(issuers),
                best.section_path if best else "",
                snippet,
                marks,
                c.score,
                every,
                simple,
                str(script),
            )
        )
    return out
