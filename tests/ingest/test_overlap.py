"""On PostgreSQL an import's checks run beside its write (``ingest.overlap``): rows reach the
database before the checks end. An error they find after that leaves the store exactly as it
was, and the findings are reported as ever (file, row, column; Chinese and English). Run
with ``SHUMAO_TEST_DATABASE_URL``; on SQLite (checks first, then the write) the imports'
outcome is asserted the same way.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Insert, func, insert, select

from shumao.config import get_settings
from shumao.errors import ImportRejected
from shumao.ingest import overlap, pipeline
from shumao.ingest.pipeline import run_import
from shumao.storage.tables import observation, series, vintage
from shumao.validation.findings import Report, finding
from shumao.validation.uscc import make

SPECIMENS = Path(__file__).parents[1] / "specimens" / "imports"
MAPPING = SPECIMENS / "ent_dds.yaml"
HEADER = "统一社会信用代码,企业名称,伙伴国家,服务类别,流向,期间,金额"
BAD_CODE = "91110108MA01ABCDE0"  # wrong check character (bad_uscc.csv)
WAIT_SECONDS = 60
"""A bound on waiting for the other thread, never a pause: the events end the waits."""


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store's data tables."""
    with engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for t in (vintage, series, observation)
        }


def filing(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def clean_rows(n: int) -> list[str]:
    return [f"{make(f'91330000{i:09d}')},企业{i},USA,SI2,出口,2023-Q1,{i}.5" for i in range(n)]


def checks_after_rows_sent(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., None] | None:
    """Hold the shared checks until a batch of rows has gone to the database; return the
    import's progress callback that says so. SQLite checks before it writes: nothing held."""
    if engine.dialect.name != "postgresql":
        return None
    sent = threading.Event()
    real = pipeline._check_codes

    def held(*args: Any, **kwargs: Any) -> None:
        assert sent.wait(WAIT_SECONDS), "the checks ran before any row went to the database"
        real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_check_codes", held)

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "write" and done >= 1:
            sent.set()

    return progress


def ignore(*_: object) -> None:
    """No ``finish`` step."""


def a_vintage(rows: int) -> Insert:
    return insert(vintage).values(
        dataflow_id="UNCTAD_DDS", created_at=datetime.now(UTC), kind="import", rows=rows
    )


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    run_import(engine, "tidy", SPECIMENS / "baseline.csv", options={"mapping": MAPPING})
    return engine


def rejected_late(engine: Engine, bad: Path, monkeypatch: pytest.MonkeyPatch) -> ImportRejected:
    """Import ``bad`` one row per batch, its checks held until rows went to the database;
    the rejection."""
    progress = checks_after_rows_sent(engine, monkeypatch)
    settings = get_settings().model_copy(update={"batch_rows": 1})
    with pytest.raises(ImportRejected) as rejected:
        run_import(
            engine, "tidy", bad, options={"mapping": MAPPING}, settings=settings, progress=progress
        )
    return rejected.value


def test_an_error_found_after_rows_went_to_the_database_leaves_it_as_it_was(
    loaded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = clean_rows(40)
    rows[-1] = rows[-1].replace(rows[-1].split(",")[0], BAD_CODE)
    before = snapshot(loaded)
    rejected = rejected_late(loaded, filing(tmp_path / "late_error.csv", rows), monkeypatch)

    [error] = rejected.report.errors
    assert (error.code, error.row, error.column, error.value) == (
        "uscc-invalid",
        41,
        "统一社会信用代码",
        BAD_CODE,
    )
    assert error.file == "late_error.csv"
    assert "统一社会信用代码" in error.message_zh and "credit code" in error.message_en.lower()
    assert "未写入任何数据" in str(rejected)
    assert snapshot(loaded) == before
    good = filing(tmp_path / "good.csv", clean_rows(40))
    assert run_import(loaded, "tidy", good, options={"mapping": MAPPING}).rows == 40


def test_duplicate_keys_the_database_refuses_first_are_reported_as_findings(
    loaded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The duplicate rows break the primary key in the database while the checks are held:
    the import reports the checks' finding (rows 2 and 32), not the database's error."""
    rows = clean_rows(30)
    rows.append(rows[0].replace(",0.5", ",9.5"))
    before = snapshot(loaded)
    rejected = rejected_late(loaded, filing(tmp_path / "late_duplicate.csv", rows), monkeypatch)

    [error] = rejected.report.errors
    assert (error.code, error.row) == ("key-duplicate", 2)
    assert "2、32" in error.message_zh and "2、32" in error.message_en
    assert snapshot(loaded) == before


def test_the_write_stops_at_its_next_batch_once_the_checks_failed(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite checks before it writes")
    report = Report(source="x.csv")
    failed = threading.Event()

    def check() -> None:
        report.add(finding("file-empty", file="x.csv"))
        failed.set()
        raise ImportRejected(report)

    batches: list[int] = []

    def write(conn: Connection, step: overlap.Step) -> None:
        for n in range(1000):
            conn.execute(a_vintage(n))
            batches.append(n)
            step(1)
            assert failed.wait(WAIT_SECONDS)

    with pytest.raises(ImportRejected) as rejected:
        overlap.write_while_checking(engine, check=check, write=write, finish=ignore)

    assert rejected.value.report is report
    assert 1 <= len(batches) < 1000  # stopped at a batch after the checks had failed
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(vintage)).scalar_one() == 0


def test_a_write_that_fails_while_the_checks_pass_raises_its_own_error(engine: Engine) -> None:
    def write(conn: Connection, step: overlap.Step) -> None:
        conn.execute(a_vintage(1))
        step(1)
        raise RuntimeError("磁盘已满 / disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        overlap.write_while_checking(engine, check=lambda: 7, write=write, finish=ignore)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(vintage)).scalar_one() == 0


def test_the_vintage_records_the_files_sha256(engine: Engine, tmp_path: Path) -> None:
    """Computed in the checks' thread while the rows are written, stored before the commit."""
    good = filing(tmp_path / "good.csv", clean_rows(5))
    result = run_import(engine, "tidy", good, options={"mapping": MAPPING})
    with engine.connect() as conn:
        stored = conn.execute(
            select(vintage.c.source_sha256).where(vintage.c.id == result.vintage_id)
        ).scalar_one()
    assert stored == hashlib.sha256(good.read_bytes()).hexdigest()
