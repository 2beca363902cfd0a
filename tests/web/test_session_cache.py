"""The session read once per second per process (``auth.session_cache``), and what ends a
session still ends it at once in this process: logout, a role change by an administrator,
a user disabled. Another process's change is seen when the entry ages out (``ttl``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, delete, event

from shumao.auth import session_cache, users
from shumao.auth.sessions import COOKIE
from shumao.auth.tables import auth_session
from web.conftest import client_for, login
from web.factories import make_user

TTL = 3600.0  # far longer than any test: only the invalidation can end an entry


@pytest.fixture
def cached_app(app: FastAPI) -> Iterator[FastAPI]:
    app.state.cache.state_ttl = TTL
    session_cache.CACHE.clear()
    yield app
    session_cache.CACHE.clear()


@pytest.fixture
def session_reads(engine: Engine) -> Iterator[list[str]]:
    """Statements reading the session table while the test runs."""
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT") and "auth_session" in sql:
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    yield seen
    event.remove(engine, "before_cursor_execute", statement)


def test_a_burst_of_requests_reads_the_session_once(
    cached_app: FastAPI, engine: Engine, session_reads: list[str]
) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(cached_app) as c:
        login(c, "analyst")
        session_reads.clear()
        for _ in range(5):
            assert c.get("/api/me").json()["role"] == "ministry"
    assert len(session_reads) == 1


def test_logout_ends_a_remembered_session_at_once(cached_app: FastAPI, engine: Engine) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(cached_app) as c:
        login(c, "analyst")
        stolen = c.cookies.get(COOKIE)
        assert c.get("/api/me").status_code == 200  # now remembered
        assert c.post("/api/auth/logout").status_code == 204
    with client_for(cached_app) as thief:
        thief.cookies.set(COOKIE, stolen)
        assert thief.get("/api/me").status_code == 401


def test_a_role_change_ends_a_remembered_session_at_once(
    cached_app: FastAPI, engine: Engine
) -> None:
    make_user(engine, "boss", "admin")
    make_user(engine, "analyst", "ministry")
    with client_for(cached_app) as staff, client_for(cached_app) as admin:
        login(staff, "analyst")
        assert staff.get("/api/me").json()["role"] == "ministry"  # now remembered
        token = login(admin, "boss")
        changed = admin.post(
            "/admin/users/analyst",
            data={"role": "province", "scope": "320000", "active": "on", "csrf_token": token},
            follow_redirects=False,
        )
        assert changed.status_code == 303, changed.text
        assert staff.get("/api/me").status_code == 401
        login(staff, "analyst")
        me = staff.get("/api/me").json()
        assert (me["role"], me["scope"]) == ("province", "320000")


def test_a_user_disabled_in_this_process_loses_a_remembered_session(
    cached_app: FastAPI, engine: Engine
) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(cached_app) as c:
        login(c, "analyst")
        assert c.get("/api/me").status_code == 200
        with engine.begin() as conn:  # the CLI's way, in this process
            users.update_user(conn, username="analyst", active=False)
        assert c.get("/api/me").status_code == 401


def test_another_process_ending_a_session_is_seen_when_the_entry_ages_out(
    cached_app: FastAPI, engine: Engine
) -> None:
    clock = [1000.0]
    session_cache.CACHE._clock = lambda: clock[0]
    try:
        make_user(engine, "analyst", "ministry")
        with client_for(cached_app) as c:
            login(c, "analyst")
            assert c.get("/api/me").status_code == 200
            with engine.begin() as conn:  # another worker's logout: this process is not told
                conn.execute(delete(auth_session))
            assert c.get("/api/me").status_code == 200  # within the TTL: remembered
            clock[0] += TTL
            assert c.get("/api/me").status_code == 401
    finally:
        session_cache.CACHE._clock = session_cache.time.monotonic


def test_nothing_is_remembered_with_a_zero_ttl(
    app: FastAPI, engine: Engine, session_reads: list[str]
) -> None:
    make_user(engine, "analyst", "ministry")
    with client_for(app) as c:  # the tests' app: state_ttl = 0
        login(c, "analyst")
        session_reads.clear()
        for _ in range(3):
            assert c.get("/api/me").status_code == 200
    assert len(session_reads) == 3
