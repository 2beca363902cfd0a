"""The 出口基地 map's pin names in a real browser (Playwright on Debian's Chromium): on a phone
and on a desktop, in Chinese and in English, no name drawn covers another base's pin, none
passes the map's edge or covers the 南海诸岛 inset, and no two names overlap.

Before, a name that would pass the right edge or cover the inset was moved to the left of its
pin whatever was there; on a phone 大连's went over another pin (``static/bases.js``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from web.live import CHROMIUM
from web.test_browser import browser, live_server, open_page, shot

__all__ = ["browser", "live_server", "open_page"]  # fixtures used below

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
PIN_RADIUS = 6  # symbolSize 12

# The pins (canvas pixels of their centres) and the names ECharts drew for them (a text that
# is a pin's name, or its beginning ended by "…"), with the inset's box.
DRAWN = r"""() => {
  const el = document.querySelector("#bases-map");
  const chart = echarts.getInstanceByDom(el);
  const pins = JSON.parse(el.dataset.pins);
  const names = pins.map(p => p.name);
  const points = pins.map(p => chart.convertToPixel({geoIndex: 0}, [p.lon, p.lat]));
  const labels = [], seen = new Set();
  chart.getZr().storage.getDisplayList(true).forEach(d => {
    const t = d.parent && d.parent.style && typeof d.parent.style.text === "string" ? d.parent : d;
    if (seen.has(t) || !t.style || typeof t.style.text !== "string") return;
    seen.add(t);
    const flat = t.style.text.replace(/\n/g, "");
    const i = names.findIndex(n => n === flat || (flat.endsWith("…") && n.startsWith(flat.slice(0, -1))));
    if (i < 0) return;
    const r = t.getBoundingRect().clone();
    r.applyTransform(t.getComputedTransform());
    labels.push({pin: i, name: names[i], x: r.x, y: r.y, w: r.width, h: r.height});
  });
  return {names: names, points: points, labels: labels, width: el.clientWidth,
          inset: window.shumao.insetBox(el)};
}"""


def _covers(label: dict[str, float], x: float, y: float) -> bool:
    """Whether the label's box comes within a pin's radius of the point (x, y)."""
    near_x = min(max(x, label["x"]), label["x"] + label["w"])
    near_y = min(max(y, label["y"]), label["y"] + label["h"])
    return (near_x - x) ** 2 + (near_y - y) ** 2 < PIN_RADIUS**2


def _apart(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] + a["w"] <= b["x"]
        or b["x"] + b["w"] <= a["x"]
        or a["y"] + a["h"] <= b["y"]
        or b["y"] + b["h"] <= a["y"]
    )


@pytest.mark.parametrize(("width", "lang"), [(390, "zh"), (390, "en"), (1400, "zh"), (1400, "en")])
def test_no_pin_name_covers_another_pin(  # type: ignore[no-untyped-def]
    open_page, engine: Engine, demo_data: Path, width: int, lang: str
) -> None:
    for name in ("table3_bases_2020_2022.csv", "table4_base_output_2020_2022.csv"):
        run_import(engine, "report2022", demo_data / "report2022" / name)
    page = open_page("public")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/lang/{lang}?next=/bases")
    page.wait_for_selector("#bases-map[data-ready='1']", timeout=30_000)
    page.wait_for_function(f"() => window.innerWidth === {width}")
    page.wait_for_timeout(300)  # the labels are laid out on the frame after the option
    drawn = page.evaluate(DRAWN)
    shot(page, f"bases_map_pins_{lang}_{width}")
    labels, points, inset = drawn["labels"], drawn["points"], drawn["inset"]
    assert len(drawn["names"]) == 12
    assert page.get_attribute("#bases-map", "data-names-drawn") == str(len(labels))
    # most names are drawn (a name is left out only where every place for it is taken)
    assert len(labels) >= (6 if width == 390 else 10), [label["name"] for label in labels]
    for label in labels:
        covered = [
            drawn["names"][i]
            for i, (x, y) in enumerate(points)
            if i != label["pin"] and _covers(label, x, y)
        ]
        assert covered == [], (label["name"], covered)
        assert label["x"] >= 0 and label["x"] + label["w"] <= drawn["width"], label
        box = {"x": inset["left"], "y": inset["top"], "w": inset["width"], "h": inset["height"]}
        assert _apart(label, box), (label["name"], "covers the 南海诸岛 inset")
    for i, a in enumerate(labels):
        assert all(_apart(a, b) for b in labels[i + 1 :]), a["name"]
    assert not page.errors
