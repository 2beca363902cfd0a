"""``shumao report build`` and ``shumao report check`` as a person runs them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import Engine

from report.conftest import PASSAGES, REPORT_TEXT

SHUMAO = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shumao")


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SHUMAO, "report", *args],
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_build_writes_the_formats_asked_for(
    report_engine: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    done = _run(
        cli_env,
        "build",
        "--year",
        "2022",
        "--format",
        "html,xlsx",
        "--passages",
        str(PASSAGES),
        "--out",
        str(tmp_path / "r"),
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "report_2022_zh.html",
        "report_2022_zh.xlsx",
    ]
    assert "可追溯" in done.stdout and "HTML" in done.stdout


def test_build_without_the_passages_says_which_files_are_missing(
    report_engine: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    done = _run(cli_env, "build", "--format", "html", "--out", str(tmp_path / "r"), "--quiet")
    assert done.returncode == 2
    assert "report-passage-missing" in done.stdout and "foreword" in done.stdout
    assert "hand-written passage not found" in done.stdout
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").iterdir())


def test_check_the_2022_report(report_engine: Engine, cli_env: dict[str, str]) -> None:
    done = _run(cli_env, "check", str(REPORT_TEXT), "--json")
    assert done.returncode == 1  # some claims disagree
    import json

    doc = json.loads(done.stdout)
    assert doc["counts"]["mismatch"] == 4 and doc["counts"]["ok"] >= 50
    dalian = next(c for c in doc["claims"] if c["printed"] == "26.05")
    assert dalian["status"] == "mismatch" and dalian["subject_name"] == "大连高新技术产业园区"
