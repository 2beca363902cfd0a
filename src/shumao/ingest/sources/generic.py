"""Generic importers: tidy CSV/XLSX described by a mapping file, and SDMX-CSV.

Mapping file (YAML)::

    dataflow: ENT_DDS            # target dataflow
    sheet: 数据                   # XLSX only; default: first sheet
    skip_rows: 0                 # lines before the header
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

A header may carry its unit, e.g. ``金额（万美元）``; it must agree with ``unit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import yaml

from shumao.errors import UnknownCode
from shumao.ingest.common import match_column, resolve
from shumao.ingest.numbers import parse_numbers
from shumao.ingest.pipeline import ImportContext, Source, register
from shumao.ingest.readers import ROW, Table, read_table
from shumao.reference import units
from shumao.storage.dataflows import get_dataflow
from shumao.storage.tables import DIMENSIONS
from shumao.validation.findings import Report, finding

FIELDS = (*DIMENSIONS, "time_period", "value", "unit", "obs_status", "conf_status")
OBS_STATUS = {"A", "P", "E", "M", "F", "B", "O", "L"}


def load_mapping(path: Path | str | dict[str, Any], report: Report) -> dict[str, Any] | None:
    if isinstance(path, dict):
        mapping = path
    else:
        try:
            mapping = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            report.add(finding("mapping-invalid", file=str(path), detail=str(exc)[:200]))
            return None
    problems = _mapping_problems(mapping)
    for detail in problems:
        report.add(finding("mapping-invalid", file=str(path) if not isinstance(path, dict) else "",
                           detail=detail))
    return None if problems else mapping


def _mapping_problems(mapping: Any) -> list[str]:
    if not isinstance(mapping, dict):
        return ["顶层应为键值对 / top level must be a mapping"]
    problems = []
    try:
        get_dataflow(str(mapping.get("dataflow", "")))
    except UnknownCode:
        problems.append(f"dataflow 无效 / unknown dataflow: {mapping.get('dataflow')!r}")
    columns = mapping.get("columns") or {}
    unknown = set(columns) | set(mapping.get("constants") or {})
    unknown -= set(FIELDS)
    if unknown:
        problems.append(f"未知字段 / unknown fields: {sorted(unknown)}")
    for required in ("time_period", "value"):
        if required not in columns and required not in (mapping.get("constants") or {}):
            problems.append(f"缺少字段 {required} / field {required} is not mapped")
    if "unit" not in columns and "unit" not in mapping:
        problems.append("缺少单位 unit / give `unit` or map a unit column")
    return problems


def parse_tidy(ctx: ImportContext) -> pl.DataFrame | None:
    mapping_source = ctx.options.get("mapping")
    if mapping_source is None:
        ctx.report.add(finding("mapping-invalid", file=ctx.file,
                               detail="通用导入需要 --mapping 映射文件 / tidy imports need --mapping"))
        return None
    mapping = load_mapping(mapping_source, ctx.report)
    if mapping is None:
        return None
    ctx.options["dataflow"] = mapping["dataflow"]
    table = read_table(ctx.path, ctx.report, sheet=mapping.get("sheet"),
                       skip_rows=int(mapping.get("skip_rows", 0)), file=ctx.file)
    if table is None:
        return None
    return frame_from_mapping(table, mapping, ctx.report, file=ctx.file)


def frame_from_mapping(
    table: Table, mapping: dict[str, Any], report: Report, *, file: str
) -> pl.DataFrame | None:
    declared = _declared_unit(mapping, report, file)
    picked: dict[str, str] = {}
    for field, header in (mapping.get("columns") or {}).items():
        hit = match_column(table, str(header), report, file=file,
                           declared_unit=declared if field == "value" else None)
        if hit:
            picked[field] = hit
    if len(picked) < len(mapping.get("columns") or {}):
        return None
    src = table.frame
    exprs = [pl.col(ROW)] + [pl.col(h).alias(f) for f, h in picked.items() if f != "value"]
    exprs += [pl.lit(str(v)).alias(f) for f, v in (mapping.get("constants") or {}).items()]
    frame = src.select(exprs)
    frame = _recode(frame, mapping)
    for field, kind in (mapping.get("lookup") or {}).items():
        frame, _ = resolve(frame, field, kind)
    col_index = table.columns.index(picked["value"]) if "value" in picked else None
    if "value" in picked:
        values, missing = parse_numbers(src, picked["value"], report, file=file,
                                        sheet=table.sheet, col_index=col_index)
    else:
        values = pl.Series("value", [float(mapping["constants"]["value"])] * src.height)
        missing = pl.Series([False] * src.height)
    frame = frame.with_columns(values.alias("value"), missing.alias("_missing"))
    frame = _apply_units(frame, declared, report, file)
    return _statuses(frame, report, file)


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
        frame = frame.with_columns(pl.col(field).replace({str(k): str(v) for k, v in table.items()}))
    return frame


def _apply_units(
    frame: pl.DataFrame, declared: units.Unit | None, report: Report, file: str
) -> pl.DataFrame:
    if "unit" not in frame.columns:
        unit = declared or units.parse("美元")
        return frame.with_columns(pl.lit(unit.code).alias("unit"),
                                  pl.lit(unit.mult, pl.Int16).alias("unit_mult"))
    parsed: dict[str, tuple[str, int]] = {}
    for text in frame["unit"].drop_nulls().unique().to_list():
        try:
            u = units.parse(text)
            parsed[text] = (u.code, u.mult)
        except UnknownCode:
            rows = frame.filter(pl.col("unit") == text)[ROW]
            report.add(finding("unit-unknown", file=file, row=rows[0], column="unit", value=text))
    codes = {k: v[0] for k, v in parsed.items()}
    mults = {k: v[1] for k, v in parsed.items()}
    return frame.with_columns(
        pl.col("unit").replace_strict(codes, default=None).alias("unit"),
        pl.col("unit").replace_strict(mults, default=0, return_dtype=pl.Int16).alias("unit_mult"),
    )


def _statuses(frame: pl.DataFrame, report: Report, file: str) -> pl.DataFrame:
    if "obs_status" in frame.columns:
        bad = frame.filter(pl.col("obs_status").is_not_null()
                           & ~pl.col("obs_status").is_in(list(OBS_STATUS)))
        for row, value in bad.select(ROW, "obs_status").head(50).iter_rows():
            report.add(finding("status-unknown", file=file, row=row, column="obs_status",
                               value=value, expected="/".join(sorted(OBS_STATUS))))
        status = pl.col("obs_status").fill_null("A")
    else:
        status = pl.lit("A")
    status = pl.when(pl.col("_missing")).then(pl.lit("M")).otherwise(status)
    return frame.with_columns(status.alias("obs_status")).drop("_missing")


# --- SDMX-CSV ------------------------------------------------------------------------------

SDMX_COLUMNS = {
    "REF_AREA": "ref_area", "COUNTERPART_AREA": "counterpart_area", "PRODUCT": "product",
    "FLOW": "flow", "INDICATOR": "indicator", "FREQ": "freq", "TIME_PERIOD": "time_period",
    "OBS_VALUE": "value", "UNIT_MEASURE": "unit", "UNIT_MULT": "unit_mult",
    "OBS_STATUS": "obs_status", "CONF_STATUS": "conf_status",
}


def parse_sdmx_csv(ctx: ImportContext) -> pl.DataFrame | None:
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None:
        return None
    head = table.columns[0].upper()
    if head not in ("DATAFLOW", "STRUCTURE"):
        ctx.report.add(finding("column-missing", file=ctx.file, column="DATAFLOW / STRUCTURE",
                               present="、".join(table.columns)))
        return None
    flow_col = "STRUCTURE_ID" if head == "STRUCTURE" else table.columns[0]
    ref = table.frame[flow_col][0] if flow_col in table.frame.columns else ""
    flow_id = ctx.options.get("dataflow") or ref.split(":")[-1].split("(")[0]
    ctx.options["dataflow"] = flow_id
    for required in ("TIME_PERIOD", "OBS_VALUE"):
        if required not in table.columns:
            ctx.report.add(finding("column-missing", file=ctx.file, column=required,
                                   present="、".join(table.columns)))
    if not ctx.report.ok:
        return None
    src = table.frame
    exprs = [pl.col(ROW)] + [
        pl.col(c).alias(SDMX_COLUMNS[c]) for c in table.columns
        if c in SDMX_COLUMNS and c not in ("OBS_VALUE", "UNIT_MULT")
    ]
    frame = src.select(exprs)
    values, missing = parse_numbers(src, "OBS_VALUE", ctx.report, file=ctx.file,
                                    col_index=table.columns.index("OBS_VALUE"))
    mult = (src["UNIT_MULT"].cast(pl.Int16, strict=False) if "UNIT_MULT" in src.columns
            else pl.Series([0] * src.height, dtype=pl.Int16))
    frame = frame.with_columns(values.alias("value"), missing.alias("_missing"),
                               mult.alias("unit_mult"))
    if "unit" not in frame.columns:
        frame = frame.with_columns(pl.lit("USD").alias("unit"))
    return _statuses(frame, ctx.report, ctx.file)


register(Source("tidy", "GENERIC", "通用表格导入", "generic tidy CSV/XLSX with a mapping file",
                parse_tidy))
register(Source("sdmx-csv", "GENERIC", "SDMX-CSV 导入", "SDMX-CSV 1.0/2.0", parse_sdmx_csv))
