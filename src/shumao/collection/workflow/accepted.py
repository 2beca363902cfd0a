"""The observations an accepted upload stands for, worked out once when it is accepted and kept
with it (``filing_observation``), so that approval copies them into the vintage as they were
checked: nothing is re-read from the cells, re-parsed or re-checked on approval.

They are the stored fields of the detail lines (``checks.results.observations_of``) plus, for a
zero report (零申报: figures given, every one of them 0, no detail line), explicit zeros where
the form's ``zero-report`` rule says (``store_at``: for 数贸季1表 the digitally deliverable
total ``DD`` with the world ``WLD``, exports and imports). The zero is what the enterprise
reported: it makes the enterprise a contributor of value 0 to every total above it, so a park
whose reporters all filed is complete (docs/methods.md, "Zero reports").
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, select

from shumao.collection.checks.results import Checked
from shumao.collection.forms import Form
from shumao.collection.tables import filing_observation
from shumao.reference import units
from shumao.storage import bulk
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import conform, conform_all

COLUMNS = [*DIMENSIONS, "time_period", "value", "unit", "unit_mult", "obs_status"]
KEYS = ["uscc", "period"]


def observations(checked: Checked) -> pl.DataFrame:
    """What approving this upload stores (``FRAME_SCHEMA`` columns): the detail lines'
    values and a zero report's explicit zeros."""
    obs = checked.observations()
    zeros = zero_report(checked.form, checked.lines, obs)
    return pl.concat([obs, zeros], how="vertical_relaxed") if zeros.height else obs


def zero_report(form: Form, lines: pl.DataFrame, obs: pl.DataFrame) -> pl.DataFrame:
    """Zeros at the rule's ``store_at`` cell for every enterprise and period whose figures are
    all 0 and that has no observation of its own (a zero report written on the totals row)."""
    frames = []
    for spec in form.rules_of("zero-report"):
        where = spec.params.get("store_at")
        names = [n for n in spec.params["fields"] if n in lines.columns]
        if not where or not names:
            continue
        groups = _all_zero(lines, names).join(
            obs.select(pl.col("ref_area").alias("uscc"), pl.col("time_period").alias("period")),
            on=KEYS,
            how="anti",
        )
        frames += [_zeros(form, groups, name, where) for name in names if form.field(name).store]
    return conform_all(frames)


def _all_zero(lines: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    given = pl.sum_horizontal([pl.col(n).is_not_null() for n in names])
    nonzero = pl.sum_horizontal([(pl.col(n).fill_null(0.0) != 0) for n in names])
    return (
        lines.group_by(KEYS)
        .agg(given.sum().alias("_given"), nonzero.sum().alias("_nz"))
        .filter((pl.col("_given") > 0) & (pl.col("_nz") == 0))
        .select(KEYS)
    )


def _zeros(form: Form, groups: pl.DataFrame, name: str, where: dict[str, str]) -> pl.DataFrame:
    spec = form.field(name)
    unit = units.parse(spec.unit) if spec.unit else None
    fixed = {**where, **spec.fixed_dims}
    return groups.select(
        pl.col("uscc").alias("ref_area"),
        *(pl.lit(v).alias(k) for k, v in fixed.items()),
        pl.lit(form.frequency).alias("freq"),
        pl.col("period").alias("time_period"),
        pl.lit(0.0).alias("value"),
        pl.lit(unit.code if unit else "NUMBER").alias("unit"),
        pl.lit(unit.mult if unit else 0).alias("unit_mult"),
    )


def store(conn: Connection, upload_id: int, obs: pl.DataFrame) -> None:
    """Keep the observations of an accepted upload (called once, when it is stored)."""
    rows = obs.select(COLUMNS).with_row_index("seq", offset=1)
    bulk.insert_rows(
        conn,
        filing_observation.name,
        rows.select(
            pl.lit(upload_id, pl.Int64).alias("upload_id"), pl.col("seq").cast(pl.Int64), *COLUMNS
        ),
    )


def read(conn: Connection, upload_id: int) -> pl.DataFrame:
    """The observations kept with an accepted upload, in ``FRAME_SCHEMA``."""
    found = conn.execute(
        select(*(filing_observation.c[c] for c in COLUMNS))
        .where(filing_observation.c.upload_id == upload_id)
        .order_by(filing_observation.c.seq)
    ).all()
    schema = {
        c: pl.Float64 if c == "value" else pl.Int16 if c == "unit_mult" else pl.String
        for c in COLUMNS
    }
    return conform(pl.DataFrame(found, schema=schema, orient="row"))
