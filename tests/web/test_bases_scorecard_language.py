"""A base's page and the bases list speak one language per view: in the English view the
scorecard's criteria, decisions, outcomes, units and evidence were Chinese (三(二)1 园区管理机构…,
待评审, 待补材料, 亿元, 原值 … 亿美元, the exchange rate's note) and the list cited 商办服贸函〔2019〕
245号. Only a text an official typed stays as typed. The Chinese view keeps its Chinese; its
evidence column named the decision by its code ("评审：pending"), now "评审：待评审". The Word
and Excel downloads follow the view's language like the project's other downloads."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from docx import Document
from sqlalchemy import Engine
from starlette.testclient import TestClient

from shumao.auth.scope import Scope
from shumao.bases import applications, assessment, registry
from shumao.ingest.pipeline import run_import
from web.factories import World

Client = Callable[[str], TestClient]
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")  # ideographs, CJK punctuation
DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
TYPED = "材料未加盖公章，不予认可"
B1_EN = "III(2)1 The park's management body is an independent legal person"
B1_ZH = "三(二)1 园区管理机构具有独立法人资格"


@pytest.fixture
def scored(engine: Engine, world: World) -> int:
    """DSEB06 with the 2022 report's tables 3 and 4 and an application whose B2 an official
    rejected with a typed reason."""
    for name in ("table3_bases_2020_2022.csv", "table4_base_output_2020_2022.csv"):
        run_import(engine, "report2022", DEMO / "report2022" / name)
    admin = Scope.of("admin", "admin")
    with engine.begin() as conn:
        registry.seed_first_batch(conn)
        app_id = applications.create(
            conn, scope=admin, base_code="DSEB06", kind="application", years=["2022"]
        )
        applications.submit(conn, scope=admin, application_id=app_id)
        b2 = next(
            i
            for i in applications.get(conn, scope=admin, application_id=app_id)["items"]
            if i["code"] == "B2"
        )
        assessment.decide_item(
            conn,
            scope=admin,
            application_id=app_id,
            item_id=b2["id"],
            decision="rejected",
            note=TYPED,
        )
    return int(app_id)


def _english(client: TestClient) -> TestClient:
    client.get("/lang/en?next=/")
    return client


def _page(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def _cells(page: BeautifulSoup, code: str) -> list[str]:
    row = page.select_one(f"#scorecard tr[data-code='{code}']")
    assert row is not None, code
    return [td.get_text(" ", strip=True) for td in row.select("td")]


def _chinese(page: BeautifulSoup, *allowed: str) -> list[str]:
    """The page's texts and attribute values (in <main>) with CJK characters, but the allowed."""
    main = page.select_one("main")
    assert main is not None
    texts = [s.strip() for s in main.find_all(string=True)]
    texts += [str(v) for tag in main.find_all(True) for k, v in tag.attrs.items() if k != "class"]
    return [t for t in texts if CJK.search(t) and not any(a in t for a in allowed)]


@pytest.mark.usefixtures("scored")
def test_the_english_scorecard_speaks_english(as_role: Client) -> None:
    page = _page(_english(as_role("ministry")), "/bases/DSEB06?year=2022")
    b1 = _cells(page, "B1")
    assert b1[0].startswith(B1_EN) and b1[2] == "pending review" and b1[4] == "missing"
    assert b1[6] == "reviewer's decision: pending review"
    b2 = _cells(page, "B2")
    assert b2[2] == "not accepted" and b2[4] == "fail"
    assert b2[6] == f"reviewer's decision: not accepted ({TYPED})"  # typed: as typed
    output = _cells(page, "OUTPUT")
    assert output[0] == "III(3)1, 2 park output value (100 million yuan)"
    assert output[3] == "200.00 100 million yuan" and output[4] == "pass"
    si = _cells(page, "SI_EXPORT")
    assert "MOFCOM 2022 report, table 3" in si[6] and "(upper bound)" in si[6]
    assert "as stored" in si[6] and "100 million US dollars" in si[6]
    assert "converted at the 2022 average rate, 6.7261 yuan per US dollar" in si[6]
    scorecard = page.select_one("#scorecard")
    assert scorecard is not None
    text = scorecard.get_text(" ", strip=True)
    assert "待评审" not in text and "待补材料" not in text and "亿" not in text
    assert "enterprises" in _cells(page, "ENTERPRISES")[0]
    applied = page.select("#applications tbody td")
    assert [td.get_text(strip=True) for td in applied[1:4:2]] == ["application", "submitted"]
    assert _chinese(page, TYPED) == []


def test_the_public_english_base_page_has_no_chinese_but_names(
    scored: int, as_role: Client
) -> None:
    page = _page(_english(as_role("public")), "/bases/DSEB06")
    assert page.select_one("#scorecard") is None
    assert _chinese(page) == []


def test_the_chinese_scorecard_is_unchanged(scored: int, as_role: Client) -> None:
    page = _page(as_role("ministry"), "/bases/DSEB06?year=2022")
    b1 = _cells(page, "B1")
    assert b1[0].startswith(B1_ZH) and b1[2] == "待评审" and b1[4] == "待补材料"
    assert b1[6] == "评审：待评审"  # was "评审：pending"
    assert _cells(page, "B2")[6] == f"评审：不认可（{TYPED}）"
    output = _cells(page, "OUTPUT")
    assert output[0] == "三(三)1、2 园区产值（亿元）" and output[3] == "200.00 亿元"
    assert output[4] == "达标"
    si = _cells(page, "SI_EXPORT")
    assert "原值" in si[6] and "亿美元" in si[6] and "2022 年人民币对美元年平均汇率 6.7261" in si[6]
    scorecard = page.select_one("#scorecard")
    assert scorecard is not None
    text = scorecard.get_text(" ", strip=True)
    assert "pending" not in text and "missing" not in text and "100 million" not in text
    applied = page.select("#applications tbody td")
    assert [td.get_text(strip=True) for td in applied[1:4:2]] == ["申报", "已提交"]


def test_an_english_application_page_speaks_english(scored: int, as_role: Client) -> None:
    page = _page(_english(as_role("ministry")), f"/bases/applications/{scored}")
    row = page.select_one("#evaluation tr[data-code='B1']")
    assert row is not None and B1_EN in row.get_text(" ", strip=True)
    review = page.select_one("#checklist tr[data-code='B2']")
    assert review is not None
    assert review.select("td")[3].get_text(" ", strip=True).startswith(f"not accepted: {TYPED}")
    assert "III(3)4" in page.select_one("#decide-form").get_text()  # type: ignore[union-attr]
    assert _chinese(page, TYPED) == []


def test_the_bases_list_cites_the_notice_in_english(world: World, as_role: Client) -> None:
    en = _page(_english(as_role("public")), "/bases")
    note = en.select_one("#bases-notice")
    assert note is not None
    assert (
        "under the notice Shang Ban Fu Mao Han [2019] No. 245 of the General Office of MOFCOM, "
        "the Secretariat Bureau of the CAC and the General Office of MIIT;"
    ) in note.get_text(" ", strip=True)
    assert _chinese(en) == []
    zh = _page(as_role("public"), "/bases").select_one("#bases-notice")
    assert zh is not None and zh.get_text(strip=True).startswith(
        "依据商办服贸函〔2019〕245号认定与复审"
    )


@pytest.mark.usefixtures("scored")
def test_the_downloads_follow_the_views_language(as_role: Client) -> None:
    en = _english(as_role("ministry"))
    word = en.get("/bases/DSEB06/evaluation.docx?year=2022")
    assert word.status_code == 200
    assert "DSEB06_2022_application_check.docx" in word.headers["content-disposition"]
    doc = Document(io.BytesIO(word.content))
    assert doc.paragraphs[0].text == "National digital service export base: application check"
    table = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert table[0][0] == "Criterion" and table[1][0].startswith(B1_EN)
    book = openpyxl.load_workbook(io.BytesIO(en.get("/bases/DSEB06/rereview.xlsx").content))
    assert book.sheetnames[:2] == ["Evaluation", "Evidence"]
    cells = [str(c) for row in book["Evaluation"].iter_rows(values_only=True) for c in row if c]
    assert "Shang Ban Fu Mao Han [2019] No. 245" in cells
    assert [c for c in cells if CJK.search(c)] == []
    zh = as_role("ministry").get("/bases/DSEB06/evaluation.docx?year=2022")
    assert "%E7%94%B3%E6%8A%A5" in zh.headers["content-disposition"]  # 申报条件审核
    zh_doc = Document(io.BytesIO(zh.content))
    assert zh_doc.paragraphs[0].text == "国家数字服务出口基地申报条件审核表"
    assert zh_doc.tables[0].rows[1].cells[0].text.startswith(B1_ZH)
