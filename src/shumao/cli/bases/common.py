"""What every ``shumao bases`` command shares: who acts, the transaction, JSON output, dates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shumao.cli.common import console, err_console, fail, store
from shumao.errors import ImportRejected, ShumaoError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from shumao.auth.scope import Scope


ActorName = Annotated[str, typer.Option("--actor", help="操作人 / who acts")]
ActAs = Annotated[str, typer.Option("--as", help="角色[:范围] / role[:scope], e.g. park:DSEB05")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]
Codes = Annotated[
    list[str] | None, typer.Argument(help="基地代码或名称（默认全部）/ bases (default all)")
]


def scope_of(name: str, spec: str) -> Scope:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth.scope import Scope

    role, _, code = spec.partition(":")
    try:
        return Scope.of(name, role, code)
    except ShumaoError as exc:
        raise fail(str(exc)) from None


@contextmanager
def transaction() -> Iterator[Connection]:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.bases import registry

    try:
        engine = store()
        with engine.begin() as conn:
            registry.seed_first_batch(conn)
            yield conn
    except ImportRejected as exc:
        err_console.print(exc.report.text(), markup=False)
        raise fail(str(exc), code=2) from None
    except ShumaoError as exc:
        raise fail(str(exc)) from None


def print_json(doc: Any) -> None:
    console.print(
        json.dumps(doc, ensure_ascii=False, indent=1, default=str), markup=False, soft_wrap=True
    )


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"日期应为 YYYY-MM-DD，而不是 {text} / dates are YYYY-MM-DD") from None
