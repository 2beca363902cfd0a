"""The structural rules of ``validate_100k.py`` as polars users write them.

Three baselines beside pandera-on-pandas, each reading the same upload with the same number
and code normalisation:

* ``pandas_distinct`` — pandera on pandas, the credit code checked once per distinct code
  (1,000 codes instead of 101,000 rows: the trick shumao uses);
* ``polars_plain`` — polars expressions, one pass over the frame, the same checks;
* ``pandera_polars`` — pandera's polars backend (``pandera.polars``) with the same schema.

Each returns (wall, CPU, lines, failures) like the others in ``validate_100k.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from shumao.collection.forms import get_form
from shumao.validation import uscc

FULL = ("０", "１", "２", "３", "４", "５", "６", "７", "８", "９", "．", "，", "－")
HALF = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", ",", "-")
KEYS = ["uscc", "period", "product_code", "counterpart_area_code"]
Timing = tuple[float, float, int, int]


def _codes(values: list[str], codelist: str) -> dict[str, str | None]:
    from shumao.collection.checks.codes import _resolve_cached

    return {u: _resolve_cached(codelist, u) if u else None for u in values}


def read_polars(path: Path, header: dict[str, str]) -> pl.DataFrame:
    """The upload with numbers parsed (``<col>_bad`` where a cell is not a number) and codes."""
    df = pl.read_csv(path, infer_schema=False).rename({v: k for k, v in header.items()})
    numbers = []
    for col in ("X", "M", "T"):
        text = (
            pl.col(col)
            .fill_null("")
            .str.replace_many(FULL, HALF)
            .str.strip_chars()
            .str.replace_all(",", "", literal=True)
        )
        number = text.cast(pl.Float64, strict=False)
        numbers += [number.alias(col), (number.is_null() & (text != "")).alias(f"{col}_bad")]
    df = df.with_columns(
        *numbers,
        pl.col("product").str.replace_all(r"\s+", "").is_in(["合计", "总计"]).alias("is_total"),
        pl.int_range(2, pl.len() + 2).alias("_row"),
    )
    for col, codelist in (("product", "ebops"), ("counterpart_area", "country")):
        mapping = _codes(df[col].drop_nulls().unique().to_list(), codelist)
        df = df.with_columns(pl.col(col).replace_strict(mapping, default=None).alias(f"{col}_code"))
    return df


def _valid_codes(codes: pl.Series) -> pl.Series:
    """The credit codes that pass the checksum, computed once per distinct code."""
    unique = codes.drop_nulls().unique()
    return unique.filter(pl.Series([uscc.is_valid(c) for c in unique.to_list()]))


def _sum_to_total(df: pl.DataFrame) -> pl.Expr:
    """Per enterprise: the detail lines add up to its totals line (tolerance grows with n)."""
    detail = (
        df.filter(~pl.col("is_total"))
        .group_by("uscc")
        .agg(pl.col("X", "M", "T").sum(), pl.len().alias("n"))
    )
    totals = df.filter(pl.col("is_total")).select(
        "uscc", *(pl.col(c).alias(f"{c}_t") for c in "XMT")
    )
    joined = detail.join(totals, on="uscc", how="left")
    tolerance = (pl.col("n") + 1) * 0.005 + 1e-9
    bad = pl.any_horizontal(((pl.col(c) - pl.col(f"{c}_t")).abs() > tolerance) for c in "XMT")
    return pl.col("uscc").is_in(joined.filter(bad)["uscc"].implode())


def _row_checks(period: str, allowed: list[str], valid: pl.Series) -> dict[str, pl.Expr]:
    x, m, t = pl.col("X"), pl.col("M"), pl.col("T")
    return {
        "check-character": ~pl.col("uscc").is_in(valid.implode()),
        "period": pl.col("period") != period,
        "product": ~pl.col("product_code").is_in(allowed) | pl.col("product_code").is_null(),
        "partner": pl.col("counterpart_area_code").is_null()
        | (pl.col("counterpart_area_code") == "CHN"),
        "range": pl.any_horizontal((c < 0) | (c > 1e8) for c in (x, m)) | (t < 0),
        "number": pl.col("X_bad"),
        "flow-total": t.is_not_null() & ((x.fill_null(0) + m.fill_null(0) - t).abs() > 0.015),
        "required-one-of": x.is_null() & m.is_null(),
        "duplicate": pl.struct(KEYS).is_duplicated(),
    }


def _pandas_sums_match(detail: pd.DataFrame, whole: pd.DataFrame) -> bool:
    sums = detail.groupby("uscc")[["X", "M", "T"]].sum()
    totals = whole[whole["is_total"]].set_index("uscc")[["X", "M", "T"]]
    diff = (sums - totals.reindex(sums.index)).abs()
    tolerance = (detail.groupby("uscc").size() + 1) * 0.005 + 1e-9
    return bool((diff.le(tolerance, axis=0) | diff.isna()).all().all())


def timed(run: Callable[[], tuple[int, int]]) -> Timing:
    cpu, start = time.process_time(), time.perf_counter()
    lines, failures = run()
    return time.perf_counter() - start, time.process_time() - cpu, lines, failures


def polars_plain(path: Path, header: dict[str, str], period: str) -> Timing:
    allowed = list(get_form("DDS_Q").field("product").allowed)

    def run() -> tuple[int, int]:
        df = read_polars(path, header)
        detail = df.filter(~pl.col("is_total"))
        checks = {
            **_row_checks(period, allowed, _valid_codes(detail["uscc"])),
            "sum-to-total": _sum_to_total(df),
        }
        flagged = detail.select(e.sum().alias(k) for k, e in checks.items()).row(0)
        return df.height, int(sum(flagged))

    return timed(run)


def pandera_polars(path: Path, header: dict[str, str], period: str) -> Timing:
    import pandera.polars as pa
    from pandera.errors import SchemaErrors

    allowed = list(get_form("DDS_Q").field("product").allowed)

    def expr(e: Callable[[], pl.Expr]) -> Any:
        return pa.Check(lambda data: data.lazyframe.select(e()))

    def run() -> tuple[int, int]:
        df = read_polars(path, header)
        detail = df.filter(~pl.col("is_total"))
        valid = _valid_codes(detail["uscc"]).implode()
        in_totals = _sum_to_total(df)
        x, m, t = pl.col("X"), pl.col("M"), pl.col("T")
        schema = pa.DataFrameSchema(
            {
                "uscc": pa.Column(pl.String, expr(lambda: pl.col("uscc").is_in(valid))),
                "period": pa.Column(pl.String, pa.Check.isin([period])),
                "product_code": pa.Column(pl.String, pa.Check.isin(allowed), nullable=False),
                "counterpart_area_code": pa.Column(
                    pl.String, pa.Check.notin(["CHN"]), nullable=False
                ),
                "X": pa.Column(pl.Float64, [pa.Check.ge(0), pa.Check.le(1e8)], nullable=True),
                "M": pa.Column(pl.Float64, [pa.Check.ge(0), pa.Check.le(1e8)], nullable=True),
                "T": pa.Column(pl.Float64, pa.Check.ge(0), nullable=True),
                "X_bad": pa.Column(pl.Boolean, pa.Check.isin([False])),
            },
            checks=[
                expr(lambda: t.is_null() | ((x.fill_null(0) + m.fill_null(0) - t).abs() <= 0.015)),
                expr(lambda: x.is_not_null() | m.is_not_null()),
                expr(lambda: ~in_totals),
            ],
            unique=KEYS,
        )
        failures = 0
        try:
            schema.validate(detail, lazy=True)
        except SchemaErrors as exc:
            failures = len(exc.failure_cases)
        return df.height, failures

    return timed(run)


def pandas_frame(path: Path, header: dict[str, str]) -> pd.DataFrame:
    """pandas read_csv with the same number and code normalisation as the others."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.rename(columns={v: k for k, v in header.items()})
    table = str.maketrans("".join(FULL), "".join(HALF))
    for col in ("X", "M", "T"):
        text = df[col].str.translate(table).str.strip().str.replace(",", "", regex=False)
        df[col] = pd.to_numeric(text.replace("", np.nan), errors="coerce")
        df[f"{col}_bad"] = df[col].isna() & (text != "")
    df["_row"] = np.arange(len(df)) + 2
    df["is_total"] = df["product"].str.replace(r"\s+", "", regex=True).isin(["合计", "总计"])
    for col, codelist in (("product", "ebops"), ("counterpart_area", "country")):
        df[f"{col}_code"] = df[col].map(_codes(list(df[col].unique()), codelist))
    return df


def pandera_failures(df: pd.DataFrame, detail: pd.DataFrame, uscc_check: Any, period: str) -> int:
    """The structural rules as one pandera schema on pandas (lazy: every failure collected);
    ``uscc_check`` is the only part the two pandera baselines write differently."""
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    allowed = list(get_form("DDS_Q").field("product").allowed)
    schema = pa.DataFrameSchema(
        {
            "uscc": pa.Column(str, uscc_check),
            "period": pa.Column(str, pa.Check.isin([period])),
            "product_code": pa.Column(str, pa.Check.isin(allowed), nullable=False),
            "counterpart_area_code": pa.Column(str, pa.Check.notin(["CHN"]), nullable=False),
            "X": pa.Column(float, [pa.Check.ge(0), pa.Check.le(1e8)], nullable=True),
            "M": pa.Column(float, [pa.Check.ge(0), pa.Check.le(1e8)], nullable=True),
            "T": pa.Column(float, pa.Check.ge(0), nullable=True),
            "X_bad": pa.Column(bool, pa.Check.isin([False])),
        },
        checks=[
            pa.Check(
                lambda d: (
                    d["T"].isna() | ((d["X"].fillna(0) + d["M"].fillna(0) - d["T"]).abs() <= 0.015)
                ),
                name="flow-total",
            ),
            pa.Check(lambda d: d["X"].notna() | d["M"].notna(), name="required-one-of"),
            pa.Check(lambda d: _pandas_sums_match(d, df), name="sum-to-total"),
        ],
        unique=KEYS,
    )
    try:
        schema.validate(detail, lazy=True)
    except SchemaErrors as exc:
        return len(exc.failure_cases)
    return 0


def pandas_distinct(path: Path, header: dict[str, str], period: str) -> Timing:
    """pandera on pandas with the credit code checked per distinct code (vectorised isin)."""
    import pandera.pandas as pa

    def run() -> tuple[int, int]:
        df = pandas_frame(path, header)
        detail = df[~df["is_total"]]
        valid = {c for c in detail["uscc"].unique() if uscc.is_valid(c)}
        check = pa.Check(lambda s: s.isin(valid), name="check-character")
        return len(df), pandera_failures(df, detail, check, period)

    return timed(run)
