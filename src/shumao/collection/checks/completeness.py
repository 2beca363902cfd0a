"""Whether a filing says anything: a blank form, a zero report (零申报).

Two form rules (``rules.yaml``), each listing the value fields that decide:

- ``not-blank`` → ``filing-blank`` (error): none of the fields holds a value on any line of
  an enterprise's period — the template uploaded unchanged. A blank form is not a filing: the
  upload is kept with the finding but cannot be submitted.
- ``zero-report`` → ``zero-report`` (warning): values are given and every one of them is 0.
  That is a valid answer (nothing was traded), which the filer confirms like every warning:
  with a written reason before the filing can be submitted. The approved filing is the record
  that the enterprise reported, so it is neither missing (漏报) nor late; where the form's rule
  names ``store_at`` (数贸季1表: ``DD`` × ``WLD``) approval also stores explicit zeros there
  (``workflow.accepted``), so the enterprise counts as a reporter of 0 in every total above it.

A value that could not be read is an error of its own (``value-not-number``) and makes the
form neither blank nor a zero report.
"""

from __future__ import annotations

import polars as pl

from shumao.collection.checks.model import TOTAL, Run, field_label
from shumao.collection.forms import Form, RuleSpec
from shumao.validation.findings import ROW

KEYS = ["uscc", "period"]


def not_blank(run: Run, spec: RuleSpec) -> None:
    names = _fields(run, spec)
    groups = _groups(run, names).filter(pl.col("_given") == 0)
    where_zh, where_en = _where(run.form, list(spec.params.get("zero_at", names)))
    _emit(run, spec, names, groups, where=where_zh, where_en=where_en)


def zero_report(run: Run, spec: RuleSpec) -> None:
    names = _fields(run, spec)
    groups = _groups(run, names).filter((pl.col("_given") > 0) & (pl.col("_nonzero") == 0))
    _emit(run, spec, names, groups)


def _fields(run: Run, spec: RuleSpec) -> list[str]:
    return [n for n in spec.params["fields"] if n in run.lines.columns]


def _groups(run: Run, names: list[str]) -> pl.DataFrame:
    """Per enterprise and period: the anchor row (totals line, else the first line), how many
    values are given, how many are not 0, whether any could not be read."""
    lines = run.lines.sort(pl.col(TOTAL), pl.col(ROW), descending=[True, False])
    given = pl.sum_horizontal([pl.col(n).is_not_null() for n in names])
    nonzero = pl.sum_horizontal([(pl.col(n).fill_null(0.0) != 0) for n in names])
    bad = pl.any_horizontal([pl.col(f"_bad_{n}") for n in names])
    return (
        lines.group_by(KEYS, maintain_order=True)
        .agg(
            pl.col(ROW).first(),
            given.sum().alias("_given"),
            nonzero.sum().alias("_nonzero"),
            bad.any().alias("_bad"),
        )
        .filter(~pl.col("_bad"))
    )


def _emit(run: Run, spec: RuleSpec, names: list[str], groups: pl.DataFrame, **params: str) -> None:
    label = "、".join(field_label(run.form, n) for n in names)
    run.emit(spec.code, names[0], groups.select(ROW), label=label, **params)


def _where(form: Form, names: list[str]) -> tuple[str, str]:
    """Where a zero report is written: "“合计”行的“出口”“进口”" (a table form) or the fields."""
    zh = "".join(f"“{form.field(n).label_zh}”" for n in names)
    en = " and ".join(f'"{form.field(n).label_en}"' for n in names)
    if form.totals is None:
        return zh, en
    row = form.totals.labels[0]
    return f"“{row}”行的{zh}", f"{en} of the totals row ({row})"
