"""No route does blocking work on the event loop.

The detector: every database statement (SQLite or PostgreSQL, through any engine) and every
new database connection checks whether it runs on a thread that has a running event loop. A
route written ``async def`` that parses an upload or writes the store without handing the
work to a thread is caught here: one such statement stalls every other request of the worker
(the audit saw a whole server unresponsive for 61 s while SQLite waited for its lock). Work
in a worker thread is fine, and so is an async route that only awaits.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event

from shumao.web.demo import DemoEnterprise, filing_csv
from web.conftest import client_for, login
from web.factories import USCC_A, World

EXPLORE = f"/api/explore?dataflow=ENT_DDS&ref_area={USCC_A}&unit=亿美元"


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def blocking() -> Iterator[list[str]]:
    """Descriptions of database work done on an event-loop thread while the test runs."""
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if _on_event_loop():
            seen.append(
                f"{threading.current_thread().name}: {sql.split()[0]} {' '.join(sql.split()[1:6])}"
            )

    def connect(*_args: Any) -> None:
        if _on_event_loop():
            seen.append(f"{threading.current_thread().name}: connection checkout")

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "engine_connect", connect)
    yield seen
    event.remove(Engine, "before_cursor_execute", statement)
    event.remove(Engine, "engine_connect", connect)


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_the_detector_sees_database_work_on_the_loop(engine: Engine, blocking: list[str]) -> None:
    async def on_the_loop() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    asyncio.run(on_the_loop())
    assert blocking and "SELECT 1" in blocking[-1]


def test_uploads_submit_and_explain_leave_the_event_loop_free(
    app: FastAPI, world: World, blocking: list[str]
) -> None:
    """The four routes the audit found ``async def`` and blocking: the upload API, the upload
    page, the explain and the submit page; then every page a filer and a reviewer open."""
    data = filing_csv(DemoEnterprise(USCC_A, "测试企业甲", "DSEB05", 200.0), "2024-Q3", 1.0)
    with client_for(app) as clerk:
        login(clerk, world.users["enterprise"])
        up = clerk.post(
            "/api/filings/upload",
            data={"form_id": "DDS_Q", "period": "2024-Q3"},
            files={"file": ("ok.csv", data, "text/csv")},
        )
        assert up.status_code == 200 and up.json()["accepted"], up.text
        fid = up.json()["filing"]["id"]
        token = _token(clerk.get("/filings").text)
        page = clerk.post(
            "/filings/upload",
            data={"form_id": "DDS_Q", "period": "2024-Q3", "csrf_token": token},
            files={"file": ("ok.csv", data, "text/csv")},
            follow_redirects=False,
        )
        assert page.status_code == 303
        explained = clerk.post(
            f"/filings/{fid}/explain", data={"csrf_token": token}, follow_redirects=False
        )
        assert explained.status_code == 303
        submitted = clerk.post(
            f"/filings/{fid}/submit", data={"csrf_token": token}, follow_redirects=False
        )
        assert submitted.status_code == 303
        assert clerk.get(f"/api/filings/{fid}").json()["filing"]["status"] == "submitted"
        for path in ("/", "/filings", f"/filings/{fid}", "/api/overview", "/explorer", EXPLORE):
            assert clerk.get(path).status_code == 200, path
    with client_for(app) as park:
        login(park, world.users["park"])
        for path in ("/review", "/api/filings/review-queue", "/api/overview"):
            assert park.get(path).status_code == 200, path
    assert not blocking, "database work on the event loop:\n" + "\n".join(blocking[:20])


def test_only_routes_that_merely_await_are_coroutines(app: FastAPI) -> None:
    """A new ``async def`` route must be reviewed: it runs on the event loop itself. The two that
    serve cached bodies from memory and hand any store read to a thread, the alert list's
    two that only await their one worker-thread trip (``alert_views.answer``), and the
    explorer's API, which hands its whole answer to one thread (``explorer_api``)."""
    import inspect

    coroutines = {
        f"{f.__module__}.{f.__name__}"
        for f in _endpoints(app.router.routes)
        if inspect.iscoroutinefunction(f) and f.__module__.startswith("shumao")
    }
    assert coroutines == {
        "shumao.web.routes.data.overview",
        "shumao.web.routes.data.area",
        "shumao.web.routes.monitor.monitor_page",
        "shumao.web.routes.monitor.alerts_api",
        "shumao.web.routes.data.explore",
    }


def _endpoints(routes: list[Any]) -> Iterator[Any]:
    """Every route's endpoint, into included routers."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _endpoints(route.original_router.routes)
        elif hasattr(route, "endpoint"):
            yield route.endpoint
