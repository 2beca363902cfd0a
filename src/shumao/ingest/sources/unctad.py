"""UNCTAD digitally-deliverable services trade and ICT use by businesses.

Two sources:

``unctad-panel`` (dataflow ``UNCTAD_DDS``) reads the country-year panel
``country, iso3, year, dig_services_exports_usd_millions, dig_services_imports_usd_millions``
(example ``services_trade/unctad_dds_country_year_panel_2010_2023.csv``). Each row gives two
observations, flow ``X`` and ``M``, of product ``DD`` (可数字化交付的服务) with the world as
counterpart (the code list's world code, ``countries.lookup("W00")``), annual. The unit comes
from the value header (``…_usd_millions`` → USD, multiplier 6). A blank value is stored as
missing (status ``M``, no value).

``unctad-sdmx`` reads the raw Data360 SDMX-style export (example
``services_trade/unctad_digital_economy_raw_export.csv``), which mixes two dataflows:

- ``UNCTAD_DE_DIG_SERVTRADE_ANN_EXP`` / ``_IMP`` → ``UNCTAD_DDS`` (same series as the panel:
  product ``DD``, counterpart world, flow ``X`` / ``M``);
- ``UNCTAD_DE_ICT_CORE_*`` (12 indicators, percent) → ``UNCTAD_ICT`` (dimension ``indicator``).

A vintage belongs to one dataflow, so one import loads one of them: ``UNCTAD_DDS`` by default,
``UNCTAD_ICT`` with ``--dataflow UNCTAD_ICT``. The rows of the other dataflow are counted and
reported (finding ``rows-other-dataflow``, info), so the user sees what a second import with the
other option would add; indicators of neither dataflow are reported (``indicator-unsupported``,
warning) and skipped. Each row is scaled by its own ``UNIT_MULT`` (6 = millions, 0 for
percentages); ``UNIT_MEASURE`` ``USD`` is stored as ``USD`` and the SDMX percentages ``PT_*``
as ``PCT`` with the SDMX code kept in ``attrs`` (``{"UNIT_MEASURE": "PT_BS"}``).
``OBS_STATUS`` ``A`` is normal; ``O`` (missing) is stored as status ``M`` with no value.

In both sources a reporter code that the country code list does not know (nor its name) gives
one ``name-unmapped`` warning at its first row; its rows are skipped and the import goes on.

The helpers ``require_columns``, ``map_countries``, ``check_dataflow`` and ``world_code`` are
shared with the WTO and World Bank importers.
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
from shumao.validation import findings
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

DDS_FLOW = "UNCTAD_DDS"
ICT_FLOW = "UNCTAD_ICT"
PRODUCT = "DD"
PANEL_FLOWS = {"dig_services_exports_usd_millions": "X", "dig_services_imports_usd_millions": "M"}
PANEL_COLUMNS = ("iso3", "year", *PANEL_FLOWS)
SDMX_COLUMNS = ("REF_AREA", "INDICATOR", "TIME_PERIOD", "OBS_VALUE")
DDS_INDICATORS = {"UNCTAD_DE_DIG_SERVTRADE_ANN_EXP": "X", "UNCTAD_DE_DIG_SERVTRADE_ANN_IMP": "M"}
ICT_PREFIX = "UNCTAD_DE_ICT_CORE_"
SDMX_STATUS = {"A": "A", "P": "P", "E": "E", "M": "M", "O": "M"}
"""SDMX OBS_STATUS → stored status; ``O`` (missing value) is stored as ``M``."""
MAX_UNIT_MULT = 12

FINDING_CODES = {
    "rows-other-dataflow": {
        "severity": "info",
        "zh": "有 {count} 行属于数据流 {dataflow}，本次未导入（可加 --dataflow {dataflow} 导入）",
        "en": "{count} rows belong to dataflow {dataflow} and were not imported "
        "(load them with --dataflow {dataflow})",
        "fix_zh": "如需导入，请加 --dataflow 选项再导入一次同一文件。",
        "fix_en": "To load them, import the same file again with the --dataflow option.",
    },
    "dataflow-unsupported": {
        "severity": "error",
        "zh": "数据源 {source} 不能导入数据流“{value}”（可选：{expected}）",
        "en": 'source {source} cannot load dataflow "{value}" (choose: {expected})',
        "fix_zh": "请去掉 --dataflow 或改为可选的数据流。",
        "fix_en": "Drop --dataflow or name one of the dataflows listed.",
    },
    "indicator-unsupported": {
        "severity": "warning",
        "zh": "指标“{value}”不属于本数据源可导入的数据流，{count} 行未导入",
        "en": 'indicator "{value}" is in no dataflow this source loads; {count} rows skipped',
        "fix_zh": "如需导入，请使用通用 SDMX-CSV 导入（sdmx-csv）。",
        "fix_en": "To load it, use the generic SDMX-CSV import (sdmx-csv).",
    },
}
findings.register({k: v for k, v in FINDING_CODES.items() if k not in findings.catalogue()})


# --- unctad-panel --------------------------------------------------------------------------------


def parse_panel(ctx: ImportContext) -> pl.DataFrame | None:
    if check_dataflow(ctx, (DDS_FLOW,), "unctad-panel") is None:
        return None
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None or not require_columns(table, PANEL_COLUMNS, ctx.report, ctx.file):
        return None
    src = map_countries(table.frame, "iso3", ctx.report, file=ctx.file, name_column="country")
    parts = [_panel_flow(src, table, column, flow, ctx) for column, flow in PANEL_FLOWS.items()]
    frames = [p for p in parts if p is not None]
    if len(frames) < len(parts):
        return None
    return pl.concat(frames).sort(ROW, "flow", descending=[False, True])


def _panel_flow(
    src: pl.DataFrame, table: Table, column: str, flow: str, ctx: ImportContext
) -> pl.DataFrame | None:
    unit = units.find_in_header(column)
    if unit is None:
        ctx.report.add(finding("unit-unknown", file=ctx.file, row=1, column=column, value=column))
        return None
    values, missing = parse_numbers(
        src, column, ctx.report, file=ctx.file, col_index=table.columns.index(column)
    )
    return src.select(
        ROW,
        pl.col("iso3").alias("ref_area"),
        pl.lit(world_code()).alias("counterpart_area"),
        pl.lit(PRODUCT).alias("product"),
        pl.lit(flow).alias("flow"),
        pl.lit("A").alias("freq"),
        pl.col("year").alias("time_period"),
        values.alias("value"),
        pl.lit(unit.code).alias("unit"),
        pl.lit(unit.mult, pl.Int16).alias("unit_mult"),
        status_expr(missing).alias("obs_status"),
    )


# --- unctad-sdmx ---------------------------------------------------------------------------------


def dataflow_of(indicator: str) -> str | None:
    """``UNCTAD_DDS``, ``UNCTAD_ICT`` or None for an indicator of the Data360 export."""
    if indicator in DDS_INDICATORS:
        return DDS_FLOW
    return ICT_FLOW if indicator.startswith(ICT_PREFIX) else None


def parse_sdmx(ctx: ImportContext) -> pl.DataFrame | None:
    target = check_dataflow(ctx, (DDS_FLOW, ICT_FLOW), "unctad-sdmx")
    if target is None:
        return None
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None or not require_columns(table, SDMX_COLUMNS, ctx.report, ctx.file):
        return None
    src = _rows_of(table.frame, target, ctx.report, ctx.file)
    src = map_countries(src, "REF_AREA", ctx.report, file=ctx.file, name_column="REF_AREA_LABEL")
    values, missing = parse_numbers(
        src, "OBS_VALUE", ctx.report, file=ctx.file, col_index=table.columns.index("OBS_VALUE")
    )
    src = src.with_columns(
        _statuses(src, missing, ctx.report, ctx.file).alias("obs_status"),
        _unit_mults(src, ctx.report, ctx.file).alias("unit_mult"),
        *_units(src, ctx.report, ctx.file),
    )
    return src.select(
        ROW,
        *_dimensions(target),
        (pl.col("FREQ").fill_null("A") if "FREQ" in src.columns else pl.lit("A")).alias("freq"),
        pl.col("TIME_PERIOD").alias("time_period"),
        pl.when(pl.col("obs_status") == "M").then(None).otherwise(values).alias("value"),
        "unit",
        "unit_mult",
        "obs_status",
        "attrs",
    )


def _rows_of(src: pl.DataFrame, target: str, report: Report, file: str) -> pl.DataFrame:
    """The rows of ``target``; report the other dataflow's and unknown indicators' rows."""
    indicators = src["INDICATOR"].fill_null("").unique().to_list()
    flow_of = {i: dataflow_of(i) or "" for i in indicators}
    tagged = src.with_columns(
        pl.col("INDICATOR").fill_null("").replace_strict(flow_of).alias("_flow")
    )
    counts = tagged.group_by("_flow", "INDICATOR").agg(pl.len().alias("n"), pl.col(ROW).min())
    for indicator, n, row in (
        counts.filter(pl.col("_flow") == "").select("INDICATOR", "n", ROW).sort(ROW).iter_rows()
    ):
        report.add(
            finding(
                "indicator-unsupported",
                file=file,
                row=row,
                column="INDICATOR",
                value=indicator,
                count=n,
            )
        )
    others = counts.filter((pl.col("_flow") != target) & (pl.col("_flow") != ""))
    for flow, n in others.group_by("_flow").agg(pl.col("n").sum()).sort("_flow").iter_rows():
        report.add(finding("rows-other-dataflow", file=file, value=flow, dataflow=flow, count=n))
    return tagged.filter(pl.col("_flow") == target).drop("_flow")


def _dimensions(target: str) -> list[pl.Expr]:
    if target == ICT_FLOW:
        return [pl.col("REF_AREA").alias("ref_area"), pl.col("INDICATOR").alias("indicator")]
    return [
        pl.col("REF_AREA").alias("ref_area"),
        pl.lit(world_code()).alias("counterpart_area"),
        pl.lit(PRODUCT).alias("product"),
        pl.col("INDICATOR").replace_strict(DDS_INDICATORS).alias("flow"),
    ]


def _statuses(src: pl.DataFrame, missing: pl.Series, report: Report, file: str) -> pl.Expr:
    """Stored status per row: SDMX OBS_STATUS mapped (``O`` → ``M``), ``M`` where no value."""
    if "OBS_STATUS" not in src.columns:
        return status_expr(missing)
    raw = pl.col("OBS_STATUS").fill_null("A").replace("", "A")
    bad = src.filter(~raw.is_in(list(SDMX_STATUS)))
    for row, value in bad.select(ROW, "OBS_STATUS").head(50).iter_rows():
        report.add(
            finding(
                "status-unknown",
                file=file,
                row=row,
                column="OBS_STATUS",
                value=value,
                expected="/".join(SDMX_STATUS),
            )
        )
    mapped = raw.replace_strict(SDMX_STATUS, default="A")
    return pl.when(pl.lit(missing)).then(pl.lit("M")).otherwise(mapped)


def _unit_mults(src: pl.DataFrame, report: Report, file: str) -> pl.Expr:
    if "UNIT_MULT" not in src.columns:
        return pl.lit(0, pl.Int16)
    mult = pl.col("UNIT_MULT").cast(pl.Int16, strict=False)
    bad = src.filter(mult.is_null() | (mult < 0) | (mult > MAX_UNIT_MULT))
    for row, value in bad.select(ROW, "UNIT_MULT").head(50).iter_rows():
        report.add(
            finding("unit-mult-invalid", file=file, row=row, column="UNIT_MULT", value=value or "")
        )
    return mult.fill_null(0)


def _units(src: pl.DataFrame, report: Report, file: str) -> list[pl.Expr]:
    """``unit`` from UNIT_MEASURE (``USD``; SDMX ``PT_*`` → ``PCT``) and ``attrs`` keeping it."""
    if "UNIT_MEASURE" not in src.columns:
        usd = units.parse("USD").code
        return [pl.lit(usd).alias("unit"), pl.lit(None, pl.String).alias("attrs")]
    codes = _unit_codes(src, report, file)
    kept = {m: json.dumps({"UNIT_MEASURE": m}) for m, code in codes.items() if m != code}
    return [
        pl.col("UNIT_MEASURE").replace_strict(codes, default=None).alias("unit"),
        pl.col("UNIT_MEASURE")
        .replace_strict(kept, default=None, return_dtype=pl.String)
        .alias("attrs"),
    ]


def _unit_codes(src: pl.DataFrame, report: Report, file: str) -> dict[str, str]:
    codes: dict[str, str] = {}
    for measure in src["UNIT_MEASURE"].drop_nulls().unique().sort().to_list():
        try:
            codes[measure] = units.parse(measure).code
        except UnknownCode:
            if measure.startswith("PT"):  # SDMX CL_UNIT_MEASURE: PT, PT_BS, PT_SAL … are percent
                codes[measure] = units.parse("%").code
                continue
            row = src.filter(pl.col("UNIT_MEASURE") == measure)[ROW][0]
            report.add(
                finding("unit-unknown", file=file, row=row, column="UNIT_MEASURE", value=measure)
            )
    return codes


register(
    Source(
        "unctad-panel",
        DDS_FLOW,
        "联合国贸发会议可数字化交付服务贸易（国别年度面板）",
        "UNCTAD digitally-deliverable services trade, country-year panel (USD millions)",
        parse_panel,
        example="services_trade/unctad_dds_country_year_panel_2010_2023.csv",
    )
)
register(
    Source(
        "unctad-sdmx",
        DDS_FLOW,
        "联合国贸发会议数字经济数据（Data360 SDMX 导出）",
        "UNCTAD digital economy, Data360 SDMX-style export (UNCTAD_DDS, or UNCTAD_ICT with "
        "--dataflow UNCTAD_ICT)",
        parse_sdmx,
        example="services_trade/unctad_digital_economy_raw_export.csv",
        dataflows=("UNCTAD_DDS", "UNCTAD_ICT"),
    )
)
