"""What the overview and area pages say: each KPI's own period (and a note when they differ),
one unit per figure kind, breadcrumbs in hierarchy order, single-period trends as bars,
charts without data named with the reason instead of drawn empty."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from web.factories import World, obs, release, write

Client = Callable[[str], Any]


def _share_inputs(engine: Engine) -> None:
    """BaTIS for China in 2019 only: services 1,000 each way, DD items 300 + 200 exported,
    250 + 150 imported → a share of (500 + 400) / 2,000 = 45.00 %."""
    values = {
        ("S", "X"): 1000.0,
        ("S", "M"): 1000.0,
        ("SJ", "X"): 300.0,
        ("SJ", "M"): 250.0,
        ("SI", "X"): 200.0,
        ("SI", "M"): 150.0,
    }
    rows = [
        obs(
            ref_area="CHN",
            counterpart_area="WLD",
            product=p,
            flow=f,
            time_period="2019",
            value=v,
            unit_mult=6,
        )
        for (p, f), v in values.items()
    ]
    for row in rows:
        row.pop("indicator")
    release(engine, "BATIS", write(engine, "BATIS", rows))


def _kpis(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["key"]: k for k in board["kpis"]}


def test_each_kpi_shows_its_own_period_and_the_page_says_they_differ(
    engine: Engine, world: World, as_role: Client
) -> None:
    _share_inputs(engine)
    board = as_role("public").get("/api/overview").json()
    kpis = _kpis(board)
    assert kpis["total"]["period"] == "2023" and kpis["share"]["period"] == "2019"
    assert round(kpis["share"]["value"], 2) == 45.00
    assert "2023——可数字化交付服务进出口、出口、进口、贸易差额" in board["kpi_note"]
    assert "2019——占服务贸易比重" in board["kpi_note"]
    gaps = [t["text"] for t in kpis["share"]["targets"]]
    assert gaps[0].startswith("2029") and "按 2019 年计，已达到" in gaps[0]  # 45 % target met
    assert "按 2019 年计，距目标 5.00 个百分点" in gaps[1]  # 50 % by 2035
    page = as_role("public").get("/").text
    assert 'id="kpi-note"' in page and "按 2019 年计" in page


def test_the_share_card_takes_mofcoms_later_year_over_batis(
    engine: Engine, world: World, as_role: Client, demo_data: Path
) -> None:
    """BaTIS ends in 2019 (45.00 % here); MOFCOM's releases give 2024: 可数字化交付的服务进出口
    ÷ 服务进出口 = 38.50 %, the figure the 2029 target is monitored on. Before, the card showed
    2019 and a gap "as of 2019" while the monitor page measured the target on 2024."""
    _share_inputs(engine)
    imported = run_import(
        engine, "mofcom-services", demo_data / "mofcom_services" / "services_trade_releases.csv"
    )
    release(engine, "MOFCOM_SERVICES", int(imported.vintage_id or 0))
    share = _kpis(as_role("public").get("/api/overview").json())["share"]
    assert share["period"] == "2024" and round(share["value"], 2) == 38.50
    assert share["source"].startswith(
        "商务部服务贸易月度数据发布（服务进出口、知识密集型服务进出口）；"
    )
    gaps = [t["text"] for t in share["targets"]]
    assert "按 2024 年计，距目标 6.50 个百分点" in gaps[0]  # 45 % by 2029
    assert "按 2024 年计，距目标 11.50 个百分点" in gaps[1]  # 50 % by 2035


def test_the_english_overview_has_no_chinese_gap_text(
    engine: Engine, world: World, as_role: Client
) -> None:
    _share_inputs(engine)
    page = as_role("public").get("/?lang=en").text
    assert "percentage points short as of 2019" in page or "met as of 2019" in page
    assert "差距" not in page and "个百分点" not in page


def test_a_direct_reporting_total_has_one_unit_on_every_page(world: World, as_role: Client) -> None:
    """The park's total is in 万美元 on the city page and on the park page, the same number."""
    c = as_role("ministry")
    city = c.get("/api/areas/320100").json()
    children = next(ch for ch in city["charts"] if ch["id"] == "children")
    assert children["unit"] == "万美元"
    on_city = children["series"][0]["data"][children["codes"].index("DSEB05")]
    park = _kpis(c.get("/api/areas/DSEB05").json())
    assert park["ent_total"]["unit"] == "万美元"
    assert on_city == park["ent_total"]["value"]
    province = _kpis(c.get("/api/areas/320000").json())
    assert province["total"]["unit"] == "亿美元"  # published figures stay in 亿美元
    assert province["ent_total"]["unit"] == "万美元"


def test_breadcrumbs_follow_the_hierarchy(world: World, as_role: Client) -> None:
    c = as_role("ministry")
    names = [link["name"] for link in c.get("/api/areas/DSEB05").json()["links"]]
    assert names == ["中国", "江苏省", "南京市", "中国（南京）软件谷"]
    names = [link["name"] for link in c.get("/api/areas/320505").json()["links"]]
    assert names[:3] == ["中国", "江苏省", "苏州市"]
    page = c.get("/area/DSEB05").text
    assert page.index(">江苏省<") < page.index(">南京市<") < page.index("中国（南京）软件谷</span>")


def test_a_trend_with_one_period_is_drawn_as_bars(world: World, as_role: Client) -> None:
    board = as_role("public").get("/api/areas/320000").json()
    trend = next(ch for ch in board["charts"] if ch["id"] == "series")
    assert trend["categories"] == ["2022"] and trend["kind"] == "bar"
    board = as_role("province").get("/api/areas/320000").json()
    trend = next(ch for ch in board["charts"] if ch["id"] == "series")
    assert trend["categories"] == ["2022", "2023"] and trend["kind"] == "line"


def test_charts_without_data_are_named_with_the_reason_not_drawn_empty(
    world: World, as_role: Client
) -> None:
    board = as_role("public").get("/api/areas/330100").json()
    assert all(
        ch["kind"] == "map" or any(v is not None for s in ch["series"] for v in s["data"])
        for ch in board["charts"]
    )
    assert any(e.startswith("主要伙伴国家（地区）：") for e in board["empty"])
    assert any("尚无已发布的企业直报汇总数据" in e for e in board["empty"])
    page = as_role("public").get("/area/330100").text
    assert 'id="empty-charts"' in page and "暂无数据</p>" not in page
