"""数字订购贸易 on the overview, the province pages and in the explorer (real customs releases)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from web.factories import World, release

Client = Callable[[str], Any]


@pytest.fixture
def ordered(engine: Engine, world: World, cbec_vintages: dict[str, int], demo_data: Path) -> None:
    """Every customs release and WTO's delivered services, released to the public."""
    release(engine, "CUSTOMS_CBEC", max(cbec_vintages.values()))
    wto = run_import(engine, "wto-dds", demo_data / "wto_dds_china_usa_2005_2025.csv")
    release(engine, "WTO_DDS", int(wto.vintage_id or 0))


def test_the_overview_shows_both_parts_for_the_latest_year(ordered: None,
                                                          as_role: Client) -> None:
    board = as_role("public").get("/api/overview").json()
    kpis = {k["key"]: k for k in board["kpis"]}
    total = kpis["cbec_total"]
    assert (total["value"], total["period"], total["unit"]) == (27100.0, "2024", "亿元")
    assert total["label"] == "数字订购贸易（跨境电商进出口）" and total["source"].startswith("海关总署")
    usd = kpis["cbec_total_usd"]
    assert round(usd["value"], 2) == round(27100 / 7.1217, 2) and usd["period"] == "2024"
    lower = kpis["digital_trade_lower"]
    assert lower["period"] == "2024" and lower["value"] > usd["value"]
    assert "WTO" in lower["source"] or "世界贸易组织" in lower["source"]
    chart = next(c for c in board["charts"] if c["id"] == "cbec_series")
    assert chart["categories"] == ["2018", "2020", "2021", "2022", "2023", "2024"]
    page = as_role("public").get("/").text
    assert "数字订购贸易（跨境电商进出口）" in page and "数字贸易规模下限" in page


def test_a_province_without_customs_figures_says_so(ordered: None, as_role: Client) -> None:
    board = as_role("public").get("/api/areas/320000").json()
    assert not [k for k in board["kpis"] if k["key"].startswith("cbec_")]
    assert any("数字订购贸易" in e for e in board["empty"])


def test_the_explorer_groups_dataflows_by_part(ordered: None, as_role: Client) -> None:
    page = as_role("public").get("/explorer?dataflow=CUSTOMS_CBEC").text
    start = page.index('<optgroup label="数字订购贸易">')
    group = page[start:page.index("</optgroup>", start)]
    assert "跨境电商进出口（海关总署）" in group and "企业跨境电商销售" in group
    assert "WTO" not in group and "数字交付服务贸易" not in group
