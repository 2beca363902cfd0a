"""数字订购贸易 on the overview, the province pages and in the explorer (real customs releases)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
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


def test_the_overview_shows_both_parts_for_the_latest_year(ordered: None, as_role: Client) -> None:
    board = as_role("public").get("/api/overview").json()
    kpis = {k["key"]: k for k in board["kpis"]}
    total = kpis["cbec_total"]
    assert (total["value"], total["period"], total["unit"]) == (27100.0, "2024", "亿元")
    assert total["label"] == "数字订购贸易（跨境电商进出口）" and total["source"].startswith(
        "海关总署"
    )
    usd = kpis["cbec_total_usd"]
    assert round(usd["value"], 2) == round(27100 / 7.1217, 2) and usd["period"] == "2024"
    lower = kpis["digital_trade_lower"]
    assert lower["period"] == "2024" and lower["value"] > usd["value"]
    assert "WTO" in lower["source"] or "世界贸易组织" in lower["source"]
    chart = next(c for c in board["charts"] if c["id"] == "cbec_series")
    assert chart["categories"] == ["2018", "2019", "2020", "2021", "2022", "2023", "2024"]
    page = as_role("public").get("/").text
    assert "数字订购贸易（跨境电商进出口）" in page and "数字贸易规模下限" in page


def test_a_province_without_customs_figures_says_so(ordered: None, as_role: Client) -> None:
    board = as_role("public").get("/api/areas/320000").json()
    assert not [k for k in board["kpis"] if k["key"].startswith("cbec_")]
    assert any("数字订购贸易" in e for e in board["empty"])


def test_the_explorer_groups_dataflows_by_part(ordered: None, as_role: Client) -> None:
    page = as_role("public").get("/explorer?dataflow=CUSTOMS_CBEC").text
    start = page.index('<optgroup label="数字订购贸易">')
    group = page[start : page.index("</optgroup>", start)]
    assert "跨境电商进出口（海关总署）" in group and "企业跨境电商销售" in group
    assert "WTO" not in group and "数字交付服务贸易" not in group


def _wto_2024(demo_data: Path) -> float:
    """WTO's digitally delivered services of China, exports + imports, 2024, in 亿美元."""
    wto = pl.read_csv(demo_data / "wto_dds_china_usa_2005_2025.csv")
    rows = wto.filter(
        (pl.col("REPORTER_CODE") == "CN")
        & (pl.col("YEAR") == 2024)
        & (pl.col("INDICATOR") == "DDS")
        & (pl.col("PARTNER") == "World")
        & pl.col("FLOW").is_in(["X", "M"])
    )
    assert rows.height == 2
    return float(rows["VALUE"].sum()) / 100  # million US dollars → 亿美元


def test_the_overview_section_shows_both_parts_with_their_sources(
    ordered: None, as_role: Client, demo_data: Path
) -> None:
    board = as_role("public").get("/api/overview").json()
    section = [k for k in board["kpis"] if k["group"] == "ordered"]
    assert [k["key"] for k in section] == [
        "cbec_total",
        "cbec_exports",
        "cbec_imports",
        "cbec_total_usd",
        "dd_wto",
        "digital_trade_lower",
    ]
    kpis = {k["key"]: k for k in section}
    delivered = kpis["dd_wto"]
    assert delivered["period"] == "2024" and delivered["source"].startswith("世界贸易组织")
    assert round(delivered["value"], 2) == round(_wto_2024(demo_data), 2)
    assert round(kpis["digital_trade_lower"]["value"], 2) == round(
        27100 / 7.1217 + _wto_2024(demo_data), 2
    )
    page = as_role("public").get("/").text
    section_html = page[page.index('id="ordered"') :]
    assert (
        "数字交付贸易（WTO数字交付服务）" in section_html
        and 'href="/digital-trade"' in section_html
    )


def test_a_year_without_a_release_is_a_gap_not_skipped(ordered: None, as_role: Client) -> None:
    board = as_role("public").get("/api/overview").json()
    chart = next(c for c in board["charts"] if c["id"] == "cbec_series")
    assert chart["categories"] == ["2018", "2019", "2020", "2021", "2022", "2023", "2024"]
    total = next(s for s in chart["series"] if s["code"] == "T")
    assert total["data"][1] is None and total["data"][4] == 21000.0  # 2022 as surveyed


def test_the_framework_table_says_which_part_each_series_measures(
    ordered: None, as_role: Client, demo_data: Path
) -> None:
    fw = as_role("public").get("/api/digital-trade").json()
    rows = {r["id"]: r for r in fw["rows"]}
    assert fw["period"] == "2024" and fw["unit"] == "亿美元" and fw["empty"] == ""
    goods = rows["DO_GOODS"]
    assert goods["part"] == "数字订购贸易" and goods["hi"] is None
    assert round(goods["lo"], 2) == round(27100 / 7.1217, 2)
    assert {(s["dataflow"], s["coverage"]) for s in goods["sources"]} == {
        ("跨境电商进出口（海关总署）", "下限"),
        ("跨境电商进出口（各省公布）", "下限"),
        ("企业跨境电商销售（企业直报）", "下限"),
    }
    dd = rows["DD_SERVICES"]
    assert dd["part"] == "数字交付贸易" and dd["lo"] == dd["hi"]
    assert round(dd["lo"], 2) == round(_wto_2024(demo_data), 2)
    assert ("中国数字贸易发展报告（公布表格）", "上限") in {
        (s["dataflow"], s["coverage"]) for s in dd["sources"]
    }
    assert (rows["OVERLAP"]["lo"], rows["OVERLAP"]["hi"]) == (0.0, dd["hi"])
    assert (rows["DD_GOODS"]["lo"], rows["DD_GOODS"]["hi"]) == (0.0, 0.0)
    assert (rows["DO_SERVICES"]["lo"], rows["DO_SERVICES"]["hi"]) == (0.0, None)
    assert round(fw["total"]["lo"], 2) == round(goods["lo"] + dd["lo"], 2)
    assert fw["total"]["hi"] is None
    page = as_role("public").get("/digital-trade").text
    assert "数字贸易测度框架" in page and "≥ " in page and "CUSTOMS_CBEC" not in page


def test_the_framework_in_english_is_english_only(ordered: None, as_role: Client) -> None:
    client = as_role("public")
    client.get("/lang/en")
    page = client.get("/digital-trade").text
    assert "Digitally ordered goods" in page and "lower bound" in page
    assert "Value (2024, USD 100 million)" in page
    body = page[page.index("<main") :] if "<main" in page else page
    assert "数字订购" not in body and "下限" not in body
    board = client.get("/api/overview").json()
    assert {k["unit"] for k in board["kpis"] if k["key"].startswith("cbec_")} <= {
        "CNY 100 million",
        "USD 100 million",
    }


def test_without_released_data_the_framework_says_why(as_role: Client, world: World) -> None:
    fw = as_role("public").get("/api/digital-trade").json()
    assert fw["period"] is None and "无法给出数值" in fw["empty"]
    assert all(r["lo"] is None for r in fw["rows"] if r["id"] != "DD_GOODS")
    assert fw["rows"][[r["id"] for r in fw["rows"]].index("DD_GOODS")]["lo"] == 0.0


def test_a_province_shows_nbs_ecommerce_beside_never_added(
    ordered: None, as_role: Client, engine: Engine, demo_data: Path
) -> None:
    nbs = run_import(
        engine, "nbs-provinces", demo_data / "nbs_province_ecommerce_internet_2015_2024.csv"
    )
    release(engine, "NBS_PROV", int(nbs.vintage_id or 0))
    board = as_role("public").get("/api/areas/320000").json()
    section = [k for k in board["kpis"] if k["group"] == "ordered"]
    assert [k["key"] for k in section] == ["nbs_ecom_sales"]  # customs: no figure for Jiangsu
    sales = section[0]
    assert (sales["value"], sales["period"], sales["unit"]) == (30208.7, "2024", "亿元")
    assert "不计入数字贸易" in sales["label"] and sales["source"] == "国家统计局分省年度数据"
    overview = as_role("public").get("/api/overview").json()
    assert "nbs_ecom_sales" not in {k["key"] for k in overview["kpis"]}
