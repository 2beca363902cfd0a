"""官方表格的逐期检查 / period-to-period edits of official (printed) tables, as findings.

The same edits filings get, applied to what MOFCOM and the report print (docs/methods.md §2.5):

| code | what |
|---|---|
| ``table-history-outlier`` | HB against the series' own earlier changes (≥ ``min_units`` of them) |
| ``table-ratio-outlier``   | too little history for HB: the change exceeds ``ratio_limit`` × (or ÷) |
| ``table-peer-outlier``    | HB against the same flow / item / period of the table's other series |
| ``table-hb-too-few``      | (info) a peer group too small for HB, said rather than skipped |
| ``table-zero-to-zero`` / ``-from-zero`` | zero now after non-zero periods, or the reverse |
| ``table-total-equals-part`` | a total equal to one part, the other non-zero in a neighbouring period |

Only level series are edited (not ``GROWTH_YOY``, ``SHARE`` or other percentages). A
period's predecessor is the period one step before (2021 for 2022, 2022-Q4 for 2023-Q1).
Parameters and templates live in ``table_edits.yaml``; the data are never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

from shumao.errors import ShumaoError
from shumao.reference import countries, geo, parks
from shumao.storage.tables import DIMENSIONS
from shumao.validation import findings, zeros
from shumao.validation.findings import Finding, finding
from shumao.validation.hb import HBParams
from shumao.validation.hb_frame import hb_frame
from shumao.validation.hb_rows import hb_rows

EDITS_FILE = Path(__file__).with_name("table_edits.yaml")
SERIES = [*DIMENSIONS, "unit", "unit_mult"]
PEERS = [c for c in SERIES if c != "ref_area"]
ROW = "_row"
Count = Callable[[str, int], None]


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(EDITS_FILE.read_text(encoding="utf-8"))
    codes = {
        code: {**entry, "fix_zh": spec["fix_zh"], "fix_en": spec["fix_en"]}
        for code, entry in spec["codes"].items()
    }
    findings.register({c: e for c, e in codes.items() if c not in findings.catalogue()})
    return spec


def params() -> dict[str, Any]:
    return dict(_spec()["params"])


def hb_params(p: dict[str, Any]) -> HBParams:
    return HBParams(
        U=float(p["U"]),
        A=float(p["A"]),
        C=float(p["C"]),
        min_obs=int(p["min_obs"]),
        min_units=int(p["min_units"]),
        quantile=p["quantile"],
    )


def check_history(
    frame: pl.DataFrame, *, file: str = "", count: Count | None = None
) -> list[Finding]:
    """Every edit above on ``frame`` (an official table, or a whole dataflow); ``count(code,
    n)`` is told how many values each edit looked at."""
    _spec()
    data = _levels(frame)
    if data.is_empty():
        return []
    p = params()
    tally = count or (lambda code, n: None)
    out = _own_history(data, p, file, tally)
    out += _peers(data, p, file, tally)
    out += _total_equals_part(data, file, tally)
    return out


# --------------------------------------------------------------------------- inputs


def _levels(frame: pl.DataFrame) -> pl.DataFrame:
    """Level values (no growth rates, shares or percentages), one row per series and period."""
    rows = frame.filter(
        ~pl.col("indicator").is_in(["GROWTH_YOY", "SHARE"])
        & (pl.col("unit") != "PCT")
        & pl.col("value").is_not_null()
    )
    if ROW not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.Int64).alias(ROW))
    return rows.select(*SERIES, "time_period", "value", ROW).unique(
        subset=[*SERIES, "time_period"], keep="first", maintain_order=True
    )


def _step(period: str, steps: int) -> str:
    """The period ``steps`` steps later (negative: earlier): years, quarters or months."""
    year = int(period[:4])
    if len(period) == 4:
        return str(year + steps)
    per_year, sub = (4, int(period[-1])) if "Q" in period else (12, int(period[5:7]))
    y, i = divmod(year * per_year + sub - 1 + steps, per_year)
    return f"{y}-Q{i + 1}" if per_year == 4 else f"{y}-{i + 1:02d}"


def _calendar(periods: list[str]) -> list[str]:
    """Every period from the first to the last, gaps included."""
    first, last = min(periods), max(periods)
    out = [first]
    while out[-1] < last:
        out.append(_step(out[-1], 1))
    return out


def _shifted(period: pl.Expr, steps: int) -> pl.Expr:
    return period.map_elements(lambda t: _step(t, steps), return_dtype=pl.String)


def _with_previous(data: pl.DataFrame) -> pl.DataFrame:
    """Each row with the value of the same series one period before (``previous``)."""
    prev = data.select(*SERIES, "time_period", pl.col("value").alias("previous")).with_columns(
        _shifted(pl.col("time_period"), 1)
    )
    return data.join(prev, on=[*SERIES, "time_period"], how="inner", nulls_equal=True)


# --------------------------------------------------------------------------- locations


def _name(dim: str, code: str) -> str:
    for lookup in _NAMERS.get(dim, ()):
        try:
            return f"{lookup(code)}（{code}）"
        except (ShumaoError, KeyError, LookupError):
            continue
    return code


_NAMERS: dict[str, tuple[Callable[[str], str], ...]] = {
    "ref_area": (
        lambda c: parks.lookup(c).name_zh,
        lambda c: geo.lookup(c).name_zh,
        lambda c: _country(c),
    ),
}


def _country(code: str) -> str:
    found = countries.match_name(code)
    if found is None:
        raise KeyError(code)
    return str(found.name_zh)


def _where(row: dict[str, Any]) -> str:
    keys = [f"{d}={_name(d, str(row[d]))}" for d in DIMENSIONS if row.get(d) not in (None, "_Z")]
    return " ".join([*keys, str(row.get("time_period", ""))])


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if np.isfinite(value) else "—"


def _located(code: str, row: dict[str, Any], file: str, **values: Any) -> Finding:
    return finding(
        code, file=file, row=row.get(ROW), value=_fmt(row["value"]), where=_where(row), **values
    )


# --------------------------------------------------------------------------- own history


def _matrices(data: pl.DataFrame) -> list[tuple[pl.DataFrame, list[str], np.ndarray]]:
    """Per frequency: the series (one row each), the calendar of periods, the value matrix."""
    out = []
    for _, part in data.group_by("freq", maintain_order=True):
        calendar = _calendar(part["time_period"].to_list())
        slot = {t: i for i, t in enumerate(calendar)}
        series = part.select(SERIES).unique(maintain_order=True).with_row_index("_s")
        placed = part.join(series, on=SERIES, nulls_equal=True)
        matrix = np.full((series.height, len(calendar)), np.nan)
        cols = np.array([slot[t] for t in placed["time_period"].to_list()], dtype=np.intp)
        matrix[placed["_s"].to_numpy(), cols] = placed["value"].to_numpy()
        out.append((placed, calendar, matrix))
    return out


def _own_history(data: pl.DataFrame, p: dict[str, Any], file: str, tally: Count) -> list[Finding]:
    out: list[Finding] = []
    hbp = hb_params(p)
    for placed, calendar, matrix in _matrices(data):
        for t in range(1, len(calendar)):
            window = matrix[:, max(0, t - int(p["periods"])) : t + 1]
            now = placed.filter(pl.col("time_period") == calendar[t])
            if now.is_empty():
                continue
            idx = now["_s"].to_numpy()
            result = hb_rows(window[idx], hbp)
            out += _history_findings(now, window[idx], result, p, file, tally)
            out += _zero_findings(now, matrix[idx, : t + 1], file, tally)
    return out


def _history_findings(
    now: pl.DataFrame,
    window: np.ndarray,
    result: dict[str, np.ndarray],
    p: dict[str, Any],
    file: str,
    tally: Count,
) -> list[Finding]:
    out = []
    prev, cur = window[:, -2], window[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((prev > 0) & (cur > 0), cur / prev, np.nan)
    limit = float(p["ratio_limit"])
    assessed = result["method"] != "none"
    tally("table-history-outlier", int(assessed.sum()))
    tally("table-ratio-outlier", int((~assessed & np.isfinite(ratio)).sum()))
    big = np.abs(result["centred"]) >= float(p["min_change"])
    for i, row in enumerate(now.iter_rows(named=True)):
        if result["outlier"][i] and big[i]:
            out.append(
                _located(
                    "table-history-outlier",
                    row,
                    file,
                    previous=_fmt(prev[i]),
                    ratio=f"{ratio[i]:.3f}",
                    n=int(result["n"][i]),
                    score=_fmt(result["score"][i]),
                    lower=_fmt(result["lower"][i]),
                    upper=_fmt(result["upper"][i]),
                )
            )
        elif not assessed[i] and np.isfinite(ratio[i]) and not 1 / limit <= ratio[i] <= limit:
            out.append(
                _located(
                    "table-ratio-outlier",
                    row,
                    file,
                    previous=_fmt(prev[i]),
                    ratio=f"{ratio[i]:.2f}",
                    limit=f"{limit:g}",
                )
            )
    return out


def _zero_findings(
    now: pl.DataFrame, history: np.ndarray, file: str, tally: Count
) -> list[Finding]:
    found = zeros.switches(history)
    tally("table-zero-to-zero", int((found.n_previous > 0).sum()))
    out = []
    for i, row in enumerate(now.iter_rows(named=True)):
        kind = found.kind[i]
        if kind:
            code = "table-zero-to-zero" if kind == zeros.TO_ZERO else "table-zero-from-zero"
            out.append(
                _located(
                    code,
                    row,
                    file,
                    previous=_fmt(found.previous[i]),
                    periods=int(found.n_previous[i]),
                )
            )
    return out


# --------------------------------------------------------------------------- peers


def _peers(data: pl.DataFrame, p: dict[str, Any], file: str, tally: Count) -> list[Finding]:
    pairs = _with_previous(data)
    if pairs.is_empty():
        return []
    group = [*PEERS, "time_period"]
    scored = hb_frame(pairs, group=group, y1="previous", y2="value", params=hb_params(p))
    tally("table-peer-outlier", int((scored["hb_method"] != "none").sum()))
    out = []
    flagged = scored.filter(
        pl.col("hb_outlier") & (pl.col("hb_centred").abs() >= float(p["min_change"]))
    )
    for row in flagged.sort(ROW, nulls_last=True).iter_rows(named=True):
        out.append(
            _located(
                "table-peer-outlier",
                row,
                file,
                previous=_fmt(row["previous"]),
                ratio=f"{row['hb_ratio']:.3f}",
                n=row["hb_n"],
                score=_fmt(row["hb_score"]),
                lower=_fmt(row["hb_lower"]),
                upper=_fmt(row["hb_upper"]),
            )
        )
    small = scored.filter(pl.col("hb_method") == "none").unique(
        subset=group, keep="first", maintain_order=True
    )
    for row in small.iter_rows(named=True):
        where = _where({**row, "ref_area": None})
        out.append(
            finding(
                "table-hb-too-few",
                file=file,
                where=where,
                n=row["hb_n"],
                min_units=int(p["min_units"]),
            )
        )
    return out


# --------------------------------------------------------------------------- totals


FLOW_TEXT = {"X": ("出口", "exports"), "M": ("进口", "imports")}


def _total_equals_part(data: pl.DataFrame, file: str, tally: Count) -> list[Finding]:
    """T = X (or M) printed while the other flow, printed or implied, was non-zero next to it."""
    keys = [c for c in SERIES if c != "flow"]
    flows = data.filter(pl.col("flow").is_in(["T", "X", "M"]))
    if flows.is_empty():
        return []
    wide = flows.pivot(
        on="flow", index=[*keys, "time_period"], values="value", aggregate_function="first"
    )
    rows_of = flows.filter(pl.col("flow") == "T").select(*keys, "time_period", ROW)
    wide = wide.with_columns(
        *(pl.lit(None, pl.Float64).alias(f) for f in ("T", "X", "M") if f not in wide.columns)
    )
    wide = wide.with_columns(  # a part not printed is the total minus the other part
        pl.coalesce("X", pl.col("T") - pl.col("M")).alias("_X"),
        pl.coalesce("M", pl.col("T") - pl.col("X")).alias("_M"),
    )
    for steps, tag in ((1, "prev"), (-1, "next")):  # the neighbour moved onto this period
        shifted = wide.select(*keys, "time_period", "_X", "_M").with_columns(
            _shifted(pl.col("time_period"), steps)
        )
        wide = wide.join(
            shifted.rename({"_X": f"_X_{tag}", "_M": f"_M_{tag}"}),
            on=[*keys, "time_period"],
            how="left",
            nulls_equal=True,
        )
    wide = wide.join(rows_of, on=[*keys, "time_period"], how="left", nulls_equal=True)
    return _equal_part_findings(wide, file, tally)


def _equal_part_findings(wide: pl.DataFrame, file: str, tally: Count) -> list[Finding]:
    out = []
    checked = 0
    for row in wide.filter(pl.col("T").is_not_null()).iter_rows(named=True):
        for part, other in (("X", "M"), ("M", "X")):
            printed = row.get(part)
            if printed is None:
                continue
            checked += 1
            near = [row.get(f"_{other}_prev"), row.get(f"_{other}_next")]
            near_values = [float(v) for v in near if v is not None]
            tolerance = 1e-9 * max(1.0, abs(row["T"]))
            if zeros.total_equals_part(
                row["T"], printed, row[f"_{other}"] or 0.0, near_values, tolerance
            ):
                shown = next(v for v in near_values if abs(v) > tolerance)
                out.append(
                    finding(
                        "table-total-equals-part",
                        file=file,
                        row=row.get(ROW),
                        value=_fmt(row["T"]),
                        where=_where({**row, "flow": "T"}),
                        total=_fmt(row["T"]),
                        part=_fmt(printed),
                        near=_fmt(shown),
                        part_zh=FLOW_TEXT[part][0],
                        part_en=FLOW_TEXT[part][1],
                        other_zh=FLOW_TEXT[other][0],
                        other_en=FLOW_TEXT[other][1],
                    )
                )
    tally("table-total-equals-part", checked)
    return out
