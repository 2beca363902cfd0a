"""The alert list's cache (``web/services/alert_views.py``) never answers with stale alerts:
a resolve, an acknowledge or an evaluation made by **another process** (the ``shumao`` CLI)
shows in the very next ``/api/alerts`` and ``/monitor`` of a running application whose cached
store state is trusted for an hour; so does the end of a silence. Two users of one scope share
the cached body but each page carries its own user and CSRF token.

Before the alert change token, the counts, the map and the rule chooser came from
``ViewCache.recent`` (re-read at most every ``view_state_ttl_seconds``, and at once only after
changes made through the same process): the resolve below left the total and the counts stale.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from shumao.auth.scope import Scope
from shumao.config import Settings
from shumao.ingest.pipeline import run_import
from shumao.monitor import handling
from shumao.monitor import tables as t
from shumao.monitor.hooks import after_commit
from shumao.web.app import create_app
from web.conftest import TestClient, client_for, login
from web.factories import World, make_user

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"


@pytest.fixture
def trusting_app(settings: Settings, engine: Engine) -> FastAPI:
    """The application trusting its cached store state for an hour (production trusts it for
    ``view_state_ttl_seconds``): only the alert change token can make it see a change."""
    made = create_app(settings, engine=engine)
    made.state.cache.state_ttl = 3600
    return made


@pytest.fixture
def ministry(trusting_app: FastAPI, world: World) -> Iterator[TestClient]:
    with client_for(trusting_app) as c:
        login(c, world.users["ministry"])
        yield c


def other_process(db_url: str, *args: str) -> None:
    """``shumao …`` in a process of its own (its own engine, no cache of this one)."""
    env = {**os.environ, "SHUMAO_DATABASE_URL": db_url, "SHUMAO_MONITOR_ON_CHANGE": "true"}
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _open(engine: Engine) -> dict[int, tuple[str, str]]:
    """Open alerts in the store: id → (state, level)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.alert.c.id, t.alert.c.state, t.alert.c.level).where(
                t.alert.c.state != "resolved"
            )
        )
        return {r.id: (r.state, r.level) for r in rows}


def _listed(client: TestClient) -> tuple[dict, dict[int, str]]:
    body = client.get("/api/alerts").json()
    return body, {a["id"]: a["state"] for a in body["alerts"]}


def _counts(page: str) -> dict[str, int]:
    return {
        lv: int(n)
        for lv, n in re.findall(
            r'data-level="(\w+)" href="[^"]*"><div class="label">[^<]*</div>'
            r'<div class="value">(\d+)</div>',
            page,
        )
    }


def test_changes_made_by_another_process_show_at_once(
    db_url: str, engine: Engine, world: World, ministry: TestClient, trusting_app: FastAPI
) -> None:
    run_import(
        engine, "report2022", DEMO / "report2022" / "table2_provinces_2022.csv", after=after_commit
    )
    first, listed = _listed(ministry)
    cache = trusting_app.state.cache
    hits = cache.hits
    assert ministry.get("/api/alerts").json() == first  # answered from the cache
    assert ministry.get("/monitor").status_code == 200
    assert ministry.get("/monitor").status_code == 200
    assert cache.hits >= hits + 2
    stored = _open(engine)
    assert {i: s for i, (s, _lv) in stored.items()} == listed and first["total"] == len(stored)
    hainan = next(i for i in listed if "海南" in _message(first, i))
    level = stored[hainan][1]

    other_process(db_url, "alerts", "resolve", str(hainan), "--reason", "数据已核实")
    body, now_listed = _listed(ministry)
    assert hainan not in now_listed
    assert body["total"] == first["total"] - 1
    assert body["counts"].get(level, 0) == first["counts"][level] - 1
    page = ministry.get("/monitor").text
    assert f'data-id="{hainan}"' not in page
    assert _counts(page).get(level, 0) == first["counts"][level] - 1

    other = next(iter(now_listed))
    other_process(db_url, "alerts", "ack", str(other), "--note", "已核实")
    assert _listed(ministry)[1][other] == "acknowledged"

    other_process(
        db_url, "import", "report2022", str(DEMO / "report2022" / "table3_bases_2020_2022.csv")
    )  # the import runs the rules in that process: the bases' alerts fire
    body, now_listed = _listed(ministry)
    stored = _open(engine)
    assert body["total"] == len(stored) > first["total"]
    assert {a["area"] for a in body["alerts"]} >= {"DSEB09", "DSEB06"}
    assert 'data-level="' in ministry.get("/monitor").text
    assert ministry.get("/monitor").text.count("<tr data-id=") == min(50, len(stored))


def _message(body: dict, alert_id: int) -> str:
    return next(a["message"] for a in body["alerts"] if a["id"] == alert_id)


def test_an_alert_comes_back_when_its_silence_ends(
    engine: Engine, world: World, ministry: TestClient
) -> None:
    run_import(
        engine, "report2022", DEMO / "report2022" / "table2_provinces_2022.csv", after=after_commit
    )
    _first, listed = _listed(ministry)
    silenced = next(iter(listed))
    until = datetime.now(UTC) + timedelta(seconds=1)
    with engine.begin() as conn:
        handling.silence(
            conn,
            alert_id=silenced,
            who=Scope("ministry", username="m"),
            until=until,
            inside=lambda _row: True,
        )
    assert silenced not in _listed(ministry)[1]
    deadline = time.monotonic() + 30
    while datetime.now(UTC) <= until and time.monotonic() < deadline:
        time.sleep(0.05)
    assert silenced in _listed(ministry)[1]  # no write: the clock passed the silence's end


def test_two_users_of_one_scope_share_the_body_not_the_header(
    engine: Engine, world: World, trusting_app: FastAPI
) -> None:
    run_import(
        engine, "report2022", DEMO / "report2022" / "table2_provinces_2022.csv", after=after_commit
    )
    make_user(engine, "jiangsu-two", "province", "320000")
    pages = {}
    for username in (world.users["province"], "jiangsu-two"):
        with client_for(trusting_app) as c:
            csrf = login(c, username)
            page = c.get("/monitor").text
            assert f'value="{csrf}"' in page  # the logout form's own token
            pages[username] = page
    one, two = pages.values()
    assert world.users["province"] in one and "jiangsu-two" not in one
    assert "jiangsu-two" in two
    body = re.compile(r'<h1>.*?id="alert-table".*?</table>', re.S)
    assert body.search(one).group(0) == body.search(two).group(0)  # type: ignore[union-attr]
