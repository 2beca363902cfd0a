"""Numbers as clerks write them: what is accepted, what is normalised, what is refused."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shumao.ingest.readers import ROW
from shumao.validation.findings import Report
from shumao.validation.numbers import parse_numbers


def parse(*cells: str | None) -> tuple[list[float | None], list[bool], Report]:
    report = Report()
    frame = pl.DataFrame(
        {ROW: list(range(2, 2 + len(cells))), "金额": list(cells)},
        schema={ROW: pl.Int64, "金额": pl.String},
    )
    values, missing = parse_numbers(frame, "金额", report, file="f.csv", col_index=6)
    return values.to_list(), missing.to_list(), report


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1234.5", 1234.5),
        ("0", 0.0),
        ("-3", -3.0),
        ("+3", 3.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("1.5E-2", 0.015),
    ],
)
def test_plain_numbers_pass_without_findings(cell: str, value: float) -> None:
    values, missing, report = parse(cell)
    assert values == [value] and missing == [False] and report.findings == []


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("１２３４．５", 1234.5),
        ("－５", -5.0),
        ("\u22125", -5.0),
        ("＋５", 5.0),
        ("1,234.5", 1234.5),
        ("12,345,678", 12345678.0),
        ("1，234", 1234.0),
        ("-1,000", -1000.0),
        ("　７７　", 77.0),
        ("－０", 0.0),
    ],
)
def test_clerk_numbers_are_normalised(cell: str, value: float) -> None:
    values, missing, report = parse(cell)
    assert values == [value] and missing == [False]
    [found] = report.findings
    assert (found.code, found.row, found.cell, found.value) == ("value-normalised", 2, "G2", cell)
    assert math.copysign(1.0, values[0] or 0.0) == math.copysign(1.0, value)  # no "-0"


@pytest.mark.parametrize(
    "cell", [None, "", "-", "--", "—", "——", "..", "...", "…", "NA", "N/A", "n/a", "NaN", "NAN"]
)
def test_missing_markers(cell: str | None) -> None:
    values, missing, report = parse(cell)
    assert values == [None] and missing == [True] and report.findings == []


@pytest.mark.parametrize(
    "cell",
    [
        "约100",
        "12万",
        "100万美元",
        "1,23",
        "1.234.5",
        "1 234",
        "(5)",
        "12%",
        "inf",
        "-inf",
        "Infinity",
        "1e400",
        "0x10",
        "#DIV/0!",
        "=A1*2",
        "一百",
        "x",
    ],
)
def test_other_text_is_refused_at_its_cell(cell: str) -> None:
    values, missing, report = parse("1", cell)
    assert values == [1.0, None] and missing == [False, False]
    [found] = report.findings
    assert (found.code, found.row, found.column, found.cell, found.value) == (
        "value-not-number",
        3,
        "金额",
        "G3",
        cell,
    )
    assert cell in found.message_zh and cell in found.message_en


def test_findings_are_capped_but_every_bad_cell_is_null() -> None:
    cells = ["bad"] * 5000 + ["7"]
    values, _, report = parse(*cells)
    assert values[:5000] == [None] * 5000 and values[-1] == 7.0
    assert 0 < len(report.findings) <= 200
    assert not report.ok


def test_label_names_the_column() -> None:
    report = Report()
    frame = pl.DataFrame({ROW: [2], "v": ["abc"]})
    parse_numbers(frame, "v", report, label="出口额")
    assert report.findings[0].column == "出口额"


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_any_float_written_by_python_reads_back(number: float) -> None:
    values, _, report = parse(repr(number))
    assert values == [number + 0.0] and report.ok


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_thousands_separated_integers_read_back(number: int) -> None:
    values, _, _ = parse(f"{number:,}")
    assert values == [float(number)]
