"""Period arithmetic on SDMX periods (2022, 2022-Q1, 2022-01) as polars expressions."""

from __future__ import annotations

import polars as pl


def previous_period(period: pl.Expr, *, years: int = 0) -> pl.Expr:
    """The period one year (``years=1``) or one step (``years=0``) before ``period``.

    ``2022`` → ``2021``; ``2022-Q1`` → ``2021-Q4`` (step) or ``2021-Q1`` (year);
    ``2022-01`` → ``2021-12`` (step) or ``2021-01`` (year).
    """
    year = period.str.slice(0, 4).cast(pl.Int32)
    rest = period.str.slice(4)
    if years:
        return (year - years).cast(pl.String) + rest
    is_q = rest.str.starts_with("-Q")
    is_m = rest.str.len_chars() == 3
    sub = rest.str.slice(-2).str.replace("Q", "").cast(pl.Int32, strict=False)
    first = sub == 1
    prev_year = pl.when(first).then(year - 1).otherwise(year).cast(pl.String)
    prev_sub = pl.when(first).then(pl.when(is_q).then(4).otherwise(12)).otherwise(sub - 1)
    quarter = prev_year + "-Q" + prev_sub.cast(pl.String)
    month = prev_year + "-" + prev_sub.cast(pl.String).str.zfill(2)
    return pl.when(is_q).then(quarter).when(is_m).then(month).otherwise(None)


def years_between(first: pl.Expr, last: pl.Expr) -> pl.Expr:
    """Distance in years between two periods of one frequency (quarters and months as fractions)."""
    return _as_years(last) - _as_years(first)


def _as_years(period: pl.Expr) -> pl.Expr:
    year = period.str.slice(0, 4).cast(pl.Float64)
    rest = period.str.slice(4)
    sub = rest.str.slice(-2).str.replace("Q", "").cast(pl.Float64, strict=False)
    return (
        pl.when(rest.str.starts_with("-Q"))
        .then(year + (sub - 1) / 4)
        .when(rest.str.len_chars() == 3)
        .then(year + (sub - 1) / 12)
        .otherwise(year)
    )
