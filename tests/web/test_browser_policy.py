"""Browser test of the policy library: search, a facet, a document, its original script."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.policy import library
from web import test_browser
from web.live import CHROMIUM
from web.test_browser import shot

browser, live_server, open_page = (
    test_browser.browser,
    test_browser.live_server,
    test_browser.open_page,
)
SEEDS = Path(__file__).resolve().parents[2] / "demo" / "policy"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


def test_search_filter_and_read_a_document(open_page, engine: Engine) -> None:
    library.add_files(engine, [SEEDS])
    page = open_page("public")
    page.goto("/")
    page.click("header nav a[href='/policy']")
    page.wait_for_selector("#policy-count")
    assert page.inner_text("#policy-count") == "全部文件（按日期） · 共 4 篇"
    page.fill("#policy-form input[name=q]", "数据跨境")
    page.click("#policy-form button[type=submit]")
    page.wait_for_selector("article.hit mark")
    assert page.inner_text("#policy-count") == "共 2 篇"
    assert page.locator("article.hit mark").first.inner_text() == "数据跨境"
    shot(page, "policy_search")
    page.click("#facets ul[data-facet=level] a[data-value='中央']")
    page.wait_for_selector("#facets li.on")
    assert page.locator("article.hit").count() == 1
    hit = page.locator("article.hit[data-script='traditional']")
    hit.locator("details.original summary").click()
    assert "數據跨境" in hit.locator("details.original").inner_text()
    hit.locator("h3 a").click()
    page.wait_for_selector("#text .par")
    assert "数字贸易是数字经济的重要组成部分" in page.inner_text("#text")
    shot(page, "policy_document")
    page.click("#to-original")
    page.wait_for_selector("#to-simplified")
    assert "數字貿易是數字經濟的重要組成部分" in page.inner_text("#text")
    assert not page.errors
