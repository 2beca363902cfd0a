"""MOFCOM services-trade releases: the transcribed sample and the demo file load as printed;
months are derived from year-to-date figures; published growth sits next to computed growth."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.compute import releases
from shumao.errors import ImportRejected
from shumao.ingest.pipeline import run_import
from shumao.query import select

DATA = Path(__file__).resolve().parents[1] / "data" / "mofcom_services"
DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "mofcom_services"


def _value(frame: pl.DataFrame, **key: str) -> float:
    rows = frame.filter(*(pl.col(k) == v for k, v in key.items()))
    assert rows.height == 1, rows
    return float(rows["value"][0])


def test_the_sample_loads_as_printed(engine: Engine) -> None:
    result = run_import(engine, "mofcom-services", DATA / "services_trade_releases_sample.csv")
    assert result.rows == 30 + 25  # 30 figures, 25 of them with a published growth
    frame = select(engine, "MOFCOM_SERVICES")
    assert _value(frame, product="S", flow="T", indicator="CUM", time_period="2022-11") == 54046.1
    assert (
        _value(frame, product="S", flow="T", indicator="CUM_GROWTH", time_period="2022-11") == 15.6
    )
    assert _value(frame, product="S", flow="B", indicator="CUM", time_period="2021-07") == -1347.5
    assert _value(frame, product="KIS", flow="T", indicator="VALUE", time_period="2021") == 23259
    usd = frame.filter((pl.col("time_period") == "2022") & (pl.col("indicator") == "VALUE"))
    assert usd.select("unit", "unit_mult", "value").row(0) == ("USD", 8, 8891.0)


def test_a_month_is_the_difference_of_two_year_to_date_figures(engine: Engine) -> None:
    run_import(engine, "mofcom-services", DEMO / "services_trade_releases.csv")
    frame = select(engine, "MOFCOM_SERVICES")
    months = releases.monthly_from_cumulative(frame)
    # 2021-01/07 28,093.6 − 2021-01/06 23,774.4 = 4,319.2, exactly the month MOFCOM published
    july = _value(months, product="S", flow="T", time_period="2021-07")
    assert july == pytest.approx(4319.2)
    assert _value(frame, product="S", flow="T", indicator="VALUE", time_period="2021-07") == 4319.2
    # 2023: 1–4, 1–5, 1–6, 1–7 give May, June and July; April has no 1–3 figure: not derived
    derived = months.filter(
        (pl.col("product") == "S")
        & (pl.col("flow") == "T")
        & pl.col("time_period").str.starts_with("2023")
    )
    assert derived["time_period"].to_list() == ["2023-05", "2023-06", "2023-07"]
    assert _value(derived, time_period="2023-06") == pytest.approx(31358.4 - 26055.4)


def test_published_growth_beside_computed_growth(engine: Engine) -> None:
    run_import(engine, "mofcom-services", DEMO / "services_trade_releases.csv")
    table = releases.growth_table(select(engine, "MOFCOM_SERVICES"))
    row = table.filter(
        (pl.col("product") == "S")
        & (pl.col("flow") == "T")
        & (pl.col("indicator") == "CUM")
        & (pl.col("time_period") == "2023-07")
    )
    published, computed = row.select("published_growth", "computed_growth").row(0)
    assert published == 8.1
    assert computed == pytest.approx((36669.1 / 33922.1 - 1) * 100)  # 8.10 from 2022-01/07
    annual = table.filter(
        (pl.col("product") == "S")
        & (pl.col("flow") == "T")
        & (pl.col("time_period") == "2021")
        & (pl.col("indicator") == "VALUE")
    )
    assert annual["computed_growth"][0] == pytest.approx((52982.7 / 45642.7 - 1) * 100)
    assert annual["published_growth"][0] == 16.1
    # 2022 is printed in 亿美元, 2021 in 亿元: no computed growth across units
    usd = table.filter(
        (pl.col("product") == "S")
        & (pl.col("time_period") == "2022")
        & (pl.col("indicator") == "VALUE")
        & (pl.col("flow") == "T")
    )
    assert usd["computed_growth"][0] is None and usd["published_growth"][0] == 8.3


def test_a_cumulative_span_that_does_not_start_in_january_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "period,span,measure,flow,value,unit\n"
        "2023-01/2023-07,cumulative,服务进出口,total,36669.1,亿元\n"
        "2023-02/2023-07,cumulative,服务进出口,export,15385,亿元\n"
        "2023-07,cumulative,知识密集型服务,total,1,亿元\n"
        "2023,year,数字魔法服务,total,1,亿元\n",
        encoding="gb18030",
    )
    with pytest.raises(ImportRejected) as err:
        run_import(engine, "mofcom-services", bad)
    found = [
        (f.code, f.row, f.column) for f in err.value.report.findings if f.severity.value == "error"
    ]
    assert found == [
        ("period-span-invalid", 3, "period"),
        ("period-span-invalid", 4, "period"),
        ("code-unknown", 5, "measure"),
    ]
    assert select(engine, "MOFCOM_SERVICES").is_empty()


def test_the_digitally_deliverable_totals_of_2015_and_2023(engine: Engine) -> None:
    """2015: MOFCOM's "$200 billion" (rounded; eng.yidaiyilu.gov.cn); 2023: $387.5 billion,
    printed beside 2.72 万亿元 and +8.5 % in yuan (ecns.cn, MOFCOM's digital-trade report of
    2024). The yuan growth is not the dollar growth: none is stored beside the dollar figure,
    and the growth computed from 2022's 3,727.07 亿美元 is the dollar one."""
    run_import(engine, "mofcom-services", DEMO / "services_trade_releases.csv")
    dd = select(engine, "MOFCOM_SERVICES").filter(
        (pl.col("product") == "DD") & (pl.col("flow") == "T") & (pl.col("indicator") == "VALUE")
    )
    annual = dict(dd.select("time_period", "value").iter_rows())
    assert {y: annual[y] for y in ("2015", "2022", "2023", "2024")} == {
        "2015": 2000.0,
        "2022": 3727.07,
        "2023": 3875.0,
        "2024": 4067.2,
    }
    assert set(dd["unit"]) == {"USD"}
    growth = releases.growth_table(dd).filter(pl.col("time_period") == "2023")
    assert growth["published_growth"].to_list() == [None]
    assert growth["computed_growth"].to_list() == [pytest.approx((3875 / 3727.07 - 1) * 100)]
