"""The validation engine of filing forms: rules as data, every failure a finding, vectorised.

``rules.yaml`` holds the finding codes this engine adds (registered into the findings
catalogue when this module is imported) and, for form-level rule kinds, their default
parameters. A form (``shumao.collection.forms``) lists its fields and rules; ``validate`` takes
what a parser read (a ``Sheet``: text cells, one row per line, with the cell positions) and
returns a ``Checked`` result: typed lines, findings with their cell (C12), the cells to keep
and the observations an approval stores.

Checks, in order (each collects every failure; none stops the others):
identity (credit code with its check character, period, the expected enterprise and period) →
codes (required, code list, allowed items) → numbers (required, type, units written in headers,
range, whole numbers) → text (length, formula-like text kept inert) → duplicate lines →
form rules: ``not-blank`` and ``zero-report`` (a blank form, 零申报: ``completeness.py``),
``required-one-of``, ``flow-total`` (exports + imports = total), ``sum-to-total``
(lines add up to the totals line within rounding), ``not-greater-than``, ``cross-form``
(quarters vs the annual form), ``hb-history`` and ``hb-peers`` (Hidiroglou–Berthelot edit
against the enterprise's previous periods and against its peers; see ``hb.py``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import yaml

from shumao.errors import UnknownCode
from shumao.validation.numbers import parse_numbers
from shumao.output import FORMULA_START
from shumao.validation import completeness, uscc, zeros
from shumao.validation import findings as _findings
from shumao.validation.findings import Finding, Report, finding
from shumao.validation.hb import HBParams, hb_frame, hb_rows

if TYPE_CHECKING:
    from shumao.collection.forms import Field, Form, RuleSpec
    from shumao.reference.units import Unit

RULES_FILE = Path(__file__).with_name("rules.yaml")
ROW = "_row"
TOTAL = "_total"
MAX_PER_RULE = 200
"""Findings built per rule and field; the report caps what it shows at 50 per code and column."""
Position = tuple[int | None, int | None]
"""(fixed row or None for the line's row, 0-based column or None)."""


@lru_cache(maxsize=1)
def definitions() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return data


def _register() -> None:
    known = _findings.catalogue()
    _findings.register({c: d for c, d in definitions().items() if c not in known})


_register()


def rule_definition(code: str) -> dict[str, Any]:
    """A form rule's kind and defaults: from ``rules.yaml`` or a domain's registered codes."""
    entry = definitions().get(code) or _findings.catalogue().get(code)
    if entry is None or "kind" not in entry:
        raise UnknownCode("rules.yaml form rules", code)
    return entry


# --- inputs and outputs -------------------------------------------------------------------------


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
    """What a domain's rule kind read from the store, by kind (``workflow.context_provider``)."""


@dataclass
class Checked:
    form: Form
    lines: pl.DataFrame
    """Typed lines: ``_row``, ``_total``, ``uscc``, ``period``, codes, numbers, text, ``raw_*``."""
    report: Report
    sheet: str = ""
    positions: dict[str, Position] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report.ok

    def cells(self) -> pl.DataFrame:
        return cells_of(self)

    def observations(self) -> pl.DataFrame:
        return observations_of(self)


# --- the engine ------------------------------------------------------------------------------


@dataclass
class _Run:
    form: Form
    sheet: Sheet
    report: Report
    ctx: Context
    lines: pl.DataFrame

    def where(self, field_id: str) -> Position:
        return self.sheet.positions.get(field_id, (None, None))

    def emit(self, code: str, field_id: str, rows: pl.DataFrame, *, label: str = "",
             **params: Any) -> None:
        """One finding per row of ``rows`` (``_row`` and optional ``_value`` plus params)."""
        fixed_row, col = self.where(field_id)
        column = label or _label(self.form, field_id)
        names = [c for c in rows.columns if c not in (ROW, "_value")]
        for rec in rows.head(MAX_PER_RULE).iter_rows(named=True):
            extra = {k: _fmt(rec[k]) for k in names}
            self.report.add(finding(
                code, file=self.sheet.file, sheet=self.sheet.sheet,
                row=fixed_row or rec.get(ROW), column=column, col_index=col,
                value=_fmt(rec.get("_value", "")), **{**params, **extra},
            ))


def validate(sheet: Sheet, form: Form, *, context: Context | None = None,
             report: Report | None = None) -> Checked:
    """Run every check of ``form`` on ``sheet``; findings go to ``report`` (or a new one)."""
    run = _Run(form, sheet, report or Report(source=sheet.file), context or Context(),
               _prepare(sheet.frame, form))
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
    add = [pl.lit(None, pl.String).alias(c) for c in ("uscc", "period", *(f.id for f in form.fields))
           if c not in present]
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


# --- identity --------------------------------------------------------------------------------


def _identity(run: _Run) -> None:
    from shumao.collection.forms import normalise_period

    if run.lines.height == 0:
        run.report.add(finding("file-empty", file=run.sheet.file, sheet=run.sheet.sheet))
        return
    ids = pl.col("uscc").str.strip_chars().str.to_uppercase()
    run.lines = run.lines.with_columns(ids.alias("uscc"))
    _check_uscc(run)
    periods = run.lines["period"].unique().to_list()
    mapping = {p: normalise_period(p, run.form.frequency) for p in periods if p is not None}
    for raw, norm in mapping.items():
        rows = _first_rows(run.lines, "period", raw).with_columns(pl.lit(raw).alias("_value"))
        if norm is None:
            run.emit("period-invalid", "period", rows, label="报告期 period")
            continue
        if norm != raw.strip():
            run.emit("period-normalised", "period", rows, label="报告期 period", normalised=norm)
        if run.ctx.expected_period and norm != run.ctx.expected_period:
            run.emit("upload-wrong-period", "period", rows.with_columns(pl.lit(norm).alias("_value")),
                     label="报告期 period", expected=run.ctx.expected_period)
    run.lines = run.lines.with_columns(
        pl.col("period").replace_strict(mapping, default=None, return_dtype=pl.String)
    )
    _missing_identity(run, written_periods=bool(mapping))


def _check_uscc(run: _Run) -> None:
    expected = run.ctx.expected_uscc
    wrong: dict[str, str | None] = {}
    for code in run.lines["uscc"].drop_nulls().unique().sort().to_list():
        problem = uscc.problem(code)
        if problem or (expected and code != expected):
            wrong[code] = problem
    if not wrong:
        return
    first = (run.lines.filter(pl.col("uscc").is_in(list(wrong))).group_by("uscc")
             .agg(pl.col(ROW).min()).sort("uscc"))
    for code, row in first.iter_rows():
        rows = pl.DataFrame({ROW: [row], "_value": [code]})
        if wrong[code]:
            run.emit("uscc-invalid", "uscc", rows, label="统一社会信用代码 USCC", detail=wrong[code])
        else:
            run.emit("upload-wrong-enterprise", "uscc", rows, label="统一社会信用代码 USCC",
                     expected=expected)


def _missing_identity(run: _Run, *, written_periods: bool) -> None:
    for key, label in (("uscc", "统一社会信用代码 / credit code"), ("period", "报告期 / period")):
        if key == "period" and written_periods:
            continue  # written but unreadable: period-invalid says so
        if run.lines[key].is_null().all():
            run.report.add(finding("identity-missing", file=run.sheet.file, sheet=run.sheet.sheet,
                                   column=label))
        elif run.lines[key].is_null().any():
            rows = run.lines.filter(pl.col(key).is_null()).select(ROW)
            run.emit("value-missing", key, rows, label=label)


def _first_rows(frame: pl.DataFrame, column: str, value: str) -> pl.DataFrame:
    return frame.filter(pl.col(column) == value).select(ROW).head(1)


# --- code fields -------------------------------------------------------------------------------


def _codes(run: _Run) -> None:
    for f in run.form.code_fields:
        column = run.lines[f.id].str.strip_chars()
        mapping: dict[str, str | None] = {}
        for value in column.drop_nulls().unique().to_list():
            mapping[value] = _resolve(f, value)
        detail = ~pl.col(TOTAL)
        resolved = column.replace_strict(mapping, default=None, return_dtype=pl.String)
        run.lines = run.lines.with_columns(resolved.alias(f.id))
        _report_codes(run, f, mapping, detail)


def _report_codes(run: _Run, f: Field, mapping: dict[str, str | None], detail: pl.Expr) -> None:
    raw = pl.col(f"raw_{f.id}").str.strip_chars()
    unknown = [v for v, code in mapping.items() if code is None]
    checks = {
        "value-missing": detail & (raw.is_null() | (raw == "")) if f.required else pl.lit(False),
        "code-unknown": detail & raw.is_in(unknown) if unknown else pl.lit(False),
        "code-not-allowed": detail & pl.col(f.id).is_not_null() & ~_allowed_expr(f)
        if f.allowed or f.exclude else pl.lit(False),
    }
    hits = run.lines.select(**{k: v.fill_null(False).any() for k, v in checks.items()}).row(0)
    params = {"code-unknown": {"codelist": _codelist_name(f)},
              "code-not-allowed": {"expected": _allowed_text(f)}, "value-missing": {}}
    for (code, cond), hit in zip(checks.items(), hits, strict=True):
        if hit:
            rows = run.lines.filter(cond).select(ROW, raw.alias("_value"))
            run.emit(code, f.id, rows if code != "value-missing" else rows.select(ROW),
                     **params[code])


def _allowed_expr(f: Field) -> pl.Expr:
    ok = pl.col(f.id).is_in(list(f.allowed)) if f.allowed else pl.lit(True)
    return ok & ~pl.col(f.id).is_in(list(f.exclude))


def _allowed_text(f: Field) -> str:
    if f.allowed:
        return "、".join(f.allowed)
    return "除 " + "、".join(f.exclude) + " 以外 / all but " + ", ".join(f.exclude)


@dataclass(frozen=True)
class Codelist:
    """A code list a form field may use: its name for people, a lookup (name or code → code,
    ``UnknownCode`` otherwise) and the (code, Chinese name) choices its template offers."""

    name: str
    lookup: Callable[[str], str]
    choices: Callable[[], list[tuple[str, str]]]


CODELISTS: dict[str, Codelist] = {}


def register_codelist(key: str, codelist: Codelist) -> None:
    """A domain package's code list for form fields (``codelist: <key>`` in a form)."""
    CODELISTS[key] = codelist


def register_rule_kind(kind: str, handler: Callable[[_Run, RuleSpec], None]) -> None:
    """A domain package's form-rule kind; its codes are registered by the package."""
    if kind in _RULES and _RULES[kind] is not handler:
        raise ValueError(f"rule kind {kind} is already registered")
    _RULES[kind] = handler


def _codelist_name(f: Field) -> str:
    if f.codelist in CODELISTS:
        return CODELISTS[f.codelist].name
    return {"ebops": "EBOPS 2010", "country": "ISO 3166-1",
            "cbec_mode": "海关监管方式 customs supervision mode"}.get(f.codelist, f.codelist)


@lru_cache(maxsize=8192)
def _resolve_cached(codelist: str, value: str) -> str | None:
    from shumao.reference import cbec_modes, countries, ebops

    lookup: Callable[[str], str] = CODELISTS[codelist].lookup if codelist in CODELISTS else {
        "ebops": lambda v: ebops.lookup(v).code,
        "country": lambda v: countries.lookup(v).iso3,
        "cbec_mode": lambda v: cbec_modes.lookup(v).code,
    }[codelist]
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    head, _, tail = text.partition(" ")
    for candidate in (text, head, tail):
        if not candidate:
            continue
        try:
            return lookup(candidate)
        except UnknownCode:
            continue
    return None


def resolve_code(codelist: str, value: str) -> str | None:
    """The code ``value`` names in ``codelist`` (as a filed cell is read), or None."""
    return _resolve_cached(codelist, value) if value else None


def _resolve(f: Field, value: str) -> str | None:
    """A code from "SI2", "si2", "SI2 计算机服务", "计算机服务", "USA 美国", "美国"."""
    return _resolve_cached(f.codelist, value) if value else None


# --- numbers ----------------------------------------------------------------------------------


def _numbers(run: _Run) -> None:
    for f in run.form.numeric_fields:
        fixed_row, col = run.where(f.id)
        frame = run.lines.select(ROW, f.id)
        if fixed_row is not None:
            frame = frame.with_columns(pl.lit(fixed_row, pl.Int64).alias(ROW))
        values, missing = parse_numbers(frame, f.id, run.report, file=run.sheet.file,
                                        sheet=run.sheet.sheet, col_index=col, label=f.label)
        factor = _unit_factor(run, f)
        run.lines = run.lines.with_columns((values * factor).alias(f.id),
                                           missing.alias(f"_miss_{f.id}"),
                                           (values.is_null() & ~missing).alias(f"_bad_{f.id}"))
        _check_number(run, f)


def _unit_factor(run: _Run, f: Field) -> float:
    from shumao.reference import units

    written = run.sheet.units.get(f.id)
    if written is None or not f.unit:
        return 1.0
    target = units.parse(f.unit)
    if (written.code, written.mult) == (target.code, target.mult):
        return 1.0
    year = _year_of(run)
    try:
        factor = units.factor(written, target, year=year)
    except Exception:
        run.report.add(finding("unit-not-convertible", file=run.sheet.file, sheet=run.sheet.sheet,
                               row=run.where(f.id)[0] or 1, column=f.label,
                               col_index=run.where(f.id)[1], from_unit=written.name_zh,
                               to_unit=target.name_zh))
        return 1.0
    run.report.add(finding("unit-converted", file=run.sheet.file, sheet=run.sheet.sheet,
                           column=f.label, from_unit=written.name_zh, to_unit=target.name_zh,
                           factor=f"{factor:.6g}"))
    return factor


def _year_of(run: _Run) -> int | None:
    periods = run.lines["period"].drop_nulls()
    return int(periods[0][:4]) if periods.len() else None


def _check_number(run: _Run, f: Field) -> None:
    v = pl.col(f.id)
    written = pl.col(f"raw_{f.id}").alias("_value")
    detail = run.lines.filter(~pl.col(TOTAL))
    if f.required:
        run.emit("value-missing", f.id, detail.filter(pl.col(f"_miss_{f.id}")).select(ROW))
    if f.min == 0:
        run.emit("value-negative", f.id, run.lines.filter(v < 0).select(ROW, written))
    low = f.min if f.min is not None and f.min != 0 else None
    out = (v < low) if low is not None else pl.lit(False)
    out = out | (v > f.max) if f.max is not None else out
    run.emit("value-out-of-range", f.id, run.lines.filter(out).select(ROW, written),
             expected=f"[{_fmt(f.min)}, {_fmt(f.max)}]")
    if f.kind == "integer":
        frac = run.lines.filter(v.is_not_null() & (v.round(0) != v))
        run.emit("not-integer", f.id, frac.select(ROW, written))


# --- text ---------------------------------------------------------------------------------------


def _texts(run: _Run) -> None:
    for f in run.form.text_fields:
        v = pl.col(f.id)
        if f.required:
            run.emit("value-missing", f.id,
                     run.lines.filter((v.is_null() | (v.str.strip_chars() == "")) & ~pl.col(TOTAL))
                     .select(ROW))
        if f.max_length:
            long = run.lines.filter(v.str.len_chars() > f.max_length)
            run.emit("text-too-long", f.id, long.select(ROW), limit=f.max_length)
        risky = pl.lit(False)
        for prefix in FORMULA_START:
            risky = risky | v.str.starts_with(prefix)
        hits = run.lines.filter(risky & v.cast(pl.Float64, strict=False).is_null())
        run.emit("text-formula-inert", f.id,
                 hits.select(ROW, v.str.slice(0, 1).alias("prefix"), v.alias("_value")))


# --- duplicates and totals ---------------------------------------------------------------------


def _duplicates(run: _Run) -> None:
    keys = ["uscc", "period", *run.form.keys]
    detail = run.lines.filter(~pl.col(TOTAL) & pl.all_horizontal([pl.col(k).is_not_null()
                                                                  for k in keys]))
    detail = detail.filter(pl.struct(keys).is_duplicated())  # usually none: skip the group-by
    dups = (detail.group_by(keys).agg(pl.col(ROW).sort().alias("rows"))
            .sort(pl.col("rows").list.first()))
    for rec in dups.head(MAX_PER_RULE).iter_rows(named=True):
        rows = rec["rows"]
        key = "/".join(str(rec[k]) for k in keys)
        run.report.add(finding("key-duplicate", file=run.sheet.file, sheet=run.sheet.sheet,
                               row=rows[0], value=key, rows="、".join(map(str, rows[:10]))))
    if run.form.totals is None:
        return
    totals = run.lines.filter(pl.col(TOTAL))
    extra = totals.group_by("uscc", "period").agg(pl.col(ROW).sort().alias("rows")).filter(
        pl.col("rows").list.len() > 1)
    for rec in extra.iter_rows(named=True):
        run.report.add(finding("key-duplicate", file=run.sheet.file, sheet=run.sheet.sheet,
                               row=rec["rows"][0], value="合计 total",
                               rows="、".join(map(str, rec["rows"][:10]))))


def _totals_present(run: _Run) -> None:
    spec = run.form.totals
    if spec is None or not spec.required:
        return
    groups = run.lines.filter(~pl.col(TOTAL)).select("uscc", "period").unique()
    have = run.lines.filter(pl.col(TOTAL)).select("uscc", "period").unique()
    missing = groups.join(have, on=["uscc", "period"], how="anti", nulls_equal=True)
    for _uscc, _period in missing.head(MAX_PER_RULE).iter_rows():
        run.report.add(finding("totals-missing", file=run.sheet.file, sheet=run.sheet.sheet,
                               column=_label(run.form, spec.field)))


# --- form rules ---------------------------------------------------------------------------------


def _form_rules(run: _Run) -> None:
    for spec in run.form.rules:
        handler = _RULES.get(spec.kind)
        if handler is None:
            raise ValueError(f"form {run.form.id}: no handler for rule kind {spec.kind}")
        if spec.kind.startswith("hb-") and not run.ctx.hb:
            continue
        handler(run, spec)


def _tolerance(decimals: int, terms: int) -> float:
    return 0.5 * 10.0 ** -decimals * terms + 1e-9


def _required_one_of(run: _Run, spec: RuleSpec) -> None:
    names = list(spec.params["fields"])
    rows = run.lines.filter(~pl.col(TOTAL) & pl.all_horizontal([pl.col(f"_miss_{n}")
                                                                for n in names]))
    label = "、".join(_label(run.form, n) for n in names)
    run.emit(spec.code, names[0], rows.select(ROW), label=label)


def _flow_total(run: _Run, spec: RuleSpec) -> None:
    parts, total = list(spec.params["parts"]), spec.params["total"]
    tol = _tolerance(int(spec.params.get("decimals", 2)), len(parts) + 1)
    summed = pl.sum_horizontal([pl.col(p).fill_null(0.0) for p in parts])
    any_part = pl.any_horizontal([pl.col(p).is_not_null() for p in parts])
    unreadable = pl.any_horizontal([pl.col(f"_bad_{p}") for p in parts])
    bad = run.lines.filter(pl.col(total).is_not_null() & any_part & ~unreadable
                           & ((summed - pl.col(total)).abs() > tol))
    run.emit(spec.code, total, bad.select(
        ROW, pl.col(total).alias("_value"), summed.alias("parts"),
        (summed - pl.col(total)).alias("diff")))


def _sum_to_total(run: _Run, spec: RuleSpec) -> None:
    decimals = int(spec.params.get("decimals", 2))
    keys = ["uscc", "period"]
    for name in spec.params["fields"]:
        sums = run.lines.filter(~pl.col(TOTAL)).group_by(keys).agg(
            pl.col(name).sum().alias("parts"), pl.len().alias("_n"),
            pl.col(f"_bad_{name}").any().alias("_unreadable"))
        totals = run.lines.filter(pl.col(TOTAL) & pl.col(name).is_not_null()).select(
            *keys, ROW, pl.col(name).alias("_value"))
        joined = totals.join(sums, on=keys, how="left", nulls_equal=True).with_columns(
            pl.col("parts").fill_null(0.0), pl.col("_n").fill_null(0)
        ).filter(~pl.col("_unreadable").fill_null(False))
        joined = joined.with_columns(
            (pl.col("parts") - pl.col("_value")).alias("diff"),
            ((pl.col("_n") + 1).cast(pl.Float64) * (0.5 * 10.0 ** -decimals) + 1e-9)
            .alias("tolerance"))
        bad = joined.filter(pl.col("diff").abs() > pl.col("tolerance"))
        run.emit(spec.code, name, bad.select(ROW, "_value", "parts", "diff", "tolerance"))


def _not_greater(run: _Run, spec: RuleSpec) -> None:
    name, limit = spec.params["field"], spec.params["limit"]
    bad = run.lines.filter(pl.col(name).is_not_null() & pl.col(limit).is_not_null()
                           & (pl.col(name) > pl.col(limit) * (1 + 1e-9)))
    run.emit(spec.code, name, bad.select(ROW, pl.col(name).alias("_value"),
                                         pl.col(limit).alias("limit")),
             other=_label(run.form, limit))


# --- cross-form ---------------------------------------------------------------------------------


def _cross_form(run: _Run, spec: RuleSpec) -> None:
    from shumao.collection.forms import get_form

    other = get_form(spec.params["other_form"])
    other_values = run.ctx.other_forms.get(other.id)
    if other_values is None or other_values.is_empty():
        return
    name, other_name = spec.params["field"], spec.params["other_field"]
    mine = _yearly(run.form, _current_long(run, [name]), run.ctx.history, name)
    theirs = _yearly(other, other_values, None, other_name)
    if mine.is_empty() or theirs.is_empty():
        return
    both = mine.join(theirs.rename({"total": "other_value"}), on=["uscc", "year"])
    both = both.with_columns(
        ((pl.col("total") - pl.col("other_value")).abs()
         / pl.max_horizontal(pl.col("other_value").abs(), pl.lit(1e-9)) * 100).alias("pct"))
    bad = both.filter(pl.col("pct") > float(spec.params["tolerance_pct"]))
    if bad.is_empty():
        return
    anchor = _anchor_rows(run, name).join(bad, on="uscc")
    run.emit(spec.code, name, anchor.select(
        ROW, pl.col("total").alias("_value"), "other_value", pl.col("pct").round(2)),
        label=_yearly_label(run.form, name), other=f"{other.code} {other.title_zh}",
        other_column=_yearly_label(other, other_name),
        tolerance_pct=spec.params["tolerance_pct"])


def _yearly_label(form: Form, name: str) -> str:
    label = _label(form, name)
    return label if form.frequency == "A" else f"全年各期{label}合计"


def _anchor_rows(run: _Run, name: str) -> pl.DataFrame:
    """The line a per-enterprise finding points at: the totals line, else the first line."""
    lines = run.lines.sort(pl.col(TOTAL), descending=True)
    return lines.group_by("uscc", maintain_order=True).agg(pl.col(ROW).first())


def _yearly(form: Form, current: pl.DataFrame, history: pl.DataFrame | None,
            name: str) -> pl.DataFrame:
    """Per enterprise and year: the field's yearly value; quarters only when all are there."""
    from shumao.collection.forms import periods_of_year

    mine = current.filter(pl.col("field") == name).select("uscc", "period", "value")
    years = {int(p[:4]) for p in mine["period"].unique().to_list()}
    wanted = [p for y in sorted(years) for p in periods_of_year(y, form.frequency)]
    frames = [mine.lazy()]
    if history is not None and not history.is_empty():
        past = history.lazy().filter(pl.col("period").is_in(wanted) & (pl.col("field") == name))
        frames.append(past.select("uscc", "period", "value").join(
            mine.lazy().select("uscc", "period").unique(), on=["uscc", "period"], how="anti"))
    data = pl.concat(frames).group_by("uscc", "period").agg(pl.col("value").sum())
    data = data.with_columns(pl.col("period").str.slice(0, 4).alias("year"))
    need = len(periods_of_year(2000, form.frequency))
    return (data.group_by("uscc", "year").agg(pl.col("value").sum().alias("total"),
                                              pl.col("period").n_unique().alias("_n"))
            .filter(pl.col("_n") == need).drop("_n").collect())


def _current_long(run: _Run, names: Iterable[str]) -> pl.DataFrame:
    """This upload's detail values, long: uscc, period, dims, field, value."""
    keep = [n for n in names if n in run.lines.columns]
    dims = run.form.dims
    base = run.lines.filter(~pl.col(TOTAL) & pl.col("uscc").is_not_null()
                            & pl.col("period").is_not_null())
    long = base.select("uscc", "period", *dims, ROW, *keep).unpivot(
        index=["uscc", "period", *dims, ROW], on=keep, variable_name="field", value_name="value")
    return long.filter(pl.col("value").is_not_null())


# --- HB period-to-period edits -----------------------------------------------------------------


def _hb_params(spec: RuleSpec) -> HBParams:
    p = spec.params
    return HBParams(U=float(p["U"]), A=float(p["A"]), C=float(p["C"]),
                    min_obs=int(p["min_obs"]), min_units=int(p["min_units"]),
                    method=p.get("method", "ratio"), quantile=p.get("quantile", "linear"))


def _hb_history(run: _Run, spec: RuleSpec) -> None:
    history = run.ctx.history
    if history is None or history.is_empty():
        return
    names = list(spec.params["fields"])
    current = _current_long(run, names)
    if current.is_empty():
        return
    periods = int(spec.params["periods"])
    min_change = float(spec.params["min_change"])
    keys = ["uscc", *run.form.dims, "field"]
    params = _hb_params(spec)
    flagged, unassessed = [], []
    for period in current["period"].unique().to_list():
        cur = current.filter(pl.col("period") == period)
        matrix = _series_matrix(cur, history, names, keys, period, periods)
        out = hb_rows(matrix, params)
        change = np.abs(out["centred"]) if params.method == "ratio" else np.inf
        keep = out["outlier"] & (change >= min_change)
        flagged.append(cur.filter(pl.Series(keep)).select("field", ROW).with_columns(
            pl.Series("y1", matrix[keep, -2]), pl.Series("y2", matrix[keep, -1]),
            *(pl.Series(f"hb_{k}", out[k][keep])
              for k in ("ratio", "score", "lower", "upper", "method", "n"))))
        unassessed.append(cur.filter(pl.Series(out["method"] == "none")).select("field", ROW))
        if spec.params.get("zero_check", True):
            _emit_zero_switches(run, cur, matrix)
    _emit_hb(run, spec, pl.concat(flagged), periods=periods)
    _emit_too_few(run, "hb-history-too-few", pl.concat(unassessed), params.min_units)


def _emit_zero_switches(run: _Run, cur: pl.DataFrame, matrix: np.ndarray) -> None:
    """The zeros HB leaves out: zero now after non-zero periods, or the reverse."""
    found = zeros.switches(matrix)
    for kind, code in ((zeros.TO_ZERO, "zero-history-to-zero"),
                       (zeros.FROM_ZERO, "zero-history-from-zero")):
        hit = found.kind == kind
        rows = cur.select("field", ROW, pl.col("value").alias("_value")).with_columns(
            pl.Series("previous", found.previous), pl.Series("periods", found.n_previous)
        ).filter(pl.Series(hit))
        for name in rows["field"].unique().sort().to_list():
            run.emit(code, name, rows.filter(pl.col("field") == name).drop("field"))


def _emit_too_few(run: _Run, code: str, rows: pl.DataFrame, min_units: int,
                  groups: dict[str, str] | None = None) -> None:
    """One info finding per field: how many lines (or peer groups) HB could not assess. Not a
    cell's finding: no column, the field named in each language's own words."""
    for name in rows["field"].unique().sort().to_list():
        mine = rows.filter(pl.col("field") == name)
        field_ = run.form.field(name)
        run.report.add(finding(
            code, file=run.sheet.file, sheet=run.sheet.sheet,
            row=mine.select(pl.col(ROW).min()).item(), value=mine.height, min_units=min_units,
            column_zh=field_.label_zh, column_en=field_.label_en,
            groups=(groups or {}).get(name, "")))


def _series_matrix(cur: pl.DataFrame, history: pl.DataFrame, names: list[str], keys: list[str],
                   period: str, periods: int) -> np.ndarray:
    """Row i: series i of ``cur`` over the ``periods`` earlier periods (oldest first) and now.

    Series are keyed by a 64-bit hash of ``keys`` (enterprise, line dimensions, field); the
    history is filtered, hashed and joined to the current series once, and its values are
    scattered into the matrix by (series, period slot): no pivot, sort or group-by of the
    large history. A period missing from the history stays NaN.
    """
    from shumao.collection.forms import previous_periods

    window = previous_periods(period, periods)
    sid = pl.struct(keys).hash().alias("_sid")
    slots = pl.LazyFrame({"period": window, "_k": range(len(window))},
                         schema={"period": pl.String, "_k": pl.UInt32})
    hits = (history.lazy().filter(pl.col("field").is_in(names))
            .join(slots, on="period", how="inner").select(sid, "_k", "value")
            .join(cur.lazy().select(sid).with_row_index("_i"), on="_sid", how="inner")
            .select("_i", "_k", "value").collect())
    matrix = np.full((cur.height, len(window) + 1), np.nan)
    matrix[hits["_i"].to_numpy(), hits["_k"].to_numpy()] = hits["value"].to_numpy()
    matrix[:, -1] = cur["value"].to_numpy()
    return matrix


def _hb_peers(run: _Run, spec: RuleSpec) -> None:
    from shumao.collection.forms import shift

    names = list(spec.params["fields"])
    level = list(spec.params.get("level") or [])
    current = _current_long(run, names)
    if current.is_empty():
        return
    keys = ["uscc", *level, "field"]
    history = run.ctx.history if run.ctx.history is not None else _empty_history(run.form)
    frames = []
    past = history.lazy().filter(pl.col("field").is_in(names))
    for period in current["period"].unique().to_list():
        prev = shift(period, -1)
        cur = current.lazy().filter(pl.col("period") == period)
        mine = cur.group_by(keys).agg(pl.col("value").sum().alias("y2"), pl.col(ROW).min())
        others_now = past.filter(pl.col("period") == period)
        others_now = others_now.join(mine.select("uscc").unique(), on="uscc", how="anti")
        now = pl.concat([
            mine, others_now.group_by(keys).agg(pl.col("value").sum().alias("y2"))
            .with_columns(pl.lit(None, pl.Int64).alias(ROW)),
        ], how="vertical_relaxed")
        before = past.filter(pl.col("period") == prev) \
            .group_by(keys).agg(pl.col("value").sum().alias("y1"))
        frames.append(now.join(before, on=keys, how="inner").with_columns(
            pl.col(ROW).is_not_null().alias("_current")))
    pairs = pl.concat(frames).collect()
    params = _hb_params(spec)
    scored = hb_frame(pairs, group=[*level, "field"], params=params)
    change = pl.col("hb_centred").abs() if params.method == "ratio" else pl.lit(np.inf)
    flagged = scored.filter(pl.col("_current") & pl.col("hb_outlier")
                            & (change >= float(spec.params["min_change"])))
    _emit_hb(run, spec, flagged)
    small = scored.filter(pl.col("_current") & (pl.col("hb_method") == "none"))
    groups = small.group_by("field").agg(
        pl.concat_str([pl.col(c) for c in level] or [pl.lit("—")], separator="/")
        .unique().sort().str.join("、").alias("g"), pl.len().alias("n"))
    group_text = dict(zip(groups["field"].to_list(), groups["g"].to_list(), strict=True))
    per_group = small.unique(subset=[*level, "field"]).select("field", ROW)
    _emit_too_few(run, "hb-peers-too-few", per_group, params.min_units, group_text)


def _emit_hb(run: _Run, spec: RuleSpec, flagged: pl.DataFrame, **params: Any) -> None:
    for name in flagged["field"].unique().sort().to_list():
        rows = flagged.filter(pl.col("field") == name).sort(ROW).select(
            ROW, pl.col("y2").alias("_value"), pl.col("y1").alias("previous"),
            pl.col("hb_ratio").round(3).alias("ratio"), pl.col("hb_score").round(2).alias("score"),
            pl.col("hb_lower").round(2).alias("lower"), pl.col("hb_upper").round(2).alias("upper"),
            pl.col("hb_method").alias("method"), pl.col("hb_n").alias("n"))
        run.emit(spec.code, name, rows, **params)


def _empty_history(form: Form) -> pl.DataFrame:
    schema = {"uscc": pl.String, "period": pl.String, **dict.fromkeys(form.dims, pl.String),
              "field": pl.String, "value": pl.Float64}
    return pl.DataFrame(schema=schema)


_RULES: dict[str, Callable[[_Run, RuleSpec], None]] = {
    "not-blank": completeness.not_blank,
    "zero-report": completeness.zero_report,
    "required-one-of": _required_one_of,
    "flow-total": _flow_total,
    "sum-to-total": _sum_to_total,
    "not-greater-than": _not_greater,
    "cross-form": _cross_form,
    "hb-history": _hb_history,
    "hb-peers": _hb_peers,
}
_STEPS: tuple[Callable[[_Run], None], ...] = (
    _identity, _codes, _numbers, _texts, _duplicates, _totals_present, _form_rules,
)


# --- results ------------------------------------------------------------------------------------


def cells_of(checked: Checked) -> pl.DataFrame:
    """Every non-empty cell, long: line, field, row, col, cell, dims, value, text as written."""
    from shumao.validation.findings import column_letter

    form, lines = checked.form, checked.lines.with_row_index("line", offset=1)
    frames = []
    for f in form.fields:
        fixed_row, col = checked.positions.get(f.id, (None, None))
        raw = pl.col(f"raw_{f.id}")
        part = lines.filter(raw.is_not_null() & (raw.str.strip_chars() != "")).select(
            pl.col("line").cast(pl.Int64),
            pl.lit(f.id).alias("field"),
            (pl.lit(fixed_row, pl.Int64) if fixed_row is not None else pl.col(ROW)).alias("row"),
            pl.lit(col, pl.Int64).alias("col"),
            *(pl.col(c.id).alias(c.dimension) for c in form.code_fields if c.dimension),
            pl.col(TOTAL).alias("total_line"),
            (pl.col(f.id).cast(pl.Float64) if f.numeric else pl.lit(None, pl.Float64)).alias("value"),
            raw.alias("text"),
        )
        frames.append(part)
    out = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
    letters = {c: column_letter(c) for c in out["col"].drop_nulls().unique().to_list()} \
        if out.height else {}
    return out.with_columns(
        (pl.col("col").replace_strict(letters, default=None, return_dtype=pl.String)
         + pl.col("row").cast(pl.String)).fill_null("").alias("cell")
    ).sort("line", "col", nulls_last=True) if out.height else out


def observations_of(checked: Checked) -> pl.DataFrame:
    """The stored values of the detail lines as observations (``FRAME_SCHEMA`` columns)."""
    from shumao.reference import units
    from shumao.storage.tables import DIMENSIONS, NOT_APPLICABLE
    from shumao.storage.vintages import conform

    form = checked.form
    base = checked.lines.filter(~pl.col(TOTAL))
    frames = []
    for f in form.numeric_fields:
        if not f.store:
            continue
        unit = units.parse(f.unit) if f.unit else None
        dims = {c.dimension: pl.col(c.id) for c in form.code_fields if c.dimension}
        dims.update({k: pl.lit(v) for k, v in f.fixed_dims.items()})
        part = base.filter(pl.col(f.id).is_not_null()).select(
            pl.col("uscc").alias("ref_area"),
            *(dims.get(d, pl.lit(NOT_APPLICABLE)).alias(d) for d in DIMENSIONS
              if d not in ("ref_area", "freq")),
            pl.lit(form.frequency).alias("freq"),
            pl.col("period").alias("time_period"),
            pl.col(f.id).alias("value"),
            pl.lit(unit.code if unit else "NUMBER").alias("unit"),
            pl.lit(unit.mult if unit else 0).alias("unit_mult"),
        )
        frames.append(part)
    return conform(pl.concat(frames)) if frames else conform(pl.DataFrame(
        schema={"ref_area": pl.String, "time_period": pl.String, "value": pl.Float64,
                "unit": pl.String}))


def history_from_observations(form: Form, obs: pl.DataFrame) -> pl.DataFrame:
    """Stored observations of ``form``'s dataflow → the long ``Context.history`` shape."""
    from shumao.reference import units

    frames = []
    for f in form.numeric_fields:
        if not f.store or not f.fixed_dims:
            continue
        cond = pl.all_horizontal([pl.col(k) == v for k, v in f.fixed_dims.items()])
        mult = units.parse(f.unit).mult if f.unit else 0
        part = obs.filter(cond & pl.col("value").is_not_null()).select(
            pl.col("ref_area").alias("uscc"), pl.col("time_period").alias("period"),
            *(pl.col(d) for d in form.dims), pl.lit(f.id).alias("field"),
            (pl.col("value") * (10.0 ** (pl.col("unit_mult").cast(pl.Float64) - mult)))
            .alias("value"))
        frames.append(part)
    return pl.concat(frames) if frames else _empty_history(form)


# --- formatting -------------------------------------------------------------------------------


def _label(form: Form, field_id: str) -> str:
    try:
        return form.field(field_id).label
    except UnknownCode:
        return field_id


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:.4g}"
    return str(value)
