"""The 对外投资 pages and API: each role its own part of the register, the public only
disclosure-controlled totals; the self-check stored with a project; a browser walk-through."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.workflow import review, submission, uploads
from shumao.ingest.pipeline import run_import
from shumao.monitor.hooks import after_commit
from shumao.outbound import demo, tracker
from shumao.outbound import tables as t
from web import test_browser
from web.factories import USCC_A, USCC_B, World
from web.live import CHROMIUM
from web.test_browser import shot

browser, live_server, open_page = (
    test_browser.browser,
    test_browser.live_server,
    test_browser.open_page,
)
DEMO = Path(__file__).resolve().parents[2] / "demo" / "outbound"
HEADER = (
    "统一社会信用代码,报告期,项目序号,项目名称,东道国（地区）,重点领域,投资方式,项目阶段,"
    "境外投资证书编号,备案（核准）日期,投入运营日期,中方协议投资额（万美元）"
)


def file_project(engine: Engine, code: str, n: int, host: str = "新加坡") -> None:
    line = (
        f"{code},2025,1,海外云平台项目{n},{host},云计算,新设,运营,境外投资证第N32002024009{n}0号,"
        f"2024-02-0{n},2024-09-0{n},{800 + n}.25"
    )
    clerk = Actor("clerk", Role.ENTERPRISE, code)
    with engine.begin() as conn:
        done = uploads.upload_file(
            conn,
            actor=clerk,
            form_id="ODI_A",
            uscc=code,
            period="2025",
            data=f"{HEADER}\n{line}\n".encode(),
            filename="odi.csv",
        )
        assert done.accepted, done.report.text()
        submission.submit(conn, actor=clerk, filing_id=done.filing.id)
        review.approve(conn, actor=Actor("root", Role.ADMIN), filing_id=done.filing.id)


@pytest.fixture
def outbound(engine: Engine, world: World) -> Engine:
    file_project(engine, USCC_A, 1)
    file_project(engine, USCC_B, 2)
    return engine


def test_each_role_reads_its_projects(
    outbound: Engine, as_role: Callable[[str], TestClient]
) -> None:
    seen = {
        role: {p["uscc"] for p in as_role(role).get("/api/outbound/projects").json()}
        for role in ("enterprise", "province", "ministry")
    }
    assert seen == {"enterprise": {USCC_A}, "province": {USCC_A}, "ministry": {USCC_A, USCC_B}}
    assert as_role("public").get("/api/outbound/projects").status_code == 401
    one = as_role("enterprise").get("/api/outbound/projects").json()[0]
    assert (one["host_name"], one["area_name"], one["stage_name"]) == ("新加坡", "云计算", "运营")


def test_the_public_reads_protected_totals_only(
    outbound: Engine, as_role: Callable[[str], TestClient]
) -> None:
    def sgp(role: str) -> dict[str, object]:
        rows = as_role(role).get("/api/outbound/aggregates?by=host").json()["rows"]
        return next(r for r in rows if r["category"] == "SGP" and r["time_period"] == "ALL")

    public, ministry = sgp("public"), sgp("ministry")
    assert (public["value"], public["projects"], public["conf_status"]) == (None, None, "C")
    assert "n_contributors" not in public and "top1" not in public
    assert (ministry["value"], ministry["conf_status"]) == (1603.5, "C")
    assert sgp("province")["value"] is None  # a province does not see other provinces' totals


def test_belt_and_road_is_a_grouping_of_the_totals(
    outbound: Engine, as_role: Callable[[str], TestClient]
) -> None:
    """Singapore is in 共建“一带一路”国家 on the filing days (2024-02, from the official list's
    2023-08-24), as in RCEP and ASEAN: the grouping's total is the two projects'."""
    body = as_role("ministry").get("/api/outbound/aggregates?by=group").json()
    cells = {(r["category"], r["time_period"]): r for r in body["rows"]}
    assert cells[("BRI", "ALL")]["value"] == cells[("ASEAN", "ALL")]["value"] == 1603.5
    page = as_role("ministry").get("/outbound?by=group").text
    assert "共建“一带一路”国家" in page


def test_self_check_is_stored_with_the_project(
    outbound: Engine, as_role: Callable[[str], TestClient]
) -> None:
    client = as_role("enterprise")
    answers = {
        "ciio": "否",
        "important_data": "否",
        "persons_pi": "250000",
        "persons_sensitive": "0",
        "scenario": "none",
    }
    r = client.post(f"/api/outbound/projects/{USCC_A}/1/selfcheck", json=answers)
    assert r.status_code == 200, r.text
    assert (r.json()["route"], r.json()["article"], r.json()["effective"]) == (
        "contract_or_certification",
        "第八条",
        "2024-03-22",
    )
    with outbound.connect() as conn:
        row = conn.execute(select(t.selfcheck)).mappings().one()
    assert (row["uscc"], row["project_no"], row["rule_set"], row["answers"]["persons_pi"]) == (
        USCC_A,
        "1",
        "CAC-2024-16",
        250000,
    )
    bad = client.post(
        f"/api/outbound/projects/{USCC_A}/1/selfcheck", json={**answers, "persons_pi": "很多"}
    )
    assert bad.status_code == 422
    assert "很多" in bad.text and "whole number" in bad.text
    assert (
        client.post(f"/api/outbound/projects/{USCC_B}/1/selfcheck", json=answers).status_code == 404
    )


def test_economy_page_names_the_reasons_and_the_rules(
    outbound: Engine, as_role: Callable[[str], TestClient]
) -> None:
    with outbound.begin() as conn:
        tracker.load(conn, DEMO / "tracker.yaml")
    doc = as_role("public").get("/api/outbound/economies/GBR").json()
    assert (doc["name"], doc["level_name"]) == ("英国", "中")
    assert doc["why"] == [
        "东道国征收数字服务税（英国数字服务税（《2020年财政法》第二部分））",
        "东道国对外国投资实行安全审查（英国《2021年国家安全与投资法》）",
    ]
    assert [e["entry_key"] for e in doc["tracker"]] == ["GBR-NSI-2022", "GBR-DST-2020"]
    english = as_role("public").get("/api/outbound/economies/GBR?lang=en")
    assert english.status_code == 200
    page = as_role("public").get("/outbound/economy/ZZZ", headers={"accept": "text/html"})
    assert page.status_code == 404


def test_economy_page_shows_store_figures_and_says_what_it_lacks(
    outbound: Engine, as_role: Callable[[str], TestClient], demo_data: Path
) -> None:
    with outbound.begin() as conn:
        tracker.load(conn, DEMO / "tracker.yaml")
    wdi = demo_data / "wdi_ict_service_exports_BX.GSR.CCIS.CD.csv"
    assert run_import(outbound, "wb-ict", wdi, after=after_commit).report.ok
    doc = as_role("public").get("/api/outbound/economies/ITA").json()
    assert (
        doc["why"][-1]
        == "东道国 ICT 服务出口 2024 年为 92.16 亿美元，同比下降 2.8%（世界银行 WDI）"
    )
    assert doc["unassessed"] == [
        "缺少东道国可数字化交付服务进口（UNCTAD）数据，依据该数据的规则未评估（不计分）",
        "缺少东道国自中国进口占可数字化交付服务进口的比重（BaTIS、UNCTAD）数据，依据该数据的规则未评估（不计分）",
    ]
    english = as_role("public").get("/api/outbound/economies/ITA?lang=en").json()
    assert english["why"][-1] == (
        "the host's ICT service exports fell 2.8% in 2024, to 92.16 hundred million USD "
        "(World Bank WDI)"
    )
    page = as_role("public").get("/outbound/economy/ITA", headers={"accept": "text/html"})
    assert "同比下降 2.8%" in page.text and 'id="unassessed"' in page.text


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_outbound_pages_in_the_browser(open_page, engine: Engine, world: World) -> None:
    demo.load(engine, DEMO)
    file_project(engine, USCC_A, 1)
    with engine.begin() as conn:
        tracker.load(conn, DEMO / "tracker.yaml")
    wdi = (
        Path(__file__).resolve().parents[2] / "demo/data/wdi_ict_service_exports_BX.GSR.CCIS.CD.csv"
    )
    assert run_import(engine, "wb-ict", wdi, after=after_commit).report.ok
    page = open_page("public")
    page.goto("/")
    page.click("header nav a[href='/outbound']")
    page.wait_for_selector("#chart-outbound-map[data-ready='1']", timeout=30_000)
    assert int(page.get_attribute("#chart-outbound-map", "data-regions") or 0) > 200
    assert "阿联酋" in (page.text_content("#card-outbound-map details") or "")
    assert "ARE" not in page.inner_text("#card-outbound-map")
    assert page.inner_text("#kpi-total .value") == "116,244.84"
    assert "德国" in page.inner_text("#risk-list tr[data-economy='DEU']")
    level = "#risk-list tr[data-economy='DEU'] .risk-level"
    assert page.inner_text(level) == "高"  # the level's name, readable: not white on white
    assert page.eval_on_selector(level, "e => getComputedStyle(e).color") != "rgb(255, 255, 255)"
    shot(page, "outbound_overview")
    page.click("#risk-list tr[data-economy='DEU'] a")
    page.wait_for_selector("#reasons")
    assert "欧盟《通用数据保护条例》" in page.inner_text("#reasons")
    assert page.locator("#tracker tr.in-force").count() == 3
    shot(page, "outbound_economy_deu")
    page.goto("/outbound/economy/THA")  # a store figure as a reason, the missing ones listed
    page.wait_for_selector("#unassessed")
    assert "2024 年仅 5.19 亿美元" in page.inner_text("#reasons")
    assert "可数字化交付服务进口（UNCTAD）" in page.inner_text("#unassessed")
    shot(page, "outbound_economy_tha")
    page.goto("/outbound/selfcheck")
    page.check("input[name=ciio][value='否']")
    page.check("input[name=important_data][value='否']")
    page.fill("input[name=persons_pi]", "150000")
    page.fill("input[name=persons_sensitive]", "0")
    page.click("#selfcheck-form button[type=submit]")
    page.wait_for_selector("#result")
    text = page.inner_text("#result")
    assert "订立个人信息出境标准合同或通过个人信息保护认证" in text and "第八条" in text
    assert "2024-03-22" in text
    shot(page, "outbound_selfcheck")
    page.check("input[name=ftz][value='tianjin']")
    page.check("input[name=ftz_on_list][value='unlisted']")
    with page.expect_navigation():
        page.click("#selfcheck-form button[type=submit]")
    page.wait_for_selector("#result")
    assert "第六条" in page.inner_text("#result")
    province = open_page("province")
    province.goto("/outbound/projects")
    province.wait_for_selector("#projects")
    rows = province.locator("#projects tbody tr")
    assert rows.count() == 9  # eight demo projects of Jiangsu enterprises and 测试企业甲's
    assert "杭州" not in province.inner_text("#projects")
    shot(province, "outbound_projects_province")
    province.set_viewport_size({"width": 390, "height": 844})  # a phone: the table scrolls in
    province.wait_for_function("() => window.innerWidth === 390")  # its box, names stay whole
    assert province.evaluate("document.documentElement.scrollWidth") <= 390
    widths = province.eval_on_selector_all(
        "#projects tbody tr:first-child td",
        "tds => tds.map(td => td.getBoundingClientRect().width)",
    )
    assert min(widths[:2]) >= 80, widths  # enterprise and project names: ≥ 5 characters a line
    shot(province, "outbound_projects_province_390")
    company = open_page("enterprise")
    company.goto("/outbound/selfcheck")
    company.check("input[name=ciio][value='否']")
    company.check("input[name=important_data][value='否']")
    company.fill("input[name=persons_pi]", "2000000")
    company.fill("input[name=persons_sensitive]", "0")
    company.click("#save-check")
    company.wait_for_selector("#saved")
    assert "第七条第（二）项" in company.inner_text("#result")
    shot(company, "outbound_selfcheck_saved")
    company.goto("/outbound/projects")
    assert company.inner_text("#projects td.check") == "申报数据出境安全评估（第七条第（二）项）"
    assert not page.errors and not province.errors and not company.errors
