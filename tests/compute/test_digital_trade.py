"""The Handbook's framework (ordered + delivered − overlap) and the cross-border e-commerce indicators."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from shumao.compute import cbec, indicators
from shumao.compute.digital_trade import Interval, OverlapError, combine, framework, part_of
from shumao.ingest.pipeline import run_import
from shumao.query import select

PRELIMINARY_2022 = "2023-04-11_cbec_2022_preliminary.csv"


def test_the_framework_says_which_part_each_series_measures() -> None:
    cells = {c.id: c for c in framework()}
    assert list(cells) == ["DO_GOODS", "DO_SERVICES", "OVERLAP", "DD_SERVICES", "DD_GOODS"]
    cell, how = part_of("CUSTOMS_CBEC", "CBEC")  # type: ignore[misc]
    assert (cell.id, cell.part, how.coverage) == ("DO_GOODS", "ordered", "lower")
    assert [
        (c.id, h.coverage)
        for c, h in [
            part_of("WTO_DDS", "DDS"),
            part_of("MOFCOM_REPORT", "DD"),  # type: ignore[misc]
            part_of("ENT_CBEC"),
        ]
    ] == [  # type: ignore[list-item]
        ("DD_SERVICES", "estimate"),
        ("DD_SERVICES", "upper"),
        ("DO_GOODS", "lower"),
    ]
    assert part_of("NBS_PROV", "ECOM_SALES") is None  # e-commerce sales are not digital trade
    assert cells["OVERLAP"].sources == () and cells["DD_GOODS"].fixed == 0


def test_overlap_rule_known_parts() -> None:
    # ordered goods 100, ordered services 50 of which 20 were also delivered digitally,
    # delivered services 300: 100 + 50 + 300 − 20 = 430
    got = combine(
        ordered_goods=Interval.exact(100),
        ordered_services=Interval.exact(50),
        delivered=Interval.exact(300),
        overlap=Interval.exact(20),
    )
    assert got.total == Interval(430, 430)
    assert got.ordered == Interval(150, 150)


def test_overlap_unknown_gives_bounds() -> None:
    got = combine(
        ordered_goods=Interval.exact(100),
        ordered_services=Interval.exact(50),
        delivered=Interval.exact(300),
    )
    assert got.overlap == Interval(0, 50)
    assert got.total == Interval(400, 450)  # the larger service part … their sum
    unmeasured = combine(ordered_goods=Interval.exact(100), delivered=Interval.exact(300))
    assert unmeasured.total.lo == 400 and math.isinf(unmeasured.total.hi)


def test_overlap_cannot_exceed_a_part() -> None:
    with pytest.raises(OverlapError, match="重叠部分"):
        combine(
            ordered_goods=Interval.exact(0),
            ordered_services=Interval.exact(50),
            delivered=Interval.exact(300),
            overlap=Interval.exact(60),
        )


@given(og=st.floats(0, 1e4), os_=st.floats(0, 1e4), dd=st.floats(0, 1e4), frac=st.floats(0, 1))
def test_total_lies_between_the_larger_part_and_the_sum(
    og: float, os_: float, dd: float, frac: float
) -> None:
    exact = combine(
        ordered_goods=Interval.exact(og),
        ordered_services=Interval.exact(os_),
        delivered=Interval.exact(dd),
        overlap=Interval.exact(frac * min(os_, dd)),
    )
    bounds = combine(
        ordered_goods=Interval.exact(og),
        ordered_services=Interval.exact(os_),
        delivered=Interval.exact(dd),
    )
    assert bounds.total.lo - 1e-6 <= exact.total.lo <= bounds.total.hi + 1e-6
    assert og + max(os_, dd) - 1e-6 <= exact.total.lo <= og + os_ + dd + 1e-6


def test_measured_digital_trade_2022_in_usd(
    engine: Engine, demo_data: Path, cbec_vintages: dict[str, int]
) -> None:
    """2022 as the report printed it: 跨境电商 2.11万亿元 (preliminary) and WTO's delivered services."""
    run_import(engine, "wto-dds", demo_data / "wto_dds_china_usa_2005_2025.csv")
    cb = select(
        engine,
        "CUSTOMS_CBEC",
        where={"ref_area": ["CHN"], "product": ["CBEC"], "flow": ["T"], "indicator": ["VALUE"]},
        start="2022",
        end="2022",
        unit="亿美元",
        as_of=cbec_vintages[PRELIMINARY_2022],
    )
    dds = select(
        engine,
        "WTO_DDS",
        where={"ref_area": ["CHN"], "product": ["DDS"], "counterpart_area": ["WLD"]},
        start="2022",
        end="2022",
        unit="亿美元",
    )
    delivered = float(
        dds.filter(pl.col("flow") == "X")["value"][0]
        + dds.filter(pl.col("flow") == "M")["value"][0]
    )
    got = combine(
        ordered_goods=Interval.at_least(float(cb["value"][0])), delivered=Interval.exact(delivered)
    )
    assert round(got.ordered.lo, 2) == 3137.03  # 21100亿元 / 6.7261
    assert got.total.lo == pytest.approx(3137.03 + delivered, abs=0.01)
    assert math.isinf(got.total.hi)  # digitally ordered services are not measured


def test_share_of_goods_and_partner_structure(
    engine: Engine, cbec_vintages: dict[str, int]
) -> None:
    frame = select(engine, "CUSTOMS_CBEC", start="2022", end="2022")
    share = indicators.compute("CBEC_SHARE_GOODS", frame)
    by_flow = {r["flow"]: round(r["value"], 2) for r in share.iter_rows(named=True)}
    assert by_flow == {"T": 4.99, "X": 6.38, "M": 2.92}  # published: 4.9, 6.4, 2.9
    first = select(
        engine, "CUSTOMS_CBEC", start="2022", end="2022", as_of=cbec_vintages[PRELIMINARY_2022]
    )
    t = indicators.compute("CBEC_SHARE_GOODS", first).filter(pl.col("flow") == "T")
    assert round(t["value"][0], 2) == 5.02  # 2.11 / 42.07
    exports = cbec.partner_structure(frame, flow="X", year="2022")
    assert exports.rows() == [
        ("USA", 34.3, "published", ""),
        ("GBR", 6.5, "published", ""),
        ("DEU", 4.6, "published", ""),
        ("MYS", 3.9, "published", ""),
        ("RUS", 2.9, "published", ""),
        ("OTHER", 47.8, "computed", ""),
    ]
    assert cbec.partner_structure(frame, flow="T", year="2022").rows() == [
        ("BRI", 50.0, "grouping", "lower")
    ]


def test_mode_and_province_shares(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "modes.csv"
    path.write_text(
        "发布日期,年份,地区,伙伴,监管方式,流向,指标,数值,单位,口径,来源\n"
        "2025-01-01,2024,全国,全球,合计,出口,金额,200,亿元,统计调查,x\n"
        "2025-01-01,2024,全国,全球,9710,出口,金额,50,亿元,统计调查,x\n"
        "2025-01-01,2024,全国,全球,9810,出口,金额,30,亿元,统计调查,x\n"
        "2025-01-01,2024,浙江,全球,合计,出口,金额,40,亿元,统计调查,x\n",
        encoding="utf-8",
    )
    run_import(engine, "customs-cbec", path)
    frame = select(engine, "CUSTOMS_CBEC")
    modes = indicators.compute("CBEC_MODE_SHARE", frame)
    assert dict(zip(modes["product"], modes["value"], strict=True)) == {"9710": 25.0, "9810": 15.0}
    prov = indicators.compute("CBEC_PROVINCE_SHARE", frame)
    assert prov.select("ref_area", "value").rows() == [("330000", 20.0)]
