"""Generic importers: tidy CSV/XLSX described by a mapping file, and SDMX-CSV 1.0/2.0.

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

from pathlib import Path
from typing import Any

import polars as pl
import yaml

from shumao.errors import UnknownCode
from shumao.ingest.common import match_column, resolve
from shumao.ingest.pipeline import ImportContext, Source, register
from shumao.ingest.readers import ROW, Table, read_table
from shumao.reference import units
from shumao.storage.dataflows import Dataflow, all_dataflows, get_dataflow
from shumao.storage.tables import DIMENSIONS
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

FIELDS = (*DIMENSIONS, "time_period", "value", "unit", "obs_status", "conf_status")
MAPPING_KEYS = ("dataflow", "sheet", "skip_rows", "unit", "columns", "constants", "recode",
                "lookup", "nonnegative", "attributes")
LOOKUPS = ("country", "area", "geo", "ebops", "park")
NUMERIC_FIELDS = ("value",)
OBS_STATUS = {"A", "P", "E", "M", "F", "B", "O", "L"}
CONF_STATUS = {"F", "N", "C", "D", "S", "A"}
MAX_ROW_FINDINGS = 100

# --- mapping file ----------------------------------------------------------------------------


def load_mapping(path: Path | str | dict[str, Any], report: Report) -> dict[str, Any] | None:
    """The mapping as a dict, or None after ``mapping-invalid`` findings saying what is wrong."""
    file = "" if isinstance(path, dict) else Path(path).name
    if isinstance(path, dict):
        mapping: Any = path
    else:
        try:
            mapping = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            report.add(finding("mapping-invalid", file=file, detail=_read_problem(exc)))
            return None
    problems = mapping_problems(mapping)
    for detail in problems:
        report.add(finding("mapping-invalid", file=file, detail=detail))
    return None if problems else mapping


def _read_problem(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"无法读取映射文件 / cannot read the mapping file: {exc.strerror or exc}"
    if isinstance(exc, UnicodeDecodeError):
        return "映射文件应为 UTF-8 编码 / the mapping file must be UTF-8"
    mark = getattr(exc, "problem_mark", None)
    where = f"第 {mark.line + 1} 行 / line {mark.line + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"YAML 格式错误 / YAML syntax error, {where}{problem}"


def mapping_problems(mapping: Any) -> list[str]:
    """Bilingual descriptions of what is wrong with a mapping (empty if nothing)."""
    if not isinstance(mapping, dict):
        return ["顶层应为键值对 / the top level must be a mapping of keys to values"]
    problems = _shape_problems(mapping)
    if problems:
        return problems
    try:
        flow = get_dataflow(str(mapping.get("dataflow", "")))
    except UnknownCode:
        known = "、".join(f.id for f in all_dataflows())
        return [f"未知数据流 / unknown dataflow {mapping.get('dataflow')!r} (可选 / known: {known})"]
    return _field_problems(mapping, flow)


def _shape_problems(mapping: dict[str, Any]) -> list[str]:
    problems = []
    unknown = sorted(set(map(str, mapping)) - set(MAPPING_KEYS))
    if unknown:
        problems.append(f"未知的键 / unknown keys: {', '.join(unknown)} "
                        f"(可用 / allowed: {', '.join(MAPPING_KEYS)})")
    for key in ("columns", "constants", "recode", "lookup", "attributes"):
        if not isinstance(mapping.get(key) or {}, dict):
            problems.append(f"{key} 应为键值对 / {key} must be a mapping")
    if not isinstance(mapping.get("nonnegative") or [], list):
        problems.append("nonnegative 应为列表 / nonnegative must be a list")
    skip = mapping.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        problems.append(f"skip_rows 应为非负整数 / skip_rows must be a whole number ≥ 0: {skip!r}")
    return problems


def _field_problems(mapping: dict[str, Any], flow: Dataflow) -> list[str]:
    columns, constants = mapping.get("columns") or {}, mapping.get("constants") or {}
    given = set(columns) | set(constants)
    problems = []
    unknown = sorted(set(map(str, given)) - set(FIELDS))
    if unknown:
        problems.append(f"未知字段 / unknown fields: {', '.join(unknown)} "
                        f"(可用 / fields: {', '.join(FIELDS)})")
    needed = [d for d in flow.dimensions if d != "freq"] + ["time_period", "value"]
    problems += [f"缺少字段 {f} / field {f} is not mapped (数据流 dataflow {flow.id})"
                 for f in needed if f not in given]
    if "unit" not in columns and "unit" not in mapping:
        problems.append("缺少单位 / give `unit` or map a unit column")
    for key in ("recode", "lookup"):
        stray = sorted(set(map(str, mapping.get(key) or {})) - set(map(str, given)))
        if stray:
            problems.append(f"{key} 中的字段未映射 / {key} names fields not mapped: {', '.join(stray)}")
    bad_kinds = sorted({str(k) for k in (mapping.get("lookup") or {}).values()} - set(LOOKUPS))
    if bad_kinds:
        problems.append(f"未知的 lookup 类型 / unknown lookup kinds: {', '.join(bad_kinds)} "
                        f"(可用 / allowed: {', '.join(LOOKUPS)})")
    if any(not isinstance(v, dict) for v in (mapping.get("recode") or {}).values()):
        problems.append("recode 的每一项应为 原值: 代码 / each recode entry must map values to codes")
    clash = sorted(set(map(str, mapping.get("attributes") or {})) & set(FIELDS))
    if clash:
        problems.append(f"attributes 不能使用字段名 / attributes may not be named as fields: {clash}")
    bad_numeric = sorted(set(map(str, mapping.get("nonnegative") or [])) - set(NUMERIC_FIELDS))
    if bad_numeric:
        problems.append(f"nonnegative 只能包含 value / nonnegative may only name value: {bad_numeric}")
    return problems


# --- tidy tables -----------------------------------------------------------------------------


def parse_tidy(ctx: ImportContext) -> pl.DataFrame | None:
    mapping_source = ctx.options.get("mapping")
    if mapping_source is None:
        ctx.report.add(finding("mapping-invalid", file=ctx.file,
                               detail="通用导入需要 --mapping 映射文件 / tidy imports need --mapping"))
        return None
    mapping = load_mapping(mapping_source, ctx.report)
    if mapping is None:
        return None
    ctx.options["dataflow"] = get_dataflow(str(mapping["dataflow"])).id
    table = read_table(ctx.path, ctx.report, sheet=mapping.get("sheet"),
                       skip_rows=int(mapping.get("skip_rows", 0)), file=ctx.file)
    if table is None:
        return None
    located: dict[str, tuple[str, int]] = {}
    frame = frame_from_mapping(table, mapping, ctx.report, file=ctx.file, located=located)
    ctx.options["columns"] = located
    return frame


def frame_from_mapping(
    table: Table, mapping: dict[str, Any], report: Report, *, file: str,
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
    frame = _apply_units(frame, declared, report, file)
    _report_missing(frame, src, table, picked.get("value"), report, file)
    return _statuses(frame, report, file)


def _pick_columns(
    table: Table, mapping: dict[str, Any], declared: units.Unit | None, report: Report, file: str
) -> dict[str, str] | None:
    """field (or attribute name) → header in the file; None when any is missing."""
    wanted = {**(mapping.get("columns") or {}), **(mapping.get("attributes") or {})}
    picked: dict[str, str] = {}
    for field, header in wanted.items():
        hit = match_column(table, str(header), report, file=file,
                           declared_unit=declared if field == "value" else None)
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
        constant = pl.DataFrame({ROW: src[ROW], "value": pl.repeat(constants["value"], src.height,
                                                                    eager=True)})
        return parse_numbers(constant, "value", report, file=file, label="value")
    header = picked["value"]
    return parse_numbers(src, header, report, file=file, sheet=table.sheet,
                         col_index=table.columns.index(header))


def _check_nonnegative(
    frame: pl.DataFrame, table: Table, header: str, report: Report, file: str
) -> None:
    negative = frame.filter(pl.col("value") < 0).select(ROW, "value").head(MAX_ROW_FINDINGS)
    col_index = table.columns.index(header)
    for row, value in negative.iter_rows():
        report.add(finding("value-negative", file=file, sheet=table.sheet, row=row, column=header,
                           col_index=col_index, value=f"{value:.15g}"))


def _attributes(
    frame: pl.DataFrame, src: pl.DataFrame, picked: dict[str, str], mapping: dict[str, Any]
) -> pl.DataFrame:
    """Mapped attribute columns as a JSON object in ``attrs``, cells kept exactly as written."""
    names = [str(n) for n in (mapping.get("attributes") or {})]
    if not names:
        return frame
    attrs = src.select(pl.struct([pl.col(picked[n]).alias(n) for n in names])
                       .struct.json_encode().alias("attrs"))
    return frame.with_columns(attrs.to_series())


def _apply_units(
    frame: pl.DataFrame, declared: units.Unit | None, report: Report, file: str
) -> pl.DataFrame:
    if "unit" not in frame.columns:
        unit = declared or units.parse("美元")
        return frame.with_columns(pl.lit(unit.code).alias("unit"),
                                  pl.lit(unit.mult, pl.Int16).alias("unit_mult"))
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
    frame: pl.DataFrame, src: pl.DataFrame, table: Table, header: str | None, report: Report,
    file: str,
) -> None:
    """Info for blank or marked (“..”, “-”) values, which are stored as missing (status M)."""
    if header is None or not frame["_missing"].any():
        return
    rows = src.filter(frame["_missing"]).select(ROW, header).head(20)
    col_index = table.columns.index(header)
    for row, text in rows.iter_rows():
        report.add(finding("value-missing-status", file=file, sheet=table.sheet, row=row,
                           column=header, col_index=col_index, value=text or "空白 / blank"))


def _statuses(frame: pl.DataFrame, report: Report, file: str) -> pl.DataFrame:
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
        report.add(finding(code, file=file, row=row, column=column, value=value,
                           expected="/".join(sorted(allowed))))


# --- periods ---------------------------------------------------------------------------------

_QUARTER_WORDS = {"一季度": "1季度", "二季度": "2季度", "三季度": "3季度", "四季度": "4季度"}
PERIOD_FORMS: tuple[tuple[str, str], ...] = (
    (r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$", "${1}-Q${2}"),
    (r"^(\d{4})\s*年\s*第?\s*([1-4])\s*季度?$", "${1}-Q${2}"),
    (r"^(\d{4})\s*(?:[-/年]|-M)\s*0?([1-9])\s*月?$", "${1}-0${2}"),
    (r"^(\d{4})\s*(?:[-/年]|-M)\s*(1[0-2])\s*月?$", "${1}-${2}"),
    (r"^(\d{4})\s*年(?:度)?$", "${1}"),
)
"""(pattern, replacement) for the ways people write periods; applied to distinct values."""


def normalise_periods(
    frame: pl.DataFrame, report: Report, file: str, headers: list[str], header: str | None
) -> pl.DataFrame:
    """Rewrite ``2023Q3``, ``2023年7月`` … as ``2023-Q3``, ``2023-07``; info finding per form."""
    if "time_period" not in frame.columns:
        return frame
    distinct = frame.select(pl.col("time_period").drop_nulls().unique())
    text = pl.col("time_period").str.strip_chars().str.replace_many(
        list(_QUARTER_WORDS), list(_QUARTER_WORDS.values())
    )
    for pattern, replacement in PERIOD_FORMS:
        text = text.str.replace(pattern, replacement)
    changes = distinct.with_columns(text.alias("new")).filter(pl.col("new") != pl.col("time_period"))
    if changes.is_empty():
        return frame
    mapping = dict(changes.iter_rows())
    col_index = headers.index(header) if header in headers else None
    first = (frame.filter(pl.col("time_period").is_in(list(mapping)))
             .group_by("time_period").agg(pl.col(ROW).min()).sort(ROW).head(20))
    for value, row in first.iter_rows():
        report.add(finding("period-normalised", file=file, row=row, column=header or "time_period",
                           col_index=col_index, value=value, normalised=mapping[value]))
    return frame.with_columns(pl.col("time_period").replace(mapping))


def freq_of_period() -> pl.Expr:
    """A, Q or M from the form of ``time_period`` (null when the period is not valid)."""
    period = pl.col("time_period")
    return (
        pl.when(period.str.contains(r"^\d{4}$")).then(pl.lit("A"))
        .when(period.str.contains(r"^\d{4}-Q[1-4]$")).then(pl.lit("Q"))
        .when(period.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$")).then(pl.lit("M"))
        .otherwise(pl.lit("A"))
    )


# --- SDMX-CSV ------------------------------------------------------------------------------

SDMX_COLUMNS = {
    "REF_AREA": "ref_area", "COUNTERPART_AREA": "counterpart_area", "PRODUCT": "product",
    "FLOW": "flow", "INDICATOR": "indicator", "FREQ": "freq", "TIME_PERIOD": "time_period",
    "OBS_VALUE": "value", "UNIT_MEASURE": "unit", "UNIT_MULT": "unit_mult",
    "OBS_STATUS": "obs_status", "CONF_STATUS": "conf_status",
}
SDMX_ACTIONS = {"I", "A", "R", ""}
"""SDMX-CSV 2.0 ACTION values that add observations (information, append, replace)."""
MAX_UNIT_MULT = 12


def parse_sdmx_csv(ctx: ImportContext) -> pl.DataFrame | None:
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None:
        return None
    table = _sdmx_headers(table)
    flow = _sdmx_dataflow(table, ctx)
    if flow is None or not _sdmx_columns_present(table, flow, ctx.report, ctx.file):
        return None
    ctx.options["dataflow"] = flow.id
    ctx.options["columns"] = {SDMX_COLUMNS[c]: (c, i) for i, c in enumerate(table.columns)
                              if c in SDMX_COLUMNS}
    _check_actions(table, ctx.report, ctx.file)
    src = table.frame
    frame = src.select(pl.col(ROW), *(
        pl.col(c).alias(SDMX_COLUMNS[c]) for c in table.columns
        if c in SDMX_COLUMNS and c not in ("OBS_VALUE", "UNIT_MULT")
    ))
    frame = normalise_periods(frame, ctx.report, ctx.file, table.columns, "TIME_PERIOD")
    if "freq" not in frame.columns and "freq" in flow.dimensions:
        frame = frame.with_columns(freq_of_period().alias("freq"))
    values, missing = parse_numbers(src, "OBS_VALUE", ctx.report, file=ctx.file,
                                    col_index=table.columns.index("OBS_VALUE"))
    frame = frame.with_columns(values.alias("value"), missing.alias("_missing"),
                               _unit_mults(table, ctx.report, ctx.file).alias("unit_mult"))
    if "unit" not in frame.columns:
        frame = frame.with_columns(pl.lit("USD").alias("unit"))
    frame = _apply_units(frame, None, ctx.report, ctx.file)
    return _statuses(frame, ctx.report, ctx.file)


def _sdmx_headers(table: Table) -> Table:
    """``REF_AREA: Reference area`` (SDMX-CSV 2.0 with labels) → ``REF_AREA``; upper case."""
    names = [h.split(":", 1)[0].strip().upper() for h in table.columns]
    frame = table.frame.rename(dict(zip(table.columns, names, strict=True)))
    return Table(frame=frame, columns=names, sheet=table.sheet, header_row=table.header_row)


def _sdmx_dataflow(table: Table, ctx: ImportContext) -> Dataflow | None:
    """The target dataflow: ``--dataflow``, else the file's DATAFLOW / STRUCTURE_ID column."""
    head = table.columns[0]
    if head not in ("DATAFLOW", "STRUCTURE"):
        ctx.report.add(finding("column-missing", file=ctx.file, column="DATAFLOW / STRUCTURE",
                               present="、".join(table.columns)))
        return None
    column = "STRUCTURE_ID" if head == "STRUCTURE" else "DATAFLOW"
    if ctx.options.get("dataflow"):
        return _known_flow(str(ctx.options["dataflow"]), ctx, row=None, column="--dataflow")
    if column not in table.columns:
        ctx.report.add(finding("column-missing", file=ctx.file, column=column,
                               present="、".join(table.columns)))
        return None
    refs = (table.frame.group_by(column).agg(pl.col(ROW).min()).sort(ROW))
    ids = {ref: _flow_id(ref or "") for ref, _ in refs.iter_rows()}
    if len(set(ids.values())) > 1:
        ctx.report.add(finding("dataflow-mixed", file=ctx.file, column=column,
                               value="、".join(dict.fromkeys(ids.values()))))
        return None
    ref, row = refs.row(0)
    return _known_flow(ids[ref], ctx, row=row, column=column,
                       col_index=table.columns.index(column))


def _flow_id(ref: str) -> str:
    """``ESTAT:NAMA_10_GDP(1.0)`` or ``urn:…Dataflow=SHUMAO:ENT_DDS(1.0)`` → the dataflow id."""
    return ref.split("=")[-1].split(":")[-1].split("(")[0].strip()


def _known_flow(
    flow_id: str, ctx: ImportContext, *, row: int | None, column: str, col_index: int | None = None
) -> Dataflow | None:
    try:
        return get_dataflow(flow_id)
    except UnknownCode:
        ctx.report.add(finding("dataflow-unknown", file=ctx.file, row=row, column=column,
                               col_index=col_index, value=flow_id,
                               present="、".join(f.id for f in all_dataflows())))
        return None


def _sdmx_columns_present(table: Table, flow: Dataflow, report: Report, file: str) -> bool:
    """Every dimension of ``flow`` (FREQ may be left out), TIME_PERIOD and OBS_VALUE."""
    needed = ["TIME_PERIOD", "OBS_VALUE"] + [d.upper() for d in flow.dimensions if d != "freq"]
    missing = [c for c in needed if c not in table.columns]
    for column in missing:
        report.add(finding("column-missing", file=file, column=column,
                           present="、".join(table.columns)))
    return not missing


def _check_actions(table: Table, report: Report, file: str) -> None:
    if "ACTION" not in table.columns:
        return
    action = pl.col("ACTION").fill_null("").str.to_uppercase()
    bad = table.frame.filter(~action.is_in(sorted(SDMX_ACTIONS))).select(ROW, "ACTION")
    col_index = table.columns.index("ACTION")
    for row, value in bad.head(MAX_ROW_FINDINGS).iter_rows():
        report.add(finding("action-unsupported", file=file, row=row, column="ACTION",
                           col_index=col_index, value=value))


def _unit_mults(table: Table, report: Report, file: str) -> pl.Series:
    """UNIT_MULT as Int16 (0 when absent or blank); other values are ``unit-mult-invalid``."""
    src = table.frame
    if "UNIT_MULT" not in src.columns:
        return pl.Series("unit_mult", [0] * src.height, dtype=pl.Int16)
    text = src["UNIT_MULT"].str.strip_chars()
    mult = text.cast(pl.Int16, strict=False)
    bad = text.is_not_null() & (mult.is_null() | (mult < 0) | (mult > MAX_UNIT_MULT))
    col_index = table.columns.index("UNIT_MULT")
    for row, value in src.filter(bad).select(ROW, "UNIT_MULT").head(MAX_ROW_FINDINGS).iter_rows():
        report.add(finding("unit-mult-invalid", file=file, row=row, column="UNIT_MULT",
                           col_index=col_index, value=value))
    return mult.fill_null(0).alias("unit_mult")


register(Source("tidy", "GENERIC", "通用表格导入", "generic tidy CSV/XLSX with a mapping file",
                parse_tidy))
register(Source("sdmx-csv", "GENERIC", "SDMX-CSV 导入", "SDMX-CSV 1.0/2.0", parse_sdmx_csv))
