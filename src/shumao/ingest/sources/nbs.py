"""国家统计局分省年度数据 / NBS annual data by province: e-commerce and internet indicators.

Reads the long CSV ``省份, 地区代码, 年份, 数据集, 指标, 数值, 单位`` (example:
``china_provinces/nbs_province_ecommerce_internet_2015_2024.csv``) into dataflow ``NBS_PROV``:

- ``ref_area``: the first 6 digits of the 12-digit NBS 统计用区划代码 (the GB/T 2260 code);
- ``indicator``: a stable code for each 指标 from ``nbs_indicators.csv`` (next to this module:
  ``code, name_zh`` as NBS writes it, ``name_en, unit, unit_mult, unit_zh, dataset_zh``),
  e.g. ``电子商务销售额 (亿元)`` → ``ECOM_SALES`` in CNY × 10^8. The name without its
  bracketed unit is accepted too. An 指标 not in the file is a ``code-unknown`` error at its
  first row; a 单位 cell that differs from the indicator's ``unit_zh`` is ``unit-conflict``;
- ``time_period``: 年份 (annual).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

INDICATORS_FILE = Path(__file__).with_name("nbs_indicators.csv")
COLUMNS = ("地区代码", "年份", "指标", "数值")
CODELIST = "国家统计局分省指标 NBS provincial indicators (nbs_indicators.csv)"
_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    unit: str
    unit_mult: int
    unit_zh: str
    dataset_zh: str


@lru_cache(maxsize=1)
def indicators() -> tuple[Indicator, ...]:
    """The indicator table shipped with this module, in file order."""
    with INDICATORS_FILE.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Indicator(**{**row, "unit_mult": int(row["unit_mult"])})  # type: ignore[arg-type]
            for row in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Indicator]:
    index: dict[str, Indicator] = {}
    for ind in indicators():
        index[ind.name_zh] = ind
        index[_UNIT_SUFFIX.sub("", ind.name_zh)] = ind
    return index


def indicator(name: str) -> Indicator | None:
    """The indicator an NBS 指标 text names (with or without its unit in brackets)."""
    text = " ".join(name.split())
    return _by_name().get(text) or _by_name().get(_UNIT_SUFFIX.sub("", text))


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None or not _has_columns(table, ctx.report, ctx.file):
        return None
    src = table.frame
    found = {n: indicator(n) for n in src["指标"].drop_nulls().unique().to_list()}
    _report_unknown(src, found, ctx.report, ctx.file, table.columns.index("指标"))
    unknown_rows = src["指标"].is_in([n for n, i in found.items() if i is None]).fill_null(False)
    frame = src.with_columns(
        pl.col("指标")
        .replace_strict({n: i.code for n, i in found.items() if i}, default=None)
        .alias("indicator"),
    )
    _check_units(frame, table, ctx.report, ctx.file)
    values, missing = parse_numbers(
        src, "数值", ctx.report, file=ctx.file, col_index=table.columns.index("数值")
    )
    meta = {i.code: i for i in indicators()}
    return frame.select(
        ROW,
        pl.col("地区代码").str.slice(0, 6).alias("ref_area"),
        pl.col("indicator"),
        pl.lit("A").alias("freq"),
        pl.col("年份").alias("time_period"),
        values.alias("value"),
        pl.col("indicator")
        .replace_strict({c: i.unit for c, i in meta.items()}, default=None)
        .alias("unit"),
        pl.col("indicator")
        .replace_strict({c: i.unit_mult for c, i in meta.items()}, default=0, return_dtype=pl.Int16)
        .alias("unit_mult"),
        pl.when(missing).then(pl.lit("M")).otherwise(pl.lit("A")).alias("obs_status"),
    ).filter(~unknown_rows)


def _has_columns(table: Table, report: Report, file: str) -> bool:
    absent = [c for c in COLUMNS if c not in table.columns]
    for column in absent:
        report.add(
            finding("column-missing", file=file, column=column, present="、".join(table.columns))
        )
    return not absent


def _report_unknown(
    src: pl.DataFrame,
    found: dict[str, Indicator | None],
    report: Report,
    file: str,
    col_index: int,
) -> None:
    unknown = [n for n, i in found.items() if i is None]
    if not unknown:
        return
    first = src.filter(pl.col("指标").is_in(unknown)).group_by("指标").agg(pl.col(ROW).min())
    for name, row in first.sort(ROW).iter_rows():
        report.add(
            finding(
                "code-unknown",
                file=file,
                row=row,
                column="指标",
                col_index=col_index,
                value=name,
                codelist=CODELIST,
            )
        )


def _check_units(frame: pl.DataFrame, table: Table, report: Report, file: str) -> None:
    """A 单位 cell must say the unit the indicator table gives (NBS changing 亿元 to 万元)."""
    if "单位" not in table.columns:
        return
    expected = {i.code: i.unit_zh for i in indicators()}
    rows = frame.filter(pl.col("indicator").is_not_null() & pl.col("单位").is_not_null()).filter(
        pl.col("单位") != pl.col("indicator").replace_strict(expected, default=None)
    )
    col_index = table.columns.index("单位")
    for row, cell, code in rows.select(ROW, "单位", "indicator").head(50).iter_rows():
        report.add(
            finding(
                "unit-conflict",
                file=file,
                row=row,
                column="单位",
                col_index=col_index,
                header_unit=cell,
                mapping_unit=expected[code],
            )
        )


register(
    Source(
        "nbs-provinces",
        "NBS_PROV",
        "国家统计局分省电子商务与互联网指标",
        "NBS annual data by province: e-commerce and internet indicators",
        parse,
        example="china_provinces/nbs_province_ecommerce_internet_2015_2024.csv",
    )
)
