"""Filers at the same moment: concurrent uploads to one filing wait their turn and all land;
a lock held past ``db_lock_timeout_seconds`` is a 503 with Retry-After and a bilingual
message, never a 500, and nothing of that request is stored.

The audit (SQLite, one worker): 5 parallel uploads to one filing gave three 200s and two 500
"database is locked" after 30 s, and the server was unresponsive for 61 s.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

from shumao.collection.tables import filing, filing_upload
from shumao.config import Settings
from shumao.storage.engine import make_engine, write_transaction
from shumao.web.app import create_app
from shumao.web.demo import DemoEnterprise, filing_csv
from web.conftest import client_for, login
from web.factories import USCC_A, World

UPLOADERS = 6


def _data(size: float) -> bytes:
    return filing_csv(DemoEnterprise(USCC_A, "测试企业甲", "DSEB05", size), "2024-Q3", 1.0)


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_parallel_uploads_to_one_filing_all_land(
    app: FastAPI, world: World, engine: Engine
) -> None:
    barrier = threading.Barrier(UPLOADERS)
    answers: list[int] = []

    def upload(i: int, c: TestClient) -> None:
        barrier.wait(timeout=60)
        r = c.post(
            "/api/filings/upload",
            data={"form_id": "DDS_Q", "period": "2024-Q3"},
            files={"file": (f"u{i}.csv", _data(100.0 + i), "text/csv")},
        )
        answers.append(r.status_code)

    # Logged in one after the other: six log-ins of one user in flight at once are six
    # attempts against its limit (shumao.auth.ratelimit), which is not what this test is about.
    with ExitStack() as stack:
        clients = [stack.enter_context(client_for(app)) for _ in range(UPLOADERS)]
        for c in clients:
            login(c, world.users["enterprise"])
        threads = [threading.Thread(target=upload, args=(i, c)) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    assert sorted(answers) == [200] * UPLOADERS
    with engine.connect() as conn:
        [(version, current)] = conn.execute(
            select(filing.c.version, filing.c.current_upload_id)
        ).all()
        uploads = conn.execute(select(filing_upload.c.id)).scalars().all()
    assert len(uploads) == UPLOADERS and version == 1 + UPLOADERS and current in uploads


@pytest.fixture
def impatient(tmp_path: Path, db_url: str) -> Iterator[FastAPI]:
    """The application with a lock wait of half a second."""
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        db_lock_timeout_seconds=0.5,
    )
    engine = make_engine(settings)
    made = create_app(settings, engine=engine)
    made.state.cache.state_ttl = 0
    yield made
    engine.dispose()


def _hold_the_lock(engine: Engine, queued: bool) -> Iterator[None]:
    """Hold what an upload needs: SQLite's write lock (as another process would, or as a
    writer of this process in the queue), PostgreSQL's lock on the filing row."""
    hold = write_transaction(engine) if queued else engine.connect()
    with hold as conn:
        if conn.dialect.name == "sqlite" and not queued:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name != "sqlite":
            conn.execute(text("SELECT id FROM filing FOR UPDATE"))
        yield
        conn.rollback()


@pytest.mark.parametrize("queued", [False, True], ids=["other-process", "same-process"])
def test_a_lock_wait_is_a_503_with_retry_after_and_stores_nothing(
    impatient: FastAPI, world: World, engine: Engine, queued: bool
) -> None:
    with client_for(impatient) as c:
        login(c, world.users["enterprise"])
        first = c.post(
            "/api/filings/upload",
            data={"form_id": "DDS_Q", "period": "2024-Q3"},
            files={"file": ("a.csv", _data(100.0), "text/csv")},
        )
        assert first.status_code == 200
        held = _hold_the_lock(engine, queued)
        next(held)
        try:
            busy = c.post(
                "/api/filings/upload",
                data={"form_id": "DDS_Q", "period": "2024-Q3"},
                files={"file": ("b.csv", _data(120.0), "text/csv")},
            )
            page = c.post(f"/api/filings/{first.json()['filing']['id']}/submit", json={})
        finally:
            next(held, None)
        for r in (busy, page):
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "5"
            error = r.json()["error"]
            assert error["type"] == "busy" and "系统正忙" in error["message_zh"]
            assert "busy" in error["message_en"] and "nothing" in error["message_en"]
        assert _count(engine, filing_upload) == 1
        again = c.post(
            "/api/filings/upload",
            data={"form_id": "DDS_Q", "period": "2024-Q3"},
            files={"file": ("b.csv", _data(120.0), "text/csv")},
        )
        assert again.status_code == 200 and _count(engine, filing_upload) == 2
