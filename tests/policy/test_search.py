"""Search over the seed library: segmentation, scripts, filters, sections, snippets, ranking.

Run on PostgreSQL too (``SHUMAO_TEST_DATABASE_URL``); ``test_same_answers_on_sqlite`` then
compares every answer with a SQLite store built from the same documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.policy import library, search, segment
from shumao.policy.prepared import Prepared
from shumao.policy.query import rows as fetch
from shumao.policy.search import Filters
from shumao.storage.engine import make_engine, upgrade

from .conftest import store_seeds

BANK = (
    "关于支持数字贸易企业融资的通知\n中国农业发展银行、中国进出口银行要加大对数字贸易企业的"
    "信贷支持，创新金融产品。\n2023年5月6日"
)
QUERIES = [
    "数字",
    "數據跨境",
    "统计监测预警",
    "商办服贸函[2019]245号",
    "可数字化交付",
    "农业",
    "齐鲁软件园",
    "一带一路",
]


def _ids(result: search.Result) -> list[int]:
    return [h.document_id for h in result.hits]


def test_search_mode_segmentation(engine: Engine, library_ids: dict[str, int]) -> None:
    bank = library.add_text(engine, BANK, source_file="bank.txt").document_id
    assert _ids(search.search(engine, "农业")) == [bank]  # a part of 中国农业发展银行
    hits = search.search(engine, "数字")
    assert hits.terms == ["数字"]
    canonical = [library_ids[k] for k in ("000", "001", "002", "003")] + [bank]
    assert sorted(_ids(hits)) == sorted(canonical)  # 数字 inside 数字贸易, 数字经济 …
    assert hits.total == 5


def test_traditional_query_finds_simplified_text(
    engine: Engine, library_ids: dict[str, int]
) -> None:
    simplified = search.search(engine, "数据跨境")
    traditional = search.search(engine, "數據跨境")
    assert traditional.terms == simplified.terms == ["数据跨境"]
    assert _ids(traditional) == _ids(simplified)
    assert sorted(_ids(simplified)) == [library_ids["001"], library_ids["003"]]
    opinion = next(h for h in traditional.hits if h.document_id == library_ids["001"])
    assert opinion.section == "三、推进数字贸易制度型开放 › （七）促进和规范数据跨境流动"


def test_query_words_most_specific_then_parts(engine: Engine) -> None:
    assert segment.query_terms("浙江省商务部") == ["浙江省", "商务部"]
    assert segment.query_parts("数字贸易") == ["数字", "贸易"]
    flows = library.add_text(
        engine, "关于促进跨境数据流动的通知\n支持跨境数据有序流动。", source_file="flows.txt"
    ).document_id
    result = search.search(engine, "数据跨境")  # no passage has the word 数据跨境: its parts
    assert result.terms == ["数据", "跨境"] and _ids(result) == [flows]


def test_answers_with_the_section_and_a_highlighted_snippet(
    engine: Engine, library_ids: dict[str, int]
) -> None:
    top = search.search(engine, "统计监测预警").hits[0]
    assert top.document_id == library_ids["001"]
    assert top.section == "五、强化组织保障 › （十五）建立完善统计体系"
    # the snippet is shown in the document's own script, the match marked
    assert "【統計監測預警】體系" in top.highlighted()
    assert top.title == "中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见"
    box = search.search(engine, "齐鲁软件园 统计监测平台").hits[0]
    assert box.document_id == library_ids["003"]
    assert box.section.endswith("专栏8：齐鲁软件园开发建设“数字服务出口数据统计监测平台”")


def test_document_number_in_either_bracket_form(
    engine: Engine, library_ids: dict[str, int]
) -> None:
    for query in ("商办服贸函[2019]245号", "商办服贸函〔2019〕245号", "商办服贸函（2019）245号"):
        hits = search.search(engine, query).hits
        assert hits[0].document_id == library_ids["002"]
        assert hits[0].doc_number == "商办服贸函〔2019〕245号"
        assert "【商办服贸函〔2019〕245号】" in hits[0].highlighted()


def test_duplicates_are_folded(engine: Engine, library_ids: dict[str, int]) -> None:
    result = search.search(engine, "齐鲁软件园")
    assert _ids(result) == [library_ids["003"]]  # 004 holds the same text, once is enough


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(issuer="商务部"), ["000", "002", "003"]),
        (Filters(issuer="工信部"), ["000", "002"]),  # an alias of 工业和信息化部
        (Filters(issuer="國務院辦公廳"), ["001"]),
        (Filters(year_from=2022), ["001"]),
        (Filters(year_from=2020, year_to=2021), ["000"]),
        (Filters(level="中央"), ["001"]),
        (Filters(level="部委", doc_type="通知"), ["002"]),
        (Filters(doc_type="报告"), ["003"]),
    ],
)
def test_filters(
    engine: Engine, library_ids: dict[str, int], filters: Filters, expected: list[str]
) -> None:
    found = _ids(search.search(engine, "数字", filters=filters))
    assert sorted(found) == sorted(library_ids[k] for k in expected)


def test_ranking_by_relevance_then_date(engine: Engine, library_ids: dict[str, int]) -> None:
    hits = search.search(engine, "可数字化交付").hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    by_date = search.search(engine, "数字", order="date").hits
    dated = [h.issue_date for h in by_date if h.issue_date]
    assert dated == sorted(dated, reverse=True)
    assert by_date[0].document_id == library_ids["001"]  # 2024-08-17, the newest
    assert all(h.issue_date is None for h in by_date[len(dated) :])  # undated last


def test_nothing_to_search_for(engine: Engine, library_ids: dict[str, int]) -> None:
    assert search.search(engine, "，。！").hits == []
    assert search.search(engine, "量子引力").total == 0


def _answers(engine: Engine) -> list[list[tuple[object, ...]]]:
    out = []
    for query in QUERIES:
        result = search.search(engine, query, limit=10)
        out.append(
            [
                (h.document_id, h.section, h.snippet, h.marks, round(h.score, 9), h.passages)
                for h in result.hits
            ]
        )
    return out


def test_same_answers_on_sqlite(
    engine: Engine, prepared: dict[str, Prepared], tmp_path: Path
) -> None:
    """Whatever store the suite runs on, its answers equal those of a SQLite store."""
    other = make_engine(url=f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    for eng in (engine, other):
        store_seeds(eng, prepared)
        library.add_text(eng, BANK, source_file="bank.txt")
    assert _answers(engine) == _answers(other)
    other.dispose()


def _index_passages(engine: Engine, document_id: int, terms: list[str]) -> int:
    """How many of the document's passages the store's full-text index matches (all terms)."""
    from sqlalchemy import text

    if engine.dialect.name == "sqlite":
        sql = (
            "SELECT count(*) FROM policy_fts JOIN policy_passage p ON p.id = policy_fts.rowid "
            "WHERE policy_fts MATCH :m AND p.document_id = :d"
        )
        match = " AND ".join(f'"{t}"' for t in terms)
    else:
        sql = (
            "SELECT count(*) FROM policy_passage WHERE search @@ CAST(:m AS tsquery) "
            "AND document_id = :d"
        )
        match = " & ".join(f"'{t}'" for t in terms)
    with engine.connect() as conn:
        return int(conn.execute(text(sql), {"m": match, "d": document_id}).scalar_one())


def test_passages_matched_as_the_full_text_index_matches_them(
    engine: Engine, library_ids: dict[str, int]
) -> None:
    """The hits' passages are matched on their stored tokens in one read (not one full-text
    query per document): every hit counts exactly the passages the store's index finds."""
    checked = 0
    for query in [*QUERIES, "数字贸易 统计", "跨境电商"]:
        result = search.search(engine, query, limit=10)
        for hit in result.hits:
            assert hit.passages == _index_passages(engine, hit.document_id, result.terms), query
            checked += hit.passages
    assert checked > 20


def _plan_of(engine: Engine, query: str, filters: Filters) -> str:
    """SQLite's plan for the candidates' statement of ``query`` (what it reads, in order)."""
    with engine.connect() as conn:
        plan = search._plan(conn, search.prepare(query), filters)
        rows = fetch(conn, f"EXPLAIN QUERY PLAN SELECT d.id {plan.body}", plan.params)
    return " | ".join(str(r[-1]) for r in rows)


def test_candidates_read_postings_in_document_order_and_live_documents_by_index(
    engine: Engine, library_ids: dict[str, int]
) -> None:
    """Several terms: the rarest term's postings by primary key (document order, as the other
    terms' look-ups walk theirs) and the live documents from their partial index, not their
    wide rows — SQLite's own choice was 2.7× slower at 10,000 documents. A filter reads the
    document's row; the answers are those of ``test_filters``."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner only")
    plan = _plan_of(engine, "齐鲁软件园 统计监测平台", Filters())
    assert "t0 USING PRIMARY KEY (term=?)" in plan
    assert "d USING INDEX ix_policy_document_live (id=?)" in plan
    one = _plan_of(engine, "数字", Filters())  # one term: the weight order, the scan stops early
    assert "t0 USING COVERING INDEX ix_policy_term_rank" in one
    filtered = _plan_of(engine, "齐鲁软件园 统计监测平台", Filters(doc_type="报告"))
    assert "ix_policy_document_live" not in filtered
    found = search.search(engine, "齐鲁软件园 统计监测平台", filters=Filters(doc_type="报告"))
    assert _ids(found) == [library_ids["003"]]
