"""A clerk downloads the template, fills it, uploads it, reads every finding in Chinese with
its cell, fixes it and submits; a reviewer approves; the numbers are in ENT_DDS as a new vintage.
Once through the Python API (what the web pages call) and once through the CLI.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from filing_factories import ADMIN, PARK, USCC, clerk
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine

from shumao.collection import registry, roster
from shumao.collection.forms import get_form
from shumao.collection.templates import Identity, template_bytes
from shumao.collection.workflow import contents, deadlines, review, submission, uploads
from shumao.query import select as query

ROSTER = [
    ["统一社会信用代码", "企业名称", "所属基地", "所在区县", "行业代码", "服贸直报"],
    [USCC, "南京数贸示例软件有限公司", "中国（南京）软件谷", "雨花台区", "I6510", "是"],
]
FILLED = {
    "D7": 257.75,
    "E7": 15.5,
    "F7": 273.25,
    "B8": "SI2 计算机服务",
    "C8": "USA 美国",
    "D8": 120.5,
    "E8": 10,
    "F8": 130.5,
    "B9": "SI2 计算机服务",
    "C9": "JPN 日本",
    "D9": "约80",
    "F9": 80.25,
    "B10": "SJ2 专业和管理咨询服务",
    "C10": "火星",
    "D10": 45,
    "E10": 5.5,
    "F10": 50.5,
    "B11": "SK1 视听和相关服务",
    "C11": "SGP 新加坡",
    "D11": 12,
    "E11": 0,
    "F11": 12,
    "G11": "新签合同",
}
FIXES = {"D9": 80.25, "C10": "DEU 德国"}
EXPECTED_ERRORS = [
    ("D9", "“出口（万美元）”应为数字，实际为“约80”"),
    ("C10", "“伙伴国家（地区）”中的代码“火星”不在代码表 ISO 3166-1 中"),
]
EXPECTED_VALUES = {
    ("SI2", "USA", "X"): 120.5,
    ("SI2", "USA", "M"): 10.0,
    ("SI2", "JPN", "X"): 80.25,
    ("SJ2", "DEU", "X"): 45.0,
    ("SJ2", "DEU", "M"): 5.5,
    ("SK1", "SGP", "X"): 12.0,
    ("SK1", "SGP", "M"): 0.0,
}


def fill(template: bytes, cells: dict[str, object]) -> bytes:
    wb = load_workbook(io.BytesIO(template))
    ws = wb["填报表"]
    for ref, value in cells.items():
        ws[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_roster(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in ROSTER:
        ws.append(row)
    wb.save(path)
    return path


def test_clerk_to_query_through_the_python_api(engine: Engine, tmp_path: Path) -> None:
    form, period = get_form("DDS_Q"), "2024-Q3"
    with engine.begin() as conn:
        roster.import_roster(conn, actor=ADMIN, path=write_roster(tmp_path / "名录.xlsx"))
    with engine.connect() as conn:  # the clerk downloads the template
        ent = registry.get_enterprise(conn, actor=clerk(), uscc=USCC)
        due = deadlines.due_date(conn, form_id=form.id, period=period)
    template = template_bytes(form, Identity(ent.uscc, ent.name, period, due))
    with engine.begin() as conn:  # fills it with two mistakes and uploads it
        first = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id=form.id,
            uscc=USCC,
            period=period,
            data=fill(template, FILLED),
            filename="数贸季1表.xlsx",
        )
    assert not first.accepted
    assert [(f.cell, f.message_zh) for f in first.report.errors] == EXPECTED_ERRORS
    assert all(f.fix_zh for f in first.report.errors)
    with engine.begin() as conn:  # reads the findings back later, fixes the cells, uploads
        kept = contents.list_uploads(conn, actor=clerk(), filing_id=first.filing.id)
        assert [(f.cell, f.message_zh) for f in kept[0].report.errors] == EXPECTED_ERRORS
        second = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id=form.id,
            uscc=USCC,
            period=period,
            data=fill(template, {**FILLED, **FIXES}),
            filename="数贸季1表（改）.xlsx",
        )
        assert second.accepted, second.report.text()
        sent = submission.submit(conn, actor=clerk(), filing_id=second.filing.id)
    with engine.begin() as conn:  # the park reviewer approves
        done = review.approve(conn, actor=PARK, filing_id=sent.id, expected_version=sent.version)
    got = query(engine, "ENT_DDS", where={"ref_area": [USCC]})
    values = {
        (r["product"], r["counterpart_area"], r["flow"]): r["value"]
        for r in got.iter_rows(named=True)
    }
    assert values == EXPECTED_VALUES
    assert set(got["vintage_id"]) == {done.vintage_id}
    assert set(got["time_period"]) == {"2024-Q3"} and set(got["unit_mult"]) == {4}
    usa = query(engine, "ENT_DDS", where={"counterpart_area": ["美国"], "flow": ["X"]})
    assert usa["value"].to_list() == [120.5]


SHUMAO = Path(sys.executable).with_name("shumao")


def _command() -> list[str]:
    """The installed ``shumao`` once main.py registers these commands; until then the module."""
    from shumao.cli.main import app

    if "filing" in {g.name for g in app.registered_groups}:
        return [str(SHUMAO)]
    return [sys.executable, "-m", "shumao.cli.collection"]


def cli(env: dict[str, str], cwd: Path, *args: str, code: int = 0) -> str:
    done = subprocess.run(
        [*_command(), *args],
        env={**env, "COLUMNS": "200"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == code, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
def test_clerk_to_query_through_the_cli(cli_env: dict[str, str], tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(",".join(r) for r in ROSTER), encoding="gb18030")
    assert "新增 created 1" in cli(cli_env, tmp_path, "enterprise", "import-roster", str(roster))
    template = tmp_path / "template.xlsx"
    cli(
        cli_env,
        tmp_path,
        "template",
        "DDS_Q",
        "--enterprise",
        USCC,
        "--period",
        "2024Q3",
        "-o",
        str(template),
    )
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(fill(template.read_bytes(), FILLED))
    good.write_bytes(fill(template.read_bytes(), {**FILLED, **FIXES}))
    clerk_args = ["--actor", "li.clerk", "--as", f"enterprise:{USCC}"]
    where = ["--form", "DDS_Q", "--enterprise", USCC, "--period", "2024-Q3"]
    report = cli(cli_env, tmp_path, "validate", str(bad), *where, code=2)
    assert "bad.xlsx · 填报表 · D9" in report and "应为数字，实际为“约80”" in report
    assert "填报表 · C10" in report and "合计：2 个错误" in report
    rejected = cli(cli_env, tmp_path, "filing", "upload", str(bad), *where, *clerk_args, code=2)
    assert "未通过 rejected" in rejected
    accepted = cli(cli_env, tmp_path, "filing", "upload", str(good), *where, *clerk_args)
    filing_id = re.search(r"填报 filing #(\d+)", accepted)
    assert filing_id and "通过 accepted" in accepted
    cli(cli_env, tmp_path, "filing", "submit", filing_id[1], *clerk_args)
    approved = cli(
        cli_env,
        tmp_path,
        "filing",
        "approve",
        filing_id[1],
        "--actor",
        "wang",
        "--as",
        "park:DSEB05",
    )
    vintage = re.search(r"数据版本 vintage (\d+)", approved)
    assert vintage
    out = cli(cli_env, tmp_path, "query", "ENT_DDS", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {
        (r["product"], r["counterpart_area"], r["flow"]): float(r["value"]) for r in rows
    } == EXPECTED_VALUES
    assert {r["vintage_id"] for r in rows} == {vintage[1]}
    history = cli(cli_env, tmp_path, "filing", "history", filing_id[1])
    assert "approve" in history and "park:DSEB05" in history
