"""Shared fixtures: a clean, migrated store per test on SQLite (default) or PostgreSQL.

Set ``SHUMAO_TEST_DATABASE_URL`` to an admin URL of a PostgreSQL server (e.g.
``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``) to run the whole suite there:
a fresh database is created for the session and emptied before every test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, inspect, text

from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_database

hypothesis_settings.register_profile("shumao", deadline=None)
hypothesis_settings.load_profile("shumao")
"""No time limit per Hypothesis example: timed asserts do not belong in tests (speed lives in
benchmarks/), and on a machine shared by many test runs a 200 ms deadline failed at random."""

ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA = ROOT / "demo" / "data"
TEST_DATA = Path(__file__).parent / "data"
SPECIMENS = Path(__file__).parent / "specimens"
PG_ADMIN_URL = os.environ.get("SHUMAO_TEST_DATABASE_URL", "")
os.environ["SHUMAO_RELEASE_WORKER"] = "off"
"""No release worker in the web apps of the tests: they write to the store behind the app's
back, and the tests that need the worker run its rounds themselves (``worker.tick``) with the
clock they choose, or start it explicitly."""


@pytest.fixture(scope="session")
def demo_data() -> Path:
    """The real public datasets shipped for the demo (demo/ATTRIBUTION.md)."""
    return DEMO_DATA


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Reference-method inputs (HB, disclosure control, COINr) kept for tests (data/ATTRIBUTION.md)."""
    return TEST_DATA


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per session; return the URL tests start from."""
    if PG_ADMIN_URL:
        with scratch_database(PG_ADMIN_URL, "shumao_test") as url:
            engine = make_engine(url=url)
            upgrade(engine)
            engine.dispose()
            yield url
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(url=f"sqlite:///{path}")
        upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield str(path)


@pytest.fixture
def db_url(_template_store: str, tmp_path: Path) -> str:
    """URL of a clean, migrated store for this test."""
    if PG_ADMIN_URL:
        engine = make_engine(url=_template_store)
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        names = ", ".join(f'"{t}"' for t in tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        upgrade(engine)  # re-syncs the shipped dataflow definitions
        engine.dispose()
        return _template_store
    path = tmp_path / "shumao.db"
    shutil.copyfile(_template_store, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(url=db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for running the ``shumao`` CLI against this test's store."""
    env = dict(os.environ)
    env.update(
        SHUMAO_DATABASE_URL=db_url,
        SHUMAO_DATA_DIR=str(tmp_path / "data"),
        SHUMAO_ENVIRONMENT="test",
    )
    return env


@pytest.fixture
def cbec_vintages(engine: Engine, demo_data: Path) -> dict[str, int]:
    """The customs cross-border e-commerce releases loaded in release order: file → vintage."""
    from shumao.ingest.pipeline import run_import
    from shumao.ingest.sources.customs_cbec import release_files

    loaded = {
        f.name: run_import(engine, "customs-cbec", f)
        for f in release_files(demo_data / "customs_cbec")
    }
    assert all(r.report.ok and r.vintage_id for r in loaded.values())
    return {name: int(r.vintage_id or 0) for name, r in loaded.items()}


@pytest.fixture
def province_vintages(
    engine: Engine, demo_data: Path, cbec_vintages: dict[str, int]
) -> dict[str, int]:
    """The provinces' own cross-border e-commerce releases (dataflow ``PROVINCE_CBEC``) loaded
    in release order after customs' (their shares need the nation's figures): file → vintage."""
    from shumao.ingest.pipeline import run_import
    from shumao.ingest.sources.customs_cbec import release_files

    loaded = {
        f.name: run_import(engine, "province-cbec", f)
        for f in release_files(demo_data / "province_cbec")
    }
    assert all(r.report.ok and r.vintage_id for r in loaded.values())
    return {name: int(r.vintage_id or 0) for name, r in loaded.items()}
