"""Turn text cells into numbers the way clerks write them, vectorised.

Shared by every input: official tables (``ingest.sources``) and filings (``collection.checks``).

Accepted and normalised (an ``info`` finding records it): full-width digits and signs
(１２３．４, －５), the minus sign U+2212, thousands separators (1,234,567.8 / 1，234),
surrounding spaces, scientific notation. Missing markers (empty, -, --, —, .., …, NA, N/A, in
any letter case) become missing values. Anything else — words, units (“12万”, “约100”),
infinities, numbers too large for a float — is a ``value-not-number`` error at its row and
column.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from shumao.validation.findings import ROW, Report, finding

FULL = list("０１２３４５６７８９．，－＋　\u2212\ufe63")
HALF = list("0123456789.,-+ --")
MISSING_MARKERS = ["", "-", "--", "—", "——", "..", "...", "…", "……", "na", "n/a", "nan"]
"""Compared in lower case."""
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
MAX_FINDINGS = 200
MAX_NORMALISED = 60


def parse_numbers(
    frame: pl.DataFrame,
    column: str,
    report: Report,
    *,
    file: str = "",
    sheet: str = "",
    col_index: int | None = None,
    label: str | None = None,
) -> tuple[pl.Series, pl.Series]:
    """Return (values as Float64, is_missing) for ``column``; bad cells become findings.

    Cells that already read as a finite number (most of them) are taken as they are; only
    the others go through the clerk's-writing normalisation below."""
    raw = frame[column].cast(pl.String)
    plain = raw.cast(pl.Float64, strict=False)
    hard = ~plain.is_finite().fill_null(False)
    values = (plain + 0.0).alias(column)  # "+ 0.0" turns "-0" into 0.0
    missing = pl.repeat(False, len(raw), dtype=pl.Boolean, eager=True).alias(column)
    if not hard.any():
        return values, missing
    where = _Where(file, sheet, label or column, col_index)
    at = hard.arg_true()
    careful, absent = _careful(frame.select(ROW, raw.alias(column))[at], column, report, where)
    return values.scatter(at, careful), missing.scatter(at, absent)


def _careful(
    frame: pl.DataFrame, column: str, report: Report, where: _Where
) -> tuple[pl.Series, pl.Series]:
    """Full-width digits, spaces, thousands separators and missing markers, cell by cell."""
    raw = frame[column]
    half = raw.str.replace_many(FULL, HALF).str.strip_chars()
    missing = half.is_null() | half.str.to_lowercase().is_in(MISSING_MARKERS)
    cleaned = pl.select(
        pl.when(half.str.contains(THOUSANDS))
        .then(half.str.replace_all(",", "", literal=True))
        .otherwise(half)
        .alias(column)
    ).to_series()
    parsed = cleaned.cast(pl.Float64, strict=False)
    bad = ~missing & (parsed.is_null() | parsed.is_infinite() | parsed.is_nan())
    values = pl.select(pl.when(bad | missing).then(None).otherwise(parsed + 0.0)).to_series()
    if bad.any():
        _report_bad(frame.filter(bad).select(ROW, column), report, where)
    changed = ~missing & ~bad & (cleaned != raw)
    if changed.any():
        rows = frame.select(ROW, column).with_columns(values.alias("_v")).filter(changed)
        _report_normalised(rows, report, where)
    return values, missing


@dataclass(frozen=True)
class _Where:
    file: str
    sheet: str
    column: str
    col_index: int | None


def _report_bad(rows: pl.DataFrame, report: Report, at: _Where) -> None:
    for row, value in rows.head(MAX_FINDINGS).iter_rows():
        report.add(
            finding(
                "value-not-number",
                file=at.file,
                sheet=at.sheet,
                row=row,
                column=at.column,
                col_index=at.col_index,
                value=value,
            )
        )


def _report_normalised(rows: pl.DataFrame, report: Report, at: _Where) -> None:
    for row, value, normalised in rows.head(MAX_NORMALISED).iter_rows():
        report.add(
            finding(
                "value-normalised",
                file=at.file,
                sheet=at.sheet,
                row=row,
                column=at.column,
                col_index=at.col_index,
                value=value,
                normalised=f"{normalised:.15g}",
            )
        )
