"""The index tests' store: the real demo datasets the three frameworks read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import

IMPORTS = (
    ("nbs-provinces", "nbs_province_ecommerce_internet_2015_2024.csv"),
    ("report2022", "report2022/table2_provinces_2022.csv"),
    ("report2022", "report2022/regions_2022.csv"),
    ("report2022", "report2022/table3_bases_2020_2022.csv"),
    ("report2022", "report2022/table4_base_output_2020_2022.csv"),
    ("unctad-panel", "unctad_dds_country_year_panel_2010_2023.csv"),
    ("wb-ict", "wdi_ict_service_exports_BX.GSR.CCIS.CD.csv"),
)


def load_index_data(engine: Engine, demo_data: Path) -> Engine:
    for source, name in IMPORTS:
        run_import(engine, source, demo_data / name)
    return engine


@pytest.fixture
def index_store(engine: Engine, demo_data: Path) -> Engine:
    return load_index_data(engine, demo_data)
