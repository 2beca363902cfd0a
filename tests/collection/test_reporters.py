"""Who reports which form: a form names the enterprise flag of its reporters (``reporters``).

数贸季2表 (CBEC_Q) is owed only by the enterprises flagged 跨境电商直报 (``cbec_reporter``),
数贸季1表 (DDS_Q) by every 服贸直报 enterprise: the to-do, the 漏报/迟报 lists and the response
overview follow the form's flag.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from filing_factories import (
    ADMIN,
    PARK,
    PERIOD,
    approved,
    clerk,
    filled_template,
    make_enterprise,
    make_uscc,
)
from openpyxl import Workbook
from sqlalchemy import Engine, select

from shumao.collection import registry, response, roster
from shumao.collection.forms import _check, get_form
from shumao.collection.tables import enterprise, filing_cell
from shumao.collection.workflow import submission, uploads
from shumao.errors import ShumaoError

PLAIN, SELLER = make_uscc(31), make_uscc(32)
CBEC_LINES = [("9710", "USA", 300.0, None)]


@pytest.fixture
def two(engine: Engine) -> None:
    """Two 服贸直报 enterprises in park DSEB05; only SELLER sells by cross-border e-commerce."""
    with engine.begin() as conn:
        make_enterprise(conn, uscc=PLAIN, name="南京服务外包有限公司")
        make_enterprise(conn, uscc=SELLER, name="南京跨境卖家有限公司", cbec_reporter=True)


def forms_owed(engine: Engine, code: str) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:  # 2024-Q3 is past its deadline (2024-10-20), Q4 is open
        items = response.todo(conn, actor=ADMIN, uscc=code, today=date(2025, 1, 5))
    return {(t.form_id, t.period): t.state for t in items}


def test_only_a_cross_border_e_commerce_filer_sees_the_cbec_form_due(
    engine: Engine, two: None
) -> None:
    plain, seller = forms_owed(engine, PLAIN), forms_owed(engine, SELLER)
    assert not any(form == "CBEC_Q" for form, _ in plain)
    assert plain[("DDS_Q", "2024-Q3")] == "overdue"
    assert seller[("CBEC_Q", "2024-Q3")] == "overdue" and seller[("CBEC_Q", "2024-Q4")] == "due"
    assert seller[("DDS_Q", "2024-Q3")] == "overdue"


def test_only_a_cross_border_e_commerce_filer_is_counted_missing(engine: Engine, two: None) -> None:
    today = date(2030, 1, 1)
    with engine.connect() as conn:
        cbec = response.responses(conn, actor=PARK, form_id="CBEC_Q", period="2024-Q3", today=today)
        dds = response.non_response(
            conn, actor=PARK, form_id="DDS_Q", period="2024-Q3", today=today
        )
    assert [(r.uscc, r.kind) for r in cbec] == [(SELLER, "missing")]
    assert {(r.uscc, r.kind) for r in dds} == {(PLAIN, "missing"), (SELLER, "missing")}
    (park,) = response.overview(cbec, by=lambda r: r.park_code)
    assert (park.code, park.reporters, park.counts["missing"]) == ("DSEB05", 1, 1)


def test_a_filed_cbec_form_counts_as_filed(engine: Engine, two: None) -> None:
    approved(engine, form_id="CBEC_Q", code=SELLER, lines=CBEC_LINES)
    with engine.connect() as conn:
        cbec = response.responses(
            conn, actor=PARK, form_id="CBEC_Q", period="2024-Q3", today=date(2030, 1, 1)
        )
    assert [(r.uscc, r.kind, r.status) for r in cbec] == [(SELLER, "late", "approved")]
    assert forms_owed(engine, SELLER)[("CBEC_Q", "2024-Q3")] == "done"


def test_every_form_names_a_reporter_flag() -> None:
    assert {get_form(f).reporters for f in ("DDS_Q", "BASIC_A")} == {"trade_reporter"}
    assert get_form("CBEC_Q").reporters == "cbec_reporter"
    assert get_form("ODI_A").reporters == ""  # filed per project, owed by no one per period
    with pytest.raises(ValueError, match="reporters must be one of trade_reporter, cbec_reporter"):
        _check(replace(get_form("CBEC_Q"), reporters="cbec"))  # a typo would make no one owe it


def test_the_roster_sets_the_flag_by_any_of_its_column_names(
    engine: Engine, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["统一社会信用代码", "企业名称", "所属基地", "服贸直报", "跨境电商企业"])
    ws.append([PLAIN, "南京服务外包有限公司", "DSEB05", "是", "否"])
    ws.append([SELLER, "南京跨境卖家有限公司", "DSEB05", "是", "是"])
    wb.save(tmp_path / "名录.xlsx")
    with engine.begin() as conn:
        roster.import_roster(conn, actor=ADMIN, path=tmp_path / "名录.xlsx")
        flags = {
            e.uscc: (e.trade_reporter, e.cbec_reporter)
            for e in registry.list_enterprises(conn, actor=ADMIN, reporters_only=True)
        }
        log = registry.changes(conn, actor=ADMIN, uscc=SELLER)
    assert flags == {PLAIN: (True, False), SELLER: (True, True)}
    assert log[0].changes["cbec_reporter"] == [None, True]
    assert [alias for alias in roster.ROSTER_COLUMNS["cbec_reporter"]][:2] == [
        "跨境电商直报",
        "跨境电商企业",
    ]


def test_the_upgrade_flags_the_enterprises_that_already_filed_the_form(
    engine: Engine, two: None
) -> None:
    from alembic import command

    from shumao.storage.engine import alembic_config

    with engine.begin() as conn:  # flagged while it filed; the downgrade drops every flag
        make_enterprise(conn, uscc=PLAIN, name="南京服务外包有限公司", cbec_reporter=True)
    approved(engine, form_id="CBEC_Q", code=PLAIN, lines=CBEC_LINES)  # filed before the flag
    command.downgrade(alembic_config(engine), "collection_0002")
    command.upgrade(alembic_config(engine), "heads")
    with engine.connect() as conn:
        flagged = dict(conn.execute(select(enterprise.c.uscc, enterprise.c.cbec_reporter)).all())
    assert flagged == {PLAIN: True, SELLER: False}  # SELLER's flag was set, not filed: dropped


def test_the_cli_lists_both_reporter_flags(
    engine: Engine, two: None, cli_env: dict[str, str]
) -> None:
    run = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"
    done = subprocess.run(
        [sys.executable, "-c", run, "enterprise", "list", "--reporters"],
        env={**cli_env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "服贸直报" in done.stdout and "跨境电商直报" in done.stdout
    lines = {
        line.split("│")[1].strip(): line
        for line in done.stdout.splitlines()
        if PLAIN in line or SELLER in line
    }
    assert [c.strip() for c in lines[SELLER].split("│")[-3:-1]] == ["是", "是"]
    assert [c.strip() for c in lines[PLAIN].split("│")[-3:-1]] == ["是", "否"]


def test_an_enterprise_without_the_flag_cannot_file_the_cbec_form(
    engine: Engine, two: None
) -> None:
    """Refused with a located finding in both languages; no cell stored, nothing to submit; the
    same file from the flagged seller is accepted."""
    with engine.begin() as conn:
        refused = uploads.upload_file(
            conn,
            actor=clerk(PLAIN),
            form_id="CBEC_Q",
            uscc=PLAIN,
            period=PERIOD,
            hb=False,
            data=filled_template(form_id="CBEC_Q", uscc=PLAIN, lines=CBEC_LINES),
            filename="cbec.xlsx",
        )
        by_json = uploads.upload_json(
            conn,
            actor=clerk(PLAIN),
            form_id="CBEC_Q",
            uscc=PLAIN,
            period=PERIOD,
            payload={"lines": []},
            hb=False,
        )
    assert not refused.accepted and refused.filing.current_upload_id is None
    (f,) = [f for f in refused.report.errors if f.code == "upload-not-reporter"]
    assert (f.file, f.sheet, f.cell) == ("cbec.xlsx", "填报表", "B3")
    assert f.message_zh == (
        f"企业 {PLAIN}（南京服务外包有限公司）在企业名录中未标记为“跨境电商直报”，"
        "不报送也不能报送数贸季2表（跨境电商销售情况（季度））"
    )
    assert f.message_en.startswith(
        f'the enterprise {PLAIN} (南京服务外包有限公司) is not marked "跨境电商直报"'
    )
    assert "标记“跨境电商直报”" in f.fix_zh and "mark it" in f.fix_en
    assert any(f.code == "upload-not-reporter" for f in by_json.report.errors)
    with engine.connect() as conn:
        assert conn.execute(select(filing_cell.c.upload_id)).all() == []
    with engine.begin() as conn, pytest.raises(ShumaoError):
        submission.submit(conn, actor=clerk(PLAIN), filing_id=refused.filing.id)
    assert (
        approved(engine, form_id="CBEC_Q", code=SELLER, lines=CBEC_LINES).status.value == "approved"
    )
