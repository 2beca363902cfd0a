"""A blank form is not a filing; a zero report (零申报) is, once the filer gives the reason.

Rule ``filing-blank`` (error) decides the first: a form whose value cells are all empty. Rule
``zero-report`` (warning) marks the second: values given and every one of them 0 — like every
warning it needs the filer's written explanation before the filing can be submitted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from filing_factories import ADMIN, PERIOD, USCC, clerk, filled_template, make_enterprise
from sqlalchemy import Engine

from shumao.collection.checks.engine import validate
from shumao.collection.checks.results import Checked
from shumao.collection.forms import get_form
from shumao.collection.templates import Identity, template_bytes
from shumao.collection.upload import read_bytes
from shumao.collection.workflow import filings, review, submission, uploads
from shumao.errors import ImportRejected, NotAllowed
from shumao.storage import vintages

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"


def blank(form_id: str, period: str = PERIOD) -> bytes:
    """The template exactly as downloaded."""
    return template_bytes(get_form(form_id), Identity(USCC, "示例公司", period))


def check(data: bytes, form_id: str) -> Checked:
    form = get_form(form_id)
    parsed = read_bytes(data, form=form, filename="t.xlsx")
    assert parsed.sheet is not None
    return validate(parsed.sheet, form, report=parsed.report)


def test_the_quarterly_template_uploaded_unchanged_is_an_error() -> None:
    checked = check(blank("DDS_Q"), "DDS_Q")
    assert not checked.report.ok
    [found] = [f for f in checked.report.errors if f.code == "filing-blank"]
    assert found.cell == "D7"  # the totals row's exports cell, where a zero report goes
    assert "空白报表" in found.message_zh and "blank" in found.message_en
    assert "零申报" in found.fix_zh and "合计" in found.fix_zh


def test_the_annual_template_uploaded_unchanged_is_an_error_too() -> None:
    checked = check(blank("BASIC_A", "2024"), "BASIC_A")
    assert "filing-blank" in {f.code for f in checked.report.errors}
    [found] = [f for f in checked.report.errors if f.code == "filing-blank"]
    assert found.cell == "D7"


def test_zeros_on_the_totals_row_are_a_zero_report_warning() -> None:
    data = filled_template(lines=[], total=(0, 0, 0))
    checked = check(data, "DDS_Q")
    assert checked.report.ok  # no error: a zero report is a valid answer
    [warning] = checked.report.warnings
    assert warning.code == "zero-report" and warning.cell == "D7"
    assert "零申报" in warning.message_zh and "zero report" in warning.message_en


def test_a_filing_with_figures_is_neither() -> None:
    checked = check(filled_template(), "DDS_Q")
    assert not {"filing-blank", "zero-report"} & {f.code for f in checked.report.findings}


def test_a_zero_report_is_submitted_only_with_a_reason_and_approved(engine: Engine) -> None:
    data = filled_template(lines=[], total=(0, 0, 0))
    with engine.begin() as conn:
        make_enterprise(conn)
        done = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id="DDS_Q",
            uscc=USCC,
            period=PERIOD,
            data=data,
            filename="zero.xlsx",
            hb=False,
        )
        assert done.accepted and done.upload.warnings == 1
    with engine.begin() as conn, pytest.raises(ImportRejected, match="1 个错误"):
        submission.submit(conn, actor=clerk(), filing_id=done.filing.id)
    with engine.begin() as conn:
        [pending] = submission.pending_warnings(conn, actor=clerk(), filing_id=done.filing.id)
        submission.submit(
            conn,
            actor=clerk(),
            filing_id=done.filing.id,
            explanations={pending.key: "本季度无境外客户，无数字服务进出口"},
        )
        approved = review.approve(conn, actor=ADMIN, filing_id=done.filing.id)
    assert approved.status == filings.Status.APPROVED and approved.vintage_id
    with engine.connect() as conn:
        stored = vintages.read(conn, "ENT_DDS", where={"ref_area": [USCC]})
    # nothing was traded: the enterprise reported 0, stored as its digitally deliverable total
    assert stored.select("product", "counterpart_area", "flow", "value").sort("flow").rows() == [
        ("DD", "WLD", "M", 0.0),
        ("DD", "WLD", "X", 0.0),
    ]


def test_a_blank_upload_is_kept_but_cannot_be_submitted(engine: Engine) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)
        done = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id="DDS_Q",
            uscc=USCC,
            period=PERIOD,
            data=blank("DDS_Q"),
            filename="blank.xlsx",
        )
    assert not done.accepted
    assert [f.code for f in done.report.errors] == ["filing-blank"]
    with engine.begin() as conn, pytest.raises(NotAllowed):
        submission.submit(conn, actor=clerk(), filing_id=done.filing.id)


def test_shumao_validate_refuses_the_blank_template(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "blank.xlsx"
    path.write_bytes(blank("DDS_Q"))
    done = subprocess.run(
        [sys.executable, "-c", RUN, "validate", str(path), "--form", "DDS_Q", "--no-store"],
        env={**cli_env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "filing-blank" in done.stdout and "填报表 · D7" in done.stdout
    assert "合计：1 个错误" in done.stdout
