"""The web's view of the one settings object (``shumao.config.Settings``); nothing here reads
the environment.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import timedelta

from anyio import CapacityLimiter

from shumao.auth.ratelimit import LoginLimit
from shumao.collection.limits import Limits
from shumao.config import Settings


class Turns:
    """At most ``n`` pieces of work at once on each event loop; the others wait on the loop, in
    order, without a thread. One limiter per loop: a uvicorn worker has one loop, a test may run
    several at once (an anyio limiter must not be shared between loops)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._by_loop: dict[int, CapacityLimiter] = {}

    def limiter(self) -> CapacityLimiter:
        key = id(asyncio.get_running_loop())
        found = self._by_loop.get(key)
        if found is None:
            found = self._by_loop[key] = CapacityLimiter(self.n)
        return found


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
