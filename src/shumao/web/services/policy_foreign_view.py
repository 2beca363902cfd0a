"""Foreign rules (the outbound tracker's entries) in the policy library's views, in the view's
language: the entry's own title (``title_zh`` / ``title_en``), its authority as the issuer (the
Chinese name, or the name in its own language with the economy in English) and its type,
instead of what the library extracted from the bilingual text (the Chinese title, no issuer).
On a document page the paragraphs of the other language are left out.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection

from shumao.outbound.risk_rules import rule_types
from shumao.outbound.service import economy_name
from shumao.policy import foreign

HAN = re.compile(r"[\u3400-\u9fff]")


def _issuer(row: dict[str, Any], lang: str) -> str:
    """``法国议会 / Parlement français`` → 法国议会, or "Parlement français (France)"."""
    parts = [p.strip() for p in str(row.get("authority") or "").split(" / ") if p.strip()]
    zh = next((p for p in parts if HAN.search(p)), "")
    other = next((p for p in parts if not HAN.search(p)), "")
    economy = economy_name(row["economy"], lang)
    if lang == "en":
        return f"{other} ({economy})" if other else economy
    return zh or economy


def overlay(conn: Connection, ids: list[int], lang: str) -> dict[int, dict[str, Any]]:
    """Per foreign document among ``ids``: title, issuers_text and doc_type_text in ``lang``."""
    if not ids:
        return {}
    kinds = rule_types()
    out = {}
    for row in foreign.entries(conn, document_ids=ids):
        kind = kinds.get(row["rule_type"], (row["rule_type"], row["rule_type"]))
        out[int(row["document_id"])] = {
            "title": row["title_en"] if lang == "en" else row["title_zh"],
            "issuers_text": [_issuer(row, lang)],
            "doc_type_text": kind[1] if lang == "en" else kind[0],
        }
    return out


def in_language(paragraphs: list[dict[str, str]], lang: str) -> list[dict[str, str]]:
    """The paragraphs of a foreign document's text written in the view's language."""
    chinese = lang != "en"
    return [p for p in paragraphs if bool(HAN.search(p["text"])) == chinese]
