"""Hidiroglou–Berthelot edits of a filing (``validation.hb``), and the zeros HB cannot see.

``hb-history``: each series (enterprise × line × field) against its own earlier periods — one
join of the history, scattered into a series × period matrix, scored row by row.
``hb-peers``: each enterprise's change against the other enterprises' changes in its group.
Lines HB could not assess are counted (``*-too-few``); a value that switches to or from zero
is a finding of its own (``validation.zeros``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from shumao.collection.checks.model import Run, current_long, empty_history
from shumao.collection.forms import RuleSpec, previous_periods, shift
from shumao.validation import zeros
from shumao.validation.findings import ROW, finding
from shumao.validation.hb import HBParams
from shumao.validation.hb_frame import hb_frame
from shumao.validation.hb_rows import hb_rows


def _hb_params(spec: RuleSpec) -> HBParams:
    p = spec.params
    return HBParams(
        U=float(p["U"]),
        A=float(p["A"]),
        C=float(p["C"]),
        min_obs=int(p["min_obs"]),
        min_units=int(p["min_units"]),
        method=p.get("method", "ratio"),
        quantile=p.get("quantile", "linear"),
    )


def hb_history(run: Run, spec: RuleSpec) -> None:
    history = run.ctx.history
    if history is None or history.is_empty():
        return
    names = list(spec.params["fields"])
    current = current_long(run, names)
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
        flagged.append(
            cur.filter(pl.Series(keep))
            .select("field", ROW)
            .with_columns(
                pl.Series("y1", matrix[keep, -2]),
                pl.Series("y2", matrix[keep, -1]),
                *(
                    pl.Series(f"hb_{k}", out[k][keep])
                    for k in ("ratio", "score", "lower", "upper", "method", "n")
                ),
            )
        )
        unassessed.append(cur.filter(pl.Series(out["method"] == "none")).select("field", ROW))
        if spec.params.get("zero_check", True):
            _emit_zero_switches(run, cur, matrix)
    _emit_hb(run, spec, pl.concat(flagged), periods=periods)
    _emit_too_few(run, "hb-history-too-few", pl.concat(unassessed), params.min_units)


def _emit_zero_switches(run: Run, cur: pl.DataFrame, matrix: np.ndarray) -> None:
    """The zeros HB leaves out: zero now after non-zero periods, or the reverse."""
    found = zeros.switches(matrix)
    for kind, code in (
        (zeros.TO_ZERO, "zero-history-to-zero"),
        (zeros.FROM_ZERO, "zero-history-from-zero"),
    ):
        hit = found.kind == kind
        rows = (
            cur.select("field", ROW, pl.col("value").alias("_value"))
            .with_columns(
                pl.Series("previous", found.previous), pl.Series("periods", found.n_previous)
            )
            .filter(pl.Series(hit))
        )
        for name in rows["field"].unique().sort().to_list():
            run.emit(code, name, rows.filter(pl.col("field") == name).drop("field"))


def _emit_too_few(
    run: Run, code: str, rows: pl.DataFrame, min_units: int, groups: dict[str, str] | None = None
) -> None:
    """One info finding per field: how many lines (or peer groups) HB could not assess. Not a
    cell's finding: no column, the field named in each language's own words."""
    for name in rows["field"].unique().sort().to_list():
        mine = rows.filter(pl.col("field") == name)
        field_ = run.form.field(name)
        run.report.add(
            finding(
                code,
                file=run.sheet.file,
                sheet=run.sheet.sheet,
                row=mine.select(pl.col(ROW).min()).item(),
                value=mine.height,
                min_units=min_units,
                column_zh=field_.label_zh,
                column_en=field_.label_en,
                groups=(groups or {}).get(name, ""),
            )
        )


def _series_matrix(
    cur: pl.DataFrame,
    history: pl.DataFrame,
    names: list[str],
    keys: list[str],
    period: str,
    periods: int,
) -> np.ndarray:
    """Row i: series i of ``cur`` over the ``periods`` earlier periods (oldest first) and now.

    Series are keyed by a 64-bit hash of ``keys`` (enterprise, line dimensions, field); the
    history is filtered, hashed and joined to the current series once, and its values are
    scattered into the matrix by (series, period slot): no pivot, sort or group-by of the
    large history. A period missing from the history stays NaN.
    """
    window = previous_periods(period, periods)
    sid = pl.struct(keys).hash().alias("_sid")
    slots = pl.LazyFrame(
        {"period": window, "_k": range(len(window))}, schema={"period": pl.String, "_k": pl.UInt32}
    )
    hits = (
        history.lazy()
        .filter(pl.col("field").is_in(names))
        .join(slots, on="period", how="inner")
        .select(sid, "_k", "value")
        .join(cur.lazy().select(sid).with_row_index("_i"), on="_sid", how="inner")
        .select("_i", "_k", "value")
        .collect()
    )
    matrix = np.full((cur.height, len(window) + 1), np.nan)
    matrix[hits["_i"].to_numpy(), hits["_k"].to_numpy()] = hits["value"].to_numpy()
    matrix[:, -1] = cur["value"].to_numpy()
    return matrix


def hb_peers(run: Run, spec: RuleSpec) -> None:
    names = list(spec.params["fields"])
    level = list(spec.params.get("level") or [])
    current = current_long(run, names)
    if current.is_empty():
        return
    keys = ["uscc", *level, "field"]
    history = run.ctx.history if run.ctx.history is not None else empty_history(run.form)
    frames = []
    past = history.lazy().filter(pl.col("field").is_in(names))
    for period in current["period"].unique().to_list():
        prev = shift(period, -1)
        cur = current.lazy().filter(pl.col("period") == period)
        mine = cur.group_by(keys).agg(pl.col("value").sum().alias("y2"), pl.col(ROW).min())
        others_now = past.filter(pl.col("period") == period)
        others_now = others_now.join(mine.select("uscc").unique(), on="uscc", how="anti")
        now = pl.concat(
            [
                mine,
                others_now.group_by(keys)
                .agg(pl.col("value").sum().alias("y2"))
                .with_columns(pl.lit(None, pl.Int64).alias(ROW)),
            ],
            how="vertical_relaxed",
        )
        before = (
            past.filter(pl.col("period") == prev)
            .group_by(keys)
            .agg(pl.col("value").sum().alias("y1"))
        )
        frames.append(
            now.join(before, on=keys, how="inner").with_columns(
                pl.col(ROW).is_not_null().alias("_current")
            )
        )
    pairs = pl.concat(frames).collect()
    params = _hb_params(spec)
    scored = hb_frame(pairs, group=[*level, "field"], params=params)
    change = pl.col("hb_centred").abs() if params.method == "ratio" else pl.lit(np.inf)
    flagged = scored.filter(
        pl.col("_current") & pl.col("hb_outlier") & (change >= float(spec.params["min_change"]))
    )
    _emit_hb(run, spec, flagged)
    small = scored.filter(pl.col("_current") & (pl.col("hb_method") == "none"))
    groups = small.group_by("field").agg(
        pl.concat_str([pl.col(c) for c in level] or [pl.lit("—")], separator="/")
        .unique()
        .sort()
        .str.join("、")
        .alias("g"),
        pl.len().alias("n"),
    )
    group_text = dict(zip(groups["field"].to_list(), groups["g"].to_list(), strict=True))
    per_group = small.unique(subset=[*level, "field"]).select("field", ROW)
    _emit_too_few(run, "hb-peers-too-few", per_group, params.min_units, group_text)


def _emit_hb(run: Run, spec: RuleSpec, flagged: pl.DataFrame, **params: Any) -> None:
    for name in flagged["field"].unique().sort().to_list():
        rows = (
            flagged.filter(pl.col("field") == name)
            .sort(ROW)
            .select(
                ROW,
                pl.col("y2").alias("_value"),
                pl.col("y1").alias("previous"),
                pl.col("hb_ratio").round(3).alias("ratio"),
                pl.col("hb_score").round(2).alias("score"),
                pl.col("hb_lower").round(2).alias("lower"),
                pl.col("hb_upper").round(2).alias("upper"),
                pl.col("hb_method").alias("method"),
                pl.col("hb_n").alias("n"),
            )
        )
        run.emit(spec.code, name, rows, **params)
