"""OECD-WTO Balanced Trade in Services (BaTIS, BPM6): one reporter's bilateral services trade.

Reads the long CSV ``partner, partner_type, l9_member, flow, item_code, item_type, year,
balanced_value_usd`` (example: ``services_trade/batis_china_bilateral_2005_2019.csv``) into
dataflow ``BATIS``:

- ``ref_area``: the reporter, which the file does not name: ``CHN`` unless the import option
  ``reporter`` says otherwise;
- ``counterpart_area``: partner English name → ISO 3166 alpha-3 through the country code list
  (``World`` → the code list's world aggregate, the code ``countries.lookup("W00")`` returns).
  A name that does not map gives one ``name-unmapped`` warning (at its first row) and its rows
  are skipped; the import still succeeds. In the 2021 China file only ``Rest of the World``
  (510 rows, an OECD residual the code list deliberately leaves out) does not map;
- ``flow``: ``Exports`` → ``X``, ``Imports`` → ``M``;
- ``product``: ``item_code`` as written (EBOPS 2010 ``S``, ``SA``…``SL`` and the BaTIS
  aggregates ``SOX``, ``SOX1``, ``SPX1``, ``SPX4``, all in the EBOPS code list);
- values are plain US dollars (unit ``USD``, multiplier 0); an empty value is stored as
  missing (status ``M``).
"""

from __future__ import annotations

import polars as pl

from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.reference import countries, units
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

COLUMNS = ("partner", "flow", "item_code", "year", "balanced_value_usd")
FLOWS = {"Exports": "X", "Imports": "M"}
DEFAULT_REPORTER = "CHN"


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None or not _has_columns(table, ctx.report, ctx.file):
        return None
    reporter = countries.lookup(str(ctx.options.get("reporter", DEFAULT_REPORTER))).iso3
    frame = _map_partners(table.frame, ctx.report, ctx.file)
    values, missing = parse_numbers(
        frame,
        "balanced_value_usd",
        ctx.report,
        file=ctx.file,
        col_index=table.columns.index("balanced_value_usd"),
    )
    unit = units.parse("USD")
    return frame.select(
        ROW,
        pl.lit(reporter).alias("ref_area"),
        pl.col("counterpart_area"),
        pl.col("item_code").alias("product"),
        pl.col("flow").replace(FLOWS).alias("flow"),
        pl.lit("A").alias("freq"),
        pl.col("year").alias("time_period"),
        values.alias("value"),
        pl.lit(unit.code).alias("unit"),
        pl.lit(unit.mult, pl.Int16).alias("unit_mult"),
        pl.when(missing).then(pl.lit("M")).otherwise(pl.lit("A")).alias("obs_status"),
    )


def _has_columns(table: Table, report: Report, file: str) -> bool:
    absent = [c for c in COLUMNS if c not in table.columns]
    for column in absent:
        report.add(
            finding("column-missing", file=file, column=column, present="、".join(table.columns))
        )
    return not absent


def partner_codes(names: list[str]) -> dict[str, str | None]:
    """Partner name → ISO3 (or the world aggregate); None for names the code list lacks."""
    out: dict[str, str | None] = {}
    for name in names:
        found = countries.match_name(name)
        out[name] = found.iso3 if found else None
    return out


def _map_partners(frame: pl.DataFrame, report: Report, file: str) -> pl.DataFrame:
    """Add ``counterpart_area``; drop (with one warning per name) rows whose partner is unknown."""
    codes = partner_codes(frame["partner"].drop_nulls().unique().to_list())
    unmapped = sorted(n for n, c in codes.items() if c is None)
    if unmapped:
        first = (
            frame.filter(pl.col("partner").is_in(unmapped))
            .group_by("partner")
            .agg(pl.col(ROW).min())
            .sort(ROW)
        )
        for name, row in first.iter_rows():
            report.add(
                finding(
                    "name-unmapped",
                    file=file,
                    row=row,
                    column="partner",
                    value=name,
                    codelist=countries.CODELIST,
                )
            )
    known = {n: c for n, c in codes.items() if c is not None}
    frame = frame.filter(~pl.col("partner").is_in(unmapped).fill_null(False))
    return frame.with_columns(
        pl.col("partner").replace_strict(known, default=None).alias("counterpart_area")
    )


register(
    Source(
        "batis",
        "BATIS",
        "经合组织—世贸组织双边服务贸易（BaTIS）",
        "OECD-WTO Balanced Trade in Services (BaTIS), one reporter by partner and EBOPS item",
        parse,
        example="services_trade/batis_china_bilateral_2005_2019.csv",
    )
)
