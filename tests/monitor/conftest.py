"""Fixtures of the monitoring tests: stores loaded with the real demo files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from shumao.ingest.pipeline import run_import
from shumao.monitor import tables as t
from shumao.monitor.hooks import after_commit

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
FILES = {
    "report2": ("report2022", "report2022/table2_provinces_2022.csv"),
    "report3": ("report2022", "report2022/table3_bases_2020_2022.csv"),
    "report4": ("report2022", "report2022/table4_base_output_2020_2022.csv"),
    "report1": ("report2022", "report2022/table1_global_economies_2022.csv"),
    "services": ("mofcom-services", "mofcom_services/services_trade_releases.csv"),
    "unctad": ("unctad-panel", "unctad_dds_country_year_panel_2010_2023.csv"),
    "wto": ("wto-dds", "wto_dds_china_usa_2005_2025.csv"),
    "nbs": ("nbs-provinces", "nbs_province_ecommerce_internet_2015_2024.csv"),
}
Load = Callable[..., None]


@pytest.fixture
def load(engine: Engine) -> Load:
    """``load("report2", "report3")``: import real demo files (each import runs the rules)."""

    def _load(*names: str) -> None:
        for name in names:
            source, file = FILES[name]
            run_import(engine, source, DEMO / file, after=after_commit)

    return _load


def alerts_of(engine: Engine, rule: str | None = None) -> list[dict]:
    stmt = select(t.alert).order_by(t.alert.c.id)
    if rule:
        stmt = stmt.where(t.alert.c.rule_code == rule)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]
