"""``shumao serve``, ``shumao users add/list/passwd`` and ``shumao demo users``
(``shumao release …`` is ``cli/release.py``).

    shumao serve [--host 127.0.0.1 --port 8000]     the web platform (pages, API, SDMX)
    shumao users add NAME --role ROLE [--scope CODE] [--password-file F]   create a user
    shumao users list                                users, roles, scopes
    shumao users passwd NAME                         set a new password
    shumao demo users                                one demo user of every role, demo
                                                     enterprises and filings; prints log-ins
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shumao.cli import release as release_cli
from shumao.cli.common import console, fail, open_store, store
from shumao.config import get_settings
from shumao.errors import ShumaoError

users_app = typer.Typer(help="用户与角色 / users and roles", no_args_is_help=True)

Password = Annotated[
    str | None,
    typer.Option(
        help="新密码（会留在命令历史中，宜用 --password-file）/ new password (stays in the shell "
        "history; prefer --password-file)"
    ),
]
PasswordFile = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="从文件第一行读密码，“-” 为标准输入；都不给出时在终端提示输入，"
        "无终端时读标准输入 / read the password from a file's first line "
        "(- for stdin); without either: prompted on a terminal, else stdin",
    ),
]


def _password(given: str | None, path: Path | None) -> str:
    """The password from the option, a file, the terminal (asked twice) or standard input."""
    if given:
        return given
    if path is not None:
        try:
            text = (
                sys.stdin.readline()
                if str(path) == "-"
                else path.read_text(encoding="utf-8").partition("\n")[0]
            )
        except OSError as exc:
            raise fail(
                f"读不到密码文件 / cannot read the password file {path}: {exc.strerror}"
            ) from None
        return _non_empty(text.rstrip("\r\n"), str(path))
    if sys.stdin.isatty():
        return str(typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True))
    return _non_empty(sys.stdin.readline().rstrip("\r\n"), "标准输入 stdin")


def _non_empty(password: str, where: str) -> str:
    if not password:
        raise fail(
            f"{where} 中没有密码：请用 --password-file 文件（第一行为密码）或在终端中运行 / "
            f"no password in {where}: give --password-file FILE (the password on its first "
            "line) or run on a terminal"
        )
    return password


WORKER_HEALTHCHECK_SECONDS = 60
"""uvicorn kills a worker that does not answer its supervisor's ping within this time (its
default, 5 s, killed busy workers with every request in them during the deadline crowd on a
loaded machine: dropped connections, lost filings — ``benchmarks/deadline_crowd.py``)."""


def serve(
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    workers: Annotated[int, typer.Option(help="进程数 / worker processes")] = 1,
) -> None:
    """启动网页平台 / serve the web platform (pages, JSON API, SDMX)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    import uvicorn

    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.web import serving
    from shumao.web.app import create_app

    engine = store()
    console.print(f"数贸 shumao: http://{host}:{port}/  （接口文档 API docs: /api/docs）")
    if workers > 1:  # each worker accepts on a socket of its own (``web.serving``)
        serving.run(
            uvicorn.Config(
                "shumao.web.asgi:app",
                host=host,
                port=port,
                workers=workers,
                log_level="info",
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            )
        )
    else:
        app = create_app(get_settings(), engine=engine)
        app.state.settle_heap = True  # long-lived objects out of the collector's way (web.heap)
        uvicorn.run(app, host=host, port=port, log_level="info")


@users_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    role: Annotated[
        str, typer.Option(help="角色 / enterprise, park, city, province, ministry, admin")
    ],
    scope: Annotated[str, typer.Option(help="范围代码 / scope: USCC, DSEB05, 320100, 320000")] = "",
    name: Annotated[str, typer.Option(help="显示名称 / display name")] = "",
    password: Password = None,
    password_file: PasswordFile = None,
) -> None:
    """新建用户 / create a user."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth import audit, users

    password = _password(password, password_file)
    try:
        with open_store() as engine, engine.begin() as conn:
            made = users.create_user(
                conn,
                username=username,
                password=password,
                role=role,
                scope=scope,
                display_name=name,
            )
            audit.record(
                conn,
                action="user.create",
                username="cli",
                target=made.username,
                detail={"role": made.role, "scope": made.scope},
            )
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"已创建 / created: {made.username} ({made.role}{':' + made.scope if made.scope else ''})"
    )


@users_app.command("list")
def list_users() -> None:
    """列出用户 / list users."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth import users
    from shumao.auth.roles import role_text

    with open_store() as engine, engine.connect() as conn:
        found = users.list_users(conn)
    table = Table(
        "用户名 user", "名称 name", "角色 role", "范围 scope", "启用 active", "最近登录 last login"
    )
    for u in found:
        table.add_row(
            u.username,
            u.display_name,
            f"{u.role} {role_text(u.role)}",
            u.scope,
            "是 yes" if u.active else "否 no",
            u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else "",
        )
    console.print(table)


@users_app.command("passwd")
def set_password(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    password: Password = None,
    password_file: PasswordFile = None,
) -> None:
    """设置新密码（并结束该用户的所有会话）/ set a new password (ends the user's sessions)."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth import audit, users

    password = _password(password, password_file)
    try:
        with open_store() as engine, engine.begin() as conn:
            users.set_password(conn, username=username, password=password)
            audit.record(conn, action="user.password", username="cli", target=username)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    console.print(f"已更新密码 / password changed: {username}")


def demo_users() -> None:
    """创建各角色演示用户、企业与填报并打印登录信息 / demo users, enterprises, filings; log-ins.

    每种角色一个演示用户，演示企业及其填报 / one demo user of every role, the demo enterprises
    and their filings; prints the log-ins."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.web import demo

    settings = get_settings()
    if settings.environment == "production":
        raise fail("生产环境不能创建演示用户 / no demo users in production")
    try:
        with open_store() as engine:
            logins = demo.create(engine)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    table = Table("角色 role", "用户名 user", "密码 password", "范围 scope")
    for row in logins:
        table.add_row(row.role_text, row.username, row.password, row.scope)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(release_cli.app, name="release")
    app.add_typer(users_app, name="users")


def register_demo(demo_app: typer.Typer) -> None:
    """Add ``users`` to the ``shumao demo`` group."""
    demo_app.command("users")(demo_users)
