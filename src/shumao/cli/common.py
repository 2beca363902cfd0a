"""What every command shares: the store, console output, progress bars, error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

console = Console()
err_console = Console(stderr=True)

STAGES = {"parse": "读取 / parsing", "check": "校验 / checking", "write": "写入 / writing"}


def store() -> Engine:
    """The configured store, migrated to the current schema."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.storage.engine import make_engine, upgrade

    engine = make_engine()
    upgrade(engine)
    return engine


@contextmanager
def open_store() -> Iterator[Engine]:
    """The migrated store for one command, its connections closed when the command ends."""
    engine = store()
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def transaction() -> Iterator[Connection]:
    """One transaction per command; a rejected input prints its findings and exits 2, any
    other ShumaoError exits 1 with its bilingual message."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.errors import ImportRejected, ShumaoError

    try:
        with store().begin() as conn:
            yield conn
    except ImportRejected as exc:
        console.print(exc.report.text(), soft_wrap=True, markup=False, highlight=False)
        raise fail(str(exc), code=2) from None
    except ShumaoError as exc:
        raise fail(str(exc)) from None


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[object]:
    """Yield a ``progress(stage, done, total)`` callback drawing one bar per stage."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        yield update


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]{message}[/red]")
    return typer.Exit(code)
