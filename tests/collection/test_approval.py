"""Approval writes the observations accepted at upload time (issue 14): an accepted upload keeps
them (``filing_observation``), approval copies them into the vintage without reading the
cells back, parsing or checking anything again."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from alembic import command
from filing_factories import ADMIN, LINES, PERIOD, USCC, clerk, filled_template, make_enterprise
from sqlalchemy import Engine, func, select

from shumao.collection import upload as upload_module
from shumao.collection.checks import engine as checks_engine
from shumao.collection.checks import results
from shumao.collection.tables import filing_observation
from shumao.collection.workflow import accepted, context, review, submission, uploads
from shumao.query import select as query
from shumao.storage.engine import alembic_config

KEYS = ["counterpart_area", "product", "flow", "time_period", "value", "unit", "unit_mult"]


@pytest.fixture
def ent(engine: Engine) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)


def submitted(engine: Engine, data: bytes | None = None) -> uploads.UploadResult:
    with engine.begin() as conn:
        done = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id="DDS_Q",
            uscc=USCC,
            period=PERIOD,
            data=data or filled_template(),
            filename="t.xlsx",
            hb=False,
        )
        assert done.accepted, done.report.text()
        submission.submit(conn, actor=clerk(), filing_id=done.filing.id)
    return done


def kept(engine: Engine, upload_id: int) -> pl.DataFrame:
    with engine.connect() as conn:
        return accepted.read(conn, upload_id)


def refuse(*_: Any, **__: Any) -> None:
    raise AssertionError("approval parsed, checked or pivoted the upload again")


def test_an_accepted_upload_keeps_its_observations_and_a_rejected_one_none(
    engine: Engine, ent: None
) -> None:
    done = submitted(engine)
    obs = kept(engine, done.upload.id)
    assert obs.height == 7  # four lines, one import left empty
    row = obs.filter(product="SI2", counterpart_area="USA", flow="X").row(0, named=True)
    assert (row["ref_area"], row["time_period"], row["value"], row["unit"], row["unit_mult"]) == (
        USCC,
        PERIOD,
        120.5,
        "USD",
        4,
    )
    with engine.begin() as conn:
        review.return_filing(conn, actor=ADMIN, filing_id=done.filing.id, reason="请核对")
        bad = uploads.upload_file(
            conn,
            actor=clerk(),
            form_id="DDS_Q",
            uscc=USCC,
            period=PERIOD,
            data=filled_template(cells={"D8": "约100"}),
            filename="b.xlsx",
            hb=False,
        )
    assert not bad.accepted
    with engine.connect() as conn:
        rows = conn.execute(
            select(func.count())
            .select_from(filing_observation)
            .where(filing_observation.c.upload_id == bad.upload.id)
        ).scalar_one()
    assert rows == 0


def test_approval_neither_parses_nor_checks_nor_pivots_again(
    engine: Engine, ent: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = submitted(engine)
    before = kept(engine, done.upload.id).select(KEYS).sort(KEYS)
    # a reviewer approves after the parser, the checks and the pivot have all gone away
    for module, name in (
        (upload_module, "read_bytes"),
        (uploads, "read_bytes"),
        (checks_engine, "validate"),
        (context, "validate"),
        (results, "observations_of"),
        (results.Checked, "observations"),
        (results.Checked, "cells"),
    ):
        monkeypatch.setattr(module, name, refuse)
    with engine.begin() as conn:
        approved = review.approve(conn, actor=ADMIN, filing_id=done.filing.id)
    stored = query(engine, "ENT_DDS", where={"ref_area": [USCC]})
    assert approved.vintage_id and stored["vintage_id"].unique().to_list() == [approved.vintage_id]
    assert stored.select(KEYS).sort(KEYS).equals(before)
    assert stored.filter(product="SJ2", flow="M")["value"].to_list() == [5.5]


def test_a_rule_changed_after_submission_does_not_change_what_approval_writes(
    engine: Engine, ent: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = submitted(engine)
    form = done.checked.form if done.checked else None
    assert form is not None
    # the form now files every amount under flow Z: approval still writes what was accepted
    field_class = type(form.field("M"))
    monkeypatch.setattr(field_class, "fixed_dims", property(lambda self: {"flow": "Z"}))
    with engine.begin() as conn:
        review.approve(conn, actor=ADMIN, filing_id=done.filing.id)
    stored = query(engine, "ENT_DDS", where={"ref_area": [USCC]})
    assert sorted(stored["flow"].unique().to_list()) == ["M", "X"]
    assert stored.height == sum((x is not None) + (m is not None) for _, _, x, m in LINES)


def test_uploads_accepted_before_the_upgrade_get_their_observations(
    engine: Engine, ent: None
) -> None:
    done = submitted(engine)
    before = kept(engine, done.upload.id).select(KEYS).sort(KEYS)
    command.downgrade(alembic_config(engine), "collection_0003")
    command.upgrade(alembic_config(engine), "heads")
    assert kept(engine, done.upload.id).select(KEYS).sort(KEYS).equals(before)
    with engine.begin() as conn:
        review.approve(conn, actor=ADMIN, filing_id=done.filing.id)
    stored = query(engine, "ENT_DDS", where={"ref_area": [USCC]})
    assert stored.select(KEYS).sort(KEYS).equals(before)
