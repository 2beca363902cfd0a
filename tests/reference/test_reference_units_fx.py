from __future__ import annotations

import pytest

from shumao.errors import ShumaoError, UnknownCode
from shumao.reference import fx, units


@pytest.mark.parametrize(
    ("text", "code", "mult"),
    [
        ("美元", "USD", 0),
        ("万美元", "USD", 4),
        ("百万美元", "USD", 6),
        ("亿美元", "USD", 8),
        ("十亿美元", "USD", 9),
        ("万亿美元", "USD", 12),
        ("元", "CNY", 0),
        ("万元", "CNY", 4),
        ("百万元", "CNY", 6),
        ("亿元", "CNY", 8),
        ("万亿元", "CNY", 12),
        ("%", "PCT", 0),
        ("个", "NUMBER", 0),
        ("家", "NUMBER", 0),
        ("人", "PERSONS", 0),
        ("万户", "HH", 4),
        ("万人", "PERSONS", 4),
        ("万GB", "GB", 4),
        ("每百家", "PER_100_ENT", 0),
        ("每百人", "PER_100_PERSONS", 0),
        ("指数", "INDEX", 0),
        ("USD", "USD", 0),
        ("US$", "USD", 0),
        ("current US$", "USD", 0),
        ("USD millions", "USD", 6),
        ("Million US dollar", "USD", 6),
        ("million USD", "USD", 6),
        ("USD_millions", "USD", 6),
        ("100 million USD", "USD", 8),
        ("CNY 100 million", "CNY", 8),
        ("10,000 USD", "USD", 4),
        ("（万美元）", "USD", 4),
        ("(亿元)", "CNY", 8),
        ("单位：亿元", "CNY", 8),
        ("单位: 万美元", "USD", 4),
        ("  亿美元 ", "USD", 8),
        ("亿元人民币", "CNY", 8),
        ("ｕｓｄ　ｍｉｌｌｉｏｎｓ", "USD", 6),
    ],
)
def test_parse(text: str, code: str, mult: int) -> None:
    unit = units.parse(text)
    assert (unit.code, unit.mult) == (code, mult)


@pytest.mark.parametrize("text", ["", "furlongs", "亿", "单位："])
def test_parse_unknown_raises(text: str) -> None:
    with pytest.raises(UnknownCode) as err:
        units.parse(text)
    assert err.value.codelist == "units"


# Real headers from the shared test data (NBS, UNCTAD, WTO, BaTIS, WDI, 2022 report) and
# common forms in MOFCOM tables.
HEADERS = [
    ("电子商务销售额 (亿元)", "亿元"),
    ("电子商务采购额 (亿元)", "亿元"),
    ("有电子商务交易活动的企业数 (个)", "个"),
    ("有电子商务交易活动的企业数比重 (%)", "%"),
    ("每百人使用计算机数 (台)", "台"),
    ("每百家企业拥有网站数 (个)", "个"),
    ("互联网宽带接入用户 (万户)", "万户"),
    ("移动互联网用户 (万户)", "万户"),
    ("移动互联网接入流量 (万GB)", "万GB"),
    ("出口额（万美元）", "万美元"),
    ("进出口额(亿美元)", "亿美元"),
    ("数字产业产值（亿元）", "亿元"),
    ("可数字化交付服务贸易额，单位：亿美元", "亿美元"),
    ("Exports, USD mn", "百万美元"),
    ("dig_services_exports_usd_millions", "百万美元"),
    ("value_musd", "百万美元"),
    ("balanced_value_usd", "美元"),
    ("ICT service exports (BoP, current US$)", "美元"),
    ("Million US dollar", "百万美元"),
    ("Imports (USD billion)", "十亿美元"),
    ("全国占比(%)", "%"),
    ("出口额（人民币亿元）", "亿元"),
]


@pytest.mark.parametrize(("header", "name_zh"), HEADERS)
def test_find_in_header(header: str, name_zh: str) -> None:
    found = units.find_in_header(header)
    assert found is not None and found.name_zh == name_zh


@pytest.mark.parametrize(
    "header",
    [
        "省份",
        "地区代码",
        "年份",
        "进出口",
        "增速",
        "全国占比",
        "partner",
        "item_code",
        "每万人拥有数",
        "US market share",
    ],
)
def test_find_in_header_without_unit(header: str) -> None:
    assert units.find_in_header(header) is None


def test_scaling_within_a_currency() -> None:
    wan, yi = units.parse("万美元"), units.parse("亿美元")
    assert units.convert(123.0, wan, yi) == 0.0123
    assert units.convert(1.5, yi, wan) == 15000.0
    assert units.factor("亿美元", "百万美元") == 100.0
    assert units.convert(216265.0, "百万美元", "亿美元") == 2162.65
    assert units.convert(5.0, "%", "%") == 5.0
    assert units.convert(3.0, "个", "家") == 3.0


def test_currency_conversion_needs_a_year() -> None:
    assert units.convert(1.0, "亿美元", "亿元", year=2022) == 6.7261
    assert units.convert(6.7261, "亿元", "亿美元", year=2022) == pytest.approx(1.0)
    assert units.convert(1.0, "万美元", "亿元", year=2022) == pytest.approx(6.7261e-4)
    assert units.factor("美元", "元", year=2024) == 7.1217
    with pytest.raises(ShumaoError):
        units.convert(1.0, "亿美元", "亿元")
    with pytest.raises(UnknownCode):
        units.convert(1.0, "亿美元", "亿元", year=1990)


def test_non_money_mismatch_raises() -> None:
    with pytest.raises(ShumaoError):
        units.convert(1.0, "万户", "万人")
    with pytest.raises(ShumaoError):
        units.convert(1.0, "%", "亿元", year=2022)


def test_all_units_are_bilingual() -> None:
    all_units = units.all_units()
    assert len({u.name_zh for u in all_units}) == len(all_units)
    assert all(u.name_en for u in all_units)
    assert units.is_money(units.parse("亿元")) and not units.is_money(units.parse("%"))


FX = {
    2005: 8.1917,
    2006: 7.9718,
    2007: 7.6040,
    2008: 6.9451,
    2009: 6.8310,
    2010: 6.7695,
    2011: 6.4588,
    2012: 6.3125,
    2013: 6.1932,
    2014: 6.1428,
    2015: 6.2284,
    2016: 6.6423,
    2017: 6.7518,
    2018: 6.6174,
    2019: 6.8985,
    2020: 6.8976,
    2021: 6.4515,
    2022: 6.7261,
    2023: 7.0467,
    2024: 7.1217,
    2025: 7.1,
}


@pytest.mark.parametrize(("year", "per_usd"), sorted(FX.items()))
def test_fx_values(year: int, per_usd: float) -> None:
    assert fx.rate(year, "USD", "CNY") == per_usd
    assert fx.rate(year, "CNY", "USD") == 1 / per_usd


def test_fx_table_and_source() -> None:
    table = fx.table()
    assert [r.year for r in table] == list(range(2005, 2026))
    assert {r.status for r in table if r.year < 2025} == {"A"}
    assert table[-1].status == "P"
    assert "人民币对美元" in fx.source() and "国家统计局" in fx.source()
    assert fx.rate(2022, "USD", "USD") == 1.0
    assert fx.rate(1999, "CNY", "CNY") == 1.0


def test_fx_missing_year_or_currency() -> None:
    with pytest.raises(UnknownCode) as err:
        fx.rate(2004, "USD", "CNY")
    assert err.value.codelist == "CNY/USD exchange rate" and err.value.value == 2004
    with pytest.raises(UnknownCode):
        fx.rate(2022, "USD", "EUR")
