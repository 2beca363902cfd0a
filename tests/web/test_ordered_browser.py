"""数字订购贸易 in a real browser (Playwright on Debian's Chromium), on the real customs releases
and WTO's digitally delivered services, with screenshots in ``test-output/screenshots/``: the
overview's section with both parts, its trend chart, the framework page, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from web.factories import release
from web.live import CHROMIUM
from web.test_browser import browser, live_server, open_page, shot

__all__ = ["browser", "live_server", "open_page"]  # fixtures used below

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def released(engine: Engine, cbec_vintages: dict[str, int], demo_data: Path) -> None:
    release(engine, "CUSTOMS_CBEC", max(cbec_vintages.values()))
    wto = run_import(engine, "wto-dds", demo_data / "wto_dds_china_usa_2005_2025.csv")
    release(engine, "WTO_DDS", int(wto.vintage_id or 0))


def test_the_public_sees_both_parts_and_the_framework(released: None, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("public")
    page.goto("/")
    page.wait_for_selector("#chart-cbec_series[data-ready='1']", timeout=30_000)
    section = page.locator("#ordered")
    assert section.locator("#chart-cbec_series canvas").count() >= 1
    assert section.locator("h2").inner_text() == "数字订购贸易"
    cards = section.locator(".kpi")
    assert [cards.nth(i).get_attribute("data-key") for i in range(cards.count())] == [
        "cbec_total",
        "cbec_exports",
        "cbec_imports",
        "cbec_total_usd",
        "dd_wto",
        "digital_trade_lower",
    ]
    total = section.locator(".kpi[data-key='cbec_total']").inner_text()
    assert "27,100.00" in total and "2024" in total and "海关总署" in total
    assert "世界贸易组织" in section.locator(".kpi[data-key='dd_wto']").inner_text()
    assert page.locator(".kpis").first.locator(".kpi[data-key='cbec_total']").count() == 0
    shot(page, "ordered_overview")
    section.locator("a[href='/digital-trade']").click()
    page.wait_for_url("**/digital-trade")
    table = page.locator("#framework-table")
    assert table.locator("tr[data-cell='DO_GOODS'] td.num").inner_text().startswith("≥ 3,805")
    assert "下限" in table.locator("tr[data-cell='DO_GOODS']").inner_text()
    assert table.locator("tr[data-cell='DD_GOODS'] td.num").inner_text() == "0.00"
    assert "CUSTOMS_CBEC" not in page.inner_text("main") and "WTO_DDS" not in page.inner_text(
        "main"
    )
    shot(page, "ordered_framework")
    page.goto("/lang/en?next=/digital-trade")
    page.wait_for_selector("#framework-table")
    text = page.inner_text("main")
    assert "Digitally ordered goods" in text and "lower bound" in text
    assert "数字" not in text and "下限" not in text
    shot(page, "ordered_framework_en")
    assert not page.errors
