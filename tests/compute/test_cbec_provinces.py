"""Provinces' cross-border e-commerce: the figures transcribed from the provinces' own releases
(demo/data/province_cbec, addresses in demo/ATTRIBUTION.md) load into their own dataflow
``PROVINCE_CBEC`` with their vintages, units as printed and publishers, and each province's share
is of customs' national figure (``CUSTOMS_CBEC``) of the same year."""

from __future__ import annotations

import json

import polars as pl
from sqlalchemy import Engine

from shumao.compute import cbec
from shumao.query import select

GUANGDONG, HENAN, ZHEJIANG, CHONGQING = "440000", "410000", "330000", "500000"


def _cbec(engine: Engine) -> pl.DataFrame:
    """Customs' national figures and the provinces' own, as the pages read them."""
    return pl.concat([select(engine, "CUSTOMS_CBEC"), select(engine, "PROVINCE_CBEC")])


def test_provinces_load_as_printed_with_their_releases(
    engine: Engine, province_vintages: dict[str, int]
) -> None:
    frame = _cbec(engine).filter(pl.col("ref_area") != "CHN")
    rows = {
        (a, p, f, i): (v, u, m)
        for a, p, f, i, v, u, m in frame.select(
            "ref_area", "time_period", "flow", "indicator", "value", "unit", "unit_mult"
        ).rows()
    }
    # "7.81 billion yuan", "32.21 billion yuan": stored in 十亿元 as printed, never rescaled
    assert rows[(CHONGQING, "2020", "T", "VALUE")] == (7.81, "CNY", 9)
    assert rows[(CHONGQING, "2020", "T", "GROWTH_YOY")] == (17.7, "PCT", 0)
    assert rows[(CHONGQING, "2021", "T", "VALUE")] == (32.21, "CNY", 9)
    assert rows[(CHONGQING, "2021", "T", "GROWTH_YOY")] == (63.3, "PCT", 0)
    assert rows[(GUANGDONG, "2015", "T", "VALUE")] == (11.3, "CNY", 9)
    assert rows[(GUANGDONG, "2023", "T", "VALUE")] == (843.3, "CNY", 9)
    assert rows[(HENAN, "2015", "T", "VALUE")] == (384.0, "CNY", 8)
    assert rows[(HENAN, "2023", "T", "VALUE")] == (2371.0, "CNY", 8)
    assert rows[(HENAN, "2024", "T", "VALUE")] == (2665.5, "CNY", 8)
    assert rows[(HENAN, "2024", "T", "GROWTH_YOY")] == (12.7, "PCT", 0)
    assert rows[(ZHEJIANG, "2024", "X", "VALUE")] == (2141.0, "CNY", 8)
    assert rows[(ZHEJIANG, "2024", "X", "GROWTH_YOY")] == (19.1, "PCT", 0)
    assert (ZHEJIANG, "2024", "T", "VALUE") not in rows  # Zhejiang's page prints exports only
    chongqing = frame.filter(pl.col("ref_area") == CHONGQING).sort("time_period")
    attrs = [json.loads(a) for a in chongqing["attrs"]]
    assert [a["release"] for a in attrs] == ["2021-02-08", "2021-02-08", "2022-04-25", "2022-04-25"]
    assert {a["publisher"] for a in attrs} == {"重庆市商务委员会"}
    assert all(a["url"].startswith("https://www.ichongqing.info/") for a in attrs)


def test_a_province_figure_published_twice_keeps_both_releases(
    engine: Engine, province_vintages: dict[str, int]
) -> None:
    """Guangdong's 2023 figure came out on 2024-10-09 (Xinhua quoting the province) and again on
    2024-10-10: two vintages of the same 843.3 billion yuan, the later one current."""
    first = province_vintages["2024-10-09_guangdong_2015_2023.csv"]
    later = province_vintages["2024-10-10_guangdong_2023.csv"]
    where = {"ref_area": [GUANGDONG]}
    before = select(engine, "PROVINCE_CBEC", where=where, start="2023", end="2023", as_of=first)
    now = select(engine, "PROVINCE_CBEC", where=where, start="2023", end="2023")
    assert before["value"].to_list() == now["value"].to_list() == [843.3]
    assert json.loads(before["attrs"][0])["release"] == "2024-10-09"
    assert json.loads(now["attrs"][0])["release"] == "2024-10-10" and later > first


def test_each_share_is_of_the_nation_in_the_same_year(
    engine: Engine, province_vintages: dict[str, int]
) -> None:
    table = cbec.province_latest(_cbec(engine))
    got = {a: (p, v, n, round(s, 2)) for a, p, v, n, s in table.drop("attrs").rows()}
    assert list(got) == [GUANGDONG, HENAN, CHONGQING]  # largest first; Zhejiang has no 进出口
    assert got[GUANGDONG] == ("2023", 8433.0, 23800.0, 35.43)  # 843.3 十亿元 of 2.38 万亿元
    assert got[HENAN] == ("2024", 2665.5, 27100.0, 9.84)  # of the 2024 survey's 2.71 万亿元
    assert got[CHONGQING] == ("2021", 322.1, 19800.0, 1.63)  # of 2021's 1.98 万亿元


def test_a_province_without_a_national_figure_that_year_has_no_share(
    engine: Engine, province_vintages: dict[str, int]
) -> None:
    """Zhejiang's 2024 exports (2141 亿元): no national 2024 export figure is loaded, so the
    share is null rather than taken of another year or of the total."""
    table = cbec.province_latest(_cbec(engine), flow="X")
    assert table.drop("attrs").rows() == [(ZHEJIANG, "2024", 2141.0, None, None)]


def test_without_provinces_the_table_is_empty_with_its_columns(
    engine: Engine, province_vintages: dict[str, int]
) -> None:
    national = _cbec(engine).filter(pl.col("ref_area") == "CHN")
    table = cbec.province_latest(national)
    assert table.is_empty() and table.columns == [
        "ref_area",
        "time_period",
        "value",
        "nation",
        "share",
        "attrs",
    ]
