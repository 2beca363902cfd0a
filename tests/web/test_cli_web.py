"""``shumao users …``, ``shumao release`` and ``shumao demo users``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from shumao.auth import users
from shumao.cli import web
from shumao.config import get_settings

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"


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
    made = run(
        cli,
        [
            "users",
            "add",
            "zhang",
            "--role",
            "province",
            "--scope",
            "江苏",
            "--password",
            "a-good-password",
        ],
    )
    assert made.exit_code == 0, made.output
    listed = run(cli, ["users", "list"])
    assert "zhang" in listed.output and "320000" in listed.output
    changed = run(cli, ["users", "passwd", "zhang"], input="another-password\nanother-password\n")
    assert changed.exit_code == 0, changed.output
    with engine.connect() as conn:
        assert users.authenticate(conn, username="zhang", password="another-password")
    refused = run(
        cli,
        [
            "users",
            "add",
            "li",
            "--role",
            "province",
            "--scope",
            "DSEB05",
            "--password",
            "a-good-password",
        ],
    )
    assert refused.exit_code == 1 and "DSEB05" in refused.output


def test_users_add_without_a_terminal_reads_the_password_file_or_stdin(
    engine: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The README's chained line runs without a terminal: no prompt may abort it."""

    def shumao(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", RUN, *args],
            input=stdin,
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    secret = tmp_path / "alice.pw"
    secret.write_text("a-good-password\n", encoding="utf-8")
    made = shumao(
        "users",
        "add",
        "alice",
        "--role",
        "province",
        "--scope",
        "320000",
        "--password-file",
        str(secret),
    )
    assert made.returncode == 0, made.stdout + made.stderr
    piped = shumao(
        "users",
        "add",
        "bob",
        "--role",
        "ministry",
        "--password-file",
        "-",
        stdin="another-password\n",
    )
    assert piped.returncode == 0, piped.stdout + piped.stderr
    plain = shumao("users", "passwd", "bob", stdin="third-password\n")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    with engine.connect() as conn:
        assert users.authenticate(conn, username="alice", password="a-good-password")
        assert users.authenticate(conn, username="bob", password="third-password")
    nothing = shumao("users", "add", "carol", "--role", "ministry")
    assert nothing.returncode == 1
    assert "--password-file" in nothing.stderr and "Aborted" not in nothing.stderr
    missing = shumao(
        "users", "add", "dave", "--role", "ministry", "--password-file", str(tmp_path / "none.pw")
    )
    assert missing.returncode == 1 and "读不到密码文件" in missing.stderr


@pytest.mark.slow
def test_demo_users_gives_every_role_a_log_in_and_data_to_see(
    cli: typer.Typer, engine: Engine
) -> None:
    from shumao.auth.actors import Actor
    from shumao.auth.roles import Role
    from shumao.collection.forms import shift
    from shumao.collection.workflow import deadlines, filings
    from shumao.release.public import public_view

    out = CliRunner().invoke(cli, ["demo", "users"])
    assert out.exit_code == 0, out.output
    for name in (
        "demo-enterprise",
        "demo-park",
        "demo-city",
        "demo-province",
        "demo-ministry",
        "demo-admin",
    ):
        assert name in out.output
    assert "shumao-demo-2024" in out.output
    released = CliRunner().invoke(cli, ["release", "publish", "ENT_DDS"])
    assert released.exit_code == 0, released.output
    with engine.connect() as conn:
        latest = deadlines.last_due_period(conn, form_id="DDS_Q")  # from the clock
        queue = filings.list_filings(
            conn, actor=Actor("demo-park", Role.PARK, "DSEB05"), status="submitted"
        )
        park = public_view(
            conn,
            "ENT_DDS",
            where={
                "ref_area": ["DSEB05"],
                "product": ["DD"],
                "counterpart_area": ["WLD"],
                "flow": ["X"],
            },
        )
    assert [f.period for f in queue] == [latest]
    shown = park.filter(park["value"].is_not_null())["time_period"].to_list()
    assert shown == [shift(latest, -k) for k in range(4, 0, -1)]  # three similar enterprises
    hidden = park.filter(park["value"].is_null())["time_period"].to_list()
    assert hidden == [latest]  # one approved enterprise in the latest quarter: confidential
    again = CliRunner().invoke(cli, ["demo", "users"])  # idempotent
    assert again.exit_code == 0, again.output
