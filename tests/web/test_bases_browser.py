"""The 出口基地 pages in a real browser (Playwright on Debian's Chromium), with screenshots in
``test-output/screenshots/``: the list with map pins and the 南海诸岛 inset, a scorecard, the
application form with an evidence upload, the ministry's decision, the linkage review queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.bases import demo
from shumao.ingest.pipeline import run_import
from web.bases_world import link_demo_roster
from web.live import CHROMIUM
from web.test_browser import browser, live_server, open_page, shot

__all__ = ["browser", "live_server", "open_page"]  # fixtures used below

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
ROOT = Path(__file__).resolve().parents[2]


def _bases_world(engine: Engine, demo_data: Path) -> None:
    for name in ("table3_bases_2020_2022.csv", "table4_base_output_2020_2022.csv"):
        run_import(engine, "report2022", demo_data / "report2022" / name)
    with engine.begin() as conn:
        link_demo_roster(conn)


def test_the_bases_pages(
    open_page,
    engine: Engine,
    demo_data: Path,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    _bases_world(engine, demo_data)
    page = open_page("ministry")
    page.goto("/bases")
    page.wait_for_selector("#bases-map[data-ready='1']", timeout=30_000)
    assert page.get_attribute("#bases-map", "data-pins-drawn") == "12"
    assert page.locator("#bases-map canvas").count() >= 1
    assert page.locator("#bases-table tbody tr").count() == 12
    assert "杭州高新技术产业开发区（滨江）物联网产业园" in page.inner_text(
        "#ranking-trade tbody tr:first-child"
    )
    shot(page, "bases_list")
    page.goto("/bases/DSEB06?year=2022")
    page.wait_for_selector("#chart-trend-trade[data-ready='1']", timeout=30_000)
    row = page.locator("#scorecard tr[data-code='OUTPUT']")
    assert row.get_attribute("data-outcome") == "pass" and "1,627.00" in row.inner_text()
    assert page.get_attribute("#scorecard .verdict", "data-verdict") == "missing"
    shot(page, "bases_scorecard_DSEB06")

    park = open_page("park")
    park.goto("/bases/DSEB05?year=2022")
    park.click("#new-application button")
    park.wait_for_url("**/bases/applications/*")
    app_url = park.url
    b1 = park.locator("tr[data-code='B1']")
    b1.locator("textarea").fill("管理机构为南京市雨花台区软件谷管委会，2011年设立。")
    b1.locator("form button").first.click()
    park.wait_for_load_state()
    evidence = tmp_path / "管委会设立文件.pdf"
    evidence.write_bytes(b"%PDF-1.4 test evidence")
    park.locator("tr[data-code='B1'] input[type=file]").set_input_files(str(evidence))
    park.locator("tr[data-code='B1'] form.upload button").click()
    park.wait_for_selector("tr[data-code='B1'] a[href^='/bases/evidence/']")
    park.select_option("#declare-form select[name=code]", "ICT_OUTPUT")
    park.fill("#declare-form input[name=value]", "1850")
    park.click("#declare-form button")
    park.wait_for_selector("tr[data-code='ICT_OUTPUT']")
    shot(park, "bases_application_form")
    park.click("#submit-form button")
    park.wait_for_selector("h1[data-state='submitted']")

    page.goto("/bases/review")
    page.locator("#review-list a").first.click()
    page.wait_for_url(app_url)
    item = page.locator("tr[data-code='B1'] form.decide-item")
    item.locator("select").select_option("accepted")
    item.locator("button").click()
    page.wait_for_selector("tr[data-code='B1'][data-decision='accepted']")
    assert page.locator("#evaluation tr[data-code='B1']").get_attribute("data-outcome") == "pass"
    page.click("#decide-form button")
    page.wait_for_selector("h1[data-state='decided']")
    assert page.get_attribute(".verdict", "data-verdict") == "missing"
    shot(page, "bases_decision")

    page.goto("/bases/linkage")
    assert page.locator("#queue tbody tr").count() == 1
    assert "示范软件科技有限公司（演示）" in page.inner_text("#queue")
    assert "trade +" in page.inner_text("#queue")
    shot(page, "bases_linkage_queue")
    page.click("#queue button[value=accept]")
    page.wait_for_selector("p.empty")
    page.goto(f"/bases/DSEB05/enterprises?year={demo.YEAR}")
    assert page.get_attribute("#count", "data-total") == "44"
    # sources and linkage methods by name, in the view's language (they showed their codes)
    members = page.inner_text("#members")
    assert {"仅服务外包名录", "概率匹配", "未匹配", "统一社会信用代码"} <= set(members.split()), (
        members
    )
    assert not {"roster", "probabilistic", "none", "code"} & set(members.split())
    shot(page, "bases_enterprises_DSEB05")
    page.goto(f"/bases/DSEB05/enterprises?year={demo.YEAR}&lang=en")
    english = page.inner_text("#members")
    assert "roster only" in english and "probabilistic linkage" in english, english
    assert "not linked" in english and "仅服务外包名录" not in english and "概率匹配" not in english
    assert not page.errors and not park.errors
