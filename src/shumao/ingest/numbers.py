"""Turn text cells into numbers the way clerks write them, vectorised.

Accepted and normalised (an ``info`` finding records it): full-width digits and signs
(１２３．４), thousands separators (1,234,567.8 / 1，234), surrounding spaces, scientific
notation. Missing markers (empty, -, --, —, .., …, NA, N/A) become missing values.
Anything else is a ``value-not-number`` error at its row and column.
"""

from __future__ import annotations

import polars as pl

from shumao.ingest.readers import ROW
from shumao.validation.findings import Report, finding

FULL = list("０１２３４５６７８９．，－＋　")
HALF = list("0123456789.,-+ ")
MISSING_MARKERS = ["", "-", "--", "—", "——", "..", "…", "NA", "N/A", "n/a", "na", "NaN", "nan"]
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"


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
    """Return (values as Float64, is_missing) for ``column``; bad cells become findings."""
    raw = frame[column]
    half = raw.str.replace_many(FULL, HALF).str.strip_chars()
    missing = half.is_null() | half.is_in(MISSING_MARKERS)
    cleaned = pl.Series(column, half).to_frame().select(
        pl.when(pl.col(column).str.contains(THOUSANDS))
        .then(pl.col(column).str.replace_all(",", "", literal=True))
        .otherwise(pl.col(column))
    ).to_series()
    values = cleaned.cast(pl.Float64, strict=False)
    bad = values.is_null() & ~missing
    name = label or column
    if bad.any():
        rows = frame.filter(bad).select(ROW, pl.col(column))
        for row, value in rows.head(200).iter_rows():
            report.add(finding("value-not-number", file=file, sheet=sheet, row=row, column=name,
                               col_index=col_index, value=value))
    changed = ~missing & ~bad & (cleaned != raw)
    if changed.any():
        sample = frame.filter(changed).select(ROW, pl.col(column)).with_columns(
            values.filter(changed).alias("_v")
        )
        for row, value, normalised in sample.head(60).iter_rows():
            report.add(finding("value-normalised", file=file, sheet=sheet, row=row, column=name,
                               col_index=col_index, value=value, normalised=f"{normalised:g}"))
    return values.alias(column), missing
