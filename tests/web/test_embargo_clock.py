"""Nothing leaks a second early: a release scheduled for T0 is invisible on every GET route
(pages, the JSON API, the SDMX endpoint, the downloads), for the public and for a logged-in
user not on the embargo list, with the caches warmed, until the worker's clock reads T0; at T0
it appears everywhere it should — so the check is not vacuous."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from shumao.auth.scope import Scope
from shumao.release import calendar, worker
from shumao.release.tables import data_release
from web.crawl import fill, get_routes
from web.factories import World, obs, write

T0 = datetime(2030, 3, 1, 1, 30, tzinfo=UTC)  # 09:30 Beijing time
SECRET = 7654.32  # 亿美元: China's 2024 digitally deliverable exports in the embargoed vintage
FORMS = (repr(SECRET), f"{SECRET:,.2f}", "765432000000", "7.65432e+11", "765,432,000,000")


def _crawl(clients: list[TestClient], paths: list[str]) -> dict[str, str]:
    """Every path's bodies (with the query the explorer and SDMX need to show China)."""
    bodies = {}
    for c in clients:
        for path in paths:
            r = c.get(path, params={"dataflow": "UNCTAD_DDS", "ref_area": "CHN"})
            bodies[f"{c.headers.get('X-Who')} {path}"] = r.text
    return bodies


@pytest.fixture
def scheduled(engine: Engine, world: World) -> tuple[int, int]:
    """A new UNCTAD_DDS vintage with 2024 (the secret), scheduled for T0: (entry, release id
    it will get)."""
    vid = write(
        engine, "UNCTAD_DDS", [obs(ref_area="CHN", flow="X", time_period="2024", value=SECRET)]
    )
    with engine.begin() as conn:
        entry = calendar.schedule(
            conn,
            scope=Scope("ministry", username="ministry-in"),
            kind="dataflow",
            subject="UNCTAD_DDS",
            reference_period="2024",
            at=T0,
            vintage_id=vid,
            embargo=["province-in"],
            now=T0 - timedelta(days=1),
        )
        next_release = conn.execute(select(func.max(data_release.c.id))).scalar_one() + 1
    return entry.id, next_release


def test_nothing_leaks_a_second_early(
    app: FastAPI,
    engine: Engine,
    tmp_path: Path,
    as_role: Callable[[str], TestClient],
    scheduled: tuple[int, int],
) -> None:
    entry, release_id = scheduled
    ids = {"entry_id": str(entry), "release_id": str(release_id), "folder": f"release={release_id}"}
    paths = [fill(p, ids) for p in get_routes(app)]
    clients = [as_role("public"), as_role("city")]
    for c, who in zip(clients, ("public", "city"), strict=True):
        c.headers["X-Who"] = who
    root = app.state.settings.effective_open_data_dir
    _crawl(clients, paths)  # caches warm: every view computed before the minute
    early = worker.tick(engine, open_data=root, now=T0 - timedelta(seconds=1))
    assert early.released == []
    bodies = _crawl(clients, paths)
    leaked = [k for k, body in bodies.items() if any(f in body for f in FORMS)]
    assert not leaked, leaked
    assert not (root / f"release={release_id}").exists()

    on_time = worker.tick(engine, open_data=root, now=T0)
    assert on_time.released == [entry] and release_id in on_time.snapshots
    after = _crawl(clients, paths)
    shown = {k.split(" ", 1)[1] for k, body in after.items() if any(f in body for f in FORMS)}
    for must in (
        "/sdmx/data/UNCTAD_DDS/all",
        f"/downloads/release={release_id}/sdmx-csv/UNCTAD_DDS.csv",
        "/api/explore",
        "/api/overview",
        "/",
    ):
        assert any(s == must or (s.startswith(must) and must != "/") for s in shown), (
            must,
            sorted(shown),
        )
    notes = clients[0].get(f"/releases/{release_id}").text
    assert "新增时期：2024" in notes


def test_the_embargo_list_and_the_preparers_see_it_before(
    as_role: Callable[[str], TestClient], scheduled: tuple[int, int]
) -> None:
    entry, _ = scheduled
    url = f"/calendar/{entry}/embargo"
    for role, status in (("public", 404), ("city", 404), ("province", 200), ("ministry", 200)):
        r = as_role(role).get(url)
        assert r.status_code == status, role
        assert (f"{SECRET:,.2f}" in r.text) == (status == 200), role
