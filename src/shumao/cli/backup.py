"""``shumao backup`` and ``shumao restore``: the whole store to one portable file and back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shumao.cli.common import console, fail, open_store, progress_bar
from shumao.errors import ShumaoError

if TYPE_CHECKING:  # loads when a command runs, not when the CLI starts
    from shumao.storage.backup_format import Manifest

Quiet = Annotated[bool, typer.Option(help="不显示进度条 / no progress bar")]


def backup_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="备份文件 / backup file (默认 default: <data_dir>/backups/shumao-YYYYmmdd-HHMMSS.zip)",
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """备份整个数据库到一个文件 / back up the whole store to one portable file."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.storage import backup as backups

    try:
        with open_store() as engine, progress_bar(not quiet) as bar:
            path, manifest = backups.backup(engine, file, progress=bar)  # type: ignore[arg-type]
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    _print_tables(manifest)
    console.print(
        f"[green]已备份 / backed up[/green]: {path} · {len(manifest.tables)} 表 tables · "
        f"{manifest.total_rows:,} 行 rows"
    )


def restore_command(
    file: Annotated[Path, typer.Argument(help="备份文件 / backup file")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="先清空非空的数据库 / empty a store that holds data first",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """从备份恢复到空数据库（全部或不做）/ restore a backup into an empty store, all or nothing."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.storage import restore as restores

    try:
        with open_store() as engine, progress_bar(not quiet) as bar:
            manifest = restores.restore(engine, file, force=force, progress=bar)  # type: ignore[arg-type]
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    _print_tables(manifest)
    console.print(
        f"[green]已恢复 / restored[/green]: {file} ({manifest.created_at}, {manifest.dialect}) · "
        f"{len(manifest.tables)} 表 tables · {manifest.total_rows:,} 行 rows"
    )
    later = restores.later_revisions(manifest.revisions)
    if later:
        console.print(
            f"备份早于数据库结构版本 {'、'.join(later)}，恢复的数据已按这些版本更新",
            soft_wrap=True,
        )
        console.print(
            f"the backup predates schema revisions {', '.join(later)}; the restored rows were "
            f"brought up to date with them",
            soft_wrap=True,
        )


def _print_tables(manifest: Manifest) -> None:
    """Row counts of the tables that hold rows (every table is in the file, empty or not)."""
    table = Table("表 table", "行数 rows")
    for entry in manifest.tables:
        if entry.rows:
            table.add_row(entry.name, f"{entry.rows:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
