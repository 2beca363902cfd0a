"""The English view names places and publishers in English (one language per view): a province's
city map, the export bases' table, the cross-border e-commerce section's publishers and an
alert's source line; the Chinese view keeps the Chinese names."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from shumao.auth.scope import Scope
from shumao.bases import demo as bases_demo
from shumao.bases import registry
from shumao.ingest.pipeline import run_import
from shumao.monitor import tables as t
from shumao.monitor.hooks import after_commit
from web.bases_world import link_demo_roster
from web.factories import World, release

Client = Callable[[str], TestClient]
CJK = re.compile(r"[\u3400-\u9fff]")
DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"


def _english(client: TestClient) -> TestClient:
    client.get("/lang/en?next=/")
    return client


def _chart(board: dict[str, Any], chart_id: str) -> dict[str, Any]:
    return next(c for c in board["charts"] if c["id"] == chart_id)


def test_a_province_pages_city_map_names_the_cities_in_the_views_language(
    world: World, as_role: Client
) -> None:
    zh = _chart(as_role("ministry").get("/api/areas/340000").json(), "city_map")
    en = _chart(_english(as_role("ministry")).get("/api/areas/340000").json(), "city_map")
    names = dict(zip(en["codes"], en["categories"], strict=True))
    assert names["340100"] == "Hefei" and names["341500"] == "Lu'an"
    assert names["340300"] == "Bengbu" and names["341600"] == "Bozhou"
    assert [n for n in en["categories"] if CJK.search(n)] == []
    assert dict(zip(zh["codes"], zh["categories"], strict=True))["341500"] == "六安市"


def test_a_municipalitys_map_names_its_districts_and_counties(
    world: World, as_role: Client
) -> None:
    en = _chart(_english(as_role("ministry")).get("/api/areas/110000").json(), "city_map")
    names = dict(zip(en["codes"], en["categories"], strict=True))
    assert names["110105"] == "Chaoyang District" and names["110118"] == "Miyun District"
    assert [n for n in en["categories"] if CJK.search(n)] == []


def _bases_table(html: str) -> list[list[str]]:
    table = BeautifulSoup(html, "html.parser").select_one("#bases-table")
    assert table is not None
    return [[td.get_text(strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")]


def test_the_bases_table_names_the_cities_in_english(world: World, as_role: Client) -> None:
    zh = _bases_table(as_role("public").get("/bases").text)
    en = _bases_table(_english(as_role("public")).get("/bases").text)
    cities = {row[0]: row[2] for row in en}
    assert cities["DSEB05"] == "Nanjing" and cities["DSEB06"] == "Hangzhou"
    assert [c for c in cities.values() if CJK.search(c)] == []
    assert {row[0]: row[2] for row in zh}["DSEB05"] == "南京市"


def test_the_bases_source_line_speaks_one_language(world: World, as_role: Client) -> None:
    en = _english(as_role("public")).get("/bases").text
    assert "MOFCOM, China Digital Trade Development Report 2022</p>" in en
    assert "商务部《中国数字贸易发展报告2022》" not in en
    zh = as_role("public").get("/bases").text
    assert "商务部《中国数字贸易发展报告2022》</p>" in zh and "MOFCOM, China" not in zh


def test_a_bases_page_speaks_one_language(world: World, as_role: Client) -> None:
    """Its batch, status and units (before: "batch 1批 · status：", 亿美元 on the charts)."""
    en = BeautifulSoup(_english(as_role("public")).get("/bases/DSEB06").text, "html.parser")
    note = en.select("p.note")[0].get_text(" ", strip=True)
    assert "batch 1 ·" in note and "status: designated" in note
    assert CJK.search(note) is None and "：" not in note
    units = [u.get_text(strip=True) for u in en.select("small.unit")]
    assert units == ["100 million US dollars", "100 million yuan"]
    schedule = en.select("#history p")[0].get_text(
        " ", strip=True
    )  # was "2022（2020、2021 data，…）；"
    assert "2022 (2020, 2021 data, 2022-04-01); 2024 (2022, 2023 data, 2024-04-01)" in schedule
    assert CJK.search(schedule) is None and not set("（），；、") & set(schedule)
    zh = BeautifulSoup(as_role("public").get("/bases/DSEB06").text, "html.parser")
    assert "2022（2020、2021 年数据，2022-04-01）；" in zh.select("#history p")[0].get_text()
    assert "第1批" in zh.select("p.note")[0].get_text(strip=True)
    assert [u.get_text(strip=True) for u in zh.select("small.unit")] == ["亿美元", "亿元"]


def _history(client: TestClient, code: str) -> list[str]:
    page = BeautifulSoup(client.get(f"/bases/{code}").text, "html.parser")
    return [tr.select("td")[4].get_text(strip=True) for tr in page.select("#history tbody tr")]


def test_a_bases_status_history_gives_shumaos_note_in_the_views_language(
    world: World, as_role: Client
) -> None:
    """The first batch's note was stored as "据《中国数字贸易发展报告2022》… / per the 2022
    report, …" and shown whole in both views."""
    zh = _history(as_role("public"), "DSEB06")
    en = _history(_english(as_role("public")), "DSEB06")
    assert zh == [
        "据《中国数字贸易发展报告2022》：2020年4月商务部会同中央网信办、工业和信息化部联合"
        "认定；报告只载月份，日期记为当月1日"
    ]
    assert en == [
        "per the 2022 report, designated in April 2020 (the report gives the month "
        "only; recorded as the 1st)"
    ]


def test_a_reason_an_official_typed_is_shown_as_typed_in_either_view(
    engine: Engine, world: World, as_role: Client
) -> None:
    typed = "园区企业数据造假 / 见商务函〔2026〕12号"
    with engine.begin() as conn:
        registry.seed_first_batch(conn)
        for status, on, reason in (
            ("rereview_failed", date(2024, 6, 1), typed),
            ("revoked", date(2024, 9, 1), "资格取消"),
        ):
            registry.set_status(
                conn,
                scope=Scope.of("mofcom", "ministry"),
                code="DSEB06",
                status=status,
                effective_on=on,
                reason=reason,
            )
    for client in (as_role("public"), _english(as_role("public"))):
        assert _history(client, "DSEB06")[1:] == [typed, "资格取消"]


def _source(client: TestClient, area: str, key: str) -> str:
    board = client.get(f"/api/areas/{area}").json()
    return str(next(k for k in board["kpis"] if k["key"] == key)["source"])


def test_the_cbec_section_names_the_publishers_in_english(
    cbec_released: None, as_role: Client
) -> None:
    en = _english(as_role("public"))
    assert _source(en, "440000", "cbec_total") == (
        "Published by Xinhua News Agency (2024-10-10), not a customs release"
    )
    assert _source(en, "500000", "cbec_total") == (
        "Published by Chongqing Municipal Commission of Commerce (2022-04-25), not a customs release"
    )
    assert _source(en, "410000", "cbec_total").startswith(
        "Published by Dingduan News (2025-02-26), not a customs release"
    )
    zh = as_role("public")
    assert (
        _source(zh, "500000", "cbec_total") == "重庆市商务委员会公布（2022-04-25），非海关总署发布"
    )
    page = en.get("/area/440000").text
    section = page[page.index('id="ordered"') :]
    section = section[: section.index("</section>")]
    assert "Xinhua News Agency" in section and "新华社" not in section


def test_an_unknown_publisher_imports_and_is_named_as_written(
    engine: Engine, world: World, cbec_vintages: dict[str, int], tmp_path: Path, as_role: Client
) -> None:
    """A constructed release (not demo data) whose publisher has no English name: it imports,
    and the English view says the Chinese name rather than nothing."""
    path = tmp_path / "release.csv"
    path.write_text(
        "发布日期,年份,地区,流向,指标,数值,单位,来源,发布机构\n"
        "2024-03-01,2023,安徽,进出口,金额,100,亿元,test,安徽某报\n",
        encoding="utf-8",
    )
    loaded = run_import(engine, "province-cbec", path)
    release(engine, "PROVINCE_CBEC", int(loaded.vintage_id or 0))
    en = _english(as_role("public"))
    assert _source(en, "340000", "cbec_total") == (
        "Published by 安徽某报 (2024-03-01), not a customs release"
    )


def test_an_alerts_source_line_speaks_the_views_language(
    engine: Engine, world: World, as_role: Client
) -> None:
    run_import(
        engine, "report2022", DEMO / "report2022" / "table2_provinces_2022.csv", after=after_commit
    )
    with engine.connect() as conn:
        aid = conn.execute(select(t.alert.c.id).where(t.alert.c.ref_area == "460000")).scalar()
    zh = as_role("ministry").get(f"/monitor/alerts/{aid}").text
    assert "数据来源：商务部《中国数字贸易发展报告》</p>" in zh
    en = _english(as_role("ministry")).get(f"/monitor/alerts/{aid}").text
    assert "Source: MOFCOM, China Digital Trade Development Report</p>" in en
    assert "数据来源" not in en


def _queue_bases(html: str) -> set[str]:
    page = BeautifulSoup(html, "html.parser")
    return {tr.select("td")[0].get_text(strip=True) for tr in page.select("tbody tr[data-row]")}


def test_the_linkage_queue_names_the_base_in_the_views_language(
    world: World, as_role: Client, engine: Engine
) -> None:
    """The queue's base column was its Chinese name in the English view too."""
    with engine.begin() as conn:
        link_demo_roster(conn)
    en = _queue_bases(_english(as_role("ministry")).get("/bases/linkage").text)
    zh = _queue_bases(as_role("ministry").get("/bases/linkage").text)
    assert en == {f"China (Nanjing) Software Valley {bases_demo.YEAR}"}
    assert zh == {f"中国（南京）软件谷 {bases_demo.YEAR}"}


def test_units_are_named_in_the_views_language(world: World, as_role: Client) -> None:
    """The explorer's unit choices and the index framework's indicator units were the code
    list's Chinese names (亿美元, 万户, 台) in the English view."""
    en, zh = _english(as_role("ministry")), as_role("ministry")

    def choices(client: TestClient) -> dict[str, str]:
        page = BeautifulSoup(client.get("/explorer").text, "html.parser")
        return {o["value"]: o.get_text(strip=True) for o in page.select("select[name=unit] option")}

    assert choices(en) == {
        "": "As stored",
        "亿美元": "100 million US dollars",
        "万美元": "10 thousand US dollars",
        "亿元": "100 million yuan",
    }
    assert choices(zh)["亿美元"] == "亿美元"

    def units(client: TestClient) -> dict[str, str]:
        page = BeautifulSoup(client.get("/index/DTI_PROV/framework").text, "html.parser")
        return {
            li["data-code"]: li.find(string=re.compile(" · ")).strip().rsplit(" · ", 1)[-1]
            for li in page.select("li[data-level='1']")
        }

    named = units(en)
    assert named["BROADBAND"] == "10 thousand households or subscribers"
    assert named["COMPUTERS"] == "number of units (machines)"
    assert named["ECOM_SALES"] == "100 million yuan" and named["DD_EXPORTS"] == "US dollars"
    assert [u for u in named.values() if CJK.search(u)] == []
    assert units(zh)["BROADBAND"] == "万户"
    page = BeautifulSoup(en.get("/index/DTI_PROV/framework").text, "html.parser")
    source = page.select_one("li[data-code='BROADBAND'] small").get_text(" ", strip=True)
    assert source == "source: National Bureau of Statistics of China, annual data by province"
