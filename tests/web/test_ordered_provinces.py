"""数字订购贸易 by province on the overview and the province pages: the map with the provinces
that published a figure (the rest grey, counted in the legend), their shares of the national
figure of the same year, each with its year, and the mode structure named when unpublished."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from web.factories import World, release

Client = Callable[[str], Any]


def _chart(board: dict[str, Any], chart_id: str) -> dict[str, Any]:
    return next(c for c in board["charts"] if c["id"] == chart_id)


def test_the_overview_maps_the_provinces_that_published(
    cbec_released: None, as_role: Client
) -> None:
    board = as_role("public").get("/api/overview").json()
    chart = _chart(board, "cbec_map")
    assert chart["kind"] == "map" and chart["geo"] == "china" and chart["unit"] == "亿元"
    values = dict(zip(chart["codes"], chart["series"][0]["data"], strict=True))
    assert values["440000"] == 8433.0 and values["410000"] == 2665.5
    assert round(values["500000"], 2) == 322.1
    assert values["330000"] is None and values["320000"] is None  # no 进出口 figure: grey
    total = len(chart["codes"])
    assert chart["legend"] == f"灰色：无数据（{total} 个省（区、市）中有 3 个有跨境电商公布数）"
    names = dict(zip(chart["codes"], chart["categories"], strict=True))
    assert names["440000"] == "广东省（2023年）" and names["410000"] == "河南省（2024年）"
    assert names["500000"] == "重庆市（2021年）" and names["320000"] == "江苏省"
    assert chart["period"] is None  # the provinces' years differ: no one period in the title
    assert "各省年份不同" in chart["note"] and "有数据的省份（3 个）" in chart["note"]
    assert "与海关全国数不是同一次发布" in chart["note"]


def test_the_overview_shows_each_share_of_the_same_year(
    cbec_released: None, as_role: Client
) -> None:
    board = as_role("public").get("/api/overview").json()
    chart = _chart(board, "cbec_province_shares")
    assert chart["categories"] == ["广东省（2023年）", "河南省（2024年）", "重庆市（2021年）"]
    assert [round(v, 2) for v in chart["series"][0]["data"]] == [35.43, 9.84, 1.63]
    assert chart["unit"] == "%" and chart["links"] == [
        "/area/440000",
        "/area/410000",
        "/area/500000",
    ]
    assert "比重是占同年全国数的比重" in chart["note"]
    assert chart["source"].startswith(
        "各省（区、市）的公布数（商务部门或转引它的媒体）；全国数：海关总署"
    )
    page = as_role("public").get("/").text
    section = page[
        page.index('id="ordered"') : page.index("</section>", page.index("card-cbec_map"))
    ]
    assert "各省（区、市）跨境电商进出口（各省最新公布年份）" in section and "南海诸岛" in section


def test_the_mode_structure_is_named_when_unpublished(cbec_released: None, as_role: Client) -> None:
    board = as_role("public").get("/api/overview").json()
    assert "cbec_modes" not in {c["id"] for c in board["charts"]}
    assert any("跨境电商进出口按海关监管方式结构" in e for e in board["empty"])


def test_a_province_page_shows_its_share_of_the_nation(
    cbec_released: None, as_role: Client
) -> None:
    board = as_role("public").get("/api/areas/440000").json()
    kpis = {k["key"]: k for k in board["kpis"] if k["group"] == "ordered"}
    assert (kpis["cbec_total"]["value"], kpis["cbec_total"]["period"]) == (8433.0, "2023")
    assert kpis["cbec_total"]["source"] == "新华社公布（2024-10-10），非海关总署发布"
    share = kpis["cbec_share_nation"]
    assert round(share["value"], 2) == 35.43 and share["period"] == "2023"
    assert share["label"] == "跨境电商进出口占全国比重" and share["unit"] == "%"
    assert share["source"].startswith("占2023年全国跨境电商进出口（海关）的比重")
    henan = as_role("public").get("/api/areas/410000").json()
    share = next(k for k in henan["kpis"] if k["key"] == "cbec_share_nation")
    assert round(share["value"], 2) == 9.84 and share["period"] == "2024"
    chongqing = as_role("public").get("/api/areas/500000").json()
    total = next(k for k in chongqing["kpis"] if k["key"] == "cbec_total")
    assert (total["value"], total["period"]) == (322.1, "2021")
    assert total["source"] == "重庆市商务委员会公布（2022-04-25），非海关总署发布"
    chart = next(c for c in chongqing["charts"] if c["id"] == "cbec_series")
    assert chart["categories"] == ["2020", "2021"] and chart["source"].startswith(
        "各省（区、市）的公布数"
    )


def test_a_province_with_exports_only_has_no_share(cbec_released: None, as_role: Client) -> None:
    board = as_role("public").get("/api/areas/330000").json()
    kpis = {k["key"]: k for k in board["kpis"] if k["group"] == "ordered"}
    assert (kpis["cbec_exports"]["value"], kpis["cbec_exports"]["period"]) == (2141.0, "2024")
    assert kpis["cbec_exports"]["source"] == "公开报道（2025-06-27），非海关总署发布"
    assert "cbec_share_nation" not in kpis  # a share of 进出口 needs the province's 进出口


def test_the_map_in_english_names_the_years(cbec_released: None, as_role: Client) -> None:
    client = as_role("public")
    client.get("/lang/en?next=/")
    chart = _chart(client.get("/api/overview").json(), "cbec_map")
    names = dict(zip(chart["codes"], chart["categories"], strict=True))
    assert names["440000"].endswith(" (2023)") and "年" not in names["440000"]
    assert chart["legend"].startswith("Grey: no figure (3 of ")
    assert "The years differ between provinces" in chart["note"]


def test_before_a_release_the_public_map_is_all_grey(
    world: World, province_vintages: dict[str, int], as_role: Client
) -> None:
    chart = _chart(as_role("public").get("/api/overview").json(), "cbec_map")
    assert all(v is None for v in chart["series"][0]["data"])
    assert "中有 0 个有跨境电商公布数" in chart["legend"] and chart["note"] == ""


def test_a_province_figure_of_a_year_without_a_national_one_has_no_share(
    engine: Engine, world: World, cbec_vintages: dict[str, int], tmp_path: Path, as_role: Client
) -> None:
    """A constructed release (not demo data): a province's only figure is for 2019, a year with
    no national survey figure, so its card shows no share and says why instead of using
    another year's national figure."""
    path = tmp_path / "release.csv"
    path.write_text(
        "发布日期,年份,地区,流向,指标,数值,单位,来源\n2020-03-01,2019,安徽,进出口,金额,100,亿元,test\n",
        encoding="utf-8",
    )
    loaded = run_import(engine, "province-cbec", path)
    release(engine, "PROVINCE_CBEC", int(loaded.vintage_id or 0))
    board = as_role("public").get("/api/areas/340000").json()
    share = next(k for k in board["kpis"] if k["key"] == "cbec_share_nation")
    assert share["value"] is None and share["period"] == "2019"
    assert share["source"].startswith("没有2019年的全国数，不能计算比重。")
    total = next(k for k in board["kpis"] if k["key"] == "cbec_total")
    assert total["source"] == "公开报道（2020-03-01），非海关总署发布"
