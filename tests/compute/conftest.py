"""Fixtures of the aggregation / indicator / disclosure tests: frame factories and the 2022
report's tables imported through the real pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from shumao.storage.vintages import conform

Obs = Callable[..., pl.DataFrame]


def make_obs(rows: list[dict[str, Any]] | None = None, **defaults: Any) -> pl.DataFrame:
    """A tidy frame (``FRAME_SCHEMA``); every row takes ``defaults`` unless it overrides them."""
    base: dict[str, Any] = {
        "ref_area": "CHN",
        "counterpart_area": "WLD",
        "product": "DD",
        "flow": "X",
        "indicator": "VALUE",
        "freq": "A",
        "time_period": "2022",
        "value": 1.0,
        "unit": "USD",
        "unit_mult": 8,
        "obs_status": "A",
    }
    base.update(defaults)
    return conform(pl.DataFrame([{**base, **row} for row in (rows or [{}])]))


@pytest.fixture
def obs() -> Obs:
    return make_obs


@pytest.fixture
def report_store(engine: Engine, demo_data: Path) -> Engine:
    """A store holding the 2022 report's tables, imported with source ``report2022``."""
    for path in sorted((demo_data / "report2022").glob("*.csv")):
        run_import(engine, "report2022", path)
    return engine


@pytest.fixture
def international_store(report_store: Engine, demo_data: Path) -> Engine:
    """The report's tables plus UNCTAD's panel and WTO's DDS file."""
    trade = demo_data
    run_import(report_store, "unctad-panel", trade / "unctad_dds_country_year_panel_2010_2023.csv")
    run_import(report_store, "wto-dds", trade / "wto_dds_china_usa_2005_2025.csv")
    return report_store
