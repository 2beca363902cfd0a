"""An import writes one vintage in one transaction: a failure or a kill in the middle of the
write leaves the store exactly as it was, and the next import works.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, select, text

from shumao.config import get_settings
from shumao.ingest.pipeline import run_import
from shumao.query import select as query
from shumao.storage import vintages
from shumao.storage.tables import observation, series, vintage
from shumao.validation.uscc import make

SPECIMENS = Path(__file__).parents[1] / "specimens" / "imports"
MAPPING = SPECIMENS / "ent_dds.yaml"
SHUMAO = Path(sys.executable).with_name("shumao")
BASELINE = {
    "ref_area": ["91110108MA01ABCDEN"],
    "counterpart_area": ["USA"],
    "product": ["SI2"],
    "flow": ["X"],
}
POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 600


def store_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (observation, series, vintage)
        }


def baseline_value(engine: Engine) -> float:
    frame = query(engine, "ENT_DDS", where=BASELINE, start="2022-Q4", end="2022-Q4")
    return float(frame["value"].item())


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    run_import(engine, "tidy", SPECIMENS / "baseline.csv", options={"mapping": MAPPING})
    assert baseline_value(engine) == 1000.0
    return engine


def assert_next_import_works(engine: Engine) -> None:
    result = run_import(engine, "tidy", SPECIMENS / "ok_utf8.csv", options={"mapping": MAPPING})
    frame = query(engine, "ENT_DDS", where=BASELINE, start="2023-Q1", end="2023-Q1")
    assert frame["value"].item() == 1200.5
    assert frame["vintage_id"].item() == result.vintage_id


# --- (a) an exception in the middle of the write ----------------------------------------------


@pytest.mark.parametrize(
    "error", [RuntimeError("磁盘已满 / disk full"), KeyboardInterrupt()], ids=["error", "ctrl-c"]
)
def test_failure_after_first_batch_writes_nothing(loaded: Engine, error: BaseException) -> None:
    before = store_counts(loaded)
    batches: list[int] = []

    def fail_on_second_batch(stage: str, done: int, total: int) -> None:
        """Called after each batch has gone to the database (PostgreSQL: into the COPY)."""
        if stage != "write":
            return
        if batches:
            raise error
        batches.append(done)

    settings = get_settings().model_copy(update={"batch_rows": 1})
    with pytest.raises(type(error)):
        run_import(
            loaded,
            "tidy",
            SPECIMENS / "ok_utf8.csv",
            options={"mapping": MAPPING},
            settings=settings,
            progress=fail_on_second_batch,
        )
    assert batches == [1]
    assert store_counts(loaded) == before
    assert baseline_value(loaded) == 1000.0
    assert_next_import_works(loaded)


# --- (b) SIGKILL of `shumao import` while it writes ----------------------------------------


def write_big_csv(path: Path, enterprises: int = 1000) -> int:
    """1000 enterprises × 10 partners × 15 services × 2 flows = 300,000 rows, one quarter."""
    frame = (
        pl.DataFrame({"统一社会信用代码": [make(f"91330000{i:09d}") for i in range(enterprises)]})
        .join(
            pl.DataFrame(
                {"伙伴国家": ["USA", "JPN", "DEU", "GBR", "FRA", "KOR", "SGP", "HKG", "AUS", "CAN"]}
            ),
            how="cross",
        )
        .join(
            pl.DataFrame(
                {
                    "服务类别": [
                        "SF",
                        "SG",
                        "SH",
                        "SI",
                        "SI1",
                        "SI2",
                        "SI3",
                        "SJ",
                        "SJ1",
                        "SJ2",
                        "SJ3",
                        "SK",
                        "SK1",
                        "SK2",
                        "DD",
                    ]
                }
            ),
            how="cross",
        )
        .join(pl.DataFrame({"流向": ["出口", "进口"]}), how="cross")
        .with_columns(
            pl.lit("浙江测试企业").alias("企业名称"),
            pl.lit("2023-Q1").alias("期间"),
            (pl.int_range(pl.len()) % 997 + 0.5).alias("金额"),
        )
        .select("统一社会信用代码", "企业名称", "伙伴国家", "服务类别", "流向", "期间", "金额")
    )
    frame.write_csv(path)
    return frame.height


def sqlite_writing(db_url: str) -> Callable[[], bool]:
    """True while another connection holds the SQLite write lock."""
    path = db_url.split("///", 1)[1]

    def probe() -> bool:
        conn = sqlite3.connect(path, timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()

    return probe


def postgres_copying(engine: Engine) -> Callable[[], bool]:
    """True while a session of this database runs ``COPY observation``."""

    def probe() -> bool:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND state = 'active' "
                        "AND query LIKE 'COPY observation%'"
                    )
                ).scalar_one()
            )

    return probe


def wait_for_write(proc: subprocess.Popen[bytes], writing: Callable[[], bool], polls: int) -> None:
    """Return once ``writing()`` held for ``polls`` polls in a row while ``proc`` runs."""
    seen, deadline = 0, time.monotonic() + GIVE_UP_SECONDS
    while proc.poll() is None and time.monotonic() < deadline:
        seen = seen + 1 if writing() else 0
        if seen >= polls:
            return
        time.sleep(POLL_SECONDS)
    proc.kill()
    pytest.fail(f"no write was seen before the import ended (exit code {proc.poll()})")


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the killed session never went away"
        time.sleep(POLL_SECONDS)


@pytest.mark.slow
def test_kill_during_write_leaves_store_unchanged(
    loaded: Engine, db_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    assert write_big_csv(big) == 300_000
    before = store_counts(loaded)
    postgres = loaded.dialect.name == "postgresql"
    writing = postgres_copying(loaded) if postgres else sqlite_writing(db_url)
    proc = subprocess.Popen(
        [str(SHUMAO), "import", "tidy", str(big), "--mapping", str(MAPPING), "--quiet"],
        env={**cli_env, "SHUMAO_BATCH_ROWS": "10000"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # SQLite: the write lock held over several polls is the import's transaction (the
    # migration check at start-up holds it for a moment only). PostgreSQL: COPY is running.
    wait_for_write(proc, writing, polls=1 if postgres else 3)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    if postgres:
        wait_until(lambda: not writing())

    assert store_counts(loaded) == before
    with loaded.connect() as conn:
        assert [v.source_file for v in vintages.list_vintages(conn)] == [
            str(SPECIMENS / "baseline.csv")
        ]
        if not postgres:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert baseline_value(loaded) == 1000.0
    assert_next_import_works(loaded)
