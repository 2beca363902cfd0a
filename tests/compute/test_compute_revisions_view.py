"""The report's figures next to UNCTAD's and WTO's."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.compute import report2022 as rep
from shumao.compute import revisions_view as rv


def test_china_2022_exports_report_vs_unctad_and_wto(international_store: Engine) -> None:
    data = rep.load(international_store)
    sources = rv.load_sources(international_store, "2022", ["CHN", "USA", "DEU"])
    view = rv.compare(data.trade, sources)
    china_x = {
        r["source"]: r
        for r in view.filter((pl.col("ref_area") == "CHN") & (pl.col("flow") == "X")).iter_rows(
            named=True
        )
    }
    assert china_x["UNCTAD"]["report"] == 2105.37
    assert china_x["UNCTAD"]["value"] == pytest.approx(2070.07)  # 207,007 USD mn
    assert china_x["UNCTAD"]["diff"] == pytest.approx(-35.30)
    assert china_x["UNCTAD"]["diff_pct"] == pytest.approx((2070.07 / 2105.37 - 1) * 100)
    assert china_x["WTO"]["value"] == pytest.approx(1999.478954)  # 199,947.8954 USD mn
    assert china_x["WTO"]["diff"] == pytest.approx(1999.478954 - 2105.37)


def test_totals_are_exports_plus_imports_and_gaps_stay_empty(international_store: Engine) -> None:
    data = rep.load(international_store)
    view = rv.compare(data.trade, rv.load_sources(international_store, "2022", ["CHN", "DEU"]))
    china_t = view.filter(
        (pl.col("ref_area") == "CHN") & (pl.col("flow") == "T") & (pl.col("source") == "UNCTAD")
    ).row(0, named=True)
    assert china_t["value"] == pytest.approx(2070.07 + 1571.58)
    germany_wto = view.filter((pl.col("ref_area") == "DEU") & (pl.col("source") == "WTO"))
    assert germany_wto.height == 3 and germany_wto["value"].is_null().all()
