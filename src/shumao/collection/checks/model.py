"""What the filing checks read and share: the parsed ``Sheet``, the ``Context`` from the store,
and the ``Run`` every check adds its findings to (one finding per offending row, at its cell).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from shumao.collection.forms import Form
from shumao.errors import UnknownCode
from shumao.reference.units import Unit
from shumao.validation.findings import ROW, Report, finding

TOTAL = "_total"
"""The column that says a line is the form's totals line (合计)."""
MAX_PER_RULE = 200
"""Findings built per rule and field; the report caps what it shows at 50 per code and column."""
Position = tuple[int | None, int | None]
"""(fixed row or None for the line's row, 0-based column or None)."""


@dataclass
class Sheet:
    """What a parser read: one row per line, text cells in columns named by field id.

    ``frame`` also has ``_row`` (the row a person sees), ``uscc`` and ``period`` (as written,
    from the identity block or a column). ``positions`` maps field ids (and ``uscc``,
    ``period``) to their cell. ``units`` holds a unit the file wrote for a numeric field when it
    differs from nothing (e.g. a header "出口（美元）").
    """

    frame: pl.DataFrame
    positions: dict[str, Position]
    file: str = ""
    sheet: str = ""
    units: dict[str, Unit] = field(default_factory=dict)


@dataclass
class Context:
    """What the checks compare against, read from the store by the caller.

    ``history``: earlier values of this form, long (``uscc``, ``period``, the form's line
    dimensions, ``field``, ``value`` in the field's unit), for the current period of other
    enterprises too (peers). ``other_forms``: the same shape per other form id (cross-form).
    """

    expected_uscc: str | None = None
    expected_period: str | None = None
    history: pl.DataFrame | None = None
    other_forms: dict[str, pl.DataFrame] = field(default_factory=dict)
    hb: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    """What a domain's rule kind read from the store, by kind (``workflow.context.context_provider``)."""


@dataclass
class Run:
    """One check of one sheet: the typed lines so far and the report findings go to."""

    form: Form
    sheet: Sheet
    report: Report
    ctx: Context
    lines: pl.DataFrame

    def where(self, field_id: str) -> Position:
        return self.sheet.positions.get(field_id, (None, None))

    def emit(
        self, code: str, field_id: str, rows: pl.DataFrame, *, label: str = "", **params: Any
    ) -> None:
        """One finding per row of ``rows`` (``_row`` and optional ``_value`` plus params)."""
        fixed_row, col = self.where(field_id)
        column = label or field_label(self.form, field_id)
        names = [c for c in rows.columns if c not in (ROW, "_value")]
        for rec in rows.head(MAX_PER_RULE).iter_rows(named=True):
            extra = {k: fmt(rec[k]) for k in names}
            self.report.add(
                finding(
                    code,
                    file=self.sheet.file,
                    sheet=self.sheet.sheet,
                    row=fixed_row or rec.get(ROW),
                    column=column,
                    col_index=col,
                    value=fmt(rec.get("_value", "")),
                    **{**params, **extra},
                )
            )


def current_long(run: Run, names: Iterable[str]) -> pl.DataFrame:
    """This upload's detail values, long: uscc, period, dims, field, value."""
    keep = [n for n in names if n in run.lines.columns]
    dims = run.form.dims
    base = run.lines.filter(
        ~pl.col(TOTAL) & pl.col("uscc").is_not_null() & pl.col("period").is_not_null()
    )
    long = base.select("uscc", "period", *dims, ROW, *keep).unpivot(
        index=["uscc", "period", *dims, ROW], on=keep, variable_name="field", value_name="value"
    )
    return long.filter(pl.col("value").is_not_null())


def empty_history(form: Form) -> pl.DataFrame:
    schema = {
        "uscc": pl.String,
        "period": pl.String,
        **dict.fromkeys(form.dims, pl.String),
        "field": pl.String,
        "value": pl.Float64,
    }
    return pl.DataFrame(schema=schema)


def field_label(form: Form, field_id: str) -> str:
    try:
        return form.field(field_id).label
    except UnknownCode:
        return field_id


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:.4g}"
    return str(value)
