"""World Bank WDI "API_" download of ICT service exports → dataflow ``WB_ICT``.

Source ``wb-ict`` reads the standard World Bank CSV (example
``services_trade/wdi_ict_service_exports_BX.GSR.CCIS.CD.csv``): a UTF-8 BOM, preamble lines
("Data Source", "Last Updated Date"), then the header ``Country Name, Country Code, Indicator
Name, Indicator Code, 1960 … 2025`` and a trailing empty column; one row per economy or
aggregate, one column per year. The header is found wherever it starts, so a file saved
without the preamble reads too.

- ``ref_area``: economies by ISO 3166 alpha-3 (the World Bank code, or its name, through the
  country code list); the World Bank aggregates (regions, income and lending groups — the codes
  whose Region is blank in WDI ``Metadata_Country``, listed in ``wdi_aggregates.csv`` next to
  this module) keep their World Bank code (``WLD``, ``EUU``, ``HIC`` …). Any other code gives
  one ``name-unmapped`` warning and its rows are skipped;
- ``indicator``: the WDI code as written; ``product`` and ``flow`` come from it
  (``BX.GSR.CCIS.CD`` → ``SI`` telecommunications, computer and information services, ``X``);
  an indicator this source does not know is a ``code-unknown`` error;
- unit from the indicator name (``current US$`` → USD, multiplier 0);
- only non-empty cells become observations: an empty cell means "not published", not a
  missing value.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib.resources import files

import polars as pl

from shumao.encodings import UTF8_BOM
from shumao.ingest.common import check_dataflow, map_countries, require_columns
from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.reference import units
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

DATAFLOW = "WB_ICT"
NAME = "Country Name"
CODE = "Country Code"
INDICATOR = "Indicator Code"
INDICATOR_NAME = "Indicator Name"
COLUMNS = (NAME, CODE, INDICATOR, INDICATOR_NAME)
INDICATORS = {"BX.GSR.CCIS.CD": ("SI", "X")}
"""WDI indicator → (EBOPS product, flow)."""
YEAR = re.compile(r"^\d{4}$")
HEADER_SEARCH_LINES = 20
DEFAULT_PREAMBLE = 4


@lru_cache(maxsize=1)
def aggregates() -> frozenset[str]:
    """World Bank aggregate codes (``wdi_aggregates.csv``)."""
    text = (files("shumao.ingest.sources") / "wdi_aggregates.csv").read_text(encoding="utf-8")
    return frozenset(row["code"] for row in csv.DictReader(io.StringIO(text)))


def preamble_lines(data: bytes) -> int:
    """How many lines come before the ``Country Name`` header (4 in a WDI download)."""
    head = data.removeprefix(UTF8_BOM)[:8192].decode("utf-8", errors="replace")
    for number, line in enumerate(io.StringIO(head)):
        if number >= HEADER_SEARCH_LINES:
            break
        if line.lstrip('"').startswith(NAME):
            return number
    return DEFAULT_PREAMBLE


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    if check_dataflow(ctx, (DATAFLOW,), "wb-ict") is None:
        return None
    skip = preamble_lines(ctx.path.read_bytes())
    table = read_table(ctx.path, ctx.report, skip_rows=skip, file=ctx.file)
    if table is None or not require_columns(table, COLUMNS, ctx.report, ctx.file):
        return None
    if not _known_indicators(table.frame, ctx.report, ctx.file):
        return None
    unit = _unit(table.frame, ctx.report, ctx.file)
    if unit is None:
        return None
    long = _observations(table, ctx.report, ctx.file)
    long = map_countries(long, CODE, ctx.report, file=ctx.file, name_column=NAME, keep=aggregates())
    product = {k: p for k, (p, _) in INDICATORS.items()}
    flow = {k: f for k, (_, f) in INDICATORS.items()}
    return long.select(
        ROW,
        pl.col(CODE).alias("ref_area"),
        pl.col(INDICATOR).replace_strict(product).alias("product"),
        pl.col(INDICATOR).replace_strict(flow).alias("flow"),
        pl.col(INDICATOR).alias("indicator"),
        pl.lit("A").alias("freq"),
        "time_period",
        "value",
        pl.lit(unit.code).alias("unit"),
        pl.lit(unit.mult, pl.Int16).alias("unit_mult"),
        pl.lit("A").alias("obs_status"),
    )


def _known_indicators(src: pl.DataFrame, report: Report, file: str) -> bool:
    unknown = src.filter(~pl.col(INDICATOR).is_in(list(INDICATORS)))
    first = unknown.group_by(INDICATOR).agg(pl.col(ROW).min()).sort(ROW)
    for code, row in first.iter_rows():
        report.add(
            finding(
                "code-unknown",
                file=file,
                row=row,
                column=INDICATOR,
                value=code or "",
                codelist="/".join(INDICATORS),
            )
        )
    return unknown.is_empty()


def _observations(table: Table, report: Report, file: str) -> pl.DataFrame:
    """One row per non-empty year cell: keys, ``time_period`` and ``value``."""
    years = [c for c in table.columns if YEAR.match(c)]
    src = table.frame
    parsed = [
        parse_numbers(src, y, report, file=file, col_index=table.columns.index(y))[0] for y in years
    ]
    wide = src.select(ROW, NAME, CODE, INDICATOR, INDICATOR_NAME).with_columns(parsed)
    long = wide.unpivot(
        index=[ROW, NAME, CODE, INDICATOR, INDICATOR_NAME],
        on=years,
        variable_name="time_period",
        value_name="value",
    )
    return long.filter(pl.col("value").is_not_null()).sort(ROW, "time_period")


def _unit(src: pl.DataFrame, report: Report, file: str) -> units.Unit | None:
    """The one unit named in the indicator names, e.g. "(BoP, current US$)" → USD."""
    names = src[INDICATOR_NAME].drop_nulls().unique().sort().to_list()
    found = {units.find_in_header(n) for n in names}
    if len(found) == 1 and None not in found:
        return found.pop()
    report.add(
        finding(
            "unit-unknown",
            file=file,
            row=int(src[ROW][0]),
            column=INDICATOR_NAME,
            value="；".join(names),
        )
    )
    return None


register(
    Source(
        "wb-ict",
        DATAFLOW,
        "世界银行信息通信技术服务出口（WDI BX.GSR.CCIS.CD）",
        "World Bank WDI ICT service exports (BoP, current US$), BX.GSR.CCIS.CD",
        parse,
        example="services_trade/wdi_ict_service_exports_BX.GSR.CCIS.CD.csv",
    )
)
