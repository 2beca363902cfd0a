"""跨境电商伙伴结构按带日期的集团（共建“一带一路”国家）: members at each period's end."""

from __future__ import annotations

import polars as pl

from shumao.compute import cbec, indicators
from shumao.storage.vintages import conform


def filings(period: str) -> pl.DataFrame:
    """One enterprise's exports of one quarter (万元) to Italy, Viet Nam, Senegal and the USA."""
    rows = [
        ("9710", "ITA", 40.0),
        ("9710", "VNM", 30.0),
        ("9610", "SEN", 10.0),
        ("9610", "USA", 20.0),
    ]
    return conform(
        pl.DataFrame(
            [
                {
                    "ref_area": "91320000MA1XXXXX0X",
                    "counterpart_area": p,
                    "product": m,
                    "flow": "X",
                    "indicator": "VALUE",
                    "freq": "Q",
                    "time_period": period,
                    "value": v,
                    "unit": "CNY",
                    "unit_mult": 4,
                }
                for m, p, v in rows
            ]
        )
    )


def bri_share(period: str) -> float:
    summed = cbec.from_enterprises(filings(period), area="320000")
    shares = indicators.compute("CBEC_GROUP_SHARE", summed).filter(
        (pl.col("product") == "CBEC") & (pl.col("counterpart_area") == "BRI")
    )
    return round(shares["value"].item(), 2)


def test_the_belt_and_road_share_follows_membership_at_the_quarter_end() -> None:
    # 2020: Italy (2019-03-23) and Senegal (2018-07-21) are members; Viet Nam's signing is
    # dated by no stored source, so it counts only from the official list (2023-08-24).
    assert bri_share("2020-Q4") == 50.0
    assert bri_share("2023-Q3") == 80.0  # + Viet Nam
    assert bri_share("2024-Q2") == 40.0  # Italy's MoU expired on 2024-03-22


def test_group_values_count_the_partners_and_never_the_world_row() -> None:
    summed = cbec.from_enterprises(filings("2023-Q4"), area="320000")
    grouped = cbec.group_values(summed).filter(pl.col("product") == "CBEC")
    assert grouped.select("counterpart_area", "value").row(0) == ("BRI", 80.0)
