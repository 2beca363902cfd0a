"""``shumao index``, run as a user runs it (a subprocess against the test's store)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from sqlalchemy import Engine

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"
SPECIMENS = Path(__file__).resolve().parents[1] / "specimens" / "index"


def shumao(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_build_show_sensitivity_explain(
    index_store: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    book = tmp_path / "prov.xlsx"
    done = shumao(cli_env, "index", "build", "-f", "provinces", "--xlsx", str(book))
    assert done.returncode == 0, done.stderr
    assert "广东" in done.stdout and "95.16" in done.stdout and "数据来源" in done.stdout
    sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
    assert sheets[:8] == [
        "Framework",
        "Raw",
        "Imputed",
        "Screened",
        "Treated",
        "Normalised",
        "Aggregated",
        "Ranks",
    ]
    shown = json.loads(
        shumao(cli_env, "index", "show", "-f", "DTI_PROV", "--json", "--unit", "320000").stdout
    )
    assert shown["ranking"][0]["name"] == "江苏" and shown["ranking"][0]["rank"] == 4
    assert set(shown["data_vintages"]) == {"NBS_PROV", "MOFCOM_REPORT"}
    sa = shumao(
        cli_env, "index", "sensitivity", "-f", "provinces", "--replications", "300", "--json"
    )
    assert sa.returncode == 0, sa.stderr
    doc = json.loads(sa.stdout)
    assert doc["replications"] == 64 * 7 and set(doc["sobol"]) >= {"weights", "aggregate"}
    econ = shumao(cli_env, "index", "build", "-f", "economies", "--json")
    assert econ.returncode == 0, econ.stderr
    why = json.loads(
        shumao(
            cli_env,
            "index",
            "explain",
            "-f",
            "economies",
            "-u",
            "CHN",
            "--from-year",
            "2021",
            "--json",
        ).stdout
    )
    assert abs(sum(c["contribution"] for c in why["contributions"]) - why["change"]) < 1e-9
    runs = json.loads(shumao(cli_env, "index", "runs", "--json").stdout)
    assert [r["kind"] for r in runs] == ["build", "sensitivity", "build"]


def test_a_bad_framework_is_rejected_with_its_findings(cli_env: dict[str, str]) -> None:
    done = shumao(cli_env, "index", "check", "-f", str(SPECIMENS / "cycle.yaml"))
    assert done.returncode == 2
    assert "index-cycle" in done.stderr and "有环" in done.stderr and "cycle" in done.stderr
    missing = shumao(cli_env, "index", "build", "-f", "bases")
    assert missing.returncode == 2 and "index-source-empty" in missing.stderr
