"""An approved zero report (零申报) stores explicit zeros (issue 13): the enterprise counts as a
reporter of 0, so its park's total is complete and the monitor compares it like any other.

On the demo data: in 中国（南京）软件谷 (DSEB05) three enterprises filed every quarter; for the
latest quarter due, one waits for review, one was approved and one never filed. That one now
files a zero report, and the park approves both.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from filing_factories import filled_template
from sqlalchemy import Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.workflow import deadlines, filings, review, submission, uploads
from shumao.monitor.evaluate import enterprise_levels
from shumao.release import publish
from shumao.release.disclosure.primary import primary
from shumao.release.disclosure.rules import Rules
from shumao.storage import vintages
from shumao.web import demo

TODAY = date(2025, 3, 1)
PARK = Actor("demo-park", Role.PARK, "DSEB05")
WAITING, APPROVED, SILENT = (e.uscc for e in demo.ENTERPRISES[:3])


@pytest.fixture
def demo_store(engine: Engine) -> str:
    demo.create(engine, today=TODAY)
    with engine.connect() as conn:
        return deadlines.last_due_period(conn, form_id="DDS_Q", today=TODAY)


def park_totals(engine: Engine, period: str) -> pl.DataFrame:
    """The monitor's view of DSEB05's digitally deliverable exports (complete periods only)."""
    with engine.connect() as conn:
        frame = vintages.read(conn, "ENT_DDS").drop("vintage_id")
        levels = enterprise_levels(conn, frame)
    return levels.filter(
        ref_area="DSEB05", product="DD", counterpart_area="WLD", flow="X", time_period=period
    )


def file_zero_report(engine: Engine, period: str) -> filings.Filing:
    clerk = Actor("clerk-silent", Role.ENTERPRISE, SILENT)
    data = filled_template(uscc=SILENT, period=period, lines=[], total=(0, 0, 0))
    with engine.begin() as conn:
        done = uploads.upload_file(
            conn,
            actor=clerk,
            form_id="DDS_Q",
            uscc=SILENT,
            period=period,
            data=data,
            filename="零申报.xlsx",
        )
        assert done.accepted, done.report.text()
        assert "zero-report" in {f.code for f in done.report.warnings}
        reasons = {
            p.key: "本季度无境外客户，无数字服务进出口"
            for p in submission.pending_warnings(conn, actor=clerk, filing_id=done.filing.id)
        }
        submission.submit(conn, actor=clerk, filing_id=done.filing.id, explanations=reasons)
        return review.approve(conn, actor=PARK, filing_id=done.filing.id)


def approve_waiting(engine: Engine, period: str) -> None:
    with engine.begin() as conn:
        found = filings.find_filing(conn, actor=PARK, form_id="DDS_Q", uscc=WAITING, period=period)
        assert found is not None and found.status is filings.Status.SUBMITTED
        review.approve(conn, actor=PARK, filing_id=found.id)


def test_an_approved_zero_report_stores_zeros_and_completes_the_park(
    engine: Engine, demo_store: str
) -> None:
    period = demo_store
    approve_waiting(engine, period)
    assert park_totals(engine, period).is_empty()  # two of three reporters: incomplete
    approved = file_zero_report(engine, period)
    assert approved.status is filings.Status.APPROVED and approved.vintage_id
    with engine.connect() as conn:
        stored = vintages.read(
            conn, "ENT_DDS", where={"ref_area": [SILENT]}, start=period, end=period
        )
    assert stored.select("product", "counterpart_area", "flow", "value", "unit", "unit_mult").sort(
        "flow"
    ).rows() == [("DD", "WLD", "M", 0.0, "USD", 4), ("DD", "WLD", "X", 0.0, "USD", 4)]
    total = park_totals(engine, period)
    with engine.connect() as conn:
        others = vintages.read(
            conn,
            "ENT_DDS",
            where={"ref_area": [WAITING, APPROVED], "flow": ["X"]},
            start=period,
            end=period,
        )
    assert total.height == 1  # complete: compared with the earlier quarters again
    assert total["value"][0] == pytest.approx(others["value"].sum())


def test_a_zero_contributor_does_not_make_a_cell_of_two_safe() -> None:
    """Two traders and a zero report: each trader could subtract its own figure and read the
    other's, exactly as in a cell of two — the threshold counts non-zero contributors."""
    cells = pl.DataFrame(
        {
            "value": [12.0, 12.0, 0.0, 30.0],
            "n_contributors": [3, 2, 1, 3],
            "top1": [7.0, 7.0, 0.0, 12.0],
            "top2": [5.0, 5.0, None, 10.0],
        }
    )
    marked = primary(cells, Rules(threshold=3, dominance=(), p_percent=()))
    assert marked["primary"].to_list() == [True, True, True, False]
    assert marked["reason"].to_list() == ["threshold", "threshold", "threshold", None]


def test_the_park_aggregate_counts_the_zero_reporter(engine: Engine, demo_store: str) -> None:
    period = demo_store
    approve_waiting(engine, period)
    file_zero_report(engine, period)
    with engine.connect() as conn:
        frame = vintages.read(conn, "ENT_DDS", start=period, end=period).drop("vintage_id")
        cells = publish.aggregate(frame, publish.enterprise_parents(conn))
    park = cells.filter(ref_area="DSEB05", product="DD", counterpart_area="WLD", flow="X")
    assert park["n_contributors"].to_list() == [3]
    assert park["agg_status"].to_list() == ["complete"]
