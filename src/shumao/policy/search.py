"""Full-text search of the policy library: the same answers on SQLite and PostgreSQL.

Query → terms: ``policy.query`` (NFKC, simplified script, 文号, jieba search-mode terms; a
word in no document is asked for by its parts, 数据跨境 → 数据 AND 跨境).

1. **Documents** are ranked with the ranking index ``policy_term`` (one row per term and
   document, its BM25 weight computed at ingest — ``shumao.policy.ranking``): a document
   matches when it holds every term, its score is ``Σ idf·weight``. One term reads the index
   in weight order and stops after the best canonical documents that pass the filters; more
   terms join their postings (index-only reads of the covering indexes of migration
   ``policy_0002``) and sort the matches by score — measured faster than a threshold
   algorithm over the weight-ordered lists at 10,000 documents (PostgreSQL p95 26 vs 54 ms,
   SQLite 35 vs 51 ms). Matches are counted up to ``TOTAL_CAP``. The 50 best are re-ranked
   with a bonus for holding the query as one phrase; a document whose 文号 is the query comes first. Ties, and
   ``order="date"``, go by date of issue, newest first. Duplicates are folded into their
   canonical record.
2. **Passages** (``policy.hits``): the documents found and their passages are read in one statement (those holding
   any term: ``instr``/``strpos`` on their framed tokens) and matched on their tokens exactly
   as both full-text indexes match them — FTS5 on SQLite and the ``tsvector`` column on
   PostgreSQL index the same space-separated, lower-cased tokens — keeping the passages that
   hold every term (any term, when no single passage holds them all); the best of them is the
   answer: its section and a highlighted snippet. (One full-text query per document, as
   before, cost a third of a search.)

Statements go to the driver's cursor (``query.rows``): three to five per search (term
frequencies; the best candidates with the match count; the 文号 match when the query is one;
the phrase check for multi-term queries; the hits' documents with their passages), each cheap;
what cost most was building SQLAlchemy ``text()`` clauses and results for them.
``benchmarks/policy_search.py`` compares a search with the store's plain full-text query.

Every number is computed from the same stored weights by the same arithmetic on both stores,
so the answers are equal, scores included. Filters: issuing body (part of a name, any
alias), year range, level, type.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from shumao.policy import ranking
from shumao.policy.hits import MARK, Hit, hits
from shumao.policy.query import (
    Filters,
    Query,
    as_date,
    as_list,
    filter_sql,
    prepare,
)
from shumao.policy.query import (
    rows as fetch,
)

__all__ = [
    "MARK",
    "Filters",
    "Hit",
    "Query",
    "Result",
    "as_date",
    "as_list",
    "filter_sql",
    "matching",
    "prepare",
    "search",
]

RERANK = 50
TOTAL_CAP = 500
"""Matching documents are counted up to this many (``Result.more`` says there are more)."""


@dataclass
class Result:
    query: str
    terms: list[str]
    total: int
    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    """More than ``total`` (= ``TOTAL_CAP``) documents match."""


def search(
    bind: Engine | Connection,
    query: str,
    *,
    filters: Filters | None = None,
    limit: int = 20,
    order: str = "relevance",
) -> Result:
    """The best ``limit`` documents for ``query`` (see the module docstring)."""
    q = prepare(query)
    if not q.terms:
        return Result(query, [], 0)
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return _search(conn, query, q, filters or Filters(), limit, order)
    return _search(bind, query, q, filters or Filters(), limit, order)


@dataclass
class _Candidate:
    id: int
    score: float
    issued: date | None

    def key(self, first: set[int]) -> tuple[Any, ...]:
        day = -self.issued.toordinal() if self.issued else 0
        return (self.id not in first, -self.score, self.issued is None, day, self.id)


@dataclass
class _Plan:
    """A query made ready to run: its terms (rarest first) with their idf, and the FROM …
    WHERE … of the documents holding all of them."""

    q: Query
    idfs: dict[str, float]
    body: str
    params: dict[str, Any]


def _plan(conn: Connection, q: Query, filters: Filters) -> _Plan:
    """``idfs`` is empty when some term is in no document (after trying the parts of the
    words); ``q.terms`` are the terms tried last."""
    terms = q.terms
    documents, dfs = _frequencies(conn, terms)
    if documents and min(dfs) == 0 and q.parts != terms:
        terms = q.parts
        documents, dfs = _frequencies(conn, terms)
        q = replace(q, terms=terms)
    if not documents or min(dfs) == 0:
        return _Plan(q, {}, "", {})
    ordered = sorted(zip(terms, dfs, strict=True), key=lambda pair: (pair[1], pair[0]))
    idfs = {term: ranking.idf(documents, df) for term, df in ordered}
    body, params = _from_where(ordered, idfs, filters, sqlite=conn.dialect.name == "sqlite")
    return _Plan(q, idfs, body, params)


def _search(
    conn: Connection, query: str, q: Query, filters: Filters, limit: int, order: str
) -> Result:
    plan = _plan(conn, q, filters)
    q, idfs, body, params = plan.q, plan.idfs, plan.body, plan.params
    if not idfs:
        return Result(query, q.terms, 0)
    ordered = list(idfs)
    terms = q.terms
    by_date = order == "date"
    candidates, total = _candidates(
        conn, body, params, len(ordered), limit if by_date else max(limit, RERANK), by_date
    )
    if not total:
        return Result(query, terms, 0)
    first = _exact(conn, q, body, params, len(ordered), candidates)
    if not by_date:
        _phrase_bonus(conn, q, candidates, sum(idfs.values()), limit, first)
    if by_date:
        candidates.sort(
            key=lambda c: (
                c.issued is None,
                -c.issued.toordinal() if c.issued else 0,
                -c.score,
                c.id,
            )
        )
    else:
        candidates.sort(key=lambda c: c.key(first))
    top = candidates[:limit]
    return Result(
        query, terms, min(total, TOTAL_CAP), hits(conn, top, q, idfs), more=total > TOTAL_CAP
    )


def matching(conn: Connection, query: str, filters: Filters | None = None) -> list[int]:
    """Ids of the (canonical) documents matching ``query`` and the filters, up to
    ``TOTAL_CAP`` — what the facets of a search count."""
    q = prepare(query)
    plan = _plan(conn, q, filters or Filters()) if q.terms else None
    if plan is None or not plan.idfs:
        return []
    rows = fetch(conn, f"SELECT d.id {plan.body} LIMIT :cap", {**plan.params, "cap": TOTAL_CAP})
    return [int(r[0]) for r in rows]


def _frequencies(conn: Connection, terms: list[str]) -> tuple[int, list[int]]:
    """Documents in the ranking index, and how many of them hold each term."""
    counts = ", ".join(
        f"(SELECT count(*) FROM policy_term WHERE term = :f{i})" for i in range(len(terms))
    )
    [row] = fetch(
        conn,
        f"SELECT (SELECT documents FROM policy_stats WHERE id = 1), {counts}",
        {f"f{i}": t for i, t in enumerate(terms)},
    )
    return int(row[0] or 0), [int(v) for v in row[1:]]


# SQLite's planner picks the weight-ordered index for the rarest term's postings and the wide
# document row for the liveness check; for several terms the postings in document order (the
# primary key: the other terms' look-ups then walk their own keys in the same order) and the
# partial index of live documents (id, issue_date) are 2.7× faster at 10,000 documents
_SQLITE_POSTINGS = " INDEXED BY sqlite_autoindex_policy_term_1"
_SQLITE_LIVE = " INDEXED BY ix_policy_document_live"


def _from_where(
    ordered: list[tuple[str, int]], idfs: dict[str, float], filters: Filters, *, sqlite: bool
) -> tuple[str, dict[str, Any]]:
    """FROM … WHERE … of the documents holding every term (rarest first), with ``score``."""
    params: dict[str, Any] = {}
    joins = []
    for k, (term, _) in enumerate(ordered):
        params[f"w{k}"], params[f"i{k}"] = term, idfs[term]
        if k:
            joins.append(
                f"JOIN policy_term t{k} ON t{k}.term = :w{k} AND t{k}.document_id = t0.document_id"
            )
    where, fparams = filter_sql(filters)
    params.update(fparams)
    postings = _SQLITE_POSTINGS if sqlite and len(ordered) > 1 else ""
    live = _SQLITE_LIVE if sqlite and not where else ""  # filters read the document's row
    body = (
        f"FROM policy_term t0{postings} {' '.join(joins)} "
        f"JOIN policy_document d{live} ON d.id = t0.document_id "
        f"WHERE t0.term = :w0 AND d.canonical_id IS NULL{where}"
    )
    return body, params


def _score(n: int) -> str:
    return " + ".join(f":i{k} * t{k}.weight" for k in range(n))


def _candidates(
    conn: Connection, body: str, params: dict[str, Any], n: int, k: int, by_date: bool
) -> tuple[list[_Candidate], int]:
    """The ``k`` best matches, and how many match (up to ``TOTAL_CAP`` + 1), in one statement."""
    if by_date:
        sort = "d.issue_date DESC NULLS LAST, score DESC, d.id"
    else:  # one term: the index order itself, so the scan stops early
        sort = (
            "t0.weight DESC" if n == 1 else "score DESC"
        ) + ", d.issue_date DESC NULLS LAST, d.id"
    count = f"(SELECT count(*) FROM (SELECT 1 {body} LIMIT :cap) AS m)"
    sql = (
        f"SELECT d.id, {_score(n)} AS score, d.issue_date, {count} {body} ORDER BY {sort} LIMIT :k"
    )
    rows = fetch(conn, sql, {**params, "k": k, "cap": TOTAL_CAP + 1})
    total = int(rows[0][3]) if rows else 0
    return [_Candidate(int(r[0]), float(r[1]), as_date(r[2])) for r in rows], total


def _exact(
    conn: Connection,
    q: Query,
    body: str,
    params: dict[str, Any],
    n: int,
    candidates: list[_Candidate],
) -> set[int]:
    """Documents whose 文号 is the query: first, even when they were not among the best."""
    if not q.doc_number:
        return set()
    sql = f"SELECT d.id, {_score(n)} AS score, d.issue_date {body} AND d.doc_number = :docno"
    rows = fetch(conn, sql, {**params, "docno": q.doc_number})
    known = {c.id for c in candidates}
    candidates += [
        _Candidate(int(r[0]), float(r[1]), as_date(r[2])) for r in rows if r[0] not in known
    ]
    return {int(r[0]) for r in rows}


def _phrase_bonus(
    conn: Connection,
    q: Query,
    candidates: list[_Candidate],
    bonus: float,
    limit: int,
    first: set[int],
) -> None:
    """Documents holding the query as one phrase score the weight of one more full match.

    Only the candidates that could reach the best ``limit`` with the bonus are looked at: one
    whose score plus the bonus stays below the ``limit``-th best score cannot (the others' scores
    only rise), and reading a document's text is the dearest step of a search."""
    if len(q.terms) < 2 or not candidates:
        return
    scores = sorted((c.score for c in candidates), reverse=True)
    bar = scores[limit - 1] if len(scores) >= limit else float("-inf")
    ids = ", ".join(str(c.id) for c in candidates if c.score + bonus >= bar or c.id in first)
    find = "instr(text, :phrase)" if conn.dialect.name == "sqlite" else "strpos(text, :phrase)"
    sql = f"SELECT id FROM policy_document WHERE id IN ({ids}) AND {find} > 0"
    found = {r[0] for r in fetch(conn, sql, {"phrase": q.phrase})}
    for c in candidates:
        if c.id in found:
            c.score += bonus
