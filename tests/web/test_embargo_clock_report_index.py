"""The report and the index under embargo, like a dataflow: an index build and the annual
report's files scheduled for T0 are invisible on every GET route (pages, the JSON API, SDMX,
the downloads, the report files; caches warmed), for the public and for a logged-in user not on
the embargo list, until the worker's clock reads T0; at T0 they appear. Before the minute the
preparers and the embargo list preview them (audited); an early release by hand is refused;
a report with no files is not released at its minute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from index.conftest import load_index_data
from shumao.auth.scope import Scope
from shumao.auth.tables import audit_log
from shumao.errors import Embargoed
from shumao.index import runs
from shumao.index.framework import load_framework
from shumao.release import calendar, documents, releases, worker
from shumao.storage import vintages
from web.crawl import fill, get_routes
from web.factories import World
from web.index_world import FRAMEWORKS

T0 = datetime(2030, 3, 1, 1, 30, tzinfo=UTC)  # 09:30 Beijing time
MINISTRY = Scope("ministry", username="ministry-in")
SENTENCE = "二〇二三年全国可数字化交付的服务出口为 8,642.19 亿美元"  # only in the embargoed report
FILE = "china-digital-trade-2023.html"


class Scheduled:
    def __init__(self, index: int, report: int, scores: list[float]) -> None:
        self.index, self.report, self.scores = index, report, scores

    @property
    def forms(self) -> list[str]:
        return [repr(v) for v in self.scores]


@pytest.fixture
def scheduled(
    app: FastAPI, engine: Engine, world: World, demo_data: Path, tmp_path: Path
) -> Scheduled:
    """A build of the economies' index and the report's file, both for T0 under embargo
    (the provincial user ``province-in`` on both lists)."""
    load_index_data(engine, demo_data)
    fw = load_framework(FRAMEWORKS / "economies.yaml")
    built = runs.build_run(engine, fw)
    report = tmp_path / FILE
    report.write_text(f"<html><body><p>{SENTENCE}</p></body></html>", encoding="utf-8")
    root = documents.root_of(app.state.settings.data_dir)
    day_before = T0 - timedelta(days=1)
    with engine.begin() as conn:
        index = calendar.schedule(
            conn,
            scope=MINISTRY,
            kind="index",
            subject="DTI_ECON",
            reference_period="2022",
            at=T0,
            embargo=["province-in"],
            now=day_before,
        )
        entry = calendar.schedule(
            conn,
            scope=MINISTRY,
            kind="report",
            subject="annual",
            reference_period="2023",
            at=T0,
            embargo=["province-in"],
            now=day_before,
        )
        documents.attach(conn, scope=MINISTRY, entry_id=entry.id, files=[report], root=root)
        frame = vintages.read(conn, "DTI_ECON", as_of=built.vintage_id)
    assert index.vintage_id == built.vintage_id
    top = frame.filter(pl.col("indicator") == fw.root).sort("value", descending=True)
    assert top.height > 5
    return Scheduled(index.id, entry.id, top["value"].head(5).to_list())


def _crawl(clients: list[TestClient], paths: list[str]) -> dict[str, str]:
    bodies = {}
    for c in clients:
        for path in paths:
            r = c.get(path, params={"dataflow": "DTI_ECON"})
            bodies[f"{c.headers['X-Who']} {path}"] = r.text
    return bodies


def test_nothing_of_the_index_or_the_report_leaks_a_second_early(
    app: FastAPI, engine: Engine, scheduled: Scheduled, as_role: Callable[[str], TestClient]
) -> None:
    ids = {
        "entry_id": str(scheduled.report),
        "name": FILE,
        "index_id": "DTI_ECON",
        "dataflow": "DTI_ECON",
        "flow": "DTI_ECON",
    }
    paths = [fill(p, ids) for p in get_routes(app)]
    paths += [
        f"/calendar/{scheduled.index}/embargo",
        "/index/DTI_ECON/unit/CHN",
        "/api/index/DTI_ECON/units/CHN",
    ]
    clients = [as_role("public"), as_role("city")]
    for c, who in zip(clients, ("public", "city"), strict=True):
        c.headers["X-Who"] = who
    root = app.state.settings.effective_open_data_dir
    _crawl(clients, paths)  # caches warm
    assert worker.tick(engine, open_data=root, now=T0 - timedelta(seconds=1)).released == []
    before = _crawl(clients, paths)
    leaked = [
        k
        for k, body in before.items()
        if SENTENCE in body or any(f in body for f in scheduled.forms)
    ]
    assert not leaked, leaked
    for c in clients:
        assert c.get(f"/reports/{scheduled.report}/{FILE}").status_code == 404
        assert c.get("/api/index/DTI_ECON").json()["run"] is None

    on_time = worker.tick(engine, open_data=root, now=T0)
    assert sorted(on_time.released) == sorted([scheduled.index, scheduled.report])
    after = _crawl(clients, paths)
    shown = {
        k.split(" ", 1)[1]
        for k, body in after.items()
        if SENTENCE in body or any(f in body for f in scheduled.forms)
    }
    for must in (
        "/api/index/DTI_ECON",
        "/sdmx/data/DTI_ECON/all",
        "/api/explore",
        f"/reports/{scheduled.report}/{FILE}",
    ):
        assert must in shown, (must, sorted(shown))
    listing = clients[0].get("/api/reports").json()
    assert [f["name"] for f in listing[0]["files"]] == [FILE] and listing[0]["released_at"]
    assert 'id="no-build"' not in after["public /index/DTI_ECON"]


def test_the_preparers_and_the_embargo_list_preview_them(
    engine: Engine, scheduled: Scheduled, as_role: Callable[[str], TestClient]
) -> None:
    for role, status in (("public", 404), ("city", 404), ("province", 200), ("ministry", 200)):
        c = as_role(role)
        r = c.get(f"/reports/{scheduled.report}/{FILE}")
        assert r.status_code == status, role
        assert (SENTENCE in r.text) == (status == 200), role
        assert (FILE in c.get("/reports").text) == (status == 200), role
        preview = c.get(f"/calendar/{scheduled.index}/embargo")
        assert preview.status_code == status, role
    with engine.connect() as conn:
        looks = conn.execute(
            select(audit_log.c.username, audit_log.c.target).where(
                audit_log.c.action == "release.embargo"
            )
        ).all()
    assert ("province-in", f"calendar#{scheduled.report}") in looks
    assert ("province-in", f"calendar#{scheduled.index}") in looks


def test_an_early_release_of_the_index_by_hand_is_refused(
    engine: Engine, scheduled: Scheduled
) -> None:
    with engine.begin() as conn, pytest.raises(Embargoed, match="DTI_ECON"):
        releases.release(conn, scope=MINISTRY, dataflow_id="DTI_ECON")


def test_a_report_without_files_is_not_released(app: FastAPI, engine: Engine, world: World) -> None:
    with engine.begin() as conn:
        entry = calendar.schedule(
            conn,
            scope=MINISTRY,
            kind="report",
            subject="annual",
            reference_period="2024",
            at=T0,
            now=T0 - timedelta(days=1),
        )
    done = worker.tick(engine, open_data=app.state.settings.effective_open_data_dir, now=T0)
    assert done.failed == [entry.id]
    with engine.connect() as conn:
        found = calendar.get(conn, entry.id)
    assert found.status == "failed" and "没有附上报告文件" in found.reason
