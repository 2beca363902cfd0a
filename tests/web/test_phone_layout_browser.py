"""The page header on a phone (390 px), in a real browser (Playwright on Debian's Chromium).

Before, the menu shared one row with the platform's name and, squeezed into the ≈ 200 px left
beside it, stacked its links two by two down the screen: 17 links took nine rows beside the
name. Now the menu takes rows of its own under the name, as many links to a row as fit.
The alert list's rows read as cards: before, its six columns squeezed the rule's name to one
or two characters a line. So do a base's status changes: before, the reason was the fifth of six
columns, off to the right of a table the user scrolled sideways to read it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from shumao.monitor.hooks import after_commit
from web.live import CHROMIUM
from web.test_browser import browser, live_server, open_page, shot

__all__ = ["browser", "live_server", "open_page"]  # fixtures used below

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]

LAYOUT = """() => {
  const brand = document.querySelector("header.top .brand").getBoundingClientRect();
  const links = [...document.querySelectorAll("header.top nav a")].map(a => a.getBoundingClientRect());
  const rows = new Set(links.map(r => Math.round(r.top)));
  return {brandBottom: brand.bottom, navTop: Math.min(...links.map(r => r.top)),
          navLeft: Math.min(...links.map(r => r.left)), links: links.length, rows: rows.size};
}"""


@pytest.mark.parametrize("role", ["public", "ministry"])
def test_the_menu_wraps_in_rows_under_the_name_on_a_phone(role: str, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(role)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    layout = page.evaluate(LAYOUT)
    shot(page, f"header_390_{role}")
    assert layout["navTop"] >= layout["brandBottom"], "the menu starts under the name"
    assert layout["navLeft"] < 40, "the menu starts at the left edge, not beside the name"
    assert layout["rows"] <= (layout["links"] + 2) // 3, layout  # three or more links a row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_alert_rows_read_as_cards_on_a_phone(open_page, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    for name in ("table2_provinces_2022.csv", "table3_bases_2020_2022.csv"):
        run_import(engine, "report2022", DEMO / "report2022" / name, after=after_commit)
    page = open_page("ministry")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/monitor")
    page.wait_for_selector("#alert-table tr[data-level]")
    rows = page.evaluate(
        """() => [...document.querySelectorAll("#alert-table tr[data-level]")].map(tr => {
          const cells = [...tr.cells].map(td => td.getBoundingClientRect());
          return {row: tr.getBoundingClientRect().width, rule: cells[3].width,
                  message: cells[5].width, text: tr.cells[5].innerText};
        })"""
    )
    shot(page, "monitor_alerts_390")
    assert rows and page.evaluate("document.documentElement.scrollWidth") <= 390
    for row in rows:
        assert row["message"] >= row["row"] - 1, row  # the message on a line of its own, full width
        assert row["rule"] >= 80, row  # the rule's name is not squeezed into a narrow column
    assert not page.errors


CUT_TEXT = """() => [...document.querySelectorAll('.chart[data-ready="1"]')].flatMap(el => {
  const chart = echarts.getInstanceByDom(el), width = chart.getWidth();
  return chart.getZr().storage.getDisplayList().filter(t => t.style && t.style.text != null).filter(t => {
    const r = t.getBoundingRect().clone();
    if (t.transform) r.applyTransform(t.transform);
    return r.x < -1 || r.x + r.width > width + 1;
  }).map(t => el.id + ': ' + t.style.text);
})"""
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["public", "ministry"])
def test_the_bases_pages_fit_a_phone_in_either_language(  # type: ignore[no-untyped-def]
    lang: str, role: str, open_page, engine: Engine
) -> None:
    """The list (map, ranking, table) and a base's page (charts, status history and, for the
    ministry, the scorecard, re-review and forms) scroll no wider than a 390 px phone."""
    for name in ("table3_bases_2020_2022.csv", "table4_base_output_2020_2022.csv"):
        run_import(engine, "report2022", DEMO / "report2022" / name)
    page = open_page(role)
    if lang == "en":
        page.goto("/lang/en?next=/")
    page.set_viewport_size({"width": 390, "height": 844})
    for path, ready, name in (
        ("/bases", "#bases-map[data-ready='1']", "bases_list"),
        ("/bases/DSEB06?year=2022", "#chart-trend-trade[data-ready='1']", "bases_DSEB06"),
    ):
        page.goto(path)
        page.wait_for_selector(ready, timeout=30_000)
        page.wait_for_function("() => window.innerWidth === 390")
        shot(page, f"{name}_390_{lang}_{role}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"{path} ({lang}): {wide} px: {page.evaluate(WIDE_ELEMENTS)}"
        assert page.evaluate(CUT_TEXT) == [], f"{path} ({lang}): chart text cut off"
    assert ("Status history" in page.inner_text("#history")) == (lang == "en")
    if role == "ministry":  # the scorecard: each criterion a card, nothing scrolls sideways
        criteria = page.evaluate(CRITERIA)
        assert len(criteria) >= 5, criteria
        for c in criteria:
            assert c["sideways"] <= 0, c
            assert c["left"] >= 0 and c["right"] <= 390 and c["width"] >= c["row"] - 1, c
            assert c["outcome"]["top"] > c["top"] and c["outcome"]["right"] <= 390, c
    assert not page.errors


CRITERIA = """() => [...document.querySelectorAll("#scorecard table.criteria tbody tr")].map(tr => {
  const table = tr.closest("table"), name = tr.cells[0].getBoundingClientRect();
  const outcome = tr.cells[4].getBoundingClientRect();
  return {left: name.left, right: name.right, width: name.width, top: name.top,
          row: tr.getBoundingClientRect().width, sideways: table.scrollWidth - table.clientWidth,
          outcome: {top: outcome.top, right: outcome.right}, text: tr.cells[0].innerText};
})"""


REASONS = """() => [...document.querySelectorAll("#history tbody tr")].map(tr => {
  const table = tr.closest("table"), reason = tr.cells[4].getBoundingClientRect();
  return {left: reason.left, right: reason.right, width: reason.width,
          row: tr.getBoundingClientRect().width, sideways: table.scrollWidth - table.clientWidth,
          text: tr.cells[4].innerText};
})"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bases_status_reason_reads_without_sideways_scroll_on_a_phone(  # type: ignore[no-untyped-def]
    lang: str, open_page
) -> None:
    page = open_page("public")
    if lang == "en":
        page.goto("/lang/en?next=/")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/bases/DSEB06")
    page.wait_for_selector("#history tbody tr")
    page.wait_for_function("() => window.innerWidth === 390")
    rows = page.evaluate(REASONS)
    shot(page, f"bases_history_390_{lang}")
    assert rows and all(r["text"] not in ("", "—") for r in rows), rows
    for r in rows:
        assert r["sideways"] <= 0, r  # the table does not scroll sideways
        assert r["left"] >= 0 and r["right"] <= 390, r  # the reason is on the screen
        assert r["width"] >= r["row"] - 1, r  # on a line of its own, the row's full width
    assert not page.errors
