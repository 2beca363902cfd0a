"""The 指数 pages in a real browser (Playwright on Debian's Chromium), with screenshots in
``test-output/screenshots/``: the ranking with its map, a province's profile, the framework,
the sensitivity analysis and the "why did it move" waterfall."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from web.index_world import build_indices
from web.live import CHROMIUM
from web.test_browser import browser, live_server, open_page, shot

__all__ = ["browser", "live_server", "open_page"]  # fixtures used below

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


def test_the_index_pages(open_page, engine: Engine, demo_data: Path) -> None:  # type: ignore[no-untyped-def]
    build_indices(engine, demo_data)
    page = open_page("ministry")
    page.goto("/index")
    assert "省级数字贸易发展指数" in page.inner_text("#index-list")
    shot(page, "index_list")
    page.goto("/index/DTI_PROV")
    page.wait_for_selector("#chart-index-map[data-ready='1']", timeout=30_000)
    page.wait_for_selector("#chart-ranking[data-ready='1']", timeout=30_000)
    assert page.locator("#chart-index-map canvas").count() >= 1
    first = page.locator("#ranking tbody tr").first
    assert first.get_attribute("data-unit") == "440000" and "广东" in first.inner_text()
    shot(page, "index_ranking_provinces")
    first.locator("a").first.click()
    page.wait_for_url("**/index/DTI_PROV/unit/440000")
    page.wait_for_selector("#chart-radar[data-ready='1']", timeout=30_000)
    assert page.inner_text("#unit-rank") == "1"
    assert page.locator("#strengths tr").count() == 3
    shot(page, "index_unit_guangdong")
    page.goto("/index/DTI_PROV/framework")
    assert page.locator("#framework-tree li[data-level='1']").count() == 11
    assert "余额平均分配" in page.inner_text("#framework-tree")
    shot(page, "index_framework_provinces")
    page.goto("/index/DTI_PROV/sensitivity")
    page.wait_for_selector("#chart-intervals[data-ready='1']", timeout=30_000)
    assert page.locator("#sobol tr[data-factor]").count() == 5
    shot(page, "index_sensitivity_provinces")
    page.goto("/index/DTI_ECON/explain/CHN?from_year=2021")
    page.wait_for_selector("#chart-waterfall[data-ready='1']", timeout=30_000)
    assert "→" in page.inner_text("#explain-total")
    shot(page, "index_explain_china")
    page.goto("/index/DTI_ECON")
    page.wait_for_selector("#chart-ranking[data-ready='1']", timeout=30_000)
    assert page.locator("#group-averages tr").count() >= 6
    shot(page, "index_ranking_economies")
    assert not page.errors


def test_the_public_sees_the_released_index(open_page, engine: Engine, demo_data: Path) -> None:  # type: ignore[no-untyped-def]
    build_indices(engine, demo_data)
    page = open_page("public")
    page.goto("/index/DTI_ECON")
    assert page.locator("#no-build").count() == 1  # built, not released
    page.goto("/index/DTI_PROV")
    page.wait_for_selector("#chart-index-map[data-ready='1']", timeout=30_000)
    assert page.locator("#ranking tbody tr").count() == 31
    shot(page, "index_ranking_public")
    assert not page.errors
