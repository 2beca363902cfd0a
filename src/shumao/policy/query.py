"""A search request of the policy library: the query made into terms, the filters, and the
cursor the search statements run on.

Query → terms: NFKC, traditional → simplified (so 數據跨境 finds 数据跨境), a 文号 in either
bracket form → 〔〕, then jieba search-mode segmentation keeping the most specific words
(``segment.query_terms``: 浙江省商务部 → 浙江省 AND 商务部), and the finest parts of the words
for when a whole word is in no document (数据跨境 → 数据 AND 跨境).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from shumao.policy import ranking, segment
from shumao.policy.chinese import to_simplified
from shumao.policy.metadata import canonical_issuer, normalise_doc_number
from shumao.policy.normalise import punctuation

MAX_TERMS = 8


@dataclass
class Filters:
    issuer: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    level: str | None = None
    doc_type: str | None = None


@dataclass(frozen=True)
class Query:
    simplified: str
    terms: list[str]
    phrase: str
    doc_number: str | None
    parts: list[str] = field(default_factory=list)
    """The finest parts of the terms, tried when a whole term is not in the index."""


@lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    """``:name`` parameters as psycopg's ``%(name)s`` (literal ``%`` doubled)."""
    return re.sub(r"(?<!:):([a-z]\w*)", r"%(\1)s", sql.replace("%", "%%"))


def rows(
    conn: Connection, sql: str, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run ``sql`` (``:name`` parameters) on the driver's own cursor, inside ``conn``'s
    transaction: a search sends four to six small statements, and building a SQLAlchemy
    ``text()`` and its result for each took a fifth of its time."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    try:
        cur.execute(sql if conn.dialect.name == "sqlite" else _pyformat(sql), params or {})
        return list(cur.fetchall())
    finally:
        cur.close()


def prepare(query: str) -> Query:
    simplified = to_simplified(unicodedata.normalize("NFKC", query)).strip()
    number = normalise_doc_number(simplified)
    phrase = number or punctuation(re.sub(r"\s+", "", simplified))
    terms = [t[: ranking.MAX_TERM] for t in segment.query_terms(phrase)][:MAX_TERMS]
    parts = [t[: ranking.MAX_TERM] for t in segment.query_parts(phrase)][:MAX_TERMS]
    return Query(simplified, terms, phrase, number, parts)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_sql(filters: Filters) -> tuple[str, dict[str, Any]]:
    """`` AND …`` conditions on ``policy_document d`` for the filters, and their parameters."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if filters.issuer:
        name = canonical_issuer(to_simplified(filters.issuer.strip()))
        clauses.append("d.issuers_text LIKE :issuer ESCAPE '\\'")
        params["issuer"] = "%" + _like_escape(name) + "%"
    if filters.year_from is not None:
        clauses.append("d.issue_year >= :year_from")
        params["year_from"] = filters.year_from
    if filters.year_to is not None:
        clauses.append("d.issue_year <= :year_to")
        params["year_to"] = filters.year_to
    if filters.level:
        clauses.append("d.level = :level")
        params["level"] = filters.level
    if filters.doc_type:
        clauses.append("d.doc_type = :doc_type")
        params["doc_type"] = to_simplified(filters.doc_type)
    return "".join(f" AND {c}" for c in clauses), params


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def as_list(value: Any) -> list[str]:
    return list(json.loads(value) if isinstance(value, str) else value or [])
