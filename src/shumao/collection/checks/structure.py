"""The structural checks of a filing, in the order a person reads a sheet.

identity (credit code with its check character, period, the expected enterprise and period) →
codes (required, code list, allowed items: ``codes.py``) → numbers (required, type, units written in headers,
range, whole numbers) → text (length, formula-like text kept inert) → duplicate lines → the
totals line present.
"""

from __future__ import annotations

import polars as pl

from shumao.collection.checks.model import MAX_PER_RULE, TOTAL, Run, field_label, fmt
from shumao.collection.forms import Field, normalise_period
from shumao.collection.templates import IDENTITY_LABELS
from shumao.output import FORMULA_START
from shumao.reference import units
from shumao.validation import uscc
from shumao.validation.findings import ROW, finding
from shumao.validation.numbers import parse_numbers


def identity(run: Run) -> None:
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
            run.emit("period-invalid", "period", rows, label=IDENTITY_LABELS["period"])
            continue
        if norm != raw.strip():
            run.emit(
                "period-normalised",
                "period",
                rows,
                label=IDENTITY_LABELS["period"],
                normalised=norm,
            )
        if run.ctx.expected_period and norm != run.ctx.expected_period:
            run.emit(
                "upload-wrong-period",
                "period",
                rows.with_columns(pl.lit(norm).alias("_value")),
                label=IDENTITY_LABELS["period"],
                expected=run.ctx.expected_period,
            )
    run.lines = run.lines.with_columns(
        pl.col("period").replace_strict(mapping, default=None, return_dtype=pl.String)
    )
    _missing_identity(run, written_periods=bool(mapping))


def _check_uscc(run: Run) -> None:
    expected = run.ctx.expected_uscc
    wrong: dict[str, str | None] = {}
    for code in run.lines["uscc"].drop_nulls().unique().sort().to_list():
        problem = uscc.problem(code)
        if problem or (expected and code != expected):
            wrong[code] = problem
    if not wrong:
        return
    first = (
        run.lines.filter(pl.col("uscc").is_in(list(wrong)))
        .group_by("uscc")
        .agg(pl.col(ROW).min())
        .sort("uscc")
    )
    for code, row in first.iter_rows():
        rows = pl.DataFrame({ROW: [row], "_value": [code]})
        if wrong[code]:
            run.emit(
                "uscc-invalid",
                "uscc",
                rows,
                label=IDENTITY_LABELS["uscc"],
                **uscc.problem_texts(code),
            )
        else:
            run.emit(
                "upload-wrong-enterprise",
                "uscc",
                rows,
                label=IDENTITY_LABELS["uscc"],
                expected=expected,
            )


def _missing_identity(run: Run, *, written_periods: bool) -> None:
    for key in ("uscc", "period"):
        label = IDENTITY_LABELS[key]  # the header the template writes, as for every field
        if key == "period" and written_periods:
            continue  # written but unreadable: period-invalid says so
        if run.lines[key].is_null().all():
            run.report.add(
                finding(
                    "identity-missing", file=run.sheet.file, sheet=run.sheet.sheet, column=label
                )
            )
        elif run.lines[key].is_null().any():
            rows = run.lines.filter(pl.col(key).is_null()).select(ROW)
            run.emit("value-missing", key, rows, label=label)


def _first_rows(frame: pl.DataFrame, column: str, value: str) -> pl.DataFrame:
    return frame.filter(pl.col(column) == value).select(ROW).head(1)


def numbers(run: Run) -> None:
    for f in run.form.numeric_fields:
        fixed_row, col = run.where(f.id)
        frame = run.lines.select(ROW, f.id)
        if fixed_row is not None:
            frame = frame.with_columns(pl.lit(fixed_row, pl.Int64).alias(ROW))
        values, missing = parse_numbers(
            frame,
            f.id,
            run.report,
            file=run.sheet.file,
            sheet=run.sheet.sheet,
            col_index=col,
            label=f.label,
        )
        factor = _unit_factor(run, f)
        run.lines = run.lines.with_columns(
            (values * factor).alias(f.id),
            missing.alias(f"_miss_{f.id}"),
            (values.is_null() & ~missing).alias(f"_bad_{f.id}"),
        )
        _check_number(run, f)


def _unit_factor(run: Run, f: Field) -> float:
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
        run.report.add(
            finding(
                "unit-not-convertible",
                file=run.sheet.file,
                sheet=run.sheet.sheet,
                row=run.where(f.id)[0] or 1,
                column=f.label,
                col_index=run.where(f.id)[1],
                from_unit=written.name_zh,
                to_unit=target.name_zh,
            )
        )
        return 1.0
    run.report.add(
        finding(
            "unit-converted",
            file=run.sheet.file,
            sheet=run.sheet.sheet,
            column=f.label,
            from_unit=written.name_zh,
            to_unit=target.name_zh,
            factor=f"{factor:.6g}",
        )
    )
    return factor


def _year_of(run: Run) -> int | None:
    periods = run.lines["period"].drop_nulls()
    return int(periods[0][:4]) if periods.len() else None


def _check_number(run: Run, f: Field) -> None:
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
    run.emit(
        "value-out-of-range",
        f.id,
        run.lines.filter(out).select(ROW, written),
        expected=f"[{fmt(f.min)}, {fmt(f.max)}]",
    )
    if f.kind == "integer":
        frac = run.lines.filter(v.is_not_null() & (v.round(0) != v))
        run.emit("not-integer", f.id, frac.select(ROW, written))


def texts(run: Run) -> None:
    for f in run.form.text_fields:
        v = pl.col(f.id)
        if f.required:
            run.emit(
                "value-missing",
                f.id,
                run.lines.filter(
                    (v.is_null() | (v.str.strip_chars() == "")) & ~pl.col(TOTAL)
                ).select(ROW),
            )
        if f.max_length:
            long = run.lines.filter(v.str.len_chars() > f.max_length)
            run.emit("text-too-long", f.id, long.select(ROW), limit=f.max_length)
        risky = pl.lit(False)
        for prefix in FORMULA_START:
            risky = risky | v.str.starts_with(prefix)
        hits = run.lines.filter(risky & v.cast(pl.Float64, strict=False).is_null())
        run.emit(
            "text-formula-inert",
            f.id,
            hits.select(ROW, v.str.slice(0, 1).alias("prefix"), v.alias("_value")),
        )


def duplicates(run: Run) -> None:
    keys = ["uscc", "period", *run.form.keys]
    detail = run.lines.filter(
        ~pl.col(TOTAL) & pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    )
    detail = detail.filter(pl.struct(keys).is_duplicated())  # usually none: skip the group-by
    dups = (
        detail.group_by(keys)
        .agg(pl.col(ROW).sort().alias("rows"))
        .sort(pl.col("rows").list.first())
    )
    for rec in dups.head(MAX_PER_RULE).iter_rows(named=True):
        rows = rec["rows"]
        key = "/".join(str(rec[k]) for k in keys)
        run.report.add(
            finding(
                "key-duplicate",
                file=run.sheet.file,
                sheet=run.sheet.sheet,
                row=rows[0],
                value=key,
                rows="、".join(map(str, rows[:10])),
            )
        )
    if run.form.totals is None:
        return
    totals = run.lines.filter(pl.col(TOTAL))
    extra = (
        totals.group_by("uscc", "period")
        .agg(pl.col(ROW).sort().alias("rows"))
        .filter(pl.col("rows").list.len() > 1)
    )
    for rec in extra.iter_rows(named=True):
        run.report.add(
            finding(
                "key-duplicate",
                file=run.sheet.file,
                sheet=run.sheet.sheet,
                row=rec["rows"][0],
                value="合计 total",
                rows="、".join(map(str, rec["rows"][:10])),
            )
        )


def totals_present(run: Run) -> None:
    spec = run.form.totals
    if spec is None or not spec.required:
        return
    groups = run.lines.filter(~pl.col(TOTAL)).select("uscc", "period").unique()
    have = run.lines.filter(pl.col(TOTAL)).select("uscc", "period").unique()
    missing = groups.join(have, on=["uscc", "period"], how="anti", nulls_equal=True)
    for _uscc, _period in missing.head(MAX_PER_RULE).iter_rows():
        run.report.add(
            finding(
                "totals-missing",
                file=run.sheet.file,
                sheet=run.sheet.sheet,
                column=field_label(run.form, spec.field),
            )
        )
