"""Form rules of the validation engine on small frames (no files, no store)."""

from __future__ import annotations

from typing import Any

import polars as pl
from filing_factories import USCC, make_uscc

from shumao.collection.checks.engine import validate
from shumao.collection.checks.model import Context, Sheet
from shumao.collection.checks.results import Checked
from shumao.collection.checks.rulebook import definitions
from shumao.collection.forms import get_form
from shumao.validation.findings import catalogue

POS = {
    "product": (None, 1),
    "counterpart_area": (None, 2),
    "X": (None, 3),
    "M": (None, 4),
    "T": (None, 5),
    "remark": (None, 6),
    "uscc": (3, 1),
    "period": (4, 1),
}


def sheet(lines: list[tuple[Any, ...]], *, code: str = USCC, period: str = "2024-Q4") -> Sheet:
    """Lines (product, partner, X, M, T) starting at row 7; the first may be the totals line."""
    rows = list(range(7, 7 + len(lines)))
    cols = list(zip(*lines, strict=True))
    frame = pl.DataFrame(
        {
            "_row": rows,
            "uscc": [code] * len(lines),
            "period": [period] * len(lines),
            "product": cols[0],
            "counterpart_area": cols[1],
            "X": [None if v is None else str(v) for v in cols[2]],
            "M": [None if v is None else str(v) for v in cols[3]],
            "T": [None if v is None else str(v) for v in cols[4]],
        },
        schema_overrides={"_row": pl.Int64},
    )
    return Sheet(frame, POS, file="f.xlsx", sheet="填报表")


def history(rows: list[tuple[str, str, str, str, float]]) -> pl.DataFrame:
    """(uscc, period, product, field, value) with partner USA."""
    return pl.DataFrame(
        [
            {
                "uscc": u,
                "period": p,
                "product": pr,
                "counterpart_area": "USA",
                "field": f,
                "value": v,
            }
            for u, p, pr, f, v in rows
        ]
    )


def run(lines: list[tuple[Any, ...]], **ctx: Any) -> Checked:
    return validate(sheet(lines), get_form("DDS_Q"), context=Context(**ctx))


def test_every_rule_code_has_chinese_and_english_messages() -> None:
    for code, entry in definitions().items():
        assert entry["severity"] in ("error", "warning", "info"), code
        assert entry["zh"] and entry["en"] and entry["fix_zh"] and entry["fix_en"], code
        assert catalogue()[code] is entry or catalogue()[code] == entry, code


def test_rule_codes_do_not_shadow_the_import_catalogue() -> None:
    import yaml

    from shumao.validation.findings import CATALOGUE_FILE

    imports = set(yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8")))
    assert not imports & set(definitions()), "rename the clashing code in rules.yaml"


def test_rounding_is_allowed_in_sums_but_not_more() -> None:
    ok = run(
        [
            ("合计", None, 10.01, None, 10.01),
            ("SI2", "USA", 3.333, None, 3.333),
            ("SI2", "JPN", 3.333, None, 3.333),
            ("SI3", "USA", 3.344, None, 3.344),
        ]
    )
    assert ok.report.ok  # parts 10.01; per-cell rounding allowance 0.005 × 4
    bad = run([("合计", None, 10.1, None, 10.1), ("SI2", "USA", 10, None, 10)])
    assert {(f.code, f.cell) for f in bad.report.errors} == {
        ("sum-mismatch", "D7"),
        ("sum-mismatch", "F7"),
    }


def test_hb_history_flags_only_the_series_that_jumped() -> None:
    quarters = [
        "2022-Q4",
        "2023-Q1",
        "2023-Q2",
        "2023-Q3",
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
    ]
    past = history(
        [(USCC, q, p, "X", 100.0 + i) for i, q in enumerate(quarters) for p in ("SI2", "SI3")]
    )
    checked = run(
        [
            ("合计", None, 611, None, 611),
            ("SI2", "USA", 500, None, 500),
            ("SI3", "USA", 111, None, 111),
        ],
        history=past,
    )
    flagged = [(f.code, f.cell) for f in checked.report.warnings]
    assert flagged == [("hb-history-outlier", "D8")]
    assert "MAD" in checked.report.warnings[0].message_zh  # 8 transitions < 10: MAD bounds


def test_hb_is_skipped_when_asked_and_without_history() -> None:
    lines = [("合计", None, 500, None, 500), ("SI2", "USA", 500, None, 500)]
    past = history([(USCC, "2024-Q3", "SI2", "X", 1.0)])
    assert run(lines).report.warnings == []
    assert run(lines, history=past, hb=False).report.warnings == []


def test_peers_use_the_hb_quartile_bounds_when_there_are_enough() -> None:
    peers = [make_uscc(200 + i) for i in range(15)]
    rows = [(u, "2024-Q3", "SI2", "X", 100.0 + i) for i, u in enumerate(peers)]
    rows += [
        (u, "2024-Q4", "SI2", "X", (100.0 + i) * (1.02 + 0.01 * (i % 4)))
        for i, u in enumerate(peers)
    ]
    rows += [(USCC, "2024-Q3", "SI2", "X", 100.0)]
    checked = run(
        [("合计", None, 900, None, 900), ("SI2", "USA", 900, None, 900)], history=history(rows)
    )
    warning = next(f for f in checked.report.warnings if f.code == "hb-peer-outlier")
    assert "16 家" in warning.message_zh and "HB）" in warning.message_zh
    calm = run(
        [("合计", None, 104, None, 104), ("SI2", "USA", 104, None, 104)], history=history(rows)
    )
    assert not [f for f in calm.report.warnings if f.code == "hb-peer-outlier"]


def test_quarters_are_compared_with_the_annual_form() -> None:
    past = history([(USCC, q, "SI2", "X", 250.0) for q in ("2024-Q1", "2024-Q2", "2024-Q3")])
    annual = pl.DataFrame(
        {"uscc": [USCC], "period": ["2024"], "field": ["dds_export"], "value": [1000.0]}
    )
    same = run(
        [("合计", None, 250, None, 250), ("SI2", "USA", 250, None, 250)],
        history=past,
        other_forms={"BASIC_A": annual},
        hb=False,
    )
    assert same.report.warnings == []
    off = run(
        [("合计", None, 400, None, 400), ("SI2", "USA", 400, None, 400)],
        history=past,
        other_forms={"BASIC_A": annual},
        hb=False,
    )
    warning = off.report.warnings[0]
    assert (warning.code, warning.cell) == ("cross-form-mismatch", "D7")
    assert warning.message_zh.startswith("“全年各期出口（万美元）合计” 1,150.00")
    assert "1,000.00 相差 15.00%" in warning.message_zh


QUARTERS = ["2022-Q4", "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"]


def test_a_value_dropping_to_zero_is_a_finding_of_its_own() -> None:
    """HB leaves zeros out (no ratio); the zero check reports them, at the cell, with the last
    earlier value and the number of non-zero periods before it."""
    past = history([(USCC, q, "SI2", "X", 100.0 + i) for i, q in enumerate(QUARTERS)])
    checked = run([("合计", None, 0, None, 0), ("SI2", "USA", 0, None, 0)], history=past)
    zero = [f for f in checked.report.warnings if f.code == "zero-history-to-zero"]
    assert [(f.cell, f.value) for f in zero] == [("D8", "0.00")]
    assert "此前 8 期均不为 0（上期 107.00）" in zero[0].message_zh
    assert not [f for f in checked.report.warnings if f.code == "hb-history-outlier"]


def test_a_value_appearing_after_zeros_is_a_finding_too() -> None:
    past = history([(USCC, q, "SI2", "X", 0.0) for q in QUARTERS[-4:]])
    checked = run([("合计", None, 250, None, 250), ("SI2", "USA", 250, None, 250)], history=past)
    [found] = [f for f in checked.report.warnings if f.code.startswith("zero-history")]
    assert (found.code, found.cell) == ("zero-history-from-zero", "D8")
    assert "此前 4 期均为 0" in found.message_zh


def test_groups_too_small_for_hb_are_said_not_skipped() -> None:
    """Banff's minimum group size: below ``min_units`` HB does not run, and an info finding
    per field says how many lines (or peer groups) it left out."""
    peers = [make_uscc(300 + i) for i in range(2)]
    rows = [(u, "2024-Q3", "SI2", "X", 100.0) for u in (*peers, USCC)]
    rows += [(u, "2024-Q4", "SI2", "X", 101.0) for u in peers]
    rows += [(USCC, "2024-Q2", "SI2", "X", 100.0)]
    checked = run(
        [("合计", None, 120, None, 120), ("SI2", "USA", 120, None, 120)], history=history(rows)
    )
    info = {f.code: f for f in checked.report.findings if f.severity.value == "info"}
    assert set(info) == {"hb-history-too-few", "hb-peers-too-few"}
    assert "1 行" in info["hb-history-too-few"].message_zh
    assert "不足 4 期" in info["hb-history-too-few"].message_zh
    assert "(SI2)" in info["hb-peers-too-few"].message_en
    assert "少于 4 家" in info["hb-peers-too-few"].message_zh
