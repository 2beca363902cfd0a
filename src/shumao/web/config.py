"""The web's view of the one settings object (``shumao.config.Settings``); nothing here reads
the environment.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from shumao.auth.ratelimit import LoginLimit
from shumao.collection.limits import Limits
from shumao.config import Settings


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
            login=LoginLimit(
                settings.login_max_failures, timedelta(minutes=settings.login_window_minutes)
            ),
            secure_cookies=settings.environment == "production",
            environment=settings.environment,
            state_ttl=settings.view_state_ttl_seconds,
        )
