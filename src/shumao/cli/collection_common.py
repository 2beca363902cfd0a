"""What the collection commands share: who acts (``--actor NAME --as ROLE:SCOPE``), JSON
output and how a report of findings is printed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from shumao.cli.common import console, fail
from shumao.errors import ShumaoError

if TYPE_CHECKING:  # the domain modules load polars and SQLAlchemy: only when a command runs
    from shumao.auth.actors import Actor
    from shumao.validation.findings import Report

ActorName = Annotated[str, typer.Option("--actor", help="操作人 / who acts")]
ActAs = Annotated[str, typer.Option("--as", help="角色:范围 / role:scope, e.g. park:DSEB05")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]


def acting(name: str, spec: str) -> Actor:
    """The ``Actor`` of ``--actor NAME --as ROLE:SCOPE``."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.auth.actors import Actor

    try:
        return Actor.parse(name, spec)
    except ShumaoError as exc:
        raise fail(str(exc)) from None


def print_report(report: Report, as_json: bool) -> None:
    console.print(
        report.to_json() if as_json else report.text(),
        soft_wrap=True,
        markup=False,
        highlight=False,
    )


def plain(doc: dict[str, Any]) -> dict[str, Any]:
    """A record with its dates as ISO text, for JSON output."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in doc.items()}
