"""监测预警 under concurrent requests against a real server with a small connection pool: every
request must be served, none may wait for a second connection while holding its first.

The benchmark (``benchmarks/alerts_web.py``, SQLite, 10,000 open alerts, 50 clients, 2 uvicorn
workers) found 10 requests to ``/monitor`` failing after 120 s with "QueuePool limit of size 5
overflow 35 reached": the page held the route's connection while rendering, and rendering
opened a second one (the correction notices every page shows), so 40 requests holding one
connection each waited for a 41st that none would give back. Routes that declare their
connection before the user (``/``) took it before reading the login session on a second one.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shumao.config import Settings
from shumao.ingest.pipeline import run_import
from shumao.storage.engine import make_engine
from shumao.web.app import create_app
from web.factories import PASSWORD, World, make_world
from web.live import serve

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
CONNECTIONS = 2
CLIENTS = 12
PATHS = ("/monitor", "/monitor?level=orange", "/api/alerts", "/monitor/targets", "/")
"""``/`` declares its connection before the user: the login must still be read first."""


@pytest.fixture
def small_pool(tmp_path: Path, db_url: str) -> Iterator[tuple[FastAPI, Engine]]:
    """The application with at most ``CONNECTIONS`` database connections per process."""
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        db_max_connections=CONNECTIONS,
    )
    engine = make_engine(settings)
    made = create_app(settings, engine=engine)
    made.state.cache.state_ttl = 0
    yield made, engine
    engine.dispose()


def _login(base: str, username: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as c:
        c.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        ).raise_for_status()
        return dict(c.cookies)


@pytest.mark.parametrize("role", ["ministry", "enterprise"])
def test_many_pages_at_once_on_a_pool_of_two(small_pool: tuple[FastAPI, Engine], role: str) -> None:
    app, engine = small_pool
    world: World = make_world(engine)
    for name in ("table2_provinces_2022.csv", "table3_bases_2020_2022.csv"):
        run_import(engine, "report2022", DEMO / "report2022" / name)
    with serve(app) as base:
        cookies = _login(base, world.users[role])

        def fetch(i: int) -> tuple[int, str]:
            path = PATHS[i % len(PATHS)] if role == "ministry" else "/monitor"
            with httpx.Client(base_url=base, cookies=cookies, timeout=30) as c:
                try:
                    r = c.get(path)
                except httpx.TimeoutException:
                    return 0, f"{path}: no answer within 30 s"
                return r.status_code, r.text

        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(fetch, range(CLIENTS * 3), timeout=120))
    assert [code for code, _ in answers] == [200] * (CLIENTS * 3)
    pages = [text for code, text in answers if "<html" in text and "alert-table" in text]
    assert pages and all("监测预警" in text for text in pages)
