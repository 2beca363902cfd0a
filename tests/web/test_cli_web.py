"""``shumao users …``, ``shumao release`` and ``shumao demo users``."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from shumao.auth import users
from shumao.cli import web
from shumao.config import get_settings


@pytest.fixture
def cli(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("SHUMAO_DATABASE_URL", db_url)
    monkeypatch.setenv("SHUMAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHUMAO_ENVIRONMENT", "test")
    get_settings.cache_clear()
    app = typer.Typer()
    web.register(app)
    demo = typer.Typer()
    web.register_demo(demo)
    app.add_typer(demo, name="demo")
    yield app
    get_settings.cache_clear()


def test_users_add_list_and_passwd(cli: typer.Typer, engine: Engine) -> None:
    run = CliRunner().invoke
    made = run(cli, ["users", "add", "zhang", "--role", "province", "--scope", "江苏",
                     "--password", "a-good-password"])
    assert made.exit_code == 0, made.output
    listed = run(cli, ["users", "list"])
    assert "zhang" in listed.output and "320000" in listed.output
    changed = run(cli, ["users", "passwd", "zhang"], input="another-password\nanother-password\n")
    assert changed.exit_code == 0, changed.output
    with engine.connect() as conn:
        assert users.authenticate(conn, username="zhang", password="another-password")
    refused = run(cli, ["users", "add", "li", "--role", "province", "--scope", "DSEB05",
                        "--password", "a-good-password"])
    assert refused.exit_code == 1 and "DSEB05" in refused.output


@pytest.mark.slow
def test_demo_users_gives_every_role_a_log_in_and_data_to_see(cli: typer.Typer,
                                                               engine: Engine) -> None:
    from shumao.auth.access import public_view
    from shumao.collection import workflow
    from shumao.collection.actors import Actor, Role

    out = CliRunner().invoke(cli, ["demo", "users"])
    assert out.exit_code == 0, out.output
    for name in ("demo-enterprise", "demo-park", "demo-city", "demo-province", "demo-ministry",
                 "demo-admin"):
        assert name in out.output
    assert "shumao-demo-2024" in out.output
    released = CliRunner().invoke(cli, ["release", "ENT_DDS"])
    assert released.exit_code == 0, released.output
    with engine.connect() as conn:
        queue = workflow.list_filings(conn, actor=Actor("demo-park", Role.PARK, "DSEB05"),
                                      status="submitted")
        park = public_view(conn, "ENT_DDS", where={"ref_area": ["DSEB05"], "product": ["DD"],
                                                   "counterpart_area": ["WLD"], "flow": ["X"]})
    assert [f.period for f in queue] == ["2025-Q1"]
    assert park["value"].is_not_null().all() and park.height == 4  # three similar enterprises
    again = CliRunner().invoke(cli, ["demo", "users"])  # idempotent
    assert again.exit_code == 0, again.output
