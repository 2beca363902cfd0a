"""Aggregated views cached per store state.

A view (the overview of a scope, an area page, an explorer query) depends only on the scope,
its parameters and the store's state — the newest vintage and the newest release
(``history.state_token``) plus the newest change of the enterprise database. Caching on that
key makes every repeated view a dictionary lookup, and any new load, approval or release makes
the old entries unreachable (they age out of the LRU). Each entry keeps the dataflows it was
made from, noted again on every hit (``release.shown``), so a cached answer carries the same
correction notices as the first.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, select
from starlette.concurrency import run_in_threadpool

from shumao.collection.tables import enterprise_change
from shumao.release import shown
from shumao.release.history import state_token

T = TypeVar("T")


class ViewCache:
    """An LRU of views, and the store state, re-read at most every ``state_ttl`` seconds.

    ``state_ttl`` = 0 reads the state for every request (nothing stale, ever); a second
    spares three queries per request under load, and changes made through this process
    (``touch``) are seen at once; others within ``state_ttl``.
    """

    def __init__(self, size: int = 512, state_ttl: float = 0.0) -> None:
        self.size = size
        self.state_ttl = state_ttl
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._state: tuple[float, tuple[int, int, int]] | None = None
        self._refresh: asyncio.Future[tuple[int, int, int]] | None = None
        self._epoch = 0
        self.hits = 0
        self.misses = 0

    def state(self, conn: Connection) -> tuple[int, int, int]:
        now = time.monotonic()
        known = self._state
        if known is not None and now - known[0] < self.state_ttl:
            return known[1]
        fresh = store_state(conn)
        self._state = (now, fresh)
        return fresh

    async def current_state(self, engine: Engine) -> tuple[int, int, int]:
        """The store state for a request served from the event loop.

        While the remembered state is fresh it is the answer; otherwise one read of the store
        is started and every request arriving meanwhile waits for that same read, instead of
        each taking a connection and a thread to read it again (at 600 requests a second,
        the moment the state expires would otherwise queue dozens of identical reads)."""
        known = self.known_state()
        if known is not None:
            return known
        pending = self._refresh
        if (
            pending is None
            or pending.done()
            or pending.get_loop() is not asyncio.get_running_loop()
        ):
            pending = self._refresh = asyncio.ensure_future(
                run_in_threadpool(self._read_state, engine)
            )
        return await asyncio.shield(pending)

    def _read_state(self, engine: Engine) -> tuple[int, int, int]:
        with engine.connect() as conn:
            return self.state(conn)

    def known_state(self) -> tuple[int, int, int] | None:
        """The remembered store state while it is fresh, without reading the store."""
        known = self._state
        if known is not None and time.monotonic() - known[0] < self.state_ttl:
            return known[1]
        return None

    def peek(self, key: Hashable) -> Any | None:
        """The cached view under ``key``, or ``None`` (nothing is made); the dataflows it was
        made from are noted as shown again (``release.shown``: their correction notices)."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            self.hits += 1
            value, flows = self._items[key]
        shown.note(*flows)
        return value

    def touch(self) -> None:
        """Forget the remembered store state (after a change made by this process)."""
        self._state = None
        self._epoch += 1

    def recent(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, made again at most every ``state_ttl`` seconds and after every change
        made by this process (``touch``): for reads the store state does not cover (the
        alert counts and map; their alerts change without a new vintage or release).
        ``state_ttl`` = 0 makes it every time."""
        if self.state_ttl <= 0:
            return make()
        return self.get_or_make(self._recent_key(key), make)

    def recent_known(self, key: Hashable) -> Any | None:
        """What ``recent(key, …)`` would answer without making anything, or ``None`` when it
        would have to make it: for a request on the event loop, which then needs no worker
        thread for a value already made."""
        if self.state_ttl <= 0:
            return None
        return self.peek(self._recent_key(key))

    def _recent_key(self, key: Hashable) -> Hashable:
        return ("recent", key, self._epoch, int(time.monotonic() // self.state_ttl))

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        found = self.peek(key)
        if found is not None:
            return found
        with shown.recording() as flows:
            value = make()
        with self._lock:
            self.misses += 1
            self._items[key] = (value, frozenset(flows))
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def store_state(conn: Connection) -> tuple[int, int, int]:
    """(newest vintage, newest release, newest enterprise change)."""
    changes = conn.execute(select(func.coalesce(func.max(enterprise_change.c.id), 0))).scalar_one()
    return (*state_token(conn), int(changes))
