"""The explorer for people: names not codes, the unit once, two decimals, a wide table by
default, searchable pickers, an unknown name answered with a message, a chart only for one
unit and few series — in the page and in its CSV."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import polars as pl
from sqlalchemy import Engine

from shumao.collection.forms import get_form
from shumao.collection.workflow.vintage import vintage_label
from shumao.storage import vintages
from web.factories import USCC_A, World, obs, write

Client = Callable[[str], Any]
RAW = (">USD<", ">A<", ">F<", ">8<", "名称</a>", "ref_area_name", "unit_mult")


def _table(page: str) -> str:
    return page.split('id="explorer-table"')[1].split("</table>")[0]


def test_the_default_view_is_china_wide_with_names(world: World, as_role: Client) -> None:
    page = as_role("ministry").get("/explorer").text
    table = _table(page)
    assert 'data-view="wide"' in page
    heads = re.findall(r"<th[^>]*><a [^>]*>([^<]+)</a></th>", table)
    assert heads == ["报告方", "伙伴方", "服务类别", "流向", "频率", "2022", "2023"]
    assert "单位：亿美元" in page
    assert ">中国<" in table and ">出口<" in table and "2,200.50" in table
    for raw in RAW:
        assert raw not in table


def test_the_long_view_names_statuses_and_puts_the_unit_in_the_header(
    world: World, as_role: Client
) -> None:
    table = _table(as_role("ministry").get("/explorer?dataflow=UNCTAD_DDS&view=long").text)
    assert "数值（亿美元）" in table and ">正常值<" in table and ">公开<" in table
    for raw in RAW:
        assert raw not in table


def test_the_csv_has_names_the_unit_once_and_two_decimals(world: World, as_role: Client) -> None:
    c = as_role("ministry")
    long = c.get(
        "/api/explore/download?format=csv&dataflow=UNCTAD_DDS&view=long&unit=亿元&sort=time_period"
    ).content.decode("utf-8-sig")
    header, *rows = long.splitlines()
    assert header == "报告方,伙伴方,服务类别,流向,频率,时期,数值（亿元）,观测状态,保密状态,版本"
    assert all(re.fullmatch(r"-?\d+\.\d{1,2}", r.split(",")[6]) for r in rows)
    assert rows[0].startswith("中国,世界,可数字化交付的服务,")
    wide = pl.read_csv(
        io.BytesIO(c.get("/api/explore/download?format=csv&dataflow=UNCTAD_DDS").content)
    )
    assert wide.columns == [
        "报告方",
        "伙伴方",
        "服务类别",
        "流向",
        "频率",
        "2022（亿美元）",
        "2023（亿美元）",
    ]
    exports = wide.filter(pl.col("流向") == "出口")
    assert exports["2023（亿美元）"].to_list() == [2200.50]
    english = c.get("/api/explore/download?format=csv&dataflow=UNCTAD_DDS&lang=en").text
    assert english.lstrip("\ufeff").startswith(
        "Reporter,Partner,Service item,Flow,Frequency,2022 (100 million US dollars)"
    )


def test_pickers_offer_names_to_search(world: World, as_role: Client) -> None:
    page = as_role("ministry").get("/explorer?dataflow=UNCTAD_DDS&flow=出口").text
    picker = page.split('data-dim="flow"')[1].split("</details>")[0]
    assert 'class="picker-search"' in picker
    assert re.search(r'value="X" checked> 出口', picker) and re.search(r'value="M"> 进口', picker)
    assert '流向：<span class="picked">出口</span>' in page
    both = as_role("ministry").get("/explorer?dataflow=UNCTAD_DDS&flow=X&flow=M&view=long")
    assert 'data-total="4"' in both.text


def test_an_unknown_name_is_a_message_not_an_empty_table(world: World, as_role: Client) -> None:
    c = as_role("ministry")
    page = c.get("/explorer?dataflow=UNCTAD_DDS&ref_area=火星").text
    assert "报告方中没有“火星”" in page and 'role="alert"' in page
    api = c.get("/api/explore?dataflow=UNCTAD_DDS&ref_area=火星").json()
    assert api["total"] == 0 and "火星" in api["messages"][0]
    assert c.get("/api/explore?dataflow=UNCTAD_DDS&ref_area=中国").json()["messages"] == []
    some = c.get("/api/explore?dataflow=UNCTAD_DDS&ref_area=中国,火星,USA&view=long").json()
    assert some["total"] == 4  # China's rows, and a word for each value that found none
    assert "报告方中没有“火星”" in some["messages"][0]
    assert some["messages"][1] == "报告方“USA”在所选条件下没有数据（可放宽时期、版本或其他筛选）"


def test_a_chart_only_for_one_unit_and_few_series(
    engine: Engine, world: World, as_role: Client
) -> None:
    c = as_role("ministry")
    assert 'id="chart-explorer"' in c.get("/explorer?dataflow=UNCTAD_DDS&ref_area=CHN").text
    countries = [
        "USA",
        "GBR",
        "DEU",
        "FRA",
        "JPN",
        "KOR",
        "IND",
        "SGP",
        "IRL",
        "NLD",
        "CAN",
        "AUS",
        "BRA",
    ]
    write(engine, "UNCTAD_DDS", [obs(ref_area=a, value=1.0 + i) for i, a in enumerate(countries)])
    many = c.get("/explorer?dataflow=UNCTAD_DDS").text
    assert 'id="chart-explorer"' not in many and "图表只画不超过 12 条" in many
    write(engine, "UNCTAD_DDS", [obs(ref_area="CHE", value=5.0, unit_mult=6)])
    mixed = c.get("/explorer?dataflow=UNCTAD_DDS&ref_area=CHE,CHN").text
    assert 'id="chart-explorer"' not in mixed and "多种单位" in mixed
    assert ">百万美元<" in _table(mixed) and ">亿美元<" in _table(mixed)  # a unit column
    converted = c.get("/explorer?dataflow=UNCTAD_DDS&ref_area=CHE,CHN&unit=亿美元").text
    assert 'id="chart-explorer"' in converted


def test_api_column_names_are_the_dimensions(world: World, as_role: Client) -> None:
    names = as_role("ministry").get("/api/explore?dataflow=UNCTAD_DDS").json()["column_names"]
    assert "名称" not in names and names[:2] == ["报告方代码", "报告方"]


def test_a_filter_name_of_two_cities_names_both_in_the_views_language(
    world: World, as_role: Client
) -> None:
    """ "Suzhou" is 苏州 (Jiangsu) and 宿州 (Anhui): it selects neither, and the message lists
    both (before: "neither a code nor a name"); "Suzhou (Jiangsu)" is 苏州."""
    client = as_role("public")
    zh = client.get("/api/explore?dataflow=MOFCOM_REPORT&ref_area=Suzhou").json()
    assert zh["rows"] == []
    assert zh["messages"] == [
        "报告方“Suzhou”对应多个条目：320500 江苏省苏州市；341300 安徽省宿州市。"
        "请在列表中选择或使用代码，或写明所在地区，如“Suzhou (Jiangsu)”"
    ]
    client.get("/lang/en?next=/")
    en = client.get("/api/explore?dataflow=MOFCOM_REPORT&ref_area=Suzhou").json()
    assert en["messages"] == [
        "Reporter “Suzhou” names several entries: 320500 Suzhou, Jiangsu; 341300 Suzhou, Anhui. "
        "Pick one from the list or use its code, or say where it lies, as in “Suzhou (Jiangsu)”"
    ]
    picked = client.get("/api/explore?dataflow=MOFCOM_REPORT&ref_area=Suzhou (Jiangsu)").json()
    assert picked["messages"] == [
        "Reporter “Suzhou (Jiangsu)” has no data in this selection "
        "(widen the periods, vintage or other filters)"
    ]


def test_an_approved_filings_vintage_is_named_in_the_views_language(
    engine: Engine, world: World, as_role: Client
) -> None:
    """Its label was "… 企业直报审核通过 第1版 / approved enterprise filings, revision 1" in
    both views (the English half without the form or period)."""
    label = vintage_label(get_form("DDS_Q"), "2024-Q3", 1)
    with engine.begin() as conn:
        found = vintages.write_vintage(
            conn,
            dataflow_id="ENT_DDS",
            frame=pl.DataFrame([obs(ref_area=USCC_A, time_period="2024-Q3", freq="Q")]),
            kind="filing",
            label=label,
        )
    client = as_role("ministry")

    def option() -> str:
        page = client.get("/explorer?dataflow=ENT_DDS").text
        return re.findall(rf'<option value="{found}"[^>]*>(.*?)</option>', page)[0]

    assert option().endswith(" 数贸季1表 数字服务进出口情况（季度） 2024-Q3 企业直报审核通过 第1版")
    client.get("/lang/en?next=/")
    assert option().endswith(" Digital services trade (quarterly) 2024-Q3, approved revision 1")
