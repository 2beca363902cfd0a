"""Browser tests of the filing pages: the to-do, the list's filters and export, a blank upload,
the ministry's response overview (Playwright on Debian's Chromium, as test_browser.py)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.forms import get_form, shift
from shumao.collection.templates import Identity, template_bytes
from shumao.collection.workflow import deadlines, filings
from web import test_browser
from web.factories import USCC_A, USCC_B
from web.live import CHROMIUM
from web.test_browser import shot

# the browser fixtures of test_browser.py, shared
browser, live_server, open_page = (
    test_browser.browser,
    test_browser.live_server,
    test_browser.open_page,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
ADMIN = Actor("factory", Role.ADMIN)


def test_the_enterprise_to_do_and_a_blank_upload(open_page, engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as conn:
        last = deadlines.last_due_period(conn, form_id="DDS_Q")
    page = open_page("enterprise")
    page.goto("/filings")
    todo = page.locator(f"#todo-table tr[data-form='DDS_Q'][data-period='{last}']")
    assert todo.get_attribute("data-state") == "overdue"
    assert "已逾期，请尽快补报" in todo.inner_text()
    shot(page, "filings_enterprise_todo")
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(template_bytes(get_form("DDS_Q"), Identity(USCC_A, "测试企业甲", last)))
    with page.expect_download() as got:  # the to-do's template link gives the same workbook
        todo.locator("a", has_text="下载填报模板").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    page.select_option("#upload-form select[name=form_id]", "DDS_Q")
    page.fill("#upload-form input[name=period]", last)
    page.set_input_files("#upload-form input[name=file]", str(blank))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("table.findings")
    row = page.locator("tr[data-code='filing-blank']")
    assert "空白报表不是有效填报" in row.inner_text() and "零申报" in row.inner_text()
    assert page.locator("#submit-form").count() == 0  # a blank form cannot be submitted
    shot(page, "filing_blank")
    assert not page.errors


def test_the_filings_list_filters_and_exports(open_page, engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        for k in range(60):
            filings.open_filing(
                conn, actor=ADMIN, form_id="DDS_Q", uscc=USCC_A, period=shift("2024-Q4", -k)
            )
        filings.open_filing(conn, actor=ADMIN, form_id="DDS_Q", uscc=USCC_B, period="2024-Q4")
    page = open_page("admin")
    page.goto("/filings")
    assert page.inner_text("#filings-count") == "共 61 条填报"
    assert page.locator("#filings-table tbody tr").count() == 50
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**/filings?page=2")
    assert page.locator("#filings-table tbody tr").count() == 11
    page.fill("#filings-filter input[name=q]", "测试企业丙")
    page.click("#filings-filter button[type=submit]")
    page.wait_for_selector("#filings-count:has-text('共 1 条填报')")
    assert "测试企业丙" in page.inner_text("#filings-table")
    with page.expect_download() as got:
        page.click("#export-csv")
    path = tmp_path / "filings.csv"
    got.value.save_as(path)
    frame = pl.read_csv(path)
    assert frame["企业名称"].to_list() == ["测试企业丙"] and frame["状态"].to_list() == ["草稿"]
    shot(page, "filings_admin_filtered")
    assert not page.errors


def test_the_ministry_opens_the_response_overview(open_page) -> None:
    page = open_page("ministry")
    page.goto("/")
    page.click("header nav a[href='/filings/response']")
    page.wait_for_selector("#overview-table")
    names = page.eval_on_selector_all("#overview-table tbody th", "c => c.map(x => x.innerText)")
    assert sorted(names) == ["江苏省", "浙江省"]
    assert page.inner_text("#overview-total th") == "合计"
    page.select_option("#overview-form select[name=by]", "park")
    page.click("#overview-form button[type=submit]")
    page.wait_for_selector("#overview-table tr[data-code='DSEB05']")
    shot(page, "response_overview_ministry")
    assert not page.errors
