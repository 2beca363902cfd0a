"""Fixtures of the web tests: the application on the test's store, clients logged in as a role.

``starlette.testclient`` warns that it prefers the ``httpx2`` package; the project pins
``httpx``, so that one deprecation warning is silenced where the module is imported.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.exceptions import StarletteDeprecationWarning

from shumao.auth import passwords
from shumao.config import Settings
from shumao.web.app import create_app
from web.factories import PASSWORD, World, make_world, release

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with minimal cost: the tests check behaviour, not the hashing cost."""
    monkeypatch.setattr(passwords, "_hasher", lambda: CHEAP)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(environment="test", data_dir=tmp_path / "data", database_url=db_url)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    made = create_app(settings, engine=engine)
    made.state.cache.state_ttl = 0  # tests also write to the store behind the app's back
    return made


def client_for(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://testserver", raise_server_exceptions=True)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with client_for(app) as c:
        yield c


def login(c: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log ``c`` in through the JSON API; return the CSRF token (also set as a header)."""
    r = c.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    token = r.json()["csrf_token"]
    c.headers["X-CSRF-Token"] = token
    return str(token)


@pytest.fixture
def world(engine: Engine) -> World:
    return make_world(engine)


@pytest.fixture
def as_role(app: FastAPI, world: World) -> Iterator[Callable[[str], TestClient]]:
    """``as_role("province")``: a client logged in as the Jiangsu user of that role
    (``"public"``: not logged in)."""
    opened: list[TestClient] = []

    def make(role: str) -> TestClient:
        c = client_for(app)
        opened.append(c)
        if role != "public":
            login(c, world.users[role])
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def cbec_released(
    engine: Engine, world: World, cbec_vintages: dict[str, int], province_vintages: dict[str, int]
) -> None:
    """Customs' and the provinces' cross-border e-commerce figures loaded and released."""
    release(engine, "CUSTOMS_CBEC", max(cbec_vintages.values()))
    release(engine, "PROVINCE_CBEC", max(province_vintages.values()))
