"""A release made by hand writes its open-data snapshot at once, with no release worker running:
from the admin page, the admin API and the CLI. A snapshot that fails never loses the release:
the failure is audited and shown on the admin page, and the worker's next round writes it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from shumao.auth.tables import audit_log
from shumao.cli import release as release_cli
from shumao.config import Settings, get_settings
from shumao.release import history, worker
from shumao.release.tables import release_snapshot
from web.factories import World, obs, write


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """The worker is off: whatever writes the snapshot, it is not the worker."""
    return Settings(
        environment="test", data_dir=tmp_path / "data", database_url=db_url, release_worker="off"
    )


def _new_vintage(engine: Engine) -> int:
    return write(
        engine, "UNCTAD_DDS", [obs(ref_area="CHN", flow="X", time_period="2024", value=4321.09)]
    )


def _snapshots(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return {int(r) for r in conn.execute(select(release_snapshot.c.release_id)).scalars()}


def _newest_release(engine: Engine) -> int:
    with engine.connect() as conn:
        return history.list_releases(conn, "UNCTAD_DDS")[0].id


def _release_on_the_page(admin: TestClient, vid: int) -> None:
    r = admin.post(
        "/admin/releases",
        data={
            "dataflow": "UNCTAD_DDS",
            "vintage_id": str(vid),
            "csrf_token": admin.headers["X-CSRF-Token"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_a_release_from_the_admin_page_writes_its_snapshot_at_once(
    app: FastAPI, engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    vid = _new_vintage(engine)
    admin = as_role("admin")
    _release_on_the_page(admin, vid)
    made = _newest_release(engine)
    root = app.state.settings.effective_open_data_dir
    manifest = json.loads((root / f"release={made}" / "manifest.json").read_text("utf-8"))
    assert manifest["vintage"] == vid and made in _snapshots(engine)
    csv = admin.get(f"/downloads/release={made}/sdmx-csv/UNCTAD_DDS.csv").text
    assert "4321.09" in csv


def test_the_api_release_writes_it_too(
    app: FastAPI, engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    vid = _new_vintage(engine)
    r = as_role("ministry").post(
        "/api/admin/releases", json={"dataflow": "UNCTAD_DDS", "vintage_id": vid}
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] in _snapshots(engine)


def test_a_failing_snapshot_keeps_the_release_reports_it_and_the_worker_writes_it(
    app: FastAPI, engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    root = app.state.settings.effective_open_data_dir
    root.parent.mkdir(parents=True, exist_ok=True)
    root.write_text("not a folder")  # the open-data directory cannot be made
    vid = _new_vintage(engine)
    admin = as_role("admin")
    _release_on_the_page(admin, vid)
    made = _newest_release(engine)
    with engine.connect() as conn:
        assert vid in history.released_vintages(conn, "UNCTAD_DDS")  # the release stands
        failed = conn.execute(
            select(audit_log).where(audit_log.c.action == "release.snapshot")
        ).one()
    assert failed.ok is False and failed.target == f"release#{made}"
    assert made not in _snapshots(engine)
    page = admin.get("/admin/releases").text
    assert "开放数据快照尚未写出，定时发布进程将重试" in page
    assert (
        "4321.09"
        in as_role("public")
        .get("/api/explore", params={"dataflow": "UNCTAD_DDS", "ref_area": "CHN"})
        .text
    )

    root.unlink()
    assert made in worker.tick(engine, open_data=root).snapshots
    assert "开放数据快照尚未写出" not in admin.get("/admin/releases").text


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("SHUMAO_DATABASE_URL", db_url)
    monkeypatch.setenv("SHUMAO_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("SHUMAO_ENVIRONMENT", "test")
    get_settings.cache_clear()
    yield release_cli.app
    get_settings.cache_clear()


def test_the_cli_writes_it_at_once_and_reports_a_failure(
    cli: typer.Typer, engine: Engine, world: World, tmp_path: Path
) -> None:
    _new_vintage(engine)
    done = CliRunner().invoke(cli, ["publish", "UNCTAD_DDS"])
    assert done.exit_code == 0, done.output
    made = _newest_release(engine)
    assert (tmp_path / "cli-data" / "open-data" / f"release={made}" / "manifest.json").is_file()

    (tmp_path / "cli-data" / "open-data").rename(tmp_path / "moved")
    (tmp_path / "cli-data" / "open-data").write_text("not a folder")
    _new_vintage(engine)
    failed = CliRunner().invoke(cli, ["publish", "UNCTAD_DDS"])
    assert failed.exit_code == 0, failed.output
    again = _newest_release(engine)
    assert again > made and again not in _snapshots(engine)
    assert f"发布 {again} 已生效，但开放数据快照写出失败" in failed.output
