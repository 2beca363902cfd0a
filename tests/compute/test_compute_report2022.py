"""Golden figures of the 2022 report, recomputed from its tables imported by ``report2022``.

The printed figures come from ``shared/data/report2022/README.md`` and the issue: the
12省市合计 row of 表2 (3545.22, 3.54, 2013.39, 7.36, 1531.83, -1.08), the provinces' shares of
the nation, the 12 provinces' 95.12 %, the regions' shares, the bases' growth, the major
economies' shares of world exports.
"""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.compute import report2022 as rep

PRINTED_TOTAL12 = {"T": 3545.22, "gT": 3.54, "X": 2013.39, "gX": 7.36, "M": 1531.83, "gM": -1.08}
PROVINCE_SHARES = {  # 表2 进出口 ÷ 全国 3727.07, to the report's two decimals
    "北京": 19.50,
    "天津": 1.84,
    "辽宁": 1.75,
    "上海": 26.45,
    "江苏": 8.25,
    "浙江": 8.11,
    "安徽": 0.58,
    "福建": 1.41,
    "山东": 2.90,
    "广东": 22.01,
    "海南": 0.48,
    "四川": 1.85,
}


@pytest.fixture
def trade(report_store: Engine) -> pl.DataFrame:
    return rep.load(report_store).trade


def _total_row(trade: pl.DataFrame) -> dict[str, float]:
    row = rep.table2(trade).filter(pl.col("ref_area") == rep.TOTAL_12).row(0, named=True)
    return {k: float(row[k]) for k in ("T", "gT", "X", "gX", "M", "gM", "share_T")}


def test_nation_is_china_in_table1(trade: pl.DataFrame) -> None:
    assert rep.nation(trade) == {"T": 3727.07, "X": 2105.37, "M": 1621.70}


def test_total12_growth_rates_match_the_printed_row(trade: pl.DataFrame) -> None:
    total = _total_row(trade)
    for key in ("gT", "gX", "gM"):
        assert round(total[key], 2) == PRINTED_TOTAL12[key]


def test_total12_values_match_within_the_rounding_of_twelve_printed_figures(
    trade: pl.DataFrame,
) -> None:
    total = _total_row(trade)
    assert round(total["M"], 2) == 1531.83
    # the sums of the printed (rounded) figures; the report added unrounded ones
    assert round(total["T"], 2) == 3545.23
    assert round(total["X"], 2) == 2013.38
    bound = 12 * 0.005
    for key in ("T", "X", "M"):
        assert abs(total[key] - PRINTED_TOTAL12[key]) <= bound


def test_total12_growth_uses_previous_values_implied_by_published_growth(
    trade: pl.DataFrame,
) -> None:
    t2 = rep.table2(trade).filter(pl.col("ref_area") != rep.TOTAL_12)
    prior = sum(v / (1 + g / 100) for v, g in zip(t2["T"], t2["gT"], strict=True))
    assert _total_row(trade)["gT"] == pytest.approx((t2["T"].sum() / prior - 1) * 100)


def test_province_shares_of_the_nation(trade: pl.DataFrame) -> None:
    t2 = rep.table2(trade)
    shares = dict(zip(t2["name"], t2["share_T"], strict=True))
    assert {k: round(shares[k], 2) for k in PROVINCE_SHARES} == PROVINCE_SHARES
    assert round(shares[rep.TOTAL_12], 2) == 95.12


def test_regional_shares_and_balances(trade: pl.DataFrame) -> None:
    regions = rep.regions(trade)
    assert regions["ref_area"].to_list() == ["EAST", "CENTRAL", "WEST", "NORTHEAST"]
    assert [round(s, 1) for s in regions["share_T"]] == regions["share_printed"].to_list()
    assert [round(s, 1) for s in regions["share_T"]] == [91.1, 2.3, 4.1, 2.5]
    assert [round(b, 1) for b in regions["B_computed"]] == [433.1, 8.3, 41.0, 1.3]
    assert regions["B"].to_list() == [433.1, 8.2, 41.0, 1.3]  # 中部 printed 8.2


@pytest.mark.parametrize(
    ("park", "flow", "v2020", "v2022"),
    [
        ("DSEB06", "T", 21.41, 53.93),
        ("DSEB06", "X", 21.41, 24.63),
        ("DSEB03", "T", 27.30, 38.36),
        ("DSEB03", "X", 20.15, 31.58),
        ("DSEB12", "T", 33.61, 36.03),
        ("DSEB09", "X", 0.99, 13.16),
        ("DSEB05", "T", 11.32, 12.04),
    ],
)
def test_bases_growth_2020_to_2022(
    trade: pl.DataFrame, park: str, flow: str, v2020: float, v2022: float
) -> None:
    row = rep.table3(trade).filter((pl.col("ref_area") == park) & (pl.col("flow") == flow))
    assert row["cagr"][0] == pytest.approx(((v2022 / v2020) ** 0.5 - 1) * 100)
    assert row["growth_total"][0] == pytest.approx((v2022 / v2020 - 1) * 100)


def test_hangzhou_base_printed_growth_figures(trade: pl.DataFrame) -> None:
    row = rep.table3(trade).filter((pl.col("ref_area") == "DSEB06") & (pl.col("flow") == "T"))
    assert round(row["cagr"][0], 2) == 58.71
    assert round(row["growth_total"][0], 2) == 151.89
    assert round(row["g2022"][0], 2) == 63.57


def test_base_output_growth(report_store: Engine) -> None:
    t4 = rep.table4(rep.load(report_store).output)
    zgc = t4.filter(pl.col("ref_area") == "DSEB01").row(0, named=True)
    assert (zgc["v2020"], zgc["v2022"]) == (3366.0, 4759.0)
    assert round(zgc["cagr"], 2) == 18.91
    assert round(zgc["growth_total"], 2) == 41.38
    assert t4["ref_area"].to_list()[0] == "DSEB01"


def test_shares_of_world_exports_given_the_reports_world_total(trade: pl.DataFrame) -> None:
    figures = rep.headline(trade, rep.REPORT_WORLD_EXPORTS)
    shares = {
        c: round(figures[f"share_world_X_{c}"], 2) for c in ("USA", "GBR", "IRL", "DEU", "JPN")
    }
    assert shares == {"USA": 16.00, "GBR": 9.22, "IRL": 7.88, "DEU": 5.78, "JPN": 2.86}


def test_shares_of_world_exports_given_unctads_world_total(international_store: Engine) -> None:
    data = rep.load(international_store)
    assert data.world_unctad == pytest.approx(40_839.64)
    figures = rep.headline(data.trade, data.world_unctad)
    shares = {
        c: round(figures[f"share_world_X_{c}"], 2) for c in ("USA", "GBR", "IRL", "DEU", "JPN")
    }
    assert shares == {"USA": 16.06, "GBR": 9.26, "IRL": 7.91, "DEU": 5.80, "JPN": 2.87}


def test_table1_keeps_the_reports_order(trade: pl.DataFrame) -> None:
    t1 = rep.table1(trade)
    assert t1["name"].to_list() == [
        "美国",
        "爱尔兰",
        "英国",
        "德国",
        "中国",
        "荷兰",
        "印度",
        "法国",
        "新加坡",
        "日本",
    ]
