"""Bar charts' names in a real browser (Playwright on Debian's Chromium): on a phone and on a
desktop, in Chinese and in English, every category's name is drawn and no two names overlap.

Before, the labels were laid out for about 40 characters across a card whatever its width: at
390 px the seven country groupings' names (共建“一带一路”国家, 区域全面经济伙伴关系协定, …) were
drawn over each other. Now a bar chart whose names do not fit under their bars, even wrapped
onto three lines, is drawn with the bars across and the names beside them
(``static/app.js``: ``columnLabels``)."""

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

# Every bar chart drawn on the page: its category names and the rectangles (page pixels of the
# canvas) of the labels ECharts drew for them, a label being a text whose lines joined give a
# name (or its beginning, ended by "…").
DRAWN_LABELS = r"""() => {
  const out = {};
  document.querySelectorAll("[data-chart][data-ready='1']").forEach(el => {
    const spec = JSON.parse(el.dataset.chart);
    if (spec.kind !== "bar") return;
    const chart = echarts.getInstanceByDom(el);
    const names = spec.categories.map(String);
    const seen = new Set();
    const labels = [];
    chart.getZr().storage.getDisplayList(true).forEach(d => {
      const t = d.parent && d.parent.style && typeof d.parent.style.text === "string" ? d.parent : d;
      if (seen.has(t) || !t.style || typeof t.style.text !== "string") return;
      seen.add(t);
      const flat = t.style.text.replace(/\n/g, "");
      const name = names.find(n => n === flat || (flat.endsWith("…") && n.startsWith(flat.slice(0, -1))));
      if (name === undefined) return;
      const r = t.getBoundingRect().clone();
      r.applyTransform(t.getComputedTransform());
      labels.push({name: name, x: r.x, y: r.y, w: r.width, h: r.height});
    });
    out[el.id] = {names: names, labels: labels,
                  across: chart.getOption().yAxis[0].type === "category"};
  });
  return out;
}"""


@pytest.fixture
def groupings(engine: Engine, demo_data: Path) -> None:
    """UNCTAD's digitally deliverable services of every economy, published: the overview's
    country groupings chart."""
    imported = run_import(
        engine, "unctad-sdmx", demo_data / "unctad_digital_economy_raw_export.csv"
    )
    release(engine, "UNCTAD_DDS", int(imported.vintage_id or 0))


def _overlapping(labels: list[dict[str, float]]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            if not apart:
                found.append((str(a["name"]), str(b["name"])))
    return found


@pytest.mark.parametrize(("width", "lang"), [(390, "zh"), (390, "en"), (1400, "zh")])
def test_every_bar_name_is_drawn_and_none_overlaps(
    groupings: None,
    open_page,  # type: ignore[no-untyped-def]
    width: int,
    lang: str,
) -> None:
    page = open_page("public")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/lang/{lang}?next=/")
    page.wait_for_selector("#chart-groups[data-ready='1']", timeout=30_000)
    charts = page.evaluate(DRAWN_LABELS)
    shot(page, f"overview_bar_names_{lang}_{width}")

    groups = charts["chart-groups"]
    expected = (
        ["共建“一带一路”国家", "区域全面经济伙伴关系协定", "金砖国家", "上海合作组织"]
        if lang == "zh"
        else ["BRI", "RCEP", "BRICS", "SCO"]
    )
    assert groups["names"][:4] == expected
    for chart_id, chart in charts.items():
        drawn = [label["name"] for label in chart["labels"]]
        assert sorted(drawn) == sorted(chart["names"]), (chart_id, drawn)
        assert _overlapping(chart["labels"]) == [], chart_id
    assert groups["across"] == (width == 390), "on a phone the groupings' bars run across"
    assert not page.errors
