"""The examples in docs/ run as written: their files are written out, their commands run, and
what the page says the commands print is what they print."""

from __future__ import annotations

import csv
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"
BLOCK = re.compile(r"<!-- (file|run|expect)(?:: ([^>]*?))? -->\n```[a-z]*\n(.*?)```", re.S)


def blocks(page: str) -> list[tuple[str, str, str]]:
    """(kind, argument, body) of every marked code block of ``docs/<page>``."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [(m[1], (m[2] or "").strip(), m[3]) for m in BLOCK.finditer(text)]


def test_the_import_mapping_example_runs(cli_env: dict[str, str], tmp_path: Path) -> None:
    found = blocks("import-mapping.md")
    for kind, name, body in found:
        if kind == "file":
            (tmp_path / name).write_text(body, encoding="utf-8")
    [commands] = [body for kind, _, body in found if kind == "run"]
    out = ""
    for line in commands.strip().splitlines():
        args = shlex.split(line)
        assert args[0] == "shumao"
        done = subprocess.run(
            [sys.executable, "-c", RUN, *args[1:]],
            cwd=tmp_path,
            env={**cli_env, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        out = done.stdout
    [(columns, expected)] = [(arg, body) for kind, arg, body in found if kind == "expect"]
    keep = columns.split(",")
    printed = [[row[c] for c in keep] for row in csv.DictReader(io.StringIO(out))]
    assert printed == list(csv.reader(io.StringIO(expected.strip())))
