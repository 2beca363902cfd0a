"""`shumao outbound`: the demo register loaded, a role's projects, protected totals, the
tracker's refusal of an entry without a source, the self-check naming its article."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SHUMAO = Path(sys.executable).with_name("shumao")
DEMO = Path(__file__).resolve().parents[2] / "demo" / "outbound"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHUMAO), "outbound", *args],
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_selfcheck_names_route_article_and_rule_set(cli_env: dict[str, str]) -> None:
    done = run(
        cli_env,
        "selfcheck",
        "--ciio",
        "是",
        "--important-data",
        "否",
        "--persons-pi",
        "10",
        "--persons-sensitive",
        "0",
    )
    assert done.returncode == 0, done.stderr
    assert "申报数据出境安全评估" in done.stdout and "第七条第（一）项" in done.stdout
    assert "CAC-2024-16，自 2024-03-22 起施行" in done.stdout
    zone = run(
        cli_env,
        "selfcheck",
        "--ciio",
        "否",
        "--important-data",
        "否",
        "--persons-pi",
        "2000000",
        "--persons-sensitive",
        "0",
        "--ftz",
        "tianjin",
        "--ftz-list",
        "unlisted",
        "--on",
        "2024-06-01",
    )
    assert zone.returncode == 0, zone.stderr
    assert "免予申报安全评估" in zone.stdout and "第六条" in zone.stdout
    bad = run(
        cli_env,
        "selfcheck",
        "--ciio",
        "也许",
        "--important-data",
        "否",
        "--persons-pi",
        "10",
        "--persons-sensitive",
        "0",
    )
    assert bad.returncode == 2 and "也许" in bad.stdout and "yes or no" in bad.stdout


@pytest.mark.slow
def test_demo_register_projects_and_totals(cli_env: dict[str, str]) -> None:
    loaded = run(cli_env, "load-demo", str(DEMO))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "已审核登记 / filings approved: 30 · 规则条目 / tracker entries: 13" in loaded.stdout
    own = run(cli_env, "projects", "--as", "enterprise:91320114MA1YTD002J", "--format", "csv")
    lines = own.stdout.strip().splitlines()
    assert lines[0] == "enterprise,name,host_name,area,stage,approved,risk"
    assert len(lines) == 3 and all("南京云谷数据服务有限公司（演示）" in x for x in lines[1:])
    assert "越南" in own.stdout and "VNM" not in own.stdout
    public = run(cli_env, "aggregate", "--by", "host", "--as", "public", "--format", "csv")
    rows = [r.split(",") for r in public.stdout.strip().splitlines()[1:]]
    are = next(r for r in rows if r[0] == "阿联酋" and r[1] == "ALL")
    assert (are[2], are[3], are[-1]) == ("16950.63", "8", "F")
    vnm = next(r for r in rows if r[0] == "越南" and r[1] == "ALL")
    assert (vnm[2], vnm[-1]) == ("", "C")
    risk = run(cli_env, "risk", "--economy", "英国")
    assert "英国 风险中（3 分）" in risk.stdout and "英国数字服务税" in risk.stdout
    assert (
        "○ 缺少东道国ICT 服务出口（世界银行 WDI）数据，依据该数据的规则未评估（不计分）"
        in risk.stdout
    )


def test_a_tracker_entry_without_source_is_refused(cli_env: dict[str, str], tmp_path: Path) -> None:
    text = (DEMO / "tracker.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        text.replace("    source: https://www.boe.es/eli/es/l/2020/10/15/4\n", ""), encoding="utf-8"
    )
    done = run(cli_env, "tracker", "load", str(bad))
    assert done.returncode == 2
    assert "[rules.yaml · 第3行 row 3 · 列 column “source”]" in done.stdout
    assert "ESP-DST-2021" in done.stdout and "没有来源网址" in done.stdout
    listed = run(cli_env, "tracker", "list")
    assert listed.returncode == 1 and "没有规则条目" in listed.stdout + listed.stderr
