"""The filing pages as filers and statisticians use them: the list with filters, pages and
export; an enterprise's to-do (本期应报); findings in plain words; the response overview; one
language per view."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import polars as pl
from openpyxl import load_workbook
from sqlalchemy import Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.forms import shift
from shumao.collection.workflow import clock, deadlines, filings
from shumao.web.demo import DemoEnterprise, filing_csv
from web.factories import USCC_A, USCC_A2, USCC_B, write

ADMIN = Actor("factory", Role.ADMIN)


def _drafts(engine: Engine, uscc: str, periods: list[str]) -> None:
    with engine.begin() as conn:
        for period in periods:
            filings.open_filing(conn, actor=ADMIN, form_id="DDS_Q", uscc=uscc, period=period)


def _quarters(last: str, n: int) -> list[str]:
    return [shift(last, -k) for k in range(n)]


def _visible(html: str) -> str:
    """The text a person reads: no tags, attributes or scripts."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_list_filters_pages_and_exports(as_role, world, engine: Engine) -> None:
    _drafts(engine, USCC_A, _quarters("2024-Q4", 55))  # 2011-Q2 … 2024-Q4
    _drafts(engine, USCC_B, ["2024-Q4"])
    admin = as_role("admin")
    first = admin.get("/filings").text
    assert "共 56 条填报" in first
    assert first.count('data-status="draft"') == 50  # one page of 50
    assert 'rel="next"' in first and "页 1 / 2" in first
    second = admin.get("/filings?page=2").text
    assert second.count('data-status="draft"') == 6
    only_b = admin.get("/filings?q=测试企业丙").text
    assert "共 1 条填报" in only_b and USCC_B in only_b
    by_code = admin.get(f"/filings?q={USCC_A[:12].lower()}&period=2024-Q4").text
    assert "共 1 条填报" in by_code and "测试企业甲" in by_code
    none = admin.get("/filings?status=approved").text
    assert "共 0 条填报" in none and "暂无填报" in none
    r = admin.get("/api/filings/export?format=csv&q=测试企业甲")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(io.BytesIO(r.content[3:]))
    assert frame.height == 55 and frame.columns[:5] == [
        "编号",
        "报表",
        "统一社会信用代码",
        "企业名称",
        "报告期",
    ]
    assert set(frame["状态"]) == {"草稿"} and frame["报告期"][0] == "2024-Q4"  # newest first
    book = load_workbook(io.BytesIO(admin.get("/api/filings/export?format=xlsx&lang=en").content))
    header = [c.value for c in next(book.worksheets[0].iter_rows())]
    assert header[:3] == ["No.", "Form", "Credit code"] and book.worksheets[0].max_row == 57
    assert 'href="/api/filings/export?q=%E6%B5%8B' in only_b  # the export keeps the filters


def test_an_enterprise_sees_what_it_has_to_file(as_role, world, engine: Engine) -> None:
    today = datetime.now(clock.LOCAL).date()
    with engine.connect() as conn:
        last = deadlines.last_due_period(conn, form_id="DDS_Q", today=today)
        due = deadlines.due_date(conn, form_id="DDS_Q", period=last)
    _drafts(engine, USCC_A, [shift(last, -2)])  # started long ago, never submitted
    clerk = as_role("enterprise")
    page = clerk.get("/filings").text
    todo = page[page.index('id="todo"') : page.index("</section>", page.index('id="todo"'))]
    assert "本期应报" in page
    states = {
        period: state
        for state, period in re.findall(
            r'data-state="(\w+)" data-form="DDS_Q" data-period="([\w-]+)"', todo
        )
    }
    assert states[last] == "overdue" and states[shift(last, 1)] in ("due", "upcoming")
    assert states[shift(last, -2)] == "overdue"  # the old draft is still owed
    assert due.isoformat() in todo and "已逾期，请尽快补报" in todo and "未填报" in todo
    api = clerk.get("/api/filings/todo").json()
    assert {(t["form_id"], t["period"]) for t in api} >= {
        ("DDS_Q", last),
        ("DDS_Q", shift(last, 1)),
    }
    assert any(t["form_id"] == "BASIC_A" for t in api)  # the annual form too
    # 数贸季2表 is for cross-border e-commerce filers (跨境电商直报) only: not this enterprise
    assert "数贸季2表" not in todo and not any(t["form_id"] == "CBEC_Q" for t in api)
    assert as_role("park").get("/api/filings/todo").json() == []


def _history(engine: Engine, last: str, size: float) -> None:
    """Eight approved quarters of enterprise A, as a filing would have stored them."""
    from shumao.web.demo import LINES

    rows = [
        {
            "ref_area": USCC_A,
            "counterpart_area": partner.split()[0],
            "product": item.split()[0],
            "flow": "X",
            "freq": "Q",
            "time_period": p,
            "value": round(size * (1 + 0.01 * k) * share, 2),
            "unit": "USD",
            "unit_mult": 4,
        }
        for k, p in enumerate(reversed(_quarters(last, 8)))
        for item, partner, share, _ in LINES
    ]
    write(engine, "ENT_DDS", rows)


def test_findings_are_told_in_plain_words_to_the_filer(as_role, world, engine: Engine) -> None:
    _history(engine, "2024-Q2", 200.0)
    clerk, park = as_role("enterprise"), as_role("park")
    jump = filing_csv(DemoEnterprise(USCC_A, "测试企业甲", "DSEB05", 2000.0), "2024-Q3", 1.0)
    up = clerk.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3"},
        files={"file": ("jump.csv", jump, "text/csv")},
    ).json()
    hb = [f for f in up["findings"] if f["code"] == "hb-history-outlier"]
    assert hb and "MAD" in hb[0]["message_zh"]  # the reviewer's technical text
    assert "MAD" not in hb[0]["plain_zh"] and "HB" not in hb[0]["plain_zh"]
    page = clerk.get(f"/filings/{up['filing']['id']}").text
    shown = _visible(page)
    assert "MAD" not in shown and "HB 得分" not in shown and "hb-history-outlier" not in shown
    assert "变化幅度明显超出本企业近 8 期的正常波动" in shown
    assert "警告（如属实请说明原因）" in shown and ">warning<" not in page
    clerk.post(
        f"/api/filings/{up['filing']['id']}/submit",
        json={
            "explanations": {
                w["key"]: "新签大额合同"
                for w in clerk.get(f"/api/filings/{up['filing']['id']}").json()["warnings"]
            }
        },
    )
    review = park.get(f"/filings/{up['filing']['id']}").text
    assert "技术说明" in review and "MAD" in review  # reviewers can open the method's detail


def test_the_filing_page_speaks_one_language(as_role, world) -> None:
    clerk, park = as_role("enterprise"), as_role("park")
    ok = filing_csv(DemoEnterprise(USCC_A, "测试企业甲", "DSEB05", 200.0), "2024-Q3", 1.0)
    up = clerk.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": "2024-Q3"},
        files={"file": ("ok.csv", ok, "text/csv")},
    ).json()
    fid = up["filing"]["id"]
    clerk.post(f"/api/filings/{fid}/submit", json={})
    park.post(f"/api/filings/{fid}/approve", json={})
    zh = _visible(clerk.get(f"/filings/{fid}").text)
    assert "草稿 → 已提交待审核" in zh and "已提交待审核 → 已审核通过" in zh
    assert "draft" not in zh and "approved" not in zh and "/ approved" not in zh
    assert "企业填报员" in zh and "基地管理员" in zh  # roles by name, not "enterprise"/"park"
    en = _visible(clerk.get(f"/filings/{fid}?lang=en").text)
    assert (
        "draft → submitted, awaiting review" in en and "submitted, awaiting review → approved" in en
    )
    names = ("测试企业甲", "数贸季1表", "数贸 shumao", "中文")  # proper names; the switch back
    for name in names:
        en = en.replace(name, "")
    leaks = re.findall(r"\S*[\u4e00-\u9fff]+\S*", en)
    assert not leaks, f"Chinese interface text in the English view: {leaks}"


def test_the_ministry_sees_who_has_reported_across_the_country(
    as_role, world, engine: Engine
) -> None:
    with engine.connect() as conn:
        last = deadlines.last_due_period(conn, form_id="DDS_Q")
    clerk = as_role("enterprise")
    ok = filing_csv(DemoEnterprise(USCC_A, "测试企业甲", "DSEB05", 200.0), last, 1.0)
    up = clerk.post(
        "/api/filings/upload",
        data={"form_id": "DDS_Q", "period": last},
        files={"file": ("ok.csv", ok, "text/csv")},
    ).json()
    clerk.post(f"/api/filings/{up['filing']['id']}/submit", json={})  # late: after the deadline
    ministry = as_role("ministry")
    o = ministry.get("/api/filings/response-overview").json()
    assert o["period"] == last and o["by"] == "province"
    rows = {r["code"]: r for r in o["rows"]}
    assert set(rows) == {"320000", "330000"}
    assert (
        rows["320000"]["reporters"],
        rows["320000"]["late"],
        rows["320000"]["missing"],
        rows["320000"]["rate"],
    ) == (2, 1, 1, 50.0)
    assert (rows["330000"]["missing"], rows["330000"]["rate"]) == (1, 0.0)
    assert o["rows"][0]["code"] == "330000"  # the lowest response rate first
    assert (o["total"]["reporters"], o["total"]["rate"]) == (3, 33.3)
    page = ministry.get("/filings/response").text
    assert "报送情况总览" in page and "江苏省" in page and "浙江省" in page and "33.3%" in page
    assert 'href="/filings/response"' in page  # in the navigation
    province = as_role("province").get("/api/filings/response-overview").json()
    assert province["by"] == "park"
    assert {(r["name"], r["reporters"]) for r in province["rows"]} == {
        ("中国（南京）软件谷", 1),
        ("不在基地内", 1),
    }
    assert as_role("enterprise").get("/api/filings/response-overview").status_code == 403
    assert USCC_A2 not in page and USCC_B not in page  # counts, not names


def test_deadlines_are_beijing_dates(world, engine: Engine) -> None:
    from shumao.collection import response

    with engine.connect() as conn:
        rows = response.responses(
            conn, actor=ADMIN, form_id="DDS_Q", period="2024-Q3", today=date(2024, 10, 20)
        )
    assert {r.kind for r in rows} == {"pending"}  # the deadline day itself is not late


def test_the_demo_files_up_to_the_latest_quarter_due(engine: Engine) -> None:
    """On 2026-12-06 the latest quarter past its deadline is 2026-Q3 (due 2026-10-20): the demo
    filed 2025-Q3 … 2026-Q2 on time and leaves 2026-Q3 with something for every list."""
    from shumao.collection import response
    from shumao.web import demo

    demo.create(engine, today=date(2026, 12, 6))
    park = Actor("demo-park", Role.PARK, "DSEB05")
    with engine.connect() as conn:
        late_q3 = {
            (r.name[:4], r.kind)
            for r in response.non_response(
                conn, actor=ADMIN, form_id="DDS_Q", period="2026-Q3", today=date(2026, 12, 6)
            )
        }
        earlier = response.non_response(
            conn, actor=ADMIN, form_id="DDS_Q", period="2026-Q2", today=date(2026, 12, 6)
        )
        queue = filings.list_filings(conn, actor=park, status="submitted")
        first = filings.history(conn, actor=ADMIN, filing_id=queue[0].id)
        filed = {f.period for f in filings.list_filings(conn, actor=ADMIN)}
        cbec = {
            (r.uscc, r.kind)
            for r in response.non_response(
                conn, actor=ADMIN, form_id="CBEC_Q", period="2026-Q3", today=date(2026, 12, 6)
            )
        }
        owes = {
            e.uscc: {
                t.form_id
                for t in response.todo(conn, actor=ADMIN, uscc=e.uscc, today=date(2026, 12, 6))
            }
            for e in demo.ENTERPRISES
        }
    assert late_q3 == {("南京软件", "missing"), ("杭州高新", "late"), ("杭州云栖", "missing")}
    # 数贸季2表: only the first enterprise of each base sells by cross-border e-commerce
    sellers = {demo.ENTERPRISES[0].uscc, demo.ENTERPRISES[3].uscc}
    assert cbec == {(code, "missing") for code in sellers}
    assert {code for code, forms in owes.items() if "CBEC_Q" in forms} == sellers
    assert all("DDS_Q" in forms for forms in owes.values())
    assert earlier == []  # the quarters before were all filed on time
    assert [(f.period, f.uscc) for f in queue] == [("2026-Q3", demo.ENTERPRISES[0].uscc)]
    assert filed == {"2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"}
    submitted = clock.local_time(first[-1].at)
    assert submitted is not None and submitted.date() == date(2026, 10, 12)  # on time, replayed
    demo.create(engine, today=date(2026, 12, 6))  # again: nothing new
    with engine.connect() as conn:
        assert len(filings.list_filings(conn, actor=ADMIN)) == 6 * 5 - 2
