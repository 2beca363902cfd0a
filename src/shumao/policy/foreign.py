"""Foreign rules in the policy library: a host economy's digital rules as documents.

A foreign rule is a document like any other (its text is cleaned, cut into passages and
indexed, so ``policy search`` finds it with the Chinese ones) plus a ``policy_foreign`` row:
its economy (ISO 3166 alpha-3, or a grouping such as ``EU27``), its type, the dates it is in
force (``effective_to`` empty while it is) and the address of its source. ``put`` adds or
replaces one entry by its key; ``entries`` lists them, ``in_force`` on a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from shumao.policy import library
from shumao.policy import tables as t


@dataclass(frozen=True)
class ForeignRule:
    key: str
    economy: str
    rule_type: str
    effective_from: date
    effective_to: date | None
    source_url: str
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    authority: str = ""

    def text(self) -> str:
        """The document's text: the Chinese title and summary, then the English ones."""
        return "\n\n".join(
            (
                self.title_zh,
                self.summary_zh,
                self.title_en,
                self.summary_en,
                f"来源 / source: {self.source_url}",
            )
        )

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


def put(conn: Connection, rule: ForeignRule) -> int:
    """Add or replace the entry ``rule.key``; returns its document id."""
    f = t.foreign
    old = conn.execute(select(f.c.document_id).where(f.c.entry_key == rule.key)).scalar()
    added = library.add_text(conn, rule.text(), source_file=f"foreign/{rule.key}.txt")
    if added.document_id is None:
        raise ValueError(f"foreign rule {rule.key}: {added.report.text()}")
    doc_id = int(added.document_id)
    taken = conn.execute(select(f.c.entry_key).where(f.c.document_id == doc_id)).scalar()
    if taken is not None and taken != rule.key:
        raise ValueError(f"foreign rule {rule.key}: its text was taken for a copy of {taken}")
    conn.execute(
        update(t.document)
        .where(t.document.c.id == doc_id)
        .values(
            title=rule.title_zh, issue_date=rule.effective_from, issue_year=rule.effective_from.year
        )
    )
    if old is not None and old != doc_id:
        conn.execute(delete(f).where(f.c.document_id == old))
    values = _values(rule)
    if conn.execute(select(f.c.document_id).where(f.c.document_id == doc_id)).first():
        conn.execute(update(f).where(f.c.document_id == doc_id).values(**values))
    else:
        conn.execute(insert(f).values(document_id=doc_id, **values))
    return doc_id


def _values(rule: ForeignRule) -> dict[str, Any]:
    return dict(
        entry_key=rule.key,
        economy=rule.economy,
        rule_type=rule.rule_type,
        effective_from=rule.effective_from,
        effective_to=rule.effective_to,
        source_url=rule.source_url,
        authority=rule.authority,
        title_zh=rule.title_zh,
        title_en=rule.title_en,
        updated_at=datetime.now(UTC),
    )


def entries(
    conn: Connection, *, economies: list[str] | None = None, document_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Foreign rules (newest first), optionally of some economies or documents."""
    f = t.foreign
    query = select(f).order_by(f.c.effective_from.desc(), f.c.entry_key)
    if economies is not None:
        query = query.where(f.c.economy.in_(economies))
    if document_ids is not None:
        query = query.where(f.c.document_id.in_(document_ids))
    return [dict(r) for r in conn.execute(query).mappings()]


def in_force(row: dict[str, Any], day: date) -> bool:
    return bool(
        row["effective_from"] <= day and (row["effective_to"] is None or day <= row["effective_to"])
    )
