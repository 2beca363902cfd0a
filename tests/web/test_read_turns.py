"""The explorer computes at most ``read_parallel`` answers of a process at once; the others
wait their turn on the event loop (benchmarks/README.md: beyond two, threads only contend for
the GIL). Checked with real requests on a real store: every read of the observations is
slowed by 30 ms, and the test counts how many answers are inside the store at the same time.
A read first waits (at most a few seconds) until as many reads as the limit allows are inside,
so that a loaded machine, where a thread may finish before the next one starts, cannot make
the count come out low."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event

from shumao.config import Settings
from shumao.web.app import create_app
from web.conftest import client_for, login
from web.factories import USCC_A, World

EXPLORE = f"/api/explore?dataflow=ENT_DDS&ref_area={USCC_A}&unit=亿美元"
CLIENTS = 6


def _reads(sql: str) -> bool:
    """The explorer's read of the observations (not the store-state and session lookups)."""
    return threading.current_thread() is not threading.main_thread() and "observation" in sql


class Inside:
    """How many explorer threads are running a statement now, and the most seen at once.

    A read waits until ``company`` reads are inside (or every client's read has begun, or
    ``WAIT`` seconds have passed), then holds for 30 ms: reads that the limit lets run together
    are seen together however slowly the threads start; a limit that lets more in is seen."""

    WAIT = 10.0

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.now = 0
        self.most = 0
        self.begun = 0
        self.company = 1

    def expect(self, company: int) -> None:
        with self.changed:
            self.now = self.most = self.begun = 0
            self.company = company

    def enter(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not _reads(sql):
            return
        with self.changed:
            self.now += 1
            self.begun += 1
            self.most = max(self.most, self.now)
            self.changed.notify_all()
            self.changed.wait_for(
                lambda: self.now >= self.company or self.begun >= CLIENTS, timeout=self.WAIT
            )
        time.sleep(0.03)

    def leave(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not _reads(sql):
            return
        with self.changed:
            self.now -= 1
            self.changed.notify_all()


@pytest.fixture
def inside(engine: Engine) -> Iterator[Inside]:
    seen = Inside()
    event.listen(engine, "before_cursor_execute", seen.enter)
    event.listen(engine, "after_cursor_execute", seen.leave)
    yield seen
    event.remove(engine, "before_cursor_execute", seen.enter)
    event.remove(engine, "after_cursor_execute", seen.leave)


def _app(settings: Settings, engine: Engine, parallel: int) -> FastAPI:
    made = create_app(settings.model_copy(update={"read_parallel": parallel}), engine=engine)
    made.state.cache.state_ttl = 0
    return made


def _concurrent_answers(
    app: FastAPI, username: str, inside: Inside, company: int
) -> list[dict[str, Any]]:
    with client_for(app) as c:
        login(c, username)
        cookies = dict(c.cookies)
        assert c.get(EXPLORE).status_code == 200  # the session is now in memory
    inside.expect(company)

    async def run() -> list[dict[str, Any]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies=cookies
        ) as client:
            # each asks its own question (another start year), so no answer is a cached view
            asks = (client.get(f"{EXPLORE}&start={2000 + i}") for i in range(CLIENTS))
            answers = await asyncio.gather(*asks)
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        return [a.json() for a in answers]

    return asyncio.run(run())


@pytest.mark.parametrize("parallel", [1, 2])
def test_at_most_read_parallel_answers_at_once(
    settings: Settings, engine: Engine, world: World, inside: Inside, parallel: int
) -> None:
    answers = _concurrent_answers(
        _app(settings, engine, parallel), world.users["ministry"], inside, company=parallel
    )
    assert inside.most == parallel
    # every client got the same, complete answer: one enterprise's rows
    assert all(a["rows"] == answers[0]["rows"] for a in answers)
    assert answers[0]["total"] > 0
    assert {row["ref_area"] for row in answers[0]["rows"]} == {answers[0]["rows"][0]["ref_area"]}


def test_more_turns_than_clients_run_them_all_at_once(
    settings: Settings, engine: Engine, world: World, inside: Inside
) -> None:
    """The limit is what holds them back: with more turns than clients, all answers overlap."""
    _concurrent_answers(
        _app(settings, engine, 50), world.users["ministry"], inside, company=CLIENTS
    )
    assert inside.most == CLIENTS
