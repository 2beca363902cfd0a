"""Foreign rules of the outbound tracker in the policy library: English titles and issuers in
the English view, Chinese ones in the Chinese view — one language per view."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.outbound import tracker
from shumao.policy import foreign

TRACKER = Path(__file__).resolve().parents[2] / "demo" / "outbound" / "tracker.yaml"
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def tracked(engine: Engine) -> dict[str, int]:
    with engine.begin() as conn:
        tracker.load(conn, TRACKER)
    with engine.connect() as conn:
        return {r["entry_key"]: r["document_id"] for r in foreign.entries(conn)}


def test_the_english_view_shows_english_titles_and_issuers(client, tracked: dict[str, int]) -> None:
    listed = client.get("/api/policy/search?lang=en").json()["hits"]
    france = next(h for h in listed if h["id"] == tracked["FRA-DST-2019"])
    assert france["title"] == "France, digital services tax (Law No. 2019-759 of 24 July 2019)"
    assert france["issuers_text"] == ["Parlement français (France)"]
    assert france["doc_type_text"] == "digital services tax"
    assert not [h["title"] for h in listed if HAN.search(h["title"] or "")]
    page = client.get("/policy?lang=en").text
    assert "Parlement français (France)" in page and "法国数字服务税" not in page

    doc = client.get(f"/api/policy/documents/{tracked['FRA-DST-2019']}?lang=en").json()
    assert doc["title"].startswith("France, digital services tax")
    assert doc["paragraphs"] and not [p for p in doc["paragraphs"] if HAN.search(p["text"])]
    assert "issuers" not in doc["missing"]
    html = client.get(f"/policy/{tracked['FRA-DST-2019']}?lang=en").text
    assert "Parlement français (France)" in html and "对在法国提供" not in html


def test_the_chinese_view_keeps_chinese(client, tracked: dict[str, int]) -> None:
    doc = client.get(f"/api/policy/documents/{tracked['FRA-DST-2019']}").json()
    assert doc["title"] == "法国数字服务税（2019年7月24日第2019-759号法律）"
    assert doc["issuers_text"] == ["法国议会"] and doc["doc_type_text"] == "数字服务税"
    assert all(HAN.search(p["text"]) for p in doc["paragraphs"])
    hits = client.get("/api/policy/search?q=数字服务税").json()["hits"]
    assert any(h["issuers_text"] == ["英国议会"] for h in hits)
