"""Sessions a web process has just read, kept for a second so that a burst of requests with
one cookie reads the session row (and its user) once, not once per request.

Keyed on the cookie value; each entry remembers its user and when it was read. What ends a
session in this process forgets it at once: ``sessions.end`` (logout) forgets the cookie,
``users`` ending a user's sessions (role, scope, password or status changed) forgets every
entry of that user. A change made by another process (another uvicorn worker, the CLI) is
seen when the entry ages out: after at most ``ttl`` seconds, the same bound the web already
accepts for the store state (``view_state_ttl_seconds``). ``ttl`` = 0 keeps nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

LIMIT = 10_000
"""Entries kept at most; beyond it the oldest half is dropped (a crowd of logins)."""


class SessionCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._items: dict[str, tuple[float, int, Any]] = {}
        self._lock = threading.Lock()

    def get(self, cookie: str, ttl: float) -> Any | None:
        """The session read for ``cookie`` less than ``ttl`` seconds ago, else ``None``."""
        found = self._items.get(cookie)
        if found is None or ttl <= 0 or self._clock() - found[0] >= ttl:
            return None
        return found[2]

    def put(self, cookie: str, user_id: int, session: Any, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            if len(self._items) >= LIMIT:
                for key in list(self._items)[: LIMIT // 2]:
                    del self._items[key]
            self._items[cookie] = (self._clock(), user_id, session)

    def forget(self, cookie: str) -> None:
        with self._lock:
            self._items.pop(cookie, None)

    def forget_user(self, user_id: int) -> None:
        with self._lock:
            for key in [k for k, (_, uid, _) in self._items.items() if uid == user_id]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = SessionCache()
"""The process's sessions (one per process: every app of the process shares the store's
session table, so forgetting must reach them all)."""
