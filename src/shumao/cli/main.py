"""The ``shumao`` console script."""

from __future__ import annotations

import logging

import typer

from shumao.cli import (
    backup,
    bases,
    collection,
    compute,
    data,
    db,
    demo,
    index,
    monitor,
    outbound,
    policy,
    ref,
    web,
)
from shumao.cli import release as release_cli
from shumao.cli import report as report_cli

app = typer.Typer(
    name="shumao",
    help="数贸 · 数字贸易统计监测预警平台 / digital-trade statistics monitoring and early warning",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data.register(app)
collection.register(app)
backup.register(app)
compute.register(app)
report_cli.register(compute.report_app)
policy.register(app)
monitor.register(app)
outbound.register(app)
index.register(app)
bases.register(app)
web.register(app)
web.register_demo(demo.app)
release_cli.register_demo(demo.app)
bases.register_demo(demo.app)
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(ref.app, name="ref")


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="详细日志 / verbose log"),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
