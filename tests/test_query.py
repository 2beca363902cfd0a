"""`shumao.query`: names in filters, unit conversion with the exchange-rate table."""

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.query import convert_units, select
from shumao.reference import units
from shumao.storage import vintages


def _load(engine: Engine) -> None:
    frame = pl.DataFrame(
        {
            "ref_area": ["320000", "320000", "310000"],
            "indicator": ["ECOM_SALES"] * 3,
            "freq": ["A"] * 3,
            "time_period": ["2022", "2023", "2022"],
            "value": [6726.1, 7046.7, 100.0],
            "unit": ["CNY"] * 3,
            "unit_mult": [8, 8, 8],
        }
    )
    with engine.begin() as conn:
        vintages.write_vintage(conn, dataflow_id="NBS_PROV", frame=frame)


def test_filters_accept_chinese_names(engine: Engine) -> None:
    _load(engine)
    rows = select(engine, "NBS_PROV", where={"ref_area": ["江苏"]})
    assert rows["ref_area"].unique().to_list() == ["320000"]
    assert rows["value"].to_list() == [6726.1, 7046.7]


def test_cny_converts_to_usd_with_the_year_s_rate(engine: Engine) -> None:
    _load(engine)
    rows = select(engine, "NBS_PROV", where={"ref_area": ["江苏省"]}, unit="亿美元")
    assert rows["value"].to_list() == pytest.approx([1000.0, 1000.0], rel=1e-4)  # 6.7261, 7.0467
    assert rows["unit"].unique().to_list() == ["USD"]
    assert rows["unit_mult"].unique().to_list() == [8]


def test_non_money_rows_keep_their_unit() -> None:
    frame = pl.DataFrame(
        {"time_period": ["2022"], "value": [12.5], "unit": ["PCT"], "unit_mult": [0]},
        schema_overrides={"unit_mult": pl.Int16},
    )
    out = convert_units(frame, units.parse("亿美元"))
    assert out.row(0) == ("2022", 12.5, "PCT", 0)
