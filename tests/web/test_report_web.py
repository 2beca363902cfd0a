"""The annual report page and API: the ministry builds the report, sees progress, downloads it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from report.conftest import DEMO, load_report_data
from shumao.auth.scope import Scope
from shumao.config import Settings
from shumao.release import calendar, worker
from web.factories import World


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        report_dir=DEMO / "report",
        public_url="http://shumao.example",
    )


def wait_for(client: TestClient, job_id: str, seconds: float = 240) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/report/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            assert client.app.state.report_jobs.wait(60)  # type: ignore[attr-defined]
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"build {job_id} did not finish in {seconds} s")


def test_the_ministry_builds_the_report_and_downloads_it(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    load_report_data(engine)
    client = as_role("ministry")
    started = client.post("/api/report/build", json={"year": 2022, "formats": ["html", "xlsx"]})
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running")
    job = wait_for(client, started.json()["id"])
    assert job["status"] == "done", job["problems"]
    assert job["percent"] == 100 and set(job["files"]) == {"html", "xlsx"}  # type: ignore[arg-type]
    html = client.get(job["files"]["html"])  # type: ignore[index]
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "http://shumao.example/explorer?dataflow=MOFCOM_REPORT" in html.text
    assert "3727.1" in html.text
    page = client.get("/report", headers={"accept": "text/html"})
    assert "年度报告" in page.text and f'data-job="{job["id"]}"' in page.text
    with engine.connect() as conn:
        logged = conn.execute(
            text("SELECT action, username FROM audit_log WHERE action = 'report.build'")
        ).all()
    assert [tuple(r) for r in logged] == [("report.build", world.users["ministry"])]


def test_a_build_that_cannot_be_made_shows_every_problem(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    client = as_role("admin")
    started = client.post("/api/report/build", json={"year": 2030, "formats": ["html"]})
    job = wait_for(client, started.json()["id"])
    assert job["status"] == "failed" and job["files"] == {}
    codes = {p["code"] for p in job["problems"]}  # type: ignore[attr-defined]
    assert codes == {"report-no-data", "report-passage-missing"}  # no 2030 data, no passages
    missing = [p for p in job["problems"] if p["code"] == "report-passage-missing"]  # type: ignore[attr-defined]
    assert "2030/passages/foreword" in missing[0]["where"]
    page = client.get("/report", headers={"accept": "text/html"}).text
    assert "未生成：请处理以下问题" in page and "report-no-data" in page


def test_bad_requests_are_refused_with_a_reason(
    world: World, as_role: Callable[[str], TestClient]
) -> None:
    client = as_role("ministry")
    r = client.post("/api/report/build", json={"year": 2022, "formats": ["rtf"]})
    assert r.status_code == 400 and "choose at least one format" in r.text
    r = client.post("/api/report/build", json={"year": 2022, "overrides": "no reason here"})
    assert r.status_code == 400 and "CLAIM_ID=reason" in r.text
    assert as_role("province").get("/api/report/jobs").status_code == 403


def test_a_finished_build_goes_on_the_calendar_and_waits_for_its_minute(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    """The report page attaches a build's files to a scheduled report release: the public
    sees nothing of it until the worker releases the entry at its minute."""
    load_report_data(engine)
    at = datetime(2030, 3, 1, 1, 30, tzinfo=UTC)
    with engine.begin() as conn:
        entry = calendar.schedule(
            conn,
            scope=Scope("ministry", username="ministry-in"),
            kind="report",
            subject="annual",
            reference_period="2022",
            at=at,
            now=at - timedelta(days=1),
        )
    ministry, public = as_role("ministry"), as_role("public")
    job = wait_for(
        ministry,
        ministry.post("/api/report/build", json={"year": 2022, "formats": ["html"]}).json()["id"],
    )
    page = ministry.get("/report", headers={"accept": "text/html"}).text
    assert f'action="/report/jobs/{job["id"]}/attach"' in page
    done = ministry.post(
        f"/report/jobs/{job['id']}/attach",
        data={"entry_id": str(entry.id), "csrf_token": ministry.headers["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    listed = ministry.get("/api/reports").json()
    name = listed[0]["files"][0]["name"]
    url = f"/reports/{entry.id}/{name}"
    assert name.endswith(".html") and ministry.get(url).status_code == 200
    assert public.get(url).status_code == 404 and public.get("/api/reports").json() == []
    root = ministry.app.state.settings.effective_open_data_dir  # type: ignore[attr-defined]
    assert worker.tick(engine, open_data=root, now=at).released == [entry.id]
    shown = public.get(url)
    assert shown.status_code == 200 and "3727.1" in shown.text
