"""The page header on a phone (390 px), in a real browser (Playwright on Debian's Chromium).

Before, the menu shared one row with the platform's name and, squeezed into the ≈ 200 px left
beside it, stacked its links two by two down the screen: 17 links took nine rows beside the
name. Now the menu takes rows of its own under the name, as many links to a row as fit."""

from __future__ import annotations

import pytest

from web.live import CHROMIUM
from web.test_browser import browser, live_server, open_page, shot

__all__ = ["browser", "live_server", "open_page"]  # fixtures used below

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
