"""The demo register loads through the filing workflow; each role reads its part of it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.tables import filing, filing_transition
from shumao.collection.workflow import filings, review, submission, uploads
from shumao.outbound import demo, register
from shumao.outbound import tables as t

from .conftest import DEMO

MINISTRY = Actor("m", Role.MINISTRY)
JIANGSU = Actor("js", Role.PROVINCE, "320000")
DEMO_ENT = Actor("e", Role.ENTERPRISE, "91320114MA1YTD002J")


def test_the_committed_demo_files_are_the_generators_output(tmp_path: Path) -> None:
    demo.write(tmp_path)
    for name in ("enterprises.csv", "register_2025.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (DEMO / name).read_text(
            encoding="utf-8"
        ), name


def test_demo_register_is_filed_reviewed_and_approved(filed: Engine) -> None:
    with filed.connect() as conn:
        statuses = conn.execute(
            select(filing.c.status, func.count())
            .where(filing.c.form_id == "ODI_A")
            .group_by(filing.c.status)
        ).all()
        steps = conn.execute(
            select(filing_transition.c.action, filing_transition.c.role).distinct()
        ).all()
        projects = register.current(conn, actor=MINISTRY)
    assert statuses == [("approved", 30)]
    assert set(steps) == {
        ("create", "enterprise"),
        ("upload", "enterprise"),
        ("submit", "enterprise"),
        ("approve", "province"),
    }
    with (DEMO / "register_2025.csv").open(encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    assert projects.height == len(lines) == 72
    row = projects.filter(projects["odi_cert"] == "N3200202200003").row(0, named=True)
    assert (row["uscc"], row["host"], row["area"], row["mode"], row["stage"]) == (
        "91320114MA1YTD002J",
        "VNM",
        "BROADBAND",
        "GREENFIELD",
        "OPERATING",
    )
    assert (row["filed_on"], row["operating_on"], row["approved"], row["employees"]) == (
        date(2022, 1, 26),
        date(2023, 6, 23),
        7407.09,
        181,
    )
    assert (
        row["province_code"] == "320000" and row["enterprise"] == "南京云谷数据服务有限公司（演示）"
    )


def test_each_role_reads_its_own_part(filed: Engine) -> None:
    with filed.connect() as conn:
        everything = register.current(conn, actor=MINISTRY)
        jiangsu = register.current(conn, actor=JIANGSU)
        own = register.current(conn, actor=DEMO_ENT)
    assert set(own["uscc"]) == {"91320114MA1YTD002J"} and own.height == 2
    assert set(jiangsu["province_code"]) == {"320000"}
    assert jiangsu.height == everything.filter(everything["province_code"] == "320000").height
    assert jiangsu.height < everything.height


def test_a_revision_adds_rows_and_the_register_keeps_its_past(filed: Engine) -> None:
    code = "91320114MA1YTD002J"
    clerk, reviewer = Actor("c", Role.ENTERPRISE, code), JIANGSU
    with filed.connect() as conn:
        before = register.current(conn, actor=MINISTRY)
        approved_at = before["approved_at"].max()
    with (DEMO / "register_2025.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r[0] == code]
    rows[0][15] = "300.00"  # revenue of project 1 corrected
    with filed.begin() as conn:
        found = filings.find_filing(conn, actor=clerk, form_id="ODI_A", uscc=code, period="2025")
        assert found is not None
        up = uploads.upload_file(
            conn,
            actor=clerk,
            form_id="ODI_A",
            uscc=code,
            period="2025",
            data=demo._csv(rows, demo.HEADER).encode(),
            filename="fix.csv",
        )
        assert up.accepted, up.report.text()
        submission.submit(conn, actor=clerk, filing_id=found.id)
        review.approve(conn, actor=reviewer, filing_id=found.id)
    with filed.connect() as conn:
        now = register.current(conn, actor=MINISTRY)
        then = register.current(conn, actor=MINISTRY, as_of=approved_at)
        stored = conn.execute(select(func.count()).select_from(t.project)).scalar()
    fixed = now.filter((now["uscc"] == code) & (now["project_no"] == "1"))
    old = then.filter((then["uscc"] == code) & (then["project_no"] == "1"))
    assert fixed["revenue"].to_list() == [300.0] and old["revenue"].to_list() == [236.71]
    assert now.height == before.height and stored == before.height + 2
