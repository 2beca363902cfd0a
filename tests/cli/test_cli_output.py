"""What the terminal shows: help without source markup, tables that never cut a number."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
import typer.main

from shumao.cli.main import app

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"
MARKUP = re.compile(r"``|:(?:func|class|meth|mod|attr):`")


def shumao(
    *args: str, columns: int = 80, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env={**(env or os.environ), "COLUMNS": str(columns)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def commands(cmd: Any, path: str = "shumao") -> Iterator[tuple[str, Any]]:
    """Every command of the tree (typer ships its own click: groups have ``commands``)."""
    yield path, cmd
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from commands(sub, f"{path} {name}")


def test_no_help_text_carries_source_markup() -> None:
    wrong = []
    for path, cmd in commands(typer.main.get_command(app)):
        texts = [cmd.help or "", *(getattr(p, "help", None) or "" for p in cmd.params)]
        wrong += [f"{path}: {t[:60]!r}" for t in texts if MARKUP.search(t)]
        summary = (cmd.help or "").strip().split("\n\n")[0]
        if "\n" in summary:
            wrong.append(f"{path}: the summary line breaks mid-sentence: {summary[:60]!r}")
    assert not wrong, "\n".join(wrong)


def test_shumao_help_as_printed() -> None:
    done = shumao("--help")
    assert done.returncode == 0
    assert "``" not in done.stdout and "查询数据" in done.stdout


def test_a_table_wider_than_the_terminal_keeps_every_digit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from shumao.cli import tables
    from shumao.cli.common import console

    frame = pl.DataFrame(
        {
            "name": ["杭州高新技术产业开发区（滨江）物联网产业园", "齐鲁软件园"],
            **{f"指标{i}": [10478.31 * i, 1229.29] for i in range(1, 12)},
        }
    )
    old = console.width
    console.width = 80
    try:
        tables.show_frame(frame, title="宽表")
    finally:
        console.width = old
    out = capsys.readouterr().out
    assert all(len(line) <= 80 for line in out.splitlines())
    for i in range(1, 12):
        assert f"{10478.31 * i:,.2f}" in out
    assert out.count("1,229.29") == 11
    assert "宽表（续 continued）" in out  # eleven wide columns do not fit in one table
    assert out.count("齐鲁软件园") == 2  # the row labels repeat in the continuation
