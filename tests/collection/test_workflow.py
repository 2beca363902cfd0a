"""The filing workflow: uploads kept, submission, review, vintages, locking, non-response."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from filing_factories import (
    BASIC_VALUES,
    CITY,
    LINES,
    OTHER_PARK,
    PARK,
    PERIOD,
    PROVINCE,
    USCC,
    approved,
    clerk,
    filled_template,
    make_enterprise,
    make_uscc,
)
from sqlalchemy import Engine, func, select, update

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection import response
from shumao.collection.forms import get_form
from shumao.collection.tables import filing, filing_cell, filing_transition, filing_upload
from shumao.collection.workflow import contents, deadlines, filings, review, submission, uploads
from shumao.collection.workflow.vintage import vintage_label
from shumao.errors import ConflictError, ImportRejected, NotAllowed, NotVisible
from shumao.query import select as query
from shumao.storage import bulk, revisions, vintages
from shumao.storage.tables import observation, vintage


@pytest.fixture
def ent(engine: Engine) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)


def upload(
    engine: Engine,
    data: bytes,
    *,
    who: Actor | None = None,
    period: str = PERIOD,
    form_id: str = "DDS_Q",
    code: str = USCC,
    hb: bool = True,
) -> uploads.UploadResult:
    with engine.begin() as conn:
        return uploads.upload_file(
            conn,
            actor=who or clerk(code),
            form_id=form_id,
            uscc=code,
            period=period,
            data=data,
            filename="填报.xlsx",
            hb=hb,
        )


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def ent_dds(engine: Engine, **where: list[str]) -> pl.DataFrame:
    return query(engine, "ENT_DDS", where=where)


def test_a_rejected_upload_is_kept_with_its_findings_and_file(engine: Engine, ent: None) -> None:
    bad = filled_template(
        lines=[("SI2", "USA", None, 10.0), ("SC1", "JPN", 5.0, None)],
        total=(5, 10, 15),
        cells={"D8": "约100"},
    )
    result = upload(engine, bad)
    assert not result.accepted
    errors = {(f.code, f.cell) for f in result.report.errors}
    assert ("value-not-number", "D8") in errors
    assert ("code-not-allowed", "B9") in errors
    with engine.connect() as conn:
        kept = contents.get_upload(conn, actor=clerk(), upload_id=result.upload.id)
        stored = conn.execute(select(filing_upload.c.content)).scalar_one()
        filing = filings.get_filing(conn, actor=clerk(), filing_id=result.filing.id)
    assert stored == bad  # the file itself, so the clerk can come back to it
    assert kept.status == "rejected" and kept.errors == len(result.report.errors)
    assert kept.report.flat() == result.report.flat()
    message = next(f for f in kept.report.errors if f.cell == "D8").message_zh
    assert message == "“出口（万美元）”应为数字，实际为“约100”"
    assert filing.status is filings.Status.DRAFT and filing.current_upload_id is None
    with engine.begin() as conn, pytest.raises(NotAllowed, match="no accepted upload"):
        submission.submit(conn, actor=clerk(), filing_id=filing.id)


def test_approval_stores_the_filing_as_a_vintage_of_ent_dds(engine: Engine, ent: None) -> None:
    done = approved(engine)
    assert done.status is filings.Status.APPROVED and done.revision == 1
    got = ent_dds(engine).select(
        "counterpart_area",
        "product",
        "flow",
        "time_period",
        "value",
        "unit",
        "unit_mult",
        "vintage_id",
    )
    assert got.height == 7
    row = got.filter(product="SI2", counterpart_area="USA", flow="X").row(0, named=True)
    assert row == {
        "counterpart_area": "USA",
        "product": "SI2",
        "flow": "X",
        "time_period": "2024-Q3",
        "value": 120.5,
        "unit": "USD",
        "unit_mult": 4,
        "vintage_id": done.vintage_id,
    }
    with engine.connect() as conn:
        info = vintages.list_vintages(conn, "ENT_DDS")[0]
    assert info.kind == "filing" and info.rows == 7 and info.created_by == "root (admin)"
    assert info.label == (
        "数贸季1表 数字服务进出口情况（季度） 2024-Q3 企业直报审核通过 第1版 / "
        "Digital services trade (quarterly) 2024-Q3, approved revision 1"
    )  # names no filer


def test_old_vintage_labels_lose_the_filer_on_upgrade(engine: Engine, ent: None) -> None:
    from alembic import command
    from sqlalchemy import update

    from shumao.storage.engine import alembic_config

    done = approved(engine)
    old = (
        f"数贸季1表 数字服务进出口情况（季度） {USCC} 2024-Q3 第1版 / filing #{done.id} revision 1"
    )
    command.downgrade(alembic_config(engine), "collection_0001")
    with engine.begin() as conn:
        conn.execute(update(vintage).where(vintage.c.id == done.vintage_id).values(label=old))
    command.upgrade(alembic_config(engine), "heads")
    with engine.connect() as conn:
        label = conn.execute(
            select(vintage.c.label).where(vintage.c.id == done.vintage_id)
        ).scalar_one()
    assert label == vintage_label(get_form("DDS_Q"), "2024-Q3", 1)


def test_return_with_a_reason_then_resubmit(engine: Engine, ent: None) -> None:
    first = upload(engine, filled_template())
    with engine.begin() as conn:
        sent = submission.submit(conn, actor=clerk(), filing_id=first.filing.id)
        with pytest.raises(NotAllowed, match="needs a reason"):
            review.return_filing(conn, actor=PARK, filing_id=sent.id, reason="  ")
        back = review.return_filing(
            conn, actor=PARK, filing_id=sent.id, reason="美国出口额与合同不符，请核实"
        )
    assert back.status is filings.Status.RETURNED
    fixed = upload(engine, filled_template(lines=[("SI2", "USA", 100.5, 10.0), *LINES[1:]]))
    assert fixed.accepted and fixed.filing.status is filings.Status.RETURNED
    with engine.begin() as conn:
        again = submission.submit(conn, actor=clerk(), filing_id=back.id)
        review.approve(conn, actor=CITY, filing_id=again.id)
        steps = filings.history(conn, actor=PROVINCE, filing_id=again.id)
    assert [(s.action, s.from_status, s.to_status) for s in steps] == [
        ("create", None, "draft"),
        ("upload", "draft", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("upload", "returned", "returned"),
        ("resubmit", "returned", "submitted"),
        ("approve", "submitted", "approved"),
    ]
    returned = steps[3]
    assert (returned.actor, returned.role, returned.scope) == ("wang.park", "park", "DSEB05")
    assert returned.reason == "美国出口额与合同不符，请核实"
    assert steps[-1].vintage_id is not None and steps[-1].at >= steps[0].at
    value = ent_dds(engine, counterpart_area=["USA"], product=["SI2"], flow=["X"])["value"]
    assert value.to_list() == [100.5]


def test_a_resubmission_after_approval_is_a_revision(engine: Engine, ent: None) -> None:
    v1 = approved(engine)
    revised = [("SI2", "USA", 125.0, 10.0), *LINES[1:3]]  # SGP line dropped
    v2 = approved(engine, lines=revised)
    assert v2.id == v1.id and v2.revision == 2 and v2.vintage_id != v1.vintage_id
    latest = ent_dds(engine)
    assert latest.filter(counterpart_area="USA", flow="X")["value"].to_list() == [125.0]
    sgp = latest.filter(counterpart_area="SGP")
    assert sgp["obs_status"].to_list() == ["M", "M"] and sgp["value"].null_count() == 2
    first = query(engine, "ENT_DDS", as_of=v1.vintage_id)
    assert first.filter(counterpart_area="USA", flow="X")["value"].to_list() == [120.5]
    assert first.filter(counterpart_area="SGP", flow="X")["value"].to_list() == [12.0]
    with engine.connect() as conn:
        table = revisions.revisions(conn, "ENT_DDS", then=v1.vintage_id, now=v2.vintage_id)
        stored = conn.execute(select(func.count()).select_from(observation)).scalar_one()
    usa = table.filter(counterpart_area="USA", flow="X").row(0, named=True)
    assert (usa["value_then"], usa["value_now"], usa["revision"]) == (120.5, 125.0, 4.5)
    assert stored == 7 + 5 + 2  # both vintages kept; the second withdraws SGP (2 cells)


def test_reviewers_are_the_park_city_and_province_only(engine: Engine, ent: None) -> None:
    first = upload(engine, filled_template())
    with engine.begin() as conn:
        submission.submit(conn, actor=clerk(), filing_id=first.filing.id)
    for outsider in (OTHER_PARK, Actor("hz", Role.CITY, "330100")):  # not even seen: 404
        with engine.begin() as conn, pytest.raises(NotVisible):
            review.approve(conn, actor=outsider, filing_id=first.filing.id)
    for onlooker in (clerk(), Actor("mofcom", Role.MINISTRY)):  # seen, not reviewed: 403
        with engine.begin() as conn, pytest.raises(NotAllowed):
            review.approve(conn, actor=onlooker, filing_id=first.filing.id)
    with engine.begin() as conn:
        done = review.approve(conn, actor=PROVINCE, filing_id=first.filing.id)
    assert done.status is filings.Status.APPROVED


def test_an_enterprise_sees_only_its_own_filings(engine: Engine, ent: None) -> None:
    other = make_uscc(7)
    with engine.begin() as conn:
        make_enterprise(conn, uscc=other, name="另一家")
    first = upload(engine, filled_template())
    with engine.begin() as conn, pytest.raises(NotVisible) as hidden:
        filings.get_filing(conn, actor=clerk(other), filing_id=first.filing.id)
    assert USCC not in str(hidden.value)  # out of scope names nobody
    with engine.begin() as conn, pytest.raises(NotAllowed):
        uploads.upload_file(
            conn,
            actor=clerk(other),
            form_id="DDS_Q",
            uscc=USCC,
            period=PERIOD,
            data=filled_template(),
            filename="x.xlsx",
        )
    with engine.connect() as conn:
        assert filings.list_filings(conn, actor=clerk(other)) == []
        assert len(filings.list_filings(conn, actor=PARK)) == 1


def test_no_upload_while_under_review(engine: Engine, ent: None) -> None:
    first = upload(engine, filled_template())
    with engine.begin() as conn:
        submission.submit(conn, actor=clerk(), filing_id=first.filing.id)
    with pytest.raises(NotAllowed, match="under review"):
        upload(engine, filled_template())


def test_two_reviewers_acting_on_the_same_version_cannot_both_win(
    engine: Engine, ent: None
) -> None:
    first = upload(engine, filled_template())
    with engine.begin() as conn:
        seen = submission.submit(conn, actor=clerk(), filing_id=first.filing.id).version
    with engine.begin() as conn:
        review.approve(conn, actor=PARK, filing_id=first.filing.id, expected_version=seen)
    with engine.begin() as conn, pytest.raises(ConflictError) as err:
        review.return_filing(
            conn, actor=CITY, filing_id=first.filing.id, reason="数据有误", expected_version=seen
        )
    assert "已被他人处理" in str(err.value) and "changed by someone else" in str(err.value)
    assert f"版本 {seen + 1}" in str(err.value)
    with engine.connect() as conn:
        actions = conn.execute(select(filing_transition.c.action)).scalars().all()
    assert actions.count("approve") == 1 and "return" not in actions


def test_two_reviewers_at_the_same_moment_one_wins(engine: Engine, ent: None) -> None:
    first = upload(engine, filled_template())
    with engine.begin() as conn:
        seen = submission.submit(conn, actor=clerk(), filing_id=first.filing.id).version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor: Actor) -> None:
        barrier.wait()
        try:
            with engine.begin() as conn:
                review.approve(conn, actor=actor, filing_id=first.filing.id, expected_version=seen)
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=act, args=(a,)) for a in (PARK, CITY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["conflict", "won"]
    assert count(engine, vintage) == 1


def test_a_crash_during_approval_leaves_nothing(
    engine: Engine, ent: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = upload(engine, filled_template())
    with engine.begin() as conn:
        submission.submit(conn, actor=clerk(), filing_id=first.filing.id)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(bulk, "insert_observations", boom)
    monkeypatch.setattr(bulk, "insert_rows", boom)
    with pytest.raises(RuntimeError, match="power cut"), engine.begin() as conn:
        review.approve(conn, actor=PARK, filing_id=first.filing.id)
    monkeypatch.undo()
    with engine.connect() as conn:
        still = filings.get_filing(conn, actor=PARK, filing_id=first.filing.id)
    assert still.status is filings.Status.SUBMITTED and still.vintage_id is None
    assert count(engine, vintage) == 0 and count(engine, observation) == 0


def _history(engine: Engine, code: str, periods: list[str], value: float) -> None:
    rows = [
        {
            "ref_area": code,
            "counterpart_area": "USA",
            "product": "SI2",
            "flow": "X",
            "freq": "Q",
            "time_period": p,
            "value": value * (1 + 0.02 * (i % 3)),
            "unit": "USD",
            "unit_mult": 4,
        }
        for i, p in enumerate(periods)
    ]
    with engine.begin() as conn:
        vintages.write_vintage(
            conn, dataflow_id="ENT_DDS", frame=pl.DataFrame(rows), kind="filing", label="history"
        )


QUARTERS = ["2022-Q3", "2022-Q4", "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]


def test_warnings_need_a_written_explanation_before_submission(engine: Engine, ent: None) -> None:
    _history(engine, USCC, QUARTERS, 100.0)
    jump = [("SI2", "USA", 1200.0, 10.0), *LINES[1:]]
    result = upload(engine, filled_template(lines=jump))
    assert result.accepted  # warnings do not reject
    warning = next(f for f in result.report.warnings if f.code == "hb-history-outlier")
    assert warning.cell == "D8"
    assert "由上期 102.00 变为本期 1,200.00" in warning.message_zh  # 2024-Q2 was 102
    with engine.begin() as conn, pytest.raises(ImportRejected) as err:
        submission.submit(conn, actor=clerk(), filing_id=result.filing.id)
    assert err.value.report.codes == {"explanation-missing"}
    with engine.connect() as conn:
        pending = submission.pending_warnings(conn, actor=clerk(), filing_id=result.filing.id)
    key = pending[0].key
    assert key == "hb-history-outlier@D8"
    with engine.begin() as conn:
        sent = submission.submit(
            conn,
            actor=clerk(),
            filing_id=result.filing.id,
            explanations={key: "本季度新签美国大客户合同，金额属实"},
        )
    assert sent.status is filings.Status.SUBMITTED
    with engine.connect() as conn:
        shown = submission.pending_warnings(conn, actor=PARK, filing_id=sent.id)
    assert shown[0].explanation == "本季度新签美国大客户合同，金额属实"


def test_peer_comparison_flags_an_unusual_change(engine: Engine, ent: None) -> None:
    peers = [make_uscc(100 + i) for i in range(12)]
    rows = []
    for i, code in enumerate([*peers, USCC]):
        rows.append({"ref_area": code, "time_period": "2024-Q2", "value": 100.0 + i})
        if code != USCC:
            rows.append({"ref_area": code, "time_period": PERIOD, "value": (100.0 + i) * 1.05})
    frame = pl.DataFrame(rows).with_columns(
        counterpart_area=pl.lit("USA"),
        product=pl.lit("SI2"),
        flow=pl.lit("X"),
        freq=pl.lit("Q"),
        unit=pl.lit("USD"),
        unit_mult=pl.lit(4),
    )
    with engine.begin() as conn:
        vintages.write_vintage(conn, dataflow_id="ENT_DDS", frame=frame, kind="filing")
    result = upload(engine, filled_template(lines=[("SI2", "USA", 600.0, None)]))
    peer = [f for f in result.report.warnings if f.code == "hb-peer-outlier"]
    assert len(peer) == 1 and peer[0].cell == "D8"
    assert "与同类企业（13 家）的变化相比异常" in peer[0].message_zh


def test_the_annual_form_is_checked_against_the_quarters(
    engine: Engine, ent: None, ent_basic: None
) -> None:
    for q in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"):
        approved(engine, period=q, lines=[("SI2", "USA", 250.0, None)])  # 1,000 a year
    cells = {**BASIC_VALUES, "D9": 1200}
    data = filled_template(form_id="BASIC_A", period="2024", cells=cells)
    result = upload(engine, data, form_id="BASIC_A", period="2024")
    cross = [f for f in result.report.warnings if f.code == "cross-form-mismatch"]
    assert len(cross) == 1 and cross[0].cell == "D9"
    assert "1,200.00" in cross[0].message_zh and "1,000.00" in cross[0].message_zh
    with engine.begin() as conn:
        sent = submission.submit(
            conn,
            actor=clerk(),
            filing_id=result.filing.id,
            explanations={"cross-form-mismatch@D9": "含第四季度补报合同"},
        )
        done = review.approve(conn, actor=PARK, filing_id=sent.id)
    basic = query(engine, "ENT_BASIC")
    assert dict(zip(basic["indicator"], basic["value"], strict=True)) == {
        "DDS_EXPORT": 1200.0,
        "EMPLOYEES": 130.0,
        "REVENUE": 52000.0,
        "TRADE_EXPORT": 2500.0,
    }
    assert basic["vintage_id"].unique().to_list() == [done.vintage_id]


def test_json_upload_goes_through_the_same_checks(engine: Engine, ent: None) -> None:
    payload = {
        "uscc": USCC,
        "period": PERIOD,
        "lines": [
            {"product": "SI2", "counterpart_area": "USA", "X": 10, "M": 1, "T": 11},
            {"product": "SI2", "counterpart_area": "USA", "X": 1},
        ],
        "totals": {"X": 11, "M": 1, "T": 12},
    }
    with engine.begin() as conn:
        result = uploads.upload_json(
            conn, actor=clerk(), form_id="DDS_Q", uscc=USCC, period=PERIOD, payload=payload
        )
    assert not result.accepted
    assert result.report.codes >= {"key-duplicate"}
    assert result.upload.fmt == "json"


def test_formula_text_is_stored_as_written_and_escaped_on_export(
    engine: Engine, ent: None, tmp_path: Path
) -> None:
    text = '=HYPERLINK("http://evil.example/x","点击查看")'
    result = upload(engine, filled_template(cells={"G8": text}))
    assert result.accepted and "text-formula-inert" in result.report.codes
    with engine.connect() as conn:
        stored = conn.execute(
            select(filing_cell.c.text).where(filing_cell.c.cell == "G8")
        ).scalar_one()
        out = contents.export_filing(
            conn, actor=PARK, filing_id=result.filing.id, path=tmp_path / "export.csv"
        )
    assert stored == text
    exported = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in exported and ',"=HYPERLINK' not in exported


def test_deadlines_default_from_the_form_and_can_be_set(engine: Engine) -> None:
    with engine.begin() as conn:
        assert deadlines.due_date(conn, form_id="DDS_Q", period="2024-Q3") == date(2024, 10, 20)
        assert deadlines.due_date(conn, form_id="BASIC_A", period="2024") == date(2025, 2, 28)
        deadlines.set_deadline(
            conn, actor=PROVINCE, form_id="DDS_Q", period="2024-Q3", due=date(2024, 10, 31)
        )
        assert deadlines.due_date(conn, form_id="DDS_Q", period="2024-Q3") == date(2024, 10, 31)
        with pytest.raises(NotAllowed):
            deadlines.set_deadline(
                conn, actor=PARK, form_id="DDS_Q", period="2024-Q3", due=date(2024, 11, 30)
            )


def test_non_response_lists_late_and_missing_reporters(engine: Engine) -> None:
    on_time, late, missing, not_reporter = (make_uscc(i) for i in (1, 2, 3, 4))
    outside_park = make_uscc(5)
    with engine.begin() as conn:
        for code in (on_time, late, missing):
            make_enterprise(conn, uscc=code, name=f"企业{code[-3:]}")
        make_enterprise(conn, uscc=not_reporter, name="非直报企业", trade_reporter=False)
        make_enterprise(
            conn, uscc=outside_park, name="江宁区企业", park_code=None, county_code="320115"
        )
    timely = approved(engine, code=on_time)
    approved(engine, code=late)  # submitted today, long after 2024-10-20
    with engine.begin() as conn:  # as if on_time had submitted on 2024-10-15 (Beijing time)
        conn.execute(
            update(filing)
            .where(filing.c.id == timely.id)
            .values(first_submitted_at=datetime(2024, 10, 15, 2, 0, tzinfo=UTC))
        )
    today = date(2030, 1, 1)
    with engine.connect() as conn:
        park = response.non_response(conn, actor=PARK, form_id="DDS_Q", period=PERIOD, today=today)
        city = response.non_response(conn, actor=CITY, form_id="DDS_Q", period=PERIOD, today=today)
        early = response.non_response(
            conn,
            actor=PARK,
            form_id="DDS_Q",
            period=PERIOD,
            today=date(2024, 10, 1),
            include_pending=True,
        )
    assert {(r.uscc, r.kind) for r in park} == {(missing, "missing"), (late, "late")}
    assert {(r.uscc, r.kind) for r in city} == {
        (missing, "missing"),
        (late, "late"),
        (outside_park, "missing"),
    }
    assert {(r.uscc, r.kind) for r in early} == {(missing, "pending"), (late, "late")}
    gap = next(r for r in park if r.uscc == missing)
    assert (gap.label, gap.due, gap.status) == ("漏报 / not filed", date(2024, 10, 20), "none")


def test_the_last_due_period_is_the_latest_whose_deadline_has_passed(engine: Engine) -> None:
    with engine.connect() as conn:

        def last(form: str, day: date) -> str:
            return deadlines.last_due_period(conn, form_id=form, today=day)

        # DDS_Q is due 20 days after the quarter: 2024-Q3 on 2024-10-20
        assert last("DDS_Q", date(2024, 10, 20)) == "2024-Q2"
        assert last("DDS_Q", date(2024, 10, 21)) == "2024-Q3"
        assert last("DDS_Q", date(2025, 1, 1)) == "2024-Q3"
        assert last("BASIC_A", date(2025, 3, 1)) == "2024"  # 59 days after the year: 2025-02-28
        assert last("BASIC_A", date(2025, 2, 28)) == "2023"
    with engine.begin() as conn:  # a deadline moved later by the province
        deadlines.set_deadline(
            conn,
            actor=Actor("prov", Role.PROVINCE, "320000"),
            form_id="DDS_Q",
            period="2024-Q3",
            due=date(2024, 11, 30),
        )
    with engine.connect() as conn:
        assert (
            deadlines.last_due_period(conn, form_id="DDS_Q", today=date(2024, 11, 1)) == "2024-Q2"
        )
