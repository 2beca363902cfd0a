"""Generic importer: tidy CSV/XLSX described by a mapping file (SDMX-CSV: ``sdmx_csv``).

Mapping file (YAML)::

    dataflow: ENT_DDS            # target dataflow (docs/import-mapping.md documents this file)
    sheet: 数据                   # XLSX only; default: first sheet
    skip_rows: 0                 # lines above the header (titles, notes)
    unit: 万美元                  # unit of the value column (or map a `unit` column)
    columns:                     # field -> header in the file
      ref_area: 统一社会信用代码
      counterpart_area: 伙伴国家
      product: 服务类别
      flow: 流向
      time_period: 期间
      value: 金额
    constants: {freq: Q}         # fields with one value for every row
    recode: {flow: {出口: X, 进口: M}}
    lookup: {counterpart_area: country, product: ebops}   # names -> codes
    nonnegative: [value]         # negative values are errors (value-negative)
    attributes: {name: 企业名称}  # other columns kept as written, in the observation's attrs

Fields are the dimensions ``ref_area counterpart_area product flow indicator freq`` plus
``time_period value unit obs_status conf_status``. Every dimension of the dataflow must be
mapped or constant, except ``freq``, which is then read from the period (2023 → A, 2023-Q3 → Q,
2023-07 → M). Lookups: ``country area geo ebops park``.

A header may carry its unit, e.g. ``金额（万美元）``; it must agree with ``unit``
(``unit-conflict``). Periods written the way people write them — ``2023Q3``, ``2023年第3季度``,
``2023年7月``, ``2023/7``, ``2023-M07`` — are read as ``2023-Q3`` / ``2023-07`` (an info finding
says so). ``2023.7`` is refused: Excel stores October as ``2023.1``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.common import match_column, resolve
from shumao.ingest.mapping import FIELDS, load_mapping
from shumao.ingest.periods import freq_of_period, normalise_periods
from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.reference import units
from shumao.storage.dataflows import get_dataflow
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

OBS_STATUS = {"A", "P", "E", "M", "F", "B", "O", "L"}
CONF_STATUS = {"F", "N", "C", "D", "S", "A"}
MAX_ROW_FINDINGS = 100


def parse_tidy(ctx: ImportContext) -> pl.DataFrame | None:
    mapping_source = ctx.options.get("mapping")
    if mapping_source is None:
        ctx.report.add(
            finding(
                "mapping-invalid",
                file=ctx.file,
                detail="通用导入需要 --mapping 映射文件 / tidy imports need --mapping",
            )
        )
        return None
    mapping = load_mapping(mapping_source, ctx.report)
    if mapping is None:
        return None
    ctx.options["dataflow"] = get_dataflow(str(mapping["dataflow"])).id
    table = read_table(
        ctx.path,
        ctx.report,
        sheet=mapping.get("sheet"),
        skip_rows=int(mapping.get("skip_rows", 0)),
        file=ctx.file,
    )
    if table is None:
        return None
    located: dict[str, tuple[str, int]] = {}
    frame = frame_from_mapping(table, mapping, ctx.report, file=ctx.file, located=located)
    ctx.options["columns"] = located
    return frame


def frame_from_mapping(
    table: Table,
    mapping: dict[str, Any],
    report: Report,
    *,
    file: str,
    located: dict[str, tuple[str, int]] | None = None,
) -> pl.DataFrame | None:
    """The tidy frame of ``table`` as ``mapping`` describes it (None if columns are missing).

    ``located``, if given, receives field → (header as written, 0-based position) so that the
    pipeline's shared checks can name the file's column and cell.
    """
    declared = _declared_unit(mapping, report, file)
    picked = _pick_columns(table, mapping, declared, report, file)
    if picked is None:
        return None
    if located is not None:
        located.update({f: (h, table.columns.index(h)) for f, h in picked.items() if f in FIELDS})
    src = table.frame
    constants = {str(f): str(v) for f, v in (mapping.get("constants") or {}).items()}
    frame = src.select(
        pl.col(ROW),
        *(pl.col(h).alias(f) for f, h in picked.items() if f in FIELDS and f != "value"),
        *(pl.lit(v).alias(f) for f, v in constants.items() if f != "value"),
    )
    frame = _recode(frame, mapping)
    for field, kind in (mapping.get("lookup") or {}).items():
        frame, _ = resolve(frame, str(field), str(kind))
    frame = normalise_periods(frame, report, file, table.columns, picked.get("time_period"))
    if "freq" not in frame.columns and "freq" in get_dataflow(mapping["dataflow"]).dimensions:
        frame = frame.with_columns(freq_of_period().alias("freq"))
    values, missing = _values(table, picked, constants, report, file)
    frame = frame.with_columns(values.alias("value"), missing.alias("_missing"))
    if "value" in (mapping.get("nonnegative") or []) and "value" in picked:
        _check_nonnegative(frame, table, picked["value"], report, file)
    frame = _attributes(frame, src, picked, mapping)
    frame = apply_units(frame, declared, report, file)
    _report_missing(frame, src, table, picked.get("value"), report, file)
    return statuses(frame, report, file)


def _pick_columns(
    table: Table, mapping: dict[str, Any], declared: units.Unit | None, report: Report, file: str
) -> dict[str, str] | None:
    """field (or attribute name) → header in the file; None when any is missing."""
    wanted = {**(mapping.get("columns") or {}), **(mapping.get("attributes") or {})}
    picked: dict[str, str] = {}
    for field, header in wanted.items():
        hit = match_column(
            table,
            str(header),
            report,
            file=file,
            declared_unit=declared if field == "value" else None,
        )
        if hit:
            picked[str(field)] = hit
    return picked if len(picked) == len(wanted) else None


def _declared_unit(mapping: dict[str, Any], report: Report, file: str) -> units.Unit | None:
    if "unit" not in mapping:
        return None
    try:
        return units.parse(str(mapping["unit"]))
    except UnknownCode:
        report.add(finding("unit-unknown", file=file, value=mapping["unit"]))
        return None


def _recode(frame: pl.DataFrame, mapping: dict[str, Any]) -> pl.DataFrame:
    for field, table in (mapping.get("recode") or {}).items():
        codes = {str(k): str(v) for k, v in table.items()}
        frame = frame.with_columns(pl.col(str(field)).replace(codes))
    return frame


def _values(
    table: Table, picked: dict[str, str], constants: dict[str, str], report: Report, file: str
) -> tuple[pl.Series, pl.Series]:
    src = table.frame
    if "value" not in picked:
        constant = pl.DataFrame(
            {ROW: src[ROW], "value": pl.repeat(constants["value"], src.height, eager=True)}
        )
        return parse_numbers(constant, "value", report, file=file, label="value")
    header = picked["value"]
    return parse_numbers(
        src, header, report, file=file, sheet=table.sheet, col_index=table.columns.index(header)
    )


def _check_nonnegative(
    frame: pl.DataFrame, table: Table, header: str, report: Report, file: str
) -> None:
    negative = frame.filter(pl.col("value") < 0).select(ROW, "value").head(MAX_ROW_FINDINGS)
    col_index = table.columns.index(header)
    for row, value in negative.iter_rows():
        report.add(
            finding(
                "value-negative",
                file=file,
                sheet=table.sheet,
                row=row,
                column=header,
                col_index=col_index,
                value=f"{value:.15g}",
            )
        )


def _attributes(
    frame: pl.DataFrame, src: pl.DataFrame, picked: dict[str, str], mapping: dict[str, Any]
) -> pl.DataFrame:
    """Mapped attribute columns as a JSON object in ``attrs``, cells kept exactly as written."""
    names = [str(n) for n in (mapping.get("attributes") or {})]
    if not names:
        return frame
    attrs = src.select(
        pl.struct([pl.col(picked[n]).alias(n) for n in names]).struct.json_encode().alias("attrs")
    )
    return frame.with_columns(attrs.to_series())


def apply_units(
    frame: pl.DataFrame, declared: units.Unit | None, report: Report, file: str
) -> pl.DataFrame:
    if "unit" not in frame.columns:
        unit = declared or units.parse("美元")
        return frame.with_columns(
            pl.lit(unit.code).alias("unit"), pl.lit(unit.mult, pl.Int16).alias("unit_mult")
        )
    if "unit_mult" in frame.columns:  # SDMX-CSV: UNIT_MULT given apart from the unit
        return frame.with_columns(_unit_codes(frame, report, file)[0])
    codes, mults = _unit_codes(frame, report, file)
    return frame.with_columns(codes, mults)


def _unit_codes(frame: pl.DataFrame, report: Report, file: str) -> tuple[pl.Expr, pl.Expr]:
    """Expressions for the unit code and multiplier of each row's unit text."""
    parsed: dict[str, tuple[str, int]] = {}
    for text in frame["unit"].drop_nulls().unique().sort().to_list():
        try:
            u = units.parse(text)
            parsed[text] = (u.code, u.mult)
        except UnknownCode:
            row: int = frame.filter(pl.col("unit") == text)[ROW].to_list()[0]
            report.add(finding("unit-unknown", file=file, row=row, column="unit", value=text))
    codes = {k: v[0] for k, v in parsed.items()}
    mults = {k: v[1] for k, v in parsed.items()}
    return (
        pl.col("unit").replace_strict(codes, default=None, return_dtype=pl.String).alias("unit"),
        pl.col("unit").replace_strict(mults, default=0, return_dtype=pl.Int16).alias("unit_mult"),
    )


def _report_missing(
    frame: pl.DataFrame,
    src: pl.DataFrame,
    table: Table,
    header: str | None,
    report: Report,
    file: str,
) -> None:
    """Info for blank or marked (“..”, “-”) values, which are stored as missing (status M)."""
    if header is None or not frame["_missing"].any():
        return
    rows = src.filter(frame["_missing"]).select(ROW, header).head(20)
    col_index = table.columns.index(header)
    for row, text in rows.iter_rows():
        report.add(
            finding(
                "value-missing-status",
                file=file,
                sheet=table.sheet,
                row=row,
                column=header,
                col_index=col_index,
                value=text or "空白 / blank",
            )
        )


def statuses(frame: pl.DataFrame, report: Report, file: str) -> pl.DataFrame:
    if "conf_status" in frame.columns:
        _check_status(frame, "conf_status", CONF_STATUS, "conf-status-unknown", report, file)
        frame = frame.with_columns(pl.col("conf_status").fill_null("F"))
    if "obs_status" in frame.columns:
        _check_status(frame, "obs_status", OBS_STATUS, "status-unknown", report, file)
        status = pl.col("obs_status").fill_null("A")
    else:
        status = pl.lit("A")
    # A cell refused by parse_numbers (value-not-number) is null too: marking it M keeps the
    # shared check from reporting the same cell again as empty. That error rejects the import.
    no_value = pl.col("_missing") | pl.col("value").is_null()
    status = pl.when(no_value).then(pl.lit("M")).otherwise(status)
    return frame.with_columns(status.alias("obs_status")).drop("_missing")


def _check_status(
    frame: pl.DataFrame, column: str, allowed: set[str], code: str, report: Report, file: str
) -> None:
    bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(sorted(allowed)))
    for row, value in bad.select(ROW, column).head(50).iter_rows():
        report.add(
            finding(
                code,
                file=file,
                row=row,
                column=column,
                value=value,
                expected="/".join(sorted(allowed)),
            )
        )


register(
    Source(
        "tidy", "GENERIC", "通用表格导入", "generic tidy CSV/XLSX with a mapping file", parse_tidy
    )
)
