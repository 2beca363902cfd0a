"""Filing through the web: template, upload, findings with cell locations, explanations,
submit; the reviewer's queue, approve and return; every step in the audit log."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from shumao.auth import audit
from shumao.storage import vintages
from shumao.web.demo import DemoEnterprise, filing_csv
from web.factories import USCC_A, USCC_A2

SPECIMENS = Path(__file__).resolve().parents[1] / "specimens" / "filings"


def _ok(period: str = "2024-Q3", size: float = 200.0) -> bytes:
    return filing_csv(DemoEnterprise(USCC_A, "测试企业甲", "DSEB05", size), period, 1.0)


def test_the_template_is_the_enterprises_workbook(as_role, world) -> None:
    r = as_role("enterprise").get("/filings/template?form_id=DDS_Q&period=2024-Q3")
    assert r.status_code == 200 and USCC_A in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    cells = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert USCC_A in cells and "2024-Q3" in cells


def test_a_broken_upload_shows_findings_with_cell_locations(as_role, world) -> None:
    c = as_role("enterprise")
    broken = (
        (SPECIMENS / "sum_mismatch.csv")
        .read_bytes()
        .replace(b"91320114MA1XXXXX07", USCC_A.encode())
    )
    r = c.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3"},
        files={"file": ("sum_mismatch.csv", broken, "text/csv")},
    )
    body = r.json()
    assert r.status_code == 200 and not body["accepted"] and body["errors"] >= 1
    cells = {f["cell"] for f in body["findings"] if f["code"] == "sum-mismatch"}
    assert {"E2", "G2"} <= cells  # exports and total of the totals row
    page = c.get(f"/filings/{body['filing']['id']}?upload={body['upload_id']}").text
    assert "sum-mismatch" in page and "<b>E2</b>" in page and 'data-status="rejected"' in page


def test_upload_submit_approve_stores_a_vintage(as_role, world, engine: Engine) -> None:
    clerk, park = as_role("enterprise"), as_role("park")
    up = clerk.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3"},
        files={"file": ("ok.csv", _ok(), "text/csv")},
    ).json()
    assert up["accepted"], up["findings"]
    fid = up["filing"]["id"]
    assert clerk.post(f"/api/filings/{fid}/submit", json={}).json()["status"] == "submitted"
    queue = park.get("/api/filings/review-queue").json()
    assert [f["id"] for f in queue] == [fid]
    assert clerk.post(f"/api/filings/{fid}/approve", json={}).status_code == 403
    done = park.post(f"/api/filings/{fid}/approve", json={"note": "ok"}).json()
    assert done["status"] == "approved" and done["vintage_id"]
    with engine.connect() as conn:
        stored = vintages.read(conn, "ENT_DDS", where={"ref_area": [USCC_A]}, start="2024-Q3")
    exports = stored.filter(pl.col("flow") == "X")["value"].sum()
    assert exports == pytest.approx(200.0)  # the file's exports (万美元), as uploaded
    with engine.connect() as conn:
        actions = [e.action for e in audit.browse(conn, limit=100)[0]]
    assert {"filing.upload", "filing.submit", "filing.approve"} <= set(actions)


def test_a_reviewer_returns_with_a_reason_through_the_page(as_role, world) -> None:
    clerk, province = as_role("enterprise"), as_role("province")
    up = clerk.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3"},
        files={"file": ("ok.csv", _ok(), "text/csv")},
    ).json()
    fid = up["filing"]["id"]
    clerk.post(f"/api/filings/{fid}/submit", json={})
    page = province.get(f"/filings/{fid}").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = province.post(
        f"/filings/{fid}/return",
        data={"reason": "请核对日本的出口", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    detail = clerk.get(f"/api/filings/{fid}").json()
    assert detail["filing"]["status"] == "returned"
    assert detail["history"][-1]["reason"] == "请核对日本的出口"


def test_the_upload_page_redirects_to_the_findings(as_role, world) -> None:
    c = as_role("enterprise")
    token = c.get("/filings").text.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post(
        "/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3", "csrf_token": token},
        files={"file": ("ok.csv", _ok(), "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/filings/")
    page = c.get(r.headers["location"]).text
    assert "sev-error" not in page and "sev-warning" not in page
    # one earlier quarter on file: HB is not applied, and the page says so (info)
    assert 'class="sev-info"' in page and "未与本企业历史做 HB 检查" in page


def test_reviewers_see_who_has_not_filed_and_who_filed_late(as_role, world) -> None:
    """2024-Q3 was due on 2024-10-20: in the park 测试企业甲 has not filed (漏报); once it submits
    today it is late (迟报). The province sees its enterprise outside the park too, not
    Zhejiang's; an enterprise user may not see the list."""
    park, province, clerk = as_role("park"), as_role("province"), as_role("enterprise")
    before = park.get("/api/filings/non-response?form_id=DDS_Q&period=2024Q3").json()
    assert before["period"] == "2024-Q3" and before["due"] == "2024-10-20"
    assert [(r["uscc"], r["kind"], r["status_text"]) for r in before["rows"]] == [
        (USCC_A, "missing", "未填报")
    ]
    assert before["counts"] == {"missing": 1, "late": 0, "pending": 0}
    wider = province.get("/api/filings/non-response?period=2024-Q3").json()["rows"]
    assert {r["uscc"] for r in wider} == {USCC_A, USCC_A2}  # not USCC_B (Zhejiang)
    up = clerk.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3"},
        files={"file": ("ok.csv", _ok(), "text/csv")},
    ).json()
    clerk.post(f"/api/filings/{up['filing']['id']}/submit", json={})
    after = park.get("/api/filings/non-response?period=2024-Q3").json()
    row = after["rows"][0]
    assert (row["kind"], row["kind_text"], row["status"]) == ("late", "迟报", "submitted")
    english = park.get("/api/filings/non-response?period=2024-Q3&lang=en").json()["rows"][0]
    assert (english["kind_text"], english["status_text"]) == (
        "filed late",
        "submitted, awaiting review",
    )
    assert row["first_submitted_at"].endswith("+08:00")  # Beijing time
    page = park.get("/review?form_id=DDS_Q&period=2024-Q3").text
    assert "报送情况（迟报、漏报）" in page and "截止日期 2024-10-20：漏报 0 家，迟报 1 家" in page
    assert "数贸季1表 数字服务进出口情况（季度）" in page  # the queue names the form
    assert clerk.get("/api/filings/non-response?period=2024-Q3").status_code == 403
    assert park.get("/api/filings/non-response?period=2024-Q9").status_code in (400, 404)


def test_the_non_response_list_defaults_to_the_last_period_due_or_the_open_one(
    as_role, world
) -> None:
    from datetime import date, datetime

    from shumao.collection.forms import get_form, period_of, shift
    from shumao.collection.workflow.clock import LOCAL

    park = as_role("park")
    today = datetime.now(LOCAL).date()  # deadlines are Beijing dates
    due = park.get("/api/filings/non-response").json()
    assert date.fromisoformat(due["due"]) < today
    assert get_form("DDS_Q").due_date(shift(due["period"], 1)) >= today  # the latest past due
    open_now = park.get("/api/filings/non-response?pending=true").json()
    assert open_now["period"] == period_of(today, "Q")
    assert [(r["uscc"], r["kind"]) for r in open_now["rows"]] == [(USCC_A, "pending")]


def test_the_filing_page_names_the_form_and_shows_beijing_time(as_role, world) -> None:
    import re
    from datetime import datetime, timedelta

    from shumao.collection.workflow.clock import LOCAL

    clerk = as_role("enterprise")
    up = clerk.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3"},
        files={"file": ("ok.csv", _ok(), "text/csv")},
    ).json()
    fid = up["filing"]["id"]
    assert up["filing"]["form_title"] == "数贸季1表 数字服务进出口情况（季度）"
    clerk.post(f"/api/filings/{fid}/submit", json={})
    page = clerk.get(f"/filings/{fid}").text
    assert "数贸季1表 数字服务进出口情况（季度） · 测试企业甲" in page
    history = page[page.index("处理记录") :]
    assert "<td>创建</td>" in history and "<td>上传</td>" in history and "<td>提交</td>" in history
    now = datetime.now(LOCAL)
    shown = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>", history)
    assert shown and all(
        abs(datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL) - now)
        < timedelta(minutes=5)
        for s in shown
    )  # Beijing time, not UTC
    assert "+00:00" not in page


def test_the_quarterly_form_comes_first_with_the_last_quarter_as_example(as_role, world) -> None:
    from datetime import datetime

    from shumao.collection.forms import period_of, shift
    from shumao.collection.workflow.clock import LOCAL

    today = datetime.now(LOCAL).date()
    listed = as_role("enterprise").get("/api/forms").json()
    # by frequency, then 表号 (对外投资年1表 sorts before 数贸年1表)
    assert [f["id"] for f in listed] == ["DDS_Q", "CBEC_Q", "ODI_A", "BASIC_A"]
    assert listed[0]["last_period"] == listed[1]["last_period"] == shift(period_of(today, "Q"), -1)
    assert listed[3]["last_period"] == str(today.year - 1)
    page = as_role("enterprise").get("/filings").text
    assert f'placeholder="{listed[0]["last_period"]}"' in page


def test_the_non_response_list_downloads_as_csv_for_excel(as_role, world, engine: Engine) -> None:
    from shumao.validation import uscc
    from web.factories import make_enterprise

    sly = uscc.make("91320114MA1TXT009")
    make_enterprise(engine, uscc=sly, name='=HYPERLINK("http://x","点我")', park_code="DSEB05")
    r = as_role("park").get("/api/filings/non-response.csv?form_id=DDS_Q&period=2024-Q3")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="non_response_DDS_Q_2024-Q3.csv"' in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
    frame = pl.read_csv(io.BytesIO(r.content[3:]))
    assert frame.columns[:4] == ["报表", "报告期", "截止日期", "统一社会信用代码"]
    rows = {row["统一社会信用代码"]: row for row in frame.iter_rows(named=True)}
    assert set(rows) == {USCC_A, sly}
    assert rows[USCC_A]["类别"] == "漏报"
    assert rows[USCC_A]["截止日期"] == "2024-10-20"
    assert rows[USCC_A]["基地"] == "中国（南京）软件谷"
    assert rows[sly]["企业名称"] == '\'=HYPERLINK("http://x","点我")'  # inert
    page = as_role("park").get("/review?form_id=DDS_Q&period=2024-Q3").text
    assert 'href="/api/filings/non-response.csv?form_id=DDS_Q&amp;period=2024-Q3"' in page
