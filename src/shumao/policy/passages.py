"""The answer of a search hit: the passages of a document that match, the best of them, and a
highlighted window of it (``snippet_of``). Pure functions over passages read by
``shumao.policy.search``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shumao.policy import ranking
from shumao.policy.query import Query

SNIPPET = 90


@dataclass(frozen=True)
class Passage:
    ordinal: int
    text: str
    display: str
    section_path: str
    tokens: str
    """Framed: `` a  b `` (``writing.framed``)."""
    n_tokens: int


def matching_passages(passages: list[Passage], terms: list[str]) -> tuple[int, list[Passage]]:
    """(how many passages hold every term, the passages to choose the answer from: those, or
    when none does, those holding any term).

    A term matches a token exactly, as in both full-text indexes (FTS5 ``unicode61`` and the
    ``tsvector`` cast split the same space-separated, lower-cased tokens): the ten documents'
    passages are read in one statement and matched here, instead of one full-text query per
    document."""
    every: list[Passage] = []
    some: list[Passage] = []
    framed = [f" {t} " for t in terms]
    for passage in passages:
        held = [t in passage.tokens for t in framed]
        if all(held):
            every.append(passage)
        elif any(held) and not every:
            some.append(passage)
    return len(every), every or some


def best_passage(rows: list[Passage], q: Query, idfs: dict[str, float]) -> Passage | None:
    """The passage with the highest score (a whole-phrase match counting one more match)."""
    bonus = sum(idfs.values()) if len(q.terms) > 1 else 0.0

    def score(row: Passage) -> tuple[float, int]:
        value = ranking.framed_score(row.tokens, row.n_tokens, idfs)
        return (value + (bonus if q.phrase in row.text else 0.0), -int(row.ordinal))

    return max(rows, key=score, default=None)


def snippet_of(simplified: str, display: str, q: Query) -> tuple[str, list[tuple[int, int]]]:
    """A window of the passage around the first match, and where the terms are in it.

    Matching is done on the simplified text; the window is shown in the original script when
    the two have the same length (t2s is character for character almost always)."""
    spans = _spans(simplified, q)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - SNIPPET // 3, len(simplified) - SNIPPET))
    end = min(len(simplified), start + SNIPPET)
    source = display if len(display) == len(simplified) else simplified
    text_ = ("……" if start else "") + source[start:end] + ("……" if end < len(simplified) else "")
    shift = 2 if start else 0
    marks = [(s - start + shift, e - start + shift) for s, e in spans if s >= start and e <= end]
    return text_, marks


def _spans(simplified: str, q: Query) -> list[tuple[int, int]]:
    lowered = simplified.lower()
    needles = sorted({q.phrase.lower(), *q.terms}, key=len, reverse=True)
    taken = [False] * len(lowered)
    spans = []
    for needle in needles:
        for m in re.finditer(re.escape(needle), lowered):
            if needle and not any(taken[m.start() : m.end()]):
                spans.append((m.start(), m.end()))
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
    return sorted(spans)
