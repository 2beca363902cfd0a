"""The mode structure of 数字订购贸易 (9610/9710/9810/1210) drawn from real values: customs
publishes no national figures by mode (no stored page prints one), so the overview draws the
structure of the enterprises' approved filings on 数贸季2表 (``ENT_CBEC``) for the scopes that
see them per enterprise, labelled as the filings of n enterprises for their quarter, never as
customs'; the public, who sees no enterprise's filing, gets the chart named with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from collection.filing_factories import Line, approved, make_enterprise, make_uscc
from web.factories import World, release

Client = Callable[[str], Any]
SELLERS: dict[str, list[Line]] = {
    # (mode, partner, exports, imports) in 万元, as a clerk fills the form
    make_uscc(901): [
        ("9710", "USA", 300.0, None),
        ("9810", "DEU", 150.5, None),
        ("1210", "JPN", None, 80.0),
        ("9610", "MYS", 49.5, 20.0),
    ],
    make_uscc(902): [("9710", "GBR", 100.0, None), ("9610", "USA", 50.0, 30.0)],
}


@pytest.fixture
def filed(engine: Engine, world: World, cbec_vintages: dict[str, int]) -> None:
    release(engine, "CUSTOMS_CBEC", max(cbec_vintages.values()))
    with engine.begin() as conn:
        for i, code in enumerate(SELLERS):
            make_enterprise(conn, uscc=code, name=f"跨境电商卖家{i + 1}", cbec_reporter=True)
    for code, lines in SELLERS.items():
        approved(engine, code=code, period="2024-Q3", lines=lines, form_id="CBEC_Q")


def _modes(board: dict[str, Any]) -> dict[str, Any] | None:
    return next((c for c in board["charts"] if c["id"] == "cbec_modes"), None)


def test_the_mode_chart_draws_the_filings_structure(filed: None, as_role: Client) -> None:
    chart = _modes(as_role("ministry").get("/api/overview").json())
    assert chart is not None
    assert chart["categories"] == [
        "跨境贸易电子商务（9610）",
        "跨境电商B2B直接出口（9710）",
        "跨境电商出口海外仓（9810）",
        "保税跨境贸易电子商务（1210）",
    ]
    data = {
        s["code"]: [None if v is None else round(v, 2) for v in s["data"]] for s in chart["series"]
    }
    # exports 9610 99.5, 9710 400, 9810 150.5 of 650 万元; imports 9610 50, 1210 80 of 130
    assert data["X"] == [15.31, 61.54, 23.15, None]
    assert data["M"] == [38.46, None, None, 61.54]
    assert set(data) == {"X", "M"}  # the form has exports and imports; no total is invented
    assert chart["period"] == "2024-Q3" and chart["unit"] == "%"
    assert chart["title"] == "报送企业跨境电商销售按海关监管方式结构（企业直报）"
    assert chart["source"].endswith("数贸季2表报送企业之和，非海关统计")
    assert "此图是 2 家报送企业 2024-Q3 的直报销售额按监管方式的结构" in chart["note"]


def test_the_english_view_says_whose_figures_they_are(filed: None, as_role: Client) -> None:
    chart = _modes(as_role("ministry").get("/api/overview?lang=en").json())
    assert chart is not None and chart["title"].endswith("(their filings)")
    assert (
        "not customs statistics" in chart["source"] and "2 reporting enterprises" in chart["note"]
    )


def test_the_public_sees_no_filing_and_is_told_why(filed: None, as_role: Client) -> None:
    board = as_role("public").get("/api/overview").json()
    assert _modes(board) is None
    assert any(
        "跨境电商进出口按海关监管方式结构" in e and "企业直报的结构不向公众公布" in e
        for e in board["empty"]
    ), board["empty"]


def test_without_filings_the_ministry_is_told_what_is_missing(
    engine: Engine, world: World, cbec_vintages: dict[str, int], as_role: Client
) -> None:
    """Before, the reason was the generic "the source publishes no figure for this area"."""
    release(engine, "CUSTOMS_CBEC", max(cbec_vintages.values()))
    board = as_role("ministry").get("/api/overview").json()
    assert _modes(board) is None
    assert [e for e in board["empty"] if "监管方式" in e] == [
        "跨境电商进出口按海关监管方式结构：海关总署未公布按监管方式的跨境电商数，"
        "本范围内也尚无已审核的数贸季2表（跨境电商）报送"
    ]
