"""Fixtures of the export-base tests: a store with the 2022 report's base tables and the
registry seeded; scopes of every kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.auth.scope import Scope
from shumao.bases import registry
from shumao.ingest.pipeline import run_import

REPORT_TABLES = (
    "table2_provinces_2022.csv",
    "table3_bases_2020_2022.csv",
    "table4_base_output_2020_2022.csv",
)


@pytest.fixture
def report_store(engine: Engine, demo_data: Path) -> Engine:
    for name in REPORT_TABLES:
        run_import(engine, "report2022", demo_data / "report2022" / name)
    with engine.begin() as conn:
        registry.seed_first_batch(conn)
    return engine


@pytest.fixture
def ministry() -> Scope:
    return Scope.of("mofcom", "ministry")


@pytest.fixture
def admin() -> Scope:
    return Scope.of("root", "admin")
