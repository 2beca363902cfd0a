"""The policy library on the web: search with highlighted passages and facets, browsing, a
document's page, the JSON API; a traditional-script text in simplified with the original one
click away; the 2022 report once, with its two files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.policy import library

SEEDS = Path(__file__).resolve().parents[2] / "demo" / "policy"


@pytest.fixture
def seeded(engine: Engine) -> dict[str, int]:
    """The five seed files of demo/policy; document ids by seed number (003 and 004, the
    report's two copies, are one document)."""
    results = library.add_files(engine, [SEEDS])
    return {r.file[:3]: r.document_id or 0 for r in results}


def test_the_2022_report_appears_once_with_its_two_files(client, seeded: dict[str, int]) -> None:
    assert seeded["003"] == seeded["004"]
    listed = client.get("/api/policy/search").json()
    assert listed["total"] == 4
    titles = [h["title"] for h in listed["hits"]]
    assert sum("数字贸易发展报告" in (t or "") for t in titles) == 1
    assert [h["issue_date"] for h in listed["hits"]][:2] == ["2024-08-17", "2021-07-20"]
    doc = client.get(f"/api/policy/documents/{seeded['003']}").json()
    assert [(f["source_file"][:3], f["script"], f["primary"]) for f in doc["files"]] == [
        ("003", "simplified", True),
        ("004", "traditional", False),
    ]
    assert doc["files"][1]["similarity"] == pytest.approx(0.97, abs=0.02)
    page = client.get(f"/policy/{seeded['003']}").text
    assert page.count('data-primary="') == 2 and "正文取自此文件" in page and "相似度 0.9" in page


def test_search_highlights_the_passage_and_counts_the_facets(
    client, seeded: dict[str, int]
) -> None:
    found = client.get("/api/policy/search?q=数据跨境").json()
    assert [h["id"] for h in found["hits"]] == [seeded["003"], seeded["001"]]
    opinion = found["hits"][1]
    assert opinion["script"] == "traditional"
    assert "促进和规范数据跨境流动" in opinion["snippet"]  # simplified
    assert "促進和規范數據跨境流動" in opinion["snippet_original"]  # as written
    start, end = opinion["marks"][0]
    assert opinion["snippet"][start:end] == "数据跨境"
    assert opinion["section"] == "三、推进数字贸易制度型开放 › （七）促进和规范数据跨境流动"
    facets = {
        name: {f["value"]: f["count"] for f in values} for name, values in found["facets"].items()
    }
    assert facets["level"] == {"中央": 1, "部委": 1}
    assert facets["issuer"] == {
        "中共中央办公厅": 1,
        "国务院办公厅": 1,
        "商务部服务贸易和商贸服务业司": 1,
    }
    assert facets["year"] == {"2024": 1}
    page = client.get("/policy?q=数据跨境").text
    assert "<mark>数据跨境</mark>" in page and "共 2 篇" in page
    hit = page[page.index(f'data-id="{seeded["001"]}"') :]
    assert "原文（繁体）" in hit and "<mark>數據跨境</mark>" in hit


def test_facets_filter_the_result(client, seeded: dict[str, int]) -> None:
    central = client.get("/api/policy/search?q=数字&level=中央").json()
    assert [h["id"] for h in central["hits"]] == [seeded["001"]]
    by_year = client.get("/api/policy/search?year=2021").json()
    assert [h["id"] for h in by_year["hits"]] == [seeded["000"]]
    issuer = client.get("/api/policy/search?issuer=工信部").json()  # an alias
    assert {h["id"] for h in issuer["hits"]} == {seeded["000"], seeded["002"]}
    page = client.get("/policy?q=数字&type=通知").text
    assert 'class="on"' in page and "共 1 篇" in page and "取消" in page
    none = client.get("/policy?q=量子引力").text
    assert "没有符合条件的文件" in none


def test_a_traditional_text_is_shown_simplified_with_the_original_one_click_away(
    client, seeded: dict[str, int]
) -> None:
    opinion = seeded["001"]
    page = client.get(f"/policy/{opinion}").text
    assert "数字贸易是数字经济的重要组成部分" in page and "數字貿易是數字經濟" not in page
    link = re.search(r'<a id="to-original" href="([^"]+)"', page)
    assert link is not None
    original = client.get(link[1].replace("&amp;", "&")).text
    assert "數字貿易是數字經濟的重要組成部分" in original
    assert "2029" in page and "≥ 45%" in page  # the targets
    assert "文中未找到" in page  # the 文号, which this text does not carry


def test_the_english_view_names_levels_types_and_bodies_in_english(
    client, seeded: dict[str, int]
) -> None:
    found = client.get("/api/policy/search?q=数据跨境&lang=en").json()
    opinion = found["hits"][1]
    assert (opinion["level_text"], opinion["doc_type_text"]) == ("Central", "Opinions")
    assert opinion["issuers_text"] == [
        "General Office of the CPC Central Committee",
        "General Office of the State Council",
    ]
    page = client.get("/policy?q=数据跨境&lang=en").text
    assert "Issuing body" in page and "2024年" not in page and ">2024<" in page


def test_an_unknown_document_is_not_found(client, seeded: dict[str, int]) -> None:
    assert client.get("/api/policy/documents/999").status_code == 404
    assert client.get("/policy/999", headers={"accept": "text/html"}).status_code == 404
