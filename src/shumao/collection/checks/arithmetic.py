"""Arithmetic between the fields and lines of a filing, within rounding.

``required-one-of`` (at least one of the fields on every line), ``flow-total`` (exports +
imports = total on a line), ``sum-to-total`` (the lines add up to the totals line),
``not-greater-than`` (a part never above its whole).
"""

from __future__ import annotations

import polars as pl

from shumao.collection.checks.model import TOTAL, Run, field_label
from shumao.collection.forms import RuleSpec
from shumao.validation.findings import ROW


def _tolerance(decimals: int, terms: int) -> float:
    return 0.5 * 10.0**-decimals * terms + 1e-9


def required_one_of(run: Run, spec: RuleSpec) -> None:
    names = list(spec.params["fields"])
    rows = run.lines.filter(
        ~pl.col(TOTAL) & pl.all_horizontal([pl.col(f"_miss_{n}") for n in names])
    )
    label = "、".join(field_label(run.form, n) for n in names)
    run.emit(spec.code, names[0], rows.select(ROW), label=label)


def flow_total(run: Run, spec: RuleSpec) -> None:
    parts, total = list(spec.params["parts"]), spec.params["total"]
    tol = _tolerance(int(spec.params.get("decimals", 2)), len(parts) + 1)
    summed = pl.sum_horizontal([pl.col(p).fill_null(0.0) for p in parts])
    any_part = pl.any_horizontal([pl.col(p).is_not_null() for p in parts])
    unreadable = pl.any_horizontal([pl.col(f"_bad_{p}") for p in parts])
    bad = run.lines.filter(
        pl.col(total).is_not_null()
        & any_part
        & ~unreadable
        & ((summed - pl.col(total)).abs() > tol)
    )
    run.emit(
        spec.code,
        total,
        bad.select(
            ROW,
            pl.col(total).alias("_value"),
            summed.alias("parts"),
            (summed - pl.col(total)).alias("diff"),
        ),
    )


def sum_to_total(run: Run, spec: RuleSpec) -> None:
    decimals = int(spec.params.get("decimals", 2))
    keys = ["uscc", "period"]
    for name in spec.params["fields"]:
        sums = (
            run.lines.filter(~pl.col(TOTAL))
            .group_by(keys)
            .agg(
                pl.col(name).sum().alias("parts"),
                pl.len().alias("_n"),
                pl.col(f"_bad_{name}").any().alias("_unreadable"),
            )
        )
        totals = run.lines.filter(pl.col(TOTAL) & pl.col(name).is_not_null()).select(
            *keys, ROW, pl.col(name).alias("_value")
        )
        joined = (
            totals.join(sums, on=keys, how="left", nulls_equal=True)
            .with_columns(pl.col("parts").fill_null(0.0), pl.col("_n").fill_null(0))
            .filter(~pl.col("_unreadable").fill_null(False))
        )
        joined = joined.with_columns(
            (pl.col("parts") - pl.col("_value")).alias("diff"),
            ((pl.col("_n") + 1).cast(pl.Float64) * (0.5 * 10.0**-decimals) + 1e-9).alias(
                "tolerance"
            ),
        )
        bad = joined.filter(pl.col("diff").abs() > pl.col("tolerance"))
        run.emit(spec.code, name, bad.select(ROW, "_value", "parts", "diff", "tolerance"))


def not_greater(run: Run, spec: RuleSpec) -> None:
    name, limit = spec.params["field"], spec.params["limit"]
    bad = run.lines.filter(
        pl.col(name).is_not_null()
        & pl.col(limit).is_not_null()
        & (pl.col(name) > pl.col(limit) * (1 + 1e-9))
    )
    run.emit(
        spec.code,
        name,
        bad.select(ROW, pl.col(name).alias("_value"), pl.col(limit).alias("limit")),
        other=field_label(run.form, limit),
    )
