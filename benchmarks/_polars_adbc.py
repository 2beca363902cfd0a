"""The import as a skilled polars user writes it: shumao's checks in polars, rows through ADBC.

Used by ``import_1m.py`` as the strongest baseline. The same file and mapping as shumao's
import; the same checks, written as polars expressions over the whole column (and the
credit-code checksum over the distinct codes only): names → codes through the code lists
(``counterpart_area`` by Chinese name, ``product`` against EBOPS 2010), flows recoded, periods
of the form ``YYYY-MM``, amounts parsed with ``-`` as not reported (status ``M``), duplicate
keys refused. Then either

* ``keyed`` — shumao's exact schema: a ``vintage`` row, the new ``series`` rows with their ids
  and the ``observation`` rows (primary key and foreign keys in place), all appended with
  ADBC's bulk ingest (SQLite: prepared multi-row inserts; PostgreSQL: binary ``COPY``); or
* ``flat`` — one table without keys (what pandas' ``to_sql`` writes), created by the ingest.

Neither writes findings with row and column, bilingual messages or a progress bar; a bad
file raises at the first failing check (the benchmark's file is valid).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from shumao.reference import countries, ebops
from shumao.validation import uscc

OBS_COLS = (
    "series_id",
    "time_period",
    "vintage_id",
    "value",
    "unit",
    "unit_mult",
    "obs_status",
    "conf_status",
    "attrs",
)
SERIES_DIMS = ("ref_area", "counterpart_area", "product", "flow", "indicator", "freq")


def checked_frame(csv: Path, mapping_file: Path) -> tuple[str, pl.DataFrame]:
    """(dataflow, frame with codes, value, obs_status) after every check; raises on a bad file."""
    mapping: dict[str, Any] = yaml.safe_load(mapping_file.read_text(encoding="utf-8"))
    by_header = {header: field for field, header in mapping["columns"].items()}
    names = {c.name_zh: c.iso3 for c in countries.all_countries()}
    products = pl.Series([i.code for i in ebops.all_items()]).implode()
    frame = pl.read_csv(csv, infer_schema=False).rename(by_header)
    amount = pl.col("amount")
    frame = frame.with_columns(pl.col("value").str.strip_chars().alias("amount"))
    frame = frame.with_columns(
        pl.col("counterpart_area").replace_strict(names, default=None),
        pl.col("flow").replace_strict(mapping["recode"]["flow"], default=None),
        pl.when(amount == "-")
        .then(None)
        .otherwise(amount.cast(pl.Float64, strict=False))
        .alias("value"),
        pl.when(amount == "-").then(pl.lit("M")).otherwise(pl.lit("A")).alias("obs_status"),
        *(pl.lit(v).alias(k) for k, v in mapping.get("constants", {}).items()),
        pl.lit("_Z").alias("indicator"),
    )
    bad = frame.select(
        pl.col("counterpart_area").is_null().sum().alias("partner"),
        pl.col("flow").is_null().sum().alias("flow"),
        (~pl.col("product").is_in(products)).sum().alias("product"),
        (~pl.col("time_period").str.contains(r"^\d{4}-(0[1-9]|1[0-2])$")).sum().alias("period"),
        (pl.col("value").is_null() & (amount != "-")).sum().alias("amount"),
        pl.struct(*SERIES_DIMS, "time_period").is_duplicated().sum().alias("duplicate"),
    ).row(0, named=True)
    frame = frame.drop("amount")
    codes = frame["ref_area"].unique()
    bad["uscc"] = sum(not uscc.is_valid(c) for c in codes.to_list())
    failed = {k: v for k, v in bad.items() if v}
    if failed:
        raise ValueError(f"bad rows: {failed}")
    return str(mapping["dataflow"]), frame


def write_keyed(
    conn: Any, dataflow: str, frame: pl.DataFrame, *, unit: str = "USD", unit_mult: int = 4
) -> int:
    """A vintage, its new series and its observations in shumao's tables (one transaction)."""
    cur = conn.cursor()
    param = "?" if conn.adbc_get_info().get("vendor_name", "").lower() == "sqlite" else "$1"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    cur.execute(
        f"INSERT INTO vintage (dataflow_id, created_at, kind, rows) VALUES "
        f"({param}, '{stamp}', 'import', {frame.height}) RETURNING id",
        (dataflow,),
    )
    vintage_id = int(cur.fetchone()[0])
    cur.execute("SELECT coalesce(max(id), 0) FROM series")
    last = int(cur.fetchone()[0])
    keys = frame.select(SERIES_DIMS).unique().sort(SERIES_DIMS)
    keys = keys.with_columns(
        pl.int_range(last + 1, last + 1 + keys.height, dtype=pl.Int32).alias("id")
    )
    cur.adbc_ingest(
        "series",
        keys.select("id", pl.lit(dataflow).alias("dataflow_id"), *SERIES_DIMS).to_arrow(),
        mode="append",
    )
    rows = (
        frame.join(keys, on=list(SERIES_DIMS))
        .select(
            pl.col("id").alias("series_id"),
            "time_period",
            pl.lit(vintage_id, pl.Int32).alias("vintage_id"),
            "value",
            pl.lit(unit).alias("unit"),
            pl.lit(unit_mult, pl.Int16).alias("unit_mult"),
            "obs_status",
            pl.lit("F").alias("conf_status"),
            pl.lit(None, pl.String).alias("attrs"),
        )
        .sort("series_id", "time_period")
    )
    cur.adbc_ingest("observation", rows.to_arrow(), mode="append")
    if param != "?":  # PostgreSQL: the sequence continues after the ids taken
        cur.execute(f"SELECT setval(pg_get_serial_sequence('series', 'id'), {last + keys.height})")
    cur.close()
    conn.commit()
    return vintage_id


def write_flat(conn: Any, frame: pl.DataFrame, table: str = "obs_flat") -> None:
    cur = conn.cursor()
    cur.adbc_ingest(table, frame.to_arrow(), mode="create")
    cur.close()
    conn.commit()
