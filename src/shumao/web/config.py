"""The web's view of the one settings object (``shumao.config.Settings``); nothing here reads
the environment.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from shumao.auth.ratelimit import LoginLimit
from shumao.collection.limits import Limits
from shumao.config import Settings

T = TypeVar("T")


class Turns:
    """At most ``n`` pieces of work of this process at once, each in a thread of its own pool
    of ``n``; the others wait in order in the pool's queue, without a thread.

    An anyio ``CapacityLimiter`` around anyio's worker threads did the same at ≈ 0.1 ms more of
    the event loop's CPU per answer (its cancel scopes, limiter and thread-pool bookkeeping:
    benchmarks/README.md, "The explorer's seventh round"). The work runs in a copy of the
    caller's context, as anyio runs it (what a request notes, ``release.shown``, is seen by its
    middleware). A cancelled caller stops waiting; work already started finishes in its thread.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self._pool: ThreadPoolExecutor | None = None
        self._made = threading.Lock()

    def pool(self) -> ThreadPoolExecutor:
        with self._made:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.n, thread_name_prefix="shumao-turn")
            return self._pool

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in one of the turns, when it comes."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            self.pool(), partial(context.run, work, *args)
        )


@dataclass(frozen=True)
class WebConfig:
    secret_key: str
    session_hours: float
    upload_max_bytes: int
    upload_limits: Limits
    threads: int
    """Worker threads of the process (the anyio thread limiter's tokens)."""
    upload_turns: threading.BoundedSemaphore
    """At most ``upload_parallel`` uploads of this process are parsed and checked at once."""
    read_turns: Turns
    """At most ``read_parallel`` explorer answers of this process are computed at once."""
    login: LoginLimit
    secure_cookies: bool
    environment: str
    state_ttl: float
    """Seconds the store state (newest vintage and release) is trusted before re-reading."""

    @classmethod
    def from_settings(cls, settings: Settings) -> WebConfig:
        return cls(
            secret_key=settings.secret_key,
            session_hours=settings.session_hours,
            upload_max_bytes=settings.upload_max_bytes,
            upload_limits=Limits.from_settings(settings),
            threads=max(40, settings.web_threads),
            upload_turns=threading.BoundedSemaphore(max(1, settings.upload_parallel)),
            read_turns=Turns(max(1, settings.read_parallel)),
            login=LoginLimit(
                settings.login_max_failures, timedelta(minutes=settings.login_window_minutes)
            ),
            secure_cookies=settings.environment == "production",
            environment=settings.environment,
            state_ttl=settings.view_state_ttl_seconds,
        )
