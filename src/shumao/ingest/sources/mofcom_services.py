"""MOFCOM's services-trade releases (服务进出口月度数据) → dataflow ``MOFCOM_SERVICES``.

A file has one figure per row, as transcribed from a release (``demo/data/mofcom_services``)::

    period,span,measure,flow,value,unit,yoy_growth_pct,published_note,source_url
    2023-01/2023-07,cumulative,服务进出口,total,36669.1,亿元,8.1,,http://…

- ``span`` ``cumulative`` (year to date: ``YYYY-01/YYYY-MM``), ``month`` (``YYYY-MM``) or
  ``year`` (``YYYY``). A cumulative span must start in January of its own year.
- ``measure`` → ``product``: ``S`` 服务进出口, ``KIS`` 知识密集型服务, ``DD`` 可数字化交付的服务,
  ``SD`` 旅行 (``mofcom_services_measures.csv`` next to this module, with aliases).
- ``flow`` ``total/export/import/balance`` (or T/X/M/B) → ``T X M B`` as published.
- ``indicator``: ``CUM`` (year-to-date value, period = its last month), ``VALUE`` (a month or a
  year), with the published year-on-year growth beside it as ``CUM_GROWTH`` / ``GROWTH_YOY``
  (``PCT``); a value in ``%`` is a published share (``CUM_SHARE`` / ``SHARE``).
- ``unit``: 亿元, 亿美元 or %, per row (releases mix them); note and address go to ``attrs``.

Nothing is derived here: monthly values from cumulative ones and growth computed from revised
prior-year figures are ``shumao.compute.releases``.
"""

from __future__ import annotations

import csv
import json
import re
from functools import lru_cache
from pathlib import Path

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.common import check_dataflow, require_columns
from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.reference import units
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

DATAFLOW = "MOFCOM_SERVICES"
COLUMNS = ("period", "span", "measure", "flow", "value", "unit")
MEASURES_FILE = Path(__file__).with_name("mofcom_services_measures.csv")
CODELIST = "商务部服务贸易发布口径 MOFCOM release measures (mofcom_services_measures.csv)"
FLOWS = {
    "total": "T",
    "export": "X",
    "import": "M",
    "balance": "B",
    "t": "T",
    "x": "X",
    "m": "M",
    "b": "B",
    "进出口": "T",
    "出口": "X",
    "进口": "M",
    "逆差": "B",
    "顺差": "B",
    "差额": "B",
}
SPANS = {"cumulative": "CUM", "month": "VALUE", "year": "VALUE"}
_CUM = re.compile(r"^(?P<y1>\d{4})-(?P<m1>\d{2})/(?P<y2>\d{4})-(?P<m2>\d{2})$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")


@lru_cache(maxsize=1)
def measures() -> dict[str, str]:
    """Measure name or alias → product code."""
    lines = [
        ln
        for ln in MEASURES_FILE.read_text(encoding="utf-8").splitlines()
        if not ln.startswith("#")
    ]
    out: dict[str, str] = {}
    for row in csv.DictReader(lines):
        for name in [row["code"], row["name_zh"], *row["aliases"].split("|")]:
            if name:
                out[name.strip()] = row["code"]
    return out


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    if check_dataflow(ctx, (DATAFLOW,), "mofcom-services") is None:
        return None
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None or not require_columns(table, COLUMNS, ctx.report, ctx.file):
        return None
    src = table.frame.with_columns(pl.col("span").str.strip_chars().str.to_lowercase())
    keep = _valid_rows(src, table, ctx.report, ctx.file)
    src = src.filter(pl.col(ROW).is_in(keep))
    values, missing = parse_numbers(
        src, "value", ctx.report, file=ctx.file, col_index=table.columns.index("value")
    )
    parts = [_values(src, values, missing, ctx.report, ctx.file)]
    growth = (
        _growth(src, table, ctx.report, ctx.file) if "yoy_growth_pct" in table.columns else None
    )
    if growth is not None:
        parts.append(growth)
    return pl.concat(parts).sort(ROW, maintain_order=True)


def _valid_rows(src: pl.DataFrame, table: Table, report: Report, file: str) -> list[int]:
    """Rows whose span, period, measure and flow are understood; the others are findings."""
    known = measures()
    keep: list[int] = []
    for row in src.select(ROW, "period", "span", "measure", "flow").iter_rows(named=True):
        problem = _problem(row, known)
        if problem is None:
            keep.append(row[ROW])
            continue
        code, column, extra = problem
        report.add(
            finding(
                code,
                file=file,
                row=row[ROW],
                column=column,
                col_index=table.columns.index(column),
                value=row[column] or "",
                codelist=extra.get("codelist", ""),
            )
        )
    return keep


def _problem(
    row: dict[str, str | None], known: dict[str, str]
) -> tuple[str, str, dict[str, str]] | None:
    span, period = row["span"] or "", (row["period"] or "").strip()
    if span not in SPANS:
        return "code-unknown", "span", {"codelist": "cumulative / month / year"}
    if span == "cumulative" and not _cumulative_ok(period):
        return "period-span-invalid", "period", {}
    if (span == "month" and not _MONTH.match(period)) or (
        span == "year" and not _YEAR.match(period)
    ):
        return "period-invalid", "period", {}
    if (row["measure"] or "").strip() not in known:
        return "code-unknown", "measure", {"codelist": CODELIST}
    if (row["flow"] or "").strip().lower() not in FLOWS:
        return "code-unknown", "flow", {"codelist": "total / export / import / balance"}
    return None


def _cumulative_ok(period: str) -> bool:
    m = _CUM.match(period)
    return m is not None and m["y1"] == m["y2"] and m["m1"] == "01" and "01" <= m["m2"] <= "12"


def _keys(src: pl.DataFrame) -> list[pl.Expr]:
    period = pl.col("period").str.strip_chars()
    return [
        pl.lit("CHN").alias("ref_area"),
        pl.col("measure").str.strip_chars().replace_strict(measures()).alias("product"),
        pl.col("flow").str.strip_chars().str.to_lowercase().replace_strict(FLOWS).alias("flow"),
        pl.when(pl.col("span") == "year").then(pl.lit("A")).otherwise(pl.lit("M")).alias("freq"),
        pl.when(pl.col("span") == "cumulative")
        .then(period.str.slice(8, 7))
        .otherwise(period)
        .alias("time_period"),
    ]


def _attrs(src: pl.DataFrame) -> pl.Expr:
    cols = [c for c in ("published_note", "source_url") if c in src.columns]
    if not cols:
        return pl.lit(None, pl.String).alias("attrs")
    names = {"published_note": "note", "source_url": "source"}
    texts = [
        json.dumps({names[c]: v for c, v in zip(cols, vals, strict=True) if v}, ensure_ascii=False)
        if any(vals)
        else None
        for vals in src.select(cols).iter_rows()
    ]
    return pl.lit(pl.Series("attrs", texts, pl.String)).alias("attrs")


def _units(
    src: pl.DataFrame, report: Report, file: str, column: str = "unit"
) -> dict[str, units.Unit]:
    found: dict[str, units.Unit] = {}
    for text in src[column].drop_nulls().unique().to_list():
        try:
            found[text] = units.parse(text.strip())
        except UnknownCode:
            row = src.filter(pl.col(column) == text)[ROW][0]
            report.add(finding("unit-unknown", file=file, row=row, column=column, value=text))
    return found


def _values(
    src: pl.DataFrame, values: pl.Series, missing: pl.Series, report: Report, file: str
) -> pl.DataFrame:
    parsed = _units(src, report, file)
    code = pl.col("unit").replace_strict({t: u.code for t, u in parsed.items()}, default=None)
    share = code == "PCT"
    base = pl.col("span").replace_strict(SPANS)
    indicator = (
        pl.when(share & (base == "CUM"))
        .then(pl.lit("CUM_SHARE"))
        .when(share)
        .then(pl.lit("SHARE"))
        .otherwise(base)
    )
    return src.select(
        ROW,
        *_keys(src),
        indicator.alias("indicator"),
        values.alias("value"),
        code.alias("unit"),
        pl.col("unit")
        .replace_strict({t: u.mult for t, u in parsed.items()}, default=0, return_dtype=pl.Int16)
        .alias("unit_mult"),
        pl.when(missing).then(pl.lit("M")).otherwise(pl.lit("A")).alias("obs_status"),
        _attrs(src),
    )


def _growth(src: pl.DataFrame, table: Table, report: Report, file: str) -> pl.DataFrame | None:
    given = src.filter(pl.col("yoy_growth_pct").str.strip_chars().str.len_chars() > 0)
    if given.is_empty():
        return None
    values, _ = parse_numbers(
        given, "yoy_growth_pct", report, file=file, col_index=table.columns.index("yoy_growth_pct")
    )
    indicator = (
        pl.when(pl.col("span") == "cumulative")
        .then(pl.lit("CUM_GROWTH"))
        .otherwise(pl.lit("GROWTH_YOY"))
    )
    return given.select(
        ROW,
        *_keys(given),
        indicator.alias("indicator"),
        values.alias("value"),
        pl.lit("PCT").alias("unit"),
        pl.lit(0, pl.Int16).alias("unit_mult"),
        pl.lit("A").alias("obs_status"),
        _attrs(given),
    )


register(
    Source(
        "mofcom-services",
        DATAFLOW,
        "商务部服务进出口月度数据（累计、当月、全年，含公布增速）",
        "MOFCOM trade-in-services releases (year to date, month, year, with published growth)",
        parse,
        example="mofcom_services/services_trade_releases_sample.csv",
        official_table=True,
    )
)
