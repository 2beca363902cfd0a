"""数贸季2表 跨境电商销售情况: the enterprises' cross-border e-commerce by mode and partner."""

from __future__ import annotations

import polars as pl
from filing_factories import PERIOD, USCC, approved, filled_template, make_enterprise
from sqlalchemy import Engine

from shumao.collection.checks.engine import validate
from shumao.collection.forms import get_form
from shumao.collection.templates import code_choices
from shumao.collection.upload import read_bytes
from shumao.compute import cbec, indicators
from shumao.query import select

LINES = [
    ("9710", "USA", 300.0, None),
    ("9810", "DEU", 150.5, None),
    ("1210", "JPN", None, 80.0),
    ("9610 跨境贸易电子商务（9610）", "MYS", 49.5, 20.0),
]


def test_the_form_offers_the_four_modes_and_checks_them() -> None:
    form = get_form("CBEC_Q")
    assert form.dataflow == "ENT_CBEC"
    assert [c for c, _ in code_choices(form.field("product"))] == ["9610", "9710", "9810", "1210"]
    bad = filled_template(form_id="CBEC_Q", lines=[("0110", "USA", 10.0, None)])
    parsed = read_bytes(bad, form=form, filename="t.xlsx")
    assert parsed.sheet is not None
    checked = validate(parsed.sheet, form, report=parsed.report)
    assert not checked.report.ok
    assert any(
        f.column.startswith("海关监管方式") or f.cell.startswith("B") for f in checked.report.errors
    )


def test_an_approved_filing_is_stored_by_mode_and_partner(engine: Engine) -> None:
    with engine.begin() as conn:
        make_enterprise(conn, cbec_reporter=True)
    approved(engine, form_id="CBEC_Q", lines=LINES)
    frame = select(engine, "ENT_CBEC", where={"ref_area": [USCC]}, start=PERIOD, end=PERIOD)
    got = {
        (r["product"], r["counterpart_area"], r["flow"]): (r["value"], r["unit"], r["unit_mult"])
        for r in frame.iter_rows(named=True)
    }
    assert got[("9710", "USA", "X")] == (300.0, "CNY", 4)
    assert got[("1210", "JPN", "M")] == (80.0, "CNY", 4)
    assert got[("9610", "MYS", "X")] == (49.5, "CNY", 4)
    summed = cbec.from_enterprises(frame, area="320000")
    world = summed.filter((pl.col("counterpart_area") == "WLD") & (pl.col("flow") == "X"))
    assert dict(world.select("product", "value").iter_rows()) == {
        "9710": 300.0,
        "9810": 150.5,
        "9610": 49.5,
        "CBEC": 500.0,
    }
    modes = indicators.compute("CBEC_MODE_SHARE", summed).filter(
        (pl.col("flow") == "X") & (pl.col("counterpart_area") == "WLD")
    )
    shares = {p: round(v, 2) for p, v in modes.select("product", "value").iter_rows()}
    assert shares == {"9710": 60.0, "9810": 30.1, "9610": 9.9}
    partners = indicators.compute("CBEC_PARTNER_SHARE", summed).filter(
        (pl.col("flow") == "M") & (pl.col("product") == "CBEC")
    )
    assert {
        p: round(v, 2) for p, v in partners.select("counterpart_area", "value").iter_rows()
    } == {"JPN": 80.0, "MYS": 20.0}
