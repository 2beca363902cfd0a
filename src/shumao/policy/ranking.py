"""Relevance: BM25 weights computed once, at ingest, in Python — so both stores rank alike.

A term's weight in a passage is the BM25 term-frequency part against a fixed reference
length (a constant, not the corpus average, so that stored weights never go stale as the
library grows)::

    w(t, p) = tf·(k1 + 1) / (tf + k1·(1 − b + b·len(p) / 60))

A term's weight in a document is the weight of its best passage, raised a little for each
further passage that mentions it (a document that keeps coming back to a subject is about it):
``w(t, d) = max_p w(t, p) · (1 + 0.1·ln n(t, d))``. A document's score for a query is
``Σ idf(t) · w(t, d)`` over the query's terms, ``idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))``
with N documents and df of them holding t.
"""

from __future__ import annotations

import math
from collections import Counter

K1 = 1.2
B = 0.75
REF_LENGTH = 60.0
MAX_TERM = 64


def term_weight(tf: int, length: int) -> float:
    return tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / REF_LENGTH))


def idf(documents: int, df: int) -> float:
    return math.log(1.0 + (documents - df + 0.5) / (df + 0.5))


def document_terms(passages: list[list[str]]) -> list[tuple[str, float, int]]:
    """(term, weight in the document, index of its best passage) for every distinct term."""
    best: dict[str, tuple[float, int]] = {}
    mentions: Counter[str] = Counter()
    for index, tokens in enumerate(passages):
        for term, tf in Counter(tok[:MAX_TERM] for tok in tokens).items():
            weight = term_weight(tf, len(tokens))
            mentions[term] += 1
            if term not in best or weight > best[term][0]:
                best[term] = (weight, index)
    return [(term, w * (1.0 + 0.1 * math.log(mentions[term])), i) for term, (w, i) in best.items()]


def passage_score(tokens: list[str], idfs: dict[str, float]) -> float:
    """Σ idf·w of the query terms in one passage (to pick the passage a hit answers with)."""
    counts = Counter(tok[:MAX_TERM] for tok in tokens)
    return sum(
        weight * term_weight(counts[t], len(tokens)) for t, weight in idfs.items() if counts[t]
    )


def framed_score(framed: str, length: int, idfs: dict[str, float]) -> float:
    """``passage_score`` of a stored passage: its tokens framed `` a  b `` (each between its
    own two spaces, so ``count`` finds every occurrence) and their number. Counting each
    term in the stored text saves splitting and counting every token; a term of
    ``MAX_TERM`` characters may stand for longer tokens, and goes the long way."""
    if any(len(t) >= MAX_TERM for t in idfs):
        return passage_score(framed.split(), idfs)
    counts = {t: framed.count(f" {t} ") for t in idfs}
    return sum(weight * term_weight(counts[t], length) for t, weight in idfs.items() if counts[t])
