"""``shumao monitor`` and ``shumao alerts`` as a person types them (a subprocess per command)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select

from shumao.auth.tables import audit_log
from shumao.monitor import tables as t

from .conftest import DEMO

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"


def shumao(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SHUMAO_DATABASE_URL": db_url,
        "COLUMNS": "200",
        "SHUMAO_MONITOR_ON_CHANGE": "true",
    }
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_run_list_acknowledge_and_resolve(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    done = shumao(
        db_url, "import", "report2022", str(DEMO / "report2022" / "table2_provinces_2022.csv")
    )
    assert done.returncode == 0, done.stderr
    run = shumao(db_url, "monitor", "run")
    assert run.returncode == 0 and "新触发 fired 0" in run.stdout  # the import already ran them
    listed = shumao(db_url, "alerts", "list", "--level", "orange")
    assert "2022年海南省可数字化交付的服务进口10.40亿美元，同比下降34.03%" in listed.stdout
    with engine.connect() as conn:
        aid = conn.execute(select(t.alert.c.id).where(t.alert.c.ref_area == "460000")).scalar_one()
    assert shumao(db_url, "alerts", "ack", str(aid), "--note", "已核实").returncode == 0
    shown = shumao(db_url, "alerts", "show", str(aid))
    assert "ack firing → acknowledged 已核实" in shown.stdout
    refused = shumao(db_url, "alerts", "resolve", str(aid), "--reason", " ")
    assert refused.returncode == 1 and "理由" in refused.stderr
    assert shumao(db_url, "alerts", "resolve", str(aid), "--reason", "数据已核实").returncode == 0
    with engine.connect() as conn:
        logged = (
            conn.execute(select(audit_log.c.action).where(audit_log.c.action.startswith("alert.")))
            .scalars()
            .all()
        )
    assert logged == ["alert.ack", "alert.resolve"]


def test_a_broken_rule_file_exits_2_with_its_findings(db_url: str, tmp_path: Path) -> None:
    from shumao.monitor import rules

    bad = tmp_path / "rules.yaml"
    bad.write_text(
        rules.PACKAGED.read_text(encoding="utf-8").replace("kind: cusum", "kind: magic"),
        encoding="utf-8",
    )
    done = shumao(db_url, "monitor", "rules", "--load", str(bad))
    assert done.returncode == 2
    assert "rule-kind-unknown" in done.stderr and "现行规则保持不变" in done.stderr
    kept = shumao(db_url, "monitor", "rules")
    assert "现行规则 / rules in force (v1)" in kept.stdout
