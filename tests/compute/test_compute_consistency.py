"""Arithmetic checks of official tables: the 2022 report's tables pass within rounding; a
changed figure is found, located and explained; the data are not changed."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.compute import consistency as cons
from shumao.compute.consistency import codes, growth, identities, intervals
from shumao.ingest.pipeline import run_import
from shumao.query import select
from shumao.validation.findings import catalogue

from .conftest import Obs


def test_codes_are_registered_with_the_table_prefix() -> None:
    assert all(code.startswith("table-") and code in catalogue() for code in codes.CODES)


def test_decimals_and_rounding_intervals() -> None:
    assert [intervals.decimals(v) for v in (96.2, 151.38, 3727.0, 0.005)] == [1, 2, 0, 3]
    span = intervals.Span.printed(96.2)
    assert (round(span.low, 6), round(span.high, 6)) == (96.15, 96.25)


def test_the_reports_tables_are_consistent_within_rounding(report_store: Engine) -> None:
    frame = select(report_store, "MOFCOM_REPORT")
    tally = codes.Tally({})
    report = cons.check_table(frame, file="MOFCOM_REPORT", tally=tally)
    assert [f for f in report.findings if f.code in codes.CODES] == []
    # what was looked at: 表1 (10) + 表2 (12) + regions (4) T = X + M; the regions' 顺差;
    # their totals against 中国; growth of T against X and M (表1, 表2); regions' shares
    assert tally.counts["table-flow-sum"] == 26
    assert tally.counts["table-balance"] == 4
    assert tally.counts["table-parts-total"] == 3
    assert tally.counts["table-growth-parts"] == 22
    assert tally.counts["table-share"] == 4


def test_central_regions_surplus_is_within_rounding(obs: Obs) -> None:
    # 中部: 顺差 8.2 printed, 47.1 − 38.8 = 8.3: one-decimal figures allow [8.2, 8.4]
    frame = obs(
        [{"flow": "X", "value": 47.1}, {"flow": "M", "value": 38.8}, {"flow": "B", "value": 8.2}],
        ref_area="CENTRAL",
    )
    assert identities.check_flows(frame) == []
    wrong = frame.with_columns(
        pl.when(pl.col("flow") == "B").then(7.9).otherwise(pl.col("value")).alias("value")
    )
    found = identities.check_flows(wrong, file="regions")
    assert [f.code for f in found] == ["table-balance"]
    assert "8.30" in found[0].message_zh and "CENTRAL" in found[0].message_en


def test_a_changed_total_is_found_and_the_data_kept(report_store: Engine) -> None:
    frame = select(report_store, "MOFCOM_REPORT")
    beijing_t = (
        (pl.col("ref_area") == "110000")
        & (pl.col("flow") == "T")
        & (pl.col("indicator") == "VALUE")
    )
    changed = frame.with_columns(
        pl.when(beijing_t).then(730.0).otherwise(pl.col("value")).alias("value")
    )
    report = cons.check_table(changed, file="MOFCOM_REPORT", history=False)
    assert report.codes == {"table-flow-sum", "table-growth-parts"}
    assert all(f.severity.value == "warning" for f in report.findings)
    assert changed.filter(beijing_t)["value"].to_list() == [730.0]


def test_precision_is_that_of_the_printed_column(obs: Obs) -> None:
    attrs = '{"table": "地区", "column": "顺差"}'
    frame = obs(
        [{"ref_area": "EAST", "value": 433.1}, {"ref_area": "WEST", "value": 41.0}],
        flow="B",
        attrs=attrs,
    )
    halves = identities.with_precision(frame)["_h"].to_list()
    assert halves == pytest.approx([0.05, 0.05])  # 41.0 was printed "41.0", not "41"


def test_printed_growth_against_two_periods(obs: Obs) -> None:
    frame = obs(
        [
            {"time_period": "2021", "value": 100.5},
            {"time_period": "2022", "value": 110.55},
            {
                "time_period": "2022",
                "indicator": "GROWTH_YOY",
                "value": 10.5,
                "unit": "PCT",
                "unit_mult": 0,
            },
        ]
    )
    found = growth.check_growth(frame)
    assert [f.code for f in found] == ["table-growth"]
    fine = frame.with_columns(
        pl.when(pl.col("indicator") == "GROWTH_YOY")
        .then(10.0)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    assert growth.check_growth(fine) == []


def test_growth_is_not_computed_across_units(obs: Obs) -> None:
    # MOFCOM printed 2021 in 亿元 (52,982.7) and 2022 in 亿美元 (8,891, +8.3%): no growth of 亿美元
    # over 亿元 can be computed, so the printed 8.3% is not "wrong" (it was: -83.22% computed)
    frame = obs(
        [
            {"time_period": "2021", "value": 52982.7, "unit": "CNY", "unit_mult": 8},
            {"time_period": "2022", "value": 8891.0, "unit": "USD", "unit_mult": 8},
            {
                "time_period": "2022",
                "indicator": "GROWTH_YOY",
                "value": 8.3,
                "unit": "PCT",
                "unit_mult": 0,
            },
        ]
    )
    assert growth.check_growth(frame) == []


def test_shares_against_values(obs: Obs) -> None:
    frame = obs(
        [
            {"ref_area": "EAST", "flow": "T", "value": 3396.5},
            {"ref_area": "CHN", "flow": "T", "value": 3727.07},
            {
                "ref_area": "EAST",
                "flow": "T",
                "indicator": "SHARE",
                "value": 92.1,
                "unit": "PCT",
                "unit_mult": 0,
            },
        ]
    )
    assert [f.code for f in cons.check_table(frame).findings] == ["table-share"]


def test_importing_an_official_table_reports_its_arithmetic_and_stores_it_as_printed(
    engine: Engine,
    demo_data: Path,
    tmp_path: Path,
) -> None:
    source = demo_data / "report2022" / "table2_provinces_2022.csv"
    changed = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    assert "上海,985.78," in text
    changed.write_text(text.replace("上海,985.78,", "上海,995.78,"), encoding="utf-8")

    result = run_import(engine, "report2022", changed)

    found = [f for f in result.report.findings if f.code == "table-flow-sum"]
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "995.78" in found[0].message_zh and "985.78" in found[0].message_zh
    stored = select(
        engine,
        "MOFCOM_REPORT",
        where={"ref_area": ["上海"], "flow": ["T"]},
        start="2022",
        end="2022",
    ).filter(pl.col("indicator") == "VALUE")
    assert stored.select("value", "unit", "unit_mult").rows() == [(995.78, "USD", 8)]


def test_importing_the_printed_table_gives_no_arithmetic_findings(
    engine: Engine,
    demo_data: Path,
) -> None:
    result = run_import(
        engine, "report2022", demo_data / "report2022" / "table2_provinces_2022.csv"
    )
    assert [f for f in result.report.findings if f.code.startswith("table-")] == []
