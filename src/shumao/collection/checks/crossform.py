"""Cross-form checks: a quarterly form's year against the annual form of the same enterprise.

The quarters count only when all of them are there (this upload plus the store's history).
"""

from __future__ import annotations

import polars as pl

from shumao.collection.checks.model import TOTAL, Run, current_long, field_label
from shumao.collection.forms import Form, RuleSpec, get_form, periods_of_year
from shumao.validation.findings import ROW


def cross_form(run: Run, spec: RuleSpec) -> None:
    other = get_form(spec.params["other_form"])
    other_values = run.ctx.other_forms.get(other.id)
    if other_values is None or other_values.is_empty():
        return
    name, other_name = spec.params["field"], spec.params["other_field"]
    mine = _yearly(run.form, current_long(run, [name]), run.ctx.history, name)
    theirs = _yearly(other, other_values, None, other_name)
    if mine.is_empty() or theirs.is_empty():
        return
    both = mine.join(theirs.rename({"total": "other_value"}), on=["uscc", "year"])
    both = both.with_columns(
        (
            (pl.col("total") - pl.col("other_value")).abs()
            / pl.max_horizontal(pl.col("other_value").abs(), pl.lit(1e-9))
            * 100
        ).alias("pct")
    )
    bad = both.filter(pl.col("pct") > float(spec.params["tolerance_pct"]))
    if bad.is_empty():
        return
    anchor = _anchor_rows(run, name).join(bad, on="uscc")
    run.emit(
        spec.code,
        name,
        anchor.select(ROW, pl.col("total").alias("_value"), "other_value", pl.col("pct").round(2)),
        label=_yearly_label(run.form, name),
        other=f"{other.code} {other.title_zh}",
        other_column=_yearly_label(other, other_name),
        tolerance_pct=spec.params["tolerance_pct"],
    )


def _yearly_label(form: Form, name: str) -> str:
    label = field_label(form, name)
    return label if form.frequency == "A" else f"全年各期{label}合计"


def _anchor_rows(run: Run, name: str) -> pl.DataFrame:
    """The line a per-enterprise finding points at: the totals line, else the first line."""
    lines = run.lines.sort(pl.col(TOTAL), descending=True)
    return lines.group_by("uscc", maintain_order=True).agg(pl.col(ROW).first())


def _yearly(
    form: Form, current: pl.DataFrame, history: pl.DataFrame | None, name: str
) -> pl.DataFrame:
    """Per enterprise and year: the field's yearly value; quarters only when all are there."""
    mine = current.filter(pl.col("field") == name).select("uscc", "period", "value")
    years = {int(p[:4]) for p in mine["period"].unique().to_list()}
    wanted = [p for y in sorted(years) for p in periods_of_year(y, form.frequency)]
    frames = [mine.lazy()]
    if history is not None and not history.is_empty():
        past = history.lazy().filter(pl.col("period").is_in(wanted) & (pl.col("field") == name))
        frames.append(
            past.select("uscc", "period", "value").join(
                mine.lazy().select("uscc", "period").unique(), on=["uscc", "period"], how="anti"
            )
        )
    data = pl.concat(frames).group_by("uscc", "period").agg(pl.col("value").sum())
    data = data.with_columns(pl.col("period").str.slice(0, 4).alias("year"))
    need = len(periods_of_year(2000, form.frequency))
    return (
        data.group_by("uscc", "year")
        .agg(pl.col("value").sum().alias("total"), pl.col("period").n_unique().alias("_n"))
        .filter(pl.col("_n") == need)
        .drop("_n")
        .collect()
    )
