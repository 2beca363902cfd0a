"""Browser tests: Playwright driving Debian's Chromium against the app served by uvicorn.

The app runs in a background thread on 127.0.0.1 and a free port, on the test's store with
the two-province world. Each test logs in through the login form like a person would, and
keeps a screenshot of every page it looked at in ``test-output/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from fastapi import FastAPI

from web.factories import PASSWORD, USCC_A, World
from web.live import OUTPUT, chromium, log_in, needs_chromium, serve

SHOTS = OUTPUT / "screenshots"
SPECIMENS = Path(__file__).resolve().parents[1] / "specimens" / "filings"
ROLES = ("public", "enterprise", "park", "city", "province", "ministry", "admin")

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture
def live_server(app: FastAPI, world: World) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def open_page(browser, live_server: str):  # type: ignore[no-untyped-def]
    """``open_page(role)``: a fresh browser context logged in through the login form."""
    contexts = []

    def make(role: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000},  # type: ignore[attr-defined]
            accept_downloads=True,
            base_url=live_server,
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        if role != "public":
            log_in(page, live_server, f"{role}-in", PASSWORD)
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _charts_ready(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#chart-map[data-ready='1']", timeout=30_000)
    page.wait_for_selector("#chart-series[data-ready='1']", timeout=30_000)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_overview_with_its_chart_and_map(role: str, open_page) -> None:
    page = open_page(role)
    page.goto("/")
    _charts_ready(page)
    assert page.locator("#chart-series canvas").count() >= 1
    assert page.locator("#chart-map canvas").count() >= 1
    assert page.get_attribute("#chart-map", "data-regions") == "34"
    assert page.get_attribute(".who .user", "data-role") == role
    assert "3,900.75" in page.inner_text(".kpis")
    shot(page, f"overview_{role}")
    assert not page.errors


def test_clicking_a_province_on_the_map_opens_its_page(open_page, live_server: str) -> None:
    page = open_page("province")
    page.goto("/")
    _charts_ready(page)
    # The point and what lies under it are read in one step, so nothing can move in between.
    x, y, under = page.evaluate("""() => {
        const el = document.getElementById('chart-map');
        const chart = echarts.getInstanceByDom(el);
        const series = chart.getModel().getSeriesByIndex(0);
        const region = series.coordinateSystem.getRegion('320000');
        const [px, py] = series.coordinateSystem.dataToPoint(region.getCenter());
        const box = el.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + px, box.top + py);
        return [box.left + px, box.top + py, el.contains(hit) ? 'map' : String(hit && hit.outerHTML)];
    }""")
    assert under == "map", f"the map's 江苏 centre is covered by {under}"
    # Hover first and let the chart finish reacting (its tooltip names the province): zrender
    # drops a click whose mousedown and mouseup hit different elements, which a hover effect
    # drawn between the two on a busy machine would cause.
    page.mouse.move(x, y)
    page.wait_for_function(
        """() => [...document.querySelectorAll('#chart-map div')].some(
        d => d.textContent.startsWith('江苏省') && getComputedStyle(d).display !== 'none')""",
        timeout=30_000,
    )
    page.mouse.click(x, y)
    # "commit": the province page's own resources may load slowly on a busy machine; the URL is
    # what this step asserts, the heading and the map are waited for below.
    try:
        page.wait_for_url(f"{live_server}/area/320000", wait_until="commit", timeout=60_000)
    except Exception:
        shot(page, "province_click_failed")
        raise
    assert "江苏省" in page.inner_text("h1")
    page.wait_for_selector("#chart-city_map[data-ready='1']")
    assert "5,432.71" in page.inner_text(".kpis")  # the province's own unreleased figure
    shot(page, "province_320000")


def _click_region(page, chart: str, code: str) -> None:  # type: ignore[no-untyped-def]
    """Hover, then click the centre of ``code``'s region on the map ``chart``."""
    page.locator(f"#{chart}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([chart, code]) => {
        const el = document.getElementById(chart);
        const series = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0);
        const region = series.coordinateSystem.getRegion(code);
        const [px, py] = series.coordinateSystem.dataToPoint(region.getCenter());
        const box = el.getBoundingClientRect();
        return [box.left + px, box.top + py];
    }""",
        [chart, code],
    )
    page.mouse.move(x, y)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.chart div')].some(
        d => d.textContent.includes('万美元') && getComputedStyle(d).display !== 'none')""",
        timeout=30_000,
    )
    page.mouse.click(x, y)


def test_the_china_map_has_the_south_china_sea_inset_and_explains_grey(open_page) -> None:
    page = open_page("public")
    page.goto("/")
    _charts_ready(page)
    assert page.get_attribute("#chart-map", "data-inset") == "1"
    inset = page.evaluate("""() => {
        const el = document.getElementById('chart-map');
        const chart = echarts.getInstanceByDom(el);
        const series = chart.getModel().getSeriesByIndex(1);
        const geo = series.coordinateSystem;
        const names = geo.regions.map(r => r.name);
        const box = chart.getOption().graphic[0].elements.find(e => e.id === 'inset-frame');
        const inside = ([x, y]) => x >= box.left && x <= box.left + box.shape.width
                                   && y >= box.top && y <= box.top + box.shape.height;
        // 曾母暗沙 (112.3° E, 3.9° N) and the southern end of the line fall inside the frame
        return {names, frame: [box.left, box.top, box.shape.width, box.shape.height],
                jamesShoal: inside(geo.dataToPoint([112.3, 3.9])),
                hainan: inside(geo.dataToPoint([109.8, 19.2])),
                main: chart.getModel().getSeriesByIndex(0).coordinateSystem.regions.length,
                width: el.clientWidth, height: el.clientHeight};
    }""")
    assert "dash-line" in inset["names"] and "460000" in inset["names"]
    assert inset["jamesShoal"] and inset["hainan"]
    left, top, width, height = inset["frame"]
    assert left + width <= inset["width"] and top + height <= inset["height"]
    assert inset["main"] == 34
    legend = page.inner_text("#card-map .legend-nodata").strip()
    assert legend.startswith("灰色：无数据") and "共 34 个" in legend
    shot(page, "map_inset")
    page.set_viewport_size({"width": 390, "height": 844})  # redrawn for the width: the inset
    page.wait_for_function("() => window.innerWidth === 390")  # keeps its name (it read "1")
    caption = """() => echarts.getInstanceByDom(document.getElementById('chart-map'))
        .getOption().graphic[0].elements.find(e => e.id === 'inset-name').style.text"""
    page.wait_for_function(f"() => ({caption})() !== undefined")
    assert page.evaluate(caption) == "南海诸岛"


def test_the_province_map_drills_down_to_its_cities(open_page, live_server: str) -> None:
    page = open_page("province")
    page.goto("/area/320000")
    page.wait_for_selector("#chart-city_map[data-ready='1']")
    assert page.get_attribute("#chart-city_map", "data-regions") == "13"
    assert "灰色：无企业直报数据" in page.inner_text("#card-city_map .legend-nodata")
    _click_region(page, "chart-city_map", "320100")
    page.wait_for_url(f"{live_server}/area/320100", wait_until="commit", timeout=60_000)
    assert "南京市" in page.inner_text("h1")
    shot(page, "city_320100")


def test_download_a_csv_of_the_explorer_and_read_it_back(open_page, tmp_path: Path) -> None:
    page = open_page("ministry")
    page.goto("/explorer?dataflow=UNCTAD_DDS&unit=亿美元&sort=value&desc=1&view=long")
    page.wait_for_selector("#chart-explorer[data-ready='1']")
    shown = [
        float(v)
        for v in page.eval_on_selector_all(
            "#explorer-table td.num", "cells => cells.map(c => c.dataset.value)"
        )
    ]
    with page.expect_download() as info:
        page.click("#dl-csv")
    path = tmp_path / "download.csv"
    info.value.save_as(path)
    frame = pl.read_csv(path)
    assert frame["数值（亿美元）"].to_list() == pytest.approx(shown)
    assert frame["数值（亿美元）"].to_list() == pytest.approx([2200.50, 2105.37, 1700.25, 1621.70])
    assert frame["流向"].to_list() == ["出口", "出口", "进口", "进口"]
    shot(page, "explorer")


def test_upload_a_broken_filing_and_see_the_findings(open_page, tmp_path: Path) -> None:
    broken = (
        (SPECIMENS / "sum_mismatch.csv")
        .read_bytes()
        .replace(b"91320114MA1XXXXX07", USCC_A.encode())
    )
    path = tmp_path / "sum_mismatch.csv"
    path.write_bytes(broken)
    page = open_page("enterprise")
    page.goto("/filings")
    page.select_option("#upload-form select[name=form_id]", "DDS_Q")
    page.fill("#upload-form input[name=period]", "2024-Q3")
    page.set_input_files("#upload-form input[name=file]", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("table.findings")
    assert page.get_attribute("#shown-upload", "data-status") == "rejected"
    rows = page.inner_text("table.findings")
    assert "错误（须修改后重新上传）" in rows and "E2" in rows and "合计行" in rows
    assert page.locator("tr[data-code='sum-mismatch']").count() >= 1  # the rule, not shown
    shot(page, "filing_findings")


def _after_post(page, selector: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for what a form's POST leads to; keep a screenshot if it never comes (this step has
    timed out at 30 s on PostgreSQL in CI, not reproduced here: 90 s and the picture tell more)."""
    try:
        page.wait_for_selector(selector, timeout=90_000)
    except Exception:
        shot(page, name)
        raise


def test_a_park_reviewer_approves_a_filing(open_page, live_server: str, tmp_path: Path) -> None:
    from shumao.web.demo import DemoEnterprise, filing_csv

    path = tmp_path / "ok.csv"
    path.write_bytes(filing_csv(DemoEnterprise(USCC_A, "x", "DSEB05", 300.0), "2024-Q3", 1.0))
    clerk = open_page("enterprise")
    clerk.goto("/filings")
    clerk.select_option("#upload-form select[name=form_id]", "DDS_Q")
    clerk.fill("#upload-form input[name=period]", "2024-Q3")
    clerk.set_input_files("#upload-form input[name=file]", str(path))
    clerk.click("#upload-form button[type=submit]")
    _after_post(clerk, "#submit-form", "upload_not_submittable")
    clerk.click("#submit-form button[type=submit]")
    _after_post(clerk, ".status[data-status='submitted']", "submit_failed")
    reviewer = open_page("park")
    reviewer.goto("/review")
    shot(reviewer, "review_queue")
    reviewer.click("#review-table a")
    reviewer.click("#approve-form button[type=submit]")
    _after_post(reviewer, ".status[data-status='approved']", "approve_failed")
    shot(reviewer, "filing_approved")


@pytest.mark.parametrize("path", ["/admin", "/admin/audit", "/admin/releases", "/admin/reference"])
def test_admin_pages(open_page, path: str) -> None:
    page = open_page("admin")
    page.goto(path)
    assert page.locator("table.data").count() >= 1
    shot(page, "admin" + path.replace("/admin", "").replace("/", "_") or "admin")
    assert not page.errors


def test_the_english_switch(open_page) -> None:
    page = open_page("public")
    page.goto("/")
    page.click("a.lang")
    page.wait_for_selector("#chart-map[data-ready='1']")
    assert "National digital trade overview" in page.inner_text("h1")
    shot(page, "overview_english")


def test_base_names_do_not_break_inside_brackets(open_page) -> None:
    """Chart labels wrap before or after （南京）, never inside it (as 中国（南京 / ）软件谷)."""
    page = open_page("public")
    page.goto("/")
    _charts_ready(page)
    names = [
        "中国（南京）软件谷",
        "杭州高新技术产业开发区（滨江）物联网产业园",
        "中关村软件园（北京）",
        "中国（上海）自由贸易试验区（临港新片区）",
    ]
    wrapped = page.evaluate(
        """(names) => names.flatMap(n => [3, 4, 5, 6, 8].map(
        w => window.shumao.wrapLabel(n, w, 3)))""",
        names,
    )
    for lines in wrapped:
        for line in lines:
            assert line.count("（") == line.count("）") or line.endswith("…"), lines
    assert wrapped[0] == ["中国", "（南京）", "软件谷"]  # width 3: the brackets stay whole
