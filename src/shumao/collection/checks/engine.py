"""The check of a filing: ``validate`` runs every step, each collecting every failure.

A form (``collection.forms``) lists its fields and rules; ``validate`` takes what a reader
read (a ``Sheet``: text cells, one row per line, with the cell positions) and returns a
``Checked`` result: typed lines, findings with their cell (C12), the cells to keep and the
observations an approval stores.

Steps, in order (none stops the others): the structural checks (``structure.py``), then the
form's rules by kind — ``not-blank`` and ``zero-report`` (``completeness.py``),
``required-one-of``, ``flow-total``, ``sum-to-total``, ``not-greater-than``
(``arithmetic.py``), ``cross-form`` (``crossform.py``), ``hb-history`` and ``hb-peers``
(``outliers.py``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import polars as pl

from shumao.collection.checks import completeness
from shumao.collection.checks.arithmetic import (
    flow_total,
    not_greater,
    required_one_of,
    sum_to_total,
)
from shumao.collection.checks.codes import codes
from shumao.collection.checks.crossform import cross_form
from shumao.collection.checks.model import TOTAL, Context, Run, Sheet
from shumao.collection.checks.outliers import hb_history, hb_peers
from shumao.collection.checks.results import Checked
from shumao.collection.checks.structure import (
    duplicates,
    identity,
    numbers,
    texts,
    totals_present,
)
from shumao.collection.forms import Form, RuleSpec
from shumao.validation.findings import Finding, Report


def validate(
    sheet: Sheet, form: Form, *, context: Context | None = None, report: Report | None = None
) -> Checked:
    """Run every check of ``form`` on ``sheet``; findings go to ``report`` (or a new one)."""
    run = Run(
        form,
        sheet,
        report or Report(source=sheet.file),
        context or Context(),
        _prepare(sheet.frame, form),
    )
    for step in _STEPS:
        step(run)
    run.report.findings.sort(key=_reading_order)
    return Checked(form, run.lines, run.report, sheet.sheet, dict(sheet.positions))


def _reading_order(item: Finding) -> tuple[bool, int, int, str]:
    """File-level findings first, then by row and column as a person reads the sheet."""
    letters = item.cell.rstrip("0123456789")
    return (item.row is not None, item.row or 0, len(letters), letters)


def _prepare(frame: pl.DataFrame, form: Form) -> pl.DataFrame:
    present = set(frame.columns)
    add = [
        pl.lit(None, pl.String).alias(c)
        for c in ("uscc", "period", *(f.id for f in form.fields))
        if c not in present
    ]
    frame = frame.with_columns(add) if add else frame
    text = ["uscc", "period", *(f.id for f in form.fields)]
    frame = frame.with_columns([pl.col(c).cast(pl.String) for c in text])
    raw = [pl.col(f.id).alias(f"raw_{f.id}") for f in form.fields]
    return frame.with_columns(raw).with_columns(_total_expr(form).alias(TOTAL))


def _total_expr(form: Form) -> pl.Expr:
    if form.totals is None:
        return pl.lit(False)
    labels = [_norm_label(x) for x in form.totals.labels]
    text = pl.col(form.totals.field).str.replace_all(r"\s+", "").str.to_lowercase()
    return text.is_in(labels).fill_null(False)


def _norm_label(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _form_rules(run: Run) -> None:
    for spec in run.form.rules:
        handler = _RULES.get(spec.kind)
        if handler is None:
            raise ValueError(f"form {run.form.id}: no handler for rule kind {spec.kind}")
        if spec.kind.startswith("hb-") and not run.ctx.hb:
            continue
        handler(run, spec)


_RULES: dict[str, Callable[[Run, RuleSpec], None]] = {
    "not-blank": completeness.not_blank,
    "zero-report": completeness.zero_report,
    "required-one-of": required_one_of,
    "flow-total": flow_total,
    "sum-to-total": sum_to_total,
    "not-greater-than": not_greater,
    "cross-form": cross_form,
    "hb-history": hb_history,
    "hb-peers": hb_peers,
}


def register_rule_kind(kind: str, handler: Callable[[Run, RuleSpec], None]) -> None:
    """A domain package's form-rule kind; its codes are registered by the package."""
    if kind in _RULES and _RULES[kind] is not handler:
        raise ValueError(f"rule kind {kind} is already registered")
    _RULES[kind] = handler


_STEPS: tuple[Callable[[Run], None], ...] = (
    identity,
    codes,
    numbers,
    texts,
    duplicates,
    totals_present,
    _form_rules,
)
