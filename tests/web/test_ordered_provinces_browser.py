"""数字订购贸易 by province in a real browser (Playwright on Debian's Chromium), on the
provinces' published figures: the map with the 南海诸岛 inset, the three provinces coloured and
the rest grey, the shares with their years, and Guangdong's page with its share card; the mode
structure drawn from the enterprises' filings for the ministry; screenshots in
``test-output/screenshots/``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from web.factories import release
from web.live import CHROMIUM
from web.test_browser import browser, live_server, open_page, shot
from web.test_ordered_modes import filed

__all__ = ["browser", "filed", "live_server", "open_page"]  # fixtures used below

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def released(
    engine: Engine, cbec_vintages: dict[str, int], province_vintages: dict[str, int]
) -> None:
    release(engine, "CUSTOMS_CBEC", max(cbec_vintages.values()))
    release(engine, "PROVINCE_CBEC", max(province_vintages.values()))


def test_the_public_sees_the_provinces_map_and_shares(released: None, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("public")
    page.goto("/")
    page.wait_for_selector("#chart-cbec_map[data-ready='1']", timeout=30_000)
    page.wait_for_selector("#chart-cbec_province_shares[data-ready='1']", timeout=30_000)
    section = page.locator("#ordered")
    assert section.locator("#chart-cbec_map").count() == 1
    assert page.get_attribute("#chart-cbec_map", "data-inset") == "1"
    drawn = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('chart-cbec_map'));
        const main = chart.getModel().getSeriesByIndex(0);
        const inset = chart.getModel().getSeriesByIndex(1).coordinateSystem.regions;
        const data = main.getData();
        const coloured = [];
        for (let i = 0; i < data.count(); i++) {
            if (data.get('value', i) === data.get('value', i)) coloured.push(data.getName(i));
        }
        return {coloured: coloured.sort(), regions: main.coordinateSystem.regions.length,
                inset: inset.map(r => r.name)};
    }""")
    assert drawn["coloured"] == ["410000", "440000", "500000"]
    assert drawn["regions"] == 34 and "dash-line" in drawn["inset"]
    legend = section.locator("#card-cbec_map .legend-nodata").inner_text().strip()
    assert legend == "灰色：无数据（34 个省（区、市）中有 3 个有跨境电商公布数）"
    note = section.locator("#card-cbec_map .chart-note").inner_text()
    assert "广东省（2023年）、河南省（2024年）、重庆市（2021年）" in note and "各省年份不同" in note
    shares = section.locator("#card-cbec_province_shares")
    shares.locator("summary").click()
    rows = shares.locator("table.data tbody tr")
    assert [rows.nth(i).inner_text().split("\t") for i in range(rows.count())] == [
        ["广东省（2023年）", "35.43"],
        ["河南省（2024年）", "9.84"],
        ["重庆市（2021年）", "1.63"],
    ]
    section.scroll_into_view_if_needed()
    shot(page, "ordered_provinces_overview")
    shares.locator("a[href='/area/440000']").click()
    page.wait_for_url("**/area/440000")
    page.wait_for_selector("#chart-cbec_series[data-ready='1']", timeout=30_000)
    card = page.locator("#ordered .kpi[data-key='cbec_share_nation']")
    text = card.inner_text()
    assert "35.43" in text and "2023" in text and "占2023年全国跨境电商进出口（海关）的比重" in text
    shot(page, "ordered_province_guangdong")
    assert not page.errors


def test_the_ministry_sees_the_filings_mode_structure_drawn(filed: None, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("ministry")
    page.goto("/")
    page.wait_for_selector("#chart-cbec_modes[data-ready='1']", timeout=30_000)
    drawn = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('chart-cbec_modes'));
        return chart.getOption().series.map(s => ({
            name: s.name,
            data: s.data.map(v => v === null || v === undefined ? null
                : Math.round((typeof v === 'object' ? v.value : v) * 100) / 100),
        }));
    }""")
    assert [s["data"] for s in drawn] == [[15.31, 61.54, 23.15, None], [38.46, None, None, 61.54]]
    card = page.locator("#card-cbec_modes")
    assert "报送企业跨境电商销售按海关监管方式结构（企业直报）" in card.inner_text()
    assert "2 家报送企业 2024-Q3" in card.locator(".chart-note").inner_text()
    card.scroll_into_view_if_needed()
    shot(page, "ordered_modes_filings")
    assert not page.errors
