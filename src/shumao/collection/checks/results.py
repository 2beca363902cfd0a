"""What a check returns: the typed lines and findings, the cells an upload keeps and the
observations an approval stores (``FRAME_SCHEMA`` columns), and stored observations read back
as the history the checks compare against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from shumao.collection.checks.model import TOTAL, Position, empty_history
from shumao.collection.forms import Form
from shumao.reference import units
from shumao.storage.tables import DIMENSIONS, NOT_APPLICABLE
from shumao.storage.vintages import conform_all
from shumao.validation.findings import ROW, Report, column_letter


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


def cells_of(checked: Checked) -> pl.DataFrame:
    """Every non-empty cell, long: line, field, row, col, cell, dims, value, text as written."""
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
            (pl.col(f.id).cast(pl.Float64) if f.numeric else pl.lit(None, pl.Float64)).alias(
                "value"
            ),
            raw.alias("text"),
        )
        frames.append(part)
    out = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
    letters = (
        {c: column_letter(c) for c in out["col"].drop_nulls().unique().to_list()}
        if out.height
        else {}
    )
    return (
        out.with_columns(
            (
                pl.col("col").replace_strict(letters, default=None, return_dtype=pl.String)
                + pl.col("row").cast(pl.String)
            )
            .fill_null("")
            .alias("cell")
        ).sort("line", "col", nulls_last=True)
        if out.height
        else out
    )


def observations_of(checked: Checked) -> pl.DataFrame:
    """The stored values of the detail lines as observations (``FRAME_SCHEMA`` columns)."""
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
            *(
                dims.get(d, pl.lit(NOT_APPLICABLE)).alias(d)
                for d in DIMENSIONS
                if d not in ("ref_area", "freq")
            ),
            pl.lit(form.frequency).alias("freq"),
            pl.col("period").alias("time_period"),
            pl.col(f.id).alias("value"),
            pl.lit(unit.code if unit else "NUMBER").alias("unit"),
            pl.lit(unit.mult if unit else 0).alias("unit_mult"),
        )
        frames.append(part)
    return conform_all(frames)


def history_from_observations(form: Form, obs: pl.DataFrame) -> pl.DataFrame:
    """Stored observations of ``form``'s dataflow → the long ``Context.history`` shape."""
    frames = []
    for f in form.numeric_fields:
        if not f.store or not f.fixed_dims:
            continue
        cond = pl.all_horizontal([pl.col(k) == v for k, v in f.fixed_dims.items()])
        mult = units.parse(f.unit).mult if f.unit else 0
        part = obs.filter(cond & pl.col("value").is_not_null()).select(
            pl.col("ref_area").alias("uscc"),
            pl.col("time_period").alias("period"),
            *(pl.col(d) for d in form.dims),
            pl.lit(f.id).alias("field"),
            (pl.col("value") * (10.0 ** (pl.col("unit_mult").cast(pl.Float64) - mult))).alias(
                "value"
            ),
        )
        frames.append(part)
    return pl.concat(frames) if frames else empty_history(form)
