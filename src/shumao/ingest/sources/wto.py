"""WTO Digitally Delivered Services (DDS) trade dataset → dataflow ``WTO_DDS``.

Source ``wto-dds`` reads two layouts of the same dataset and tells them apart by the header:

- the WTO bulk download ``FLOW, REPORTER_CODE, REPORTER_NAME, PARTNER, YEAR, INDICATOR,
  INDICATOR_NAME, MODE, UNIT, VALUE, BREAKING_SERIES`` (example
  ``services_trade/wto_dds_china_usa_2005_2025.csv``): reporter ISO2 code (name as fallback)
  → ISO3; partner ``World`` → the code list's world code; ``UNIT`` parsed per row
  (``Million US dollar`` → USD, multiplier 6); a break in series (``BREAKING_SERIES`` ``B``)
  is kept in ``attrs`` as ``{"BREAKING_SERIES": "B"}``;
- a processed one-reporter layout ``flow, reporter, year, indicator, indicator_name,
  value_musd`` (example ``services_trade/wto_dds_india_2005_2025.csv``): flow
  ``export``/``import``, reporter by name, partner the world, unit from the value header
  (``_musd`` → USD millions).

``INDICATOR`` is the EBOPS 2010 product: ``DDS`` (total) and its components ``SF SG SH SI1 SI2
SI3 SJ SK``. Values in scientific notation (``5.90E-07``) are read as numbers; an empty value
is stored as missing (status ``M``). A reporter or partner the country code list does not know
gives one ``name-unmapped`` warning and its rows are skipped.
"""

from __future__ import annotations

import json

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.common import (
    check_dataflow,
    map_countries,
    require_columns,
    status_expr,
    world_code,
)
from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.reference import units
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

DATAFLOW = "WTO_DDS"
BULK_COLUMNS = ("FLOW", "REPORTER_CODE", "PARTNER", "YEAR", "INDICATOR", "UNIT", "VALUE")
INDIA_COLUMNS = ("flow", "reporter", "year", "indicator", "value_musd")
FLOWS = {"x": "X", "m": "M", "export": "X", "import": "M", "exports": "X", "imports": "M"}
"""Flow as written (any case) → X/M."""
BREAK = "BREAKING_SERIES"


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    if check_dataflow(ctx, (DATAFLOW,), "wto-dds") is None:
        return None
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None:
        return None
    if set(BULK_COLUMNS) <= set(table.columns):
        return _bulk(table, ctx.report, ctx.file)
    if "value_musd" in table.columns:
        return _processed(table, ctx.report, ctx.file)
    require_columns(table, BULK_COLUMNS, ctx.report, ctx.file)
    return None


def _bulk(table: Table, report: Report, file: str) -> pl.DataFrame | None:
    src = map_countries(
        table.frame, "REPORTER_CODE", report, file=file, name_column="REPORTER_NAME"
    )
    src = map_countries(src, "PARTNER", report, file=file)
    parsed = _parse_units(src, report, file)
    if parsed is None:
        return None
    values, missing = parse_numbers(
        src, "VALUE", report, file=file, col_index=table.columns.index("VALUE")
    )
    return src.select(
        ROW,
        pl.col("REPORTER_CODE").alias("ref_area"),
        pl.col("PARTNER").alias("counterpart_area"),
        pl.col("INDICATOR").alias("product"),
        _flow(pl.col("FLOW")),
        pl.lit("A").alias("freq"),
        pl.col("YEAR").alias("time_period"),
        values.alias("value"),
        pl.col("UNIT")
        .replace_strict({t: u.code for t, u in parsed.items()}, default=None)
        .alias("unit"),
        pl.col("UNIT")
        .replace_strict({t: u.mult for t, u in parsed.items()}, default=0, return_dtype=pl.Int16)
        .alias("unit_mult"),
        status_expr(missing).alias("obs_status"),
        _break_attrs(src),
    )


def _processed(table: Table, report: Report, file: str) -> pl.DataFrame | None:
    if not require_columns(table, INDIA_COLUMNS, report, file):
        return None
    unit = units.find_in_header("value_musd") or units.parse("Million US dollar")
    src = map_countries(table.frame, "reporter", report, file=file)
    values, missing = parse_numbers(
        src, "value_musd", report, file=file, col_index=table.columns.index("value_musd")
    )
    return src.select(
        ROW,
        pl.col("reporter").alias("ref_area"),
        pl.lit(world_code()).alias("counterpart_area"),
        pl.col("indicator").alias("product"),
        _flow(pl.col("flow")),
        pl.lit("A").alias("freq"),
        pl.col("year").alias("time_period"),
        values.alias("value"),
        pl.lit(unit.code).alias("unit"),
        pl.lit(unit.mult, pl.Int16).alias("unit_mult"),
        status_expr(missing).alias("obs_status"),
    )


def _flow(column: pl.Expr) -> pl.Expr:
    """X/M or export/import → X/M; anything else stays as written for the pipeline's check."""
    return column.str.to_lowercase().replace_strict(FLOWS, default=column).alias("flow")


def _parse_units(src: pl.DataFrame, report: Report, file: str) -> dict[str, units.Unit] | None:
    """Each UNIT text → its unit; None (with ``unit-unknown`` errors) if any is unknown."""
    found: dict[str, units.Unit] = {}
    unknown = False
    for text in src["UNIT"].drop_nulls().unique().sort().to_list():
        try:
            found[text] = units.parse(text)
        except UnknownCode:
            unknown = True
            row = src.filter(pl.col("UNIT") == text)[ROW][0]
            report.add(finding("unit-unknown", file=file, row=row, column="UNIT", value=text))
    return None if unknown else found


def _break_attrs(src: pl.DataFrame) -> pl.Expr:
    if BREAK not in src.columns:
        return pl.lit(None, pl.String).alias("attrs")
    flags = src[BREAK].drop_nulls().unique().to_list()
    as_json = {f: json.dumps({BREAK: f}) for f in flags if f}
    attrs = pl.col(BREAK).replace_strict(as_json, default=None, return_dtype=pl.String)
    return attrs.alias("attrs")


register(
    Source(
        "wto-dds",
        DATAFLOW,
        "世贸组织数字交付服务贸易（DDS）",
        "WTO Digitally Delivered Services trade (bulk download or one-reporter extract)",
        parse,
        example="services_trade/wto_dds_china_usa_2005_2025.csv",
    )
)
