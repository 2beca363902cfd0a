"""Fixtures of the report tests: a store with the data the 2022 report is built from (the
report's own tables, UNCTAD's digitally-deliverable series, WTO's digitally-delivered services),
and the report built once per module in all four formats."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from shumao.ingest.pipeline import run_import
from shumao.ingest.sources.customs_cbec import release_files
from shumao.report.build import Request, Result, build
from shumao.storage.engine import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
PASSAGES = DEMO / "report" / "2022" / "passages"
REPORT_TEXT = DEMO / "policy" / "003_8d6488d23d7442a0.txt"
REPORT_TRADITIONAL = DEMO / "policy" / "004_d8569b85336205b1.txt"
CBEC_AS_PRINTED = "2023-04-11_cbec_2022_preliminary.csv"
"""The last customs release before the 2022 report: its 跨境电商 figures (2.11万亿元, +9.8%)."""


def load_report_data(engine: Engine) -> Engine:
    data = DEMO / "data"
    run_import(engine, "unctad-sdmx", data / "unctad_digital_economy_raw_export.csv")
    run_import(engine, "wto-dds", data / "wto_dds_china_usa_2005_2025.csv")
    for path in sorted((data / "report2022").glob("*.csv")):
        run_import(engine, "report2022", path)
    for path in release_files(data / "customs_cbec"):  # the customs releases the report team had
        if path.name <= CBEC_AS_PRINTED:
            run_import(engine, "customs-cbec", path)
    return engine


@pytest.fixture
def report_engine(engine: Engine) -> Engine:
    return load_report_data(engine)


def request_for(out: Path, **changes: object) -> Request:
    base: dict[str, object] = {
        "year": 2022,
        "passages": PASSAGES,
        "out_dir": out,
        "cache_dir": out.parent / "cache",
        "link_base": "http://h",
    }
    base.update(changes)
    return Request(**base)  # type: ignore[arg-type]


@dataclass
class Built:
    result: Result
    engine_url: str
    out: Path

    def path(self, fmt: str) -> Path:
        return self.result.files[fmt]


def _fresh_url(template_store: str, folder: Path) -> str:
    """A clean store (as the ``db_url`` fixture makes, but for a whole module)."""
    if template_store.startswith("postgresql"):
        engine = make_engine(url=template_store)
        names = ", ".join(
            f'"{t}"' for t in inspect(engine).get_table_names() if t != "alembic_version"
        )
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        upgrade(engine)
        engine.dispose()
        return template_store
    path = folder / "shumao.db"
    shutil.copyfile(template_store, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def built(_template_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The 2022 report in all four formats, built once for the module's tests."""
    folder = tmp_path_factory.mktemp("report")
    url = _fresh_url(_template_store, folder)
    engine = make_engine(url=url)
    try:
        load_report_data(engine)
        result = build(engine, request_for(folder / "out"))
        yield Built(result, url, folder / "out")
    finally:
        engine.dispose()
