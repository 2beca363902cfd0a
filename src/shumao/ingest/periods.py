"""Periods as people write them (2023Q3, 2023年7月 …) read as SDMX periods; the frequency a period has."""

from __future__ import annotations

import polars as pl

from shumao.ingest.readers import ROW
from shumao.validation.findings import Report, finding

_QUARTER_WORDS = {"一季度": "1季度", "二季度": "2季度", "三季度": "3季度", "四季度": "4季度"}
PERIOD_FORMS: tuple[tuple[str, str], ...] = (
    (r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$", "${1}-Q${2}"),
    (r"^(\d{4})\s*年\s*第?\s*([1-4])\s*季度?$", "${1}-Q${2}"),
    (r"^(\d{4})\s*(?:[-/年]|-M)\s*0?([1-9])\s*月?$", "${1}-0${2}"),
    (r"^(\d{4})\s*(?:[-/年]|-M)\s*(1[0-2])\s*月?$", "${1}-${2}"),
    (r"^(\d{4})\s*年(?:度)?$", "${1}"),
)
"""(pattern, replacement) for the ways people write periods; applied to distinct values."""


def normalise_periods(
    frame: pl.DataFrame, report: Report, file: str, headers: list[str], header: str | None
) -> pl.DataFrame:
    """Rewrite ``2023Q3``, ``2023年7月`` … as ``2023-Q3``, ``2023-07``; info finding per form."""
    if "time_period" not in frame.columns:
        return frame
    distinct = frame.select(pl.col("time_period").drop_nulls().unique())
    text = (
        pl.col("time_period")
        .str.strip_chars()
        .str.replace_many(list(_QUARTER_WORDS), list(_QUARTER_WORDS.values()))
    )
    for pattern, replacement in PERIOD_FORMS:
        text = text.str.replace(pattern, replacement)
    changes = distinct.with_columns(text.alias("new")).filter(
        pl.col("new") != pl.col("time_period")
    )
    if changes.is_empty():
        return frame
    mapping = dict(changes.iter_rows())
    col_index = headers.index(header) if header in headers else None
    first = (
        frame.filter(pl.col("time_period").is_in(list(mapping)))
        .group_by("time_period")
        .agg(pl.col(ROW).min())
        .sort(ROW)
        .head(20)
    )
    for value, row in first.iter_rows():
        report.add(
            finding(
                "period-normalised",
                file=file,
                row=row,
                column=header or "time_period",
                col_index=col_index,
                value=value,
                normalised=mapping[value],
            )
        )
    return frame.with_columns(pl.col("time_period").replace(mapping))


def freq_of_period() -> pl.Expr:
    """A, Q or M from the form of ``time_period`` (null when the period is not valid)."""
    period = pl.col("time_period")
    return (
        pl.when(period.str.contains(r"^\d{4}$"))
        .then(pl.lit("A"))
        .when(period.str.contains(r"^\d{4}-Q[1-4]$"))
        .then(pl.lit("Q"))
        .when(period.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$"))
        .then(pl.lit("M"))
        .otherwise(pl.lit("A"))
    )
