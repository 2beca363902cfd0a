"""One read of the store shared by the requests that wait for it, each of which arrived before
the read began: as fresh as a read of their own, at one connection and one worker-thread trip
for all of them.

A request served from the event loop (the alert list's cache hits, ``services.alert_views``)
still needs a value that must never be older than the request: the alert change token. Reading
it per request costs a worker-thread trip and a connection each; under 50 clients most of a
cached answer's CPU. ``FreshRead`` gathers the requests that ask while no read has begun into
one read, begun on the next turn of the loop after the first of them asked. A request that
asks after that read has begun waits for the next one: a read it joined never began before it
arrived, so no answer is built on a value read before the request (``ViewCache.current_state``
shares a read already under way, which is right for a value trusted for a time-to-live and
wrong here).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


class FreshRead(Generic[T]):
    def __init__(self, read: Callable[[Connection], T]) -> None:
        self._read = read
        self._gathering: asyncio.Future[T] | None = None
        self.reads = 0
        """Reads begun (for the tests: how many requests shared one)."""

    async def __call__(self, engine: Engine) -> T:
        """The value, read by a read that began after this call."""
        loop = asyncio.get_running_loop()
        gathering = self._gathering
        if gathering is None or gathering.get_loop() is not loop:
            gathering = self._gathering = loop.create_future()
            loop.call_soon(self._begin, engine, gathering)
        return await asyncio.shield(gathering)

    def _begin(self, engine: Engine, gathering: asyncio.Future[T]) -> None:
        """Close the gathering (later callers wait for the next read), then read."""
        if self._gathering is gathering:
            self._gathering = None
        self.reads += 1
        task = asyncio.ensure_future(run_in_threadpool(self._read_on, engine))
        task.add_done_callback(lambda done: _settle(gathering, done))

    def _read_on(self, engine: Engine) -> T:
        with engine.connect() as conn:
            return self._read(conn)


def _settle(gathering: asyncio.Future[T], done: asyncio.Future[T]) -> None:
    if gathering.cancelled():
        return
    if done.cancelled():
        gathering.cancel()
    elif (error := done.exception()) is not None:
        gathering.set_exception(error)
    else:
        gathering.set_result(done.result())
