"""《中国数字贸易发展报告2022》公布表格 / the published tables of MOFCOM's 2022 report.

Which table a file holds is read from its header (see ``report2022/README.md`` for the files):

- header has 国家 → 表1 global economies; areas ISO 3166 alpha-3; period 2022;
- 省市 (or 省份) → 表2 provinces of the 12 bases; GB/T 2260 province codes; 2022;
- 地区 + 全国占比 → regions (综述篇 三); EAST/CENTRAL/WEST/NORTHEAST; 2022;
- 基地 + 年份 → 表3 bases' trade 2020–2022; park codes (DSEB..); period from 年份;
- 基地 + 2022年 … → 表4 bases' digital-industry output; park codes; period from the header.

Values are stored **as published**: no prior-year value is derived from a growth rate.

- Trade tables go to dataflow ``MOFCOM_REPORT``: product ``DD`` (可数字化交付的服务),
  counterpart the world aggregate, ``indicator`` ``VALUE`` (亿美元: USD × 10^8),
  ``GROWTH_YOY`` (the published 增速/同比 column after a value column, or named after its flow;
  ``PCT``) or ``SHARE`` (全国占比, of 进出口; ``PCT``). Flows: 进出口 ``T``, 出口 ``X``,
  进口 ``M``, 顺差 ``B``.
- 表4 (数字产业产值, 亿元: CNY × 10^8) is not trade: it has no flow, partner or EBOPS product,
  so it goes to dataflow ``MOFCOM_BASE_OUTPUT`` (reference area, ``indicator`` ``OUTPUT``,
  frequency) instead of being given invented trade codes.

A name that is not in its code list is a ``code-unknown`` error at its first row. A unit
written in a header (``出口额（亿美元）``) overrides the table's published unit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.reference import countries, geo, parks, units
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

REPORT_YEAR = "2022"
TRADE_FLOW = "MOFCOM_REPORT"
OUTPUT_FLOW = "MOFCOM_BASE_OUTPUT"
PRODUCT = "DD"
FLOW_WORDS = (("进出口", "T"), ("出口", "X"), ("进口", "M"), ("顺差", "B"))
GROWTH_WORDS = ("增速", "同比", "增长率", "同比增长", "同比增速")
SHARE_WORDS = ("占比", "比重")
YEAR_HEADER = re.compile(r"^(?P<year>\d{4})年?$")
_BRACKET_UNIT = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


@dataclass(frozen=True)
class Layout:
    """One published table: how to find it, its key column and its period."""

    name: str
    key: str
    kind: str
    unit: str
    period_column: str | None = None
    output: bool = False


LAYOUTS = (
    Layout("表1", "国家", "country", "亿美元"),
    Layout("表2", "省市", "province", "亿美元"),
    Layout("表2", "省份", "province", "亿美元"),
    Layout("地区", "地区", "region", "亿美元"),
    Layout("表3", "基地", "park", "亿美元", period_column="年份"),
    Layout("表4", "基地", "park", "亿元", output=True),
)


@dataclass(frozen=True)
class Measure:
    column: str
    """Column name in ``Table.frame`` (duplicate headers keep their internal suffix)."""
    header: str
    indicator: str
    flow: str
    unit: units.Unit
    period: str | None = None


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    table = _read(ctx)
    if table is None:
        return None
    layout = detect(table.columns)
    if layout is None:
        ctx.report.add(
            finding(
                "file-format",
                file=ctx.file,
                detail="表头不是报告的表1—表4或地区表 / the header is not one of the report's "
                f"tables 1–4 or the regions table ({'、'.join(table.columns)})",
            )
        )
        return None
    if layout.output:
        ctx.options["dataflow"] = OUTPUT_FLOW
    frame = _areas(table, layout, ctx.report, ctx.file)
    measures = _measures(table, layout)
    parts = [_observations(frame, table, layout, m, ctx.report, ctx.file) for m in measures]
    return pl.concat(parts).sort(ROW, maintain_order=True)


def _read(ctx: ImportContext) -> Table | None:
    """Read the file; repeated headers (表2 has three 增速) are expected and read by position."""
    scratch = Report(source=ctx.report.source)
    table = read_table(ctx.path, scratch, file=ctx.file)
    ctx.report.extend([f for f in scratch.findings if f.code != "column-duplicate"])
    return table


def _data_columns(frame: pl.DataFrame) -> list[str]:
    """Frame columns that hold file cells, in file order (as ``Table.columns``)."""
    return [c for c in frame.columns if c not in (ROW, "ref_area")]


def _column(table: Table, name: str) -> tuple[str, int]:
    """The frame column and 0-based position of the header called ``name`` (unit stripped)."""
    position = [_name(h) for h in table.columns].index(name)
    return _data_columns(table.frame)[position], position


def _name(header: str) -> str:
    return _BRACKET_UNIT.sub("", header).strip()


def detect(headers: list[str]) -> Layout | None:
    """The published table a header row belongs to, or None."""
    names = [_name(h) for h in headers]
    for layout in LAYOUTS:
        if layout.key not in names:
            continue
        if layout.kind == "region" and not any(w in n for n in names for w in SHARE_WORDS):
            continue
        if layout.period_column and layout.period_column not in names:
            continue
        if layout.output and not any(YEAR_HEADER.match(n) for n in names):
            continue
        return layout
    return None


def _flow(name: str) -> str | None:
    return next((code for word, code in FLOW_WORDS if name.startswith(word)), None)


def _measures(table: Table, layout: Layout) -> list[Measure]:
    """The value, growth and share columns of ``table``, left to right."""
    out: list[Measure] = []
    columns = _data_columns(table.frame)
    default = units.parse(layout.unit)
    pct = units.parse("%")
    last_flow: str | None = None
    for column, header in zip(columns, table.columns, strict=True):
        name = _name(header)
        flow = _flow(name)
        year = YEAR_HEADER.match(name)
        unit = units.find_in_header(header) or default
        if layout.output and year:
            out.append(Measure(column, header, "OUTPUT", "_Z", unit, year["year"]))
        elif any(name.endswith(w) for w in GROWTH_WORDS) and (flow or last_flow):
            out.append(Measure(column, header, "GROWTH_YOY", flow or last_flow or "", pct))
        elif any(w in name for w in SHARE_WORDS):
            out.append(Measure(column, header, "SHARE", "T", pct))
        elif flow and not layout.output:
            out.append(Measure(column, header, "VALUE", flow, unit))
            last_flow = flow
    return out


def world() -> str:
    """The world aggregate's code in the country code list (WTO writes it W00)."""
    return countries.lookup("W00").iso3


def _resolver(kind: str) -> Callable[[str], str]:
    provinces = {}
    for area in geo.provinces():
        provinces[area.name_zh] = provinces[area.short_zh] = area.code

    def province(name: str) -> str:
        try:
            return provinces[name.strip()]
        except KeyError:
            raise UnknownCode(geo.CODELIST, name) from None

    table: dict[str, Callable[[str], str]] = {
        "country": lambda v: countries.lookup(v).iso3,
        "province": province,
        "region": lambda v: geo.lookup_region(v).code,
        "park": lambda v: parks.lookup(v).code,
    }
    return table[kind]


CODELISTS = {
    "country": countries.CODELIST,
    "province": f"{geo.CODELIST} 省级 provinces",
    "region": "国家统计局四大地区 NBS regions",
    "park": "国家数字服务出口基地 export bases",
}


def _areas(table: Table, layout: Layout, report: Report, file: str) -> pl.DataFrame:
    """Table rows with ``ref_area`` resolved; rows whose name is unknown are reported, dropped."""
    src = table.frame
    key, col_index = _column(table, layout.key)
    resolve = _resolver(layout.kind)
    codes: dict[str, str] = {}
    unknown: list[str] = []
    for name in src[key].drop_nulls().unique(maintain_order=True).to_list():
        try:
            codes[name] = resolve(name)
        except UnknownCode:
            unknown.append(name)
    for row, name in src.filter(pl.col(key).is_in(unknown)).select(ROW, key).iter_rows():
        report.add(
            finding(
                "code-unknown",
                file=file,
                row=row,
                column=table.columns[col_index],
                col_index=col_index,
                value=name,
                codelist=CODELISTS[layout.kind],
            )
        )
    frame = src.filter(~pl.col(key).is_in(unknown).fill_null(False))
    return frame.with_columns(pl.col(key).replace_strict(codes, default=None).alias("ref_area"))


def _observations(
    frame: pl.DataFrame, table: Table, layout: Layout, m: Measure, report: Report, file: str
) -> pl.DataFrame:
    col_index = _data_columns(table.frame).index(m.column)
    values, missing = parse_numbers(
        frame, m.column, report, file=file, col_index=col_index, label=m.header
    )
    if m.period:
        period = pl.lit(m.period)
    elif layout.period_column:
        period = pl.col(_column(table, layout.period_column)[0])
    else:
        period = pl.lit(REPORT_YEAR)
    trade = (
        {}
        if layout.output
        else {
            "counterpart_area": pl.lit(world()),
            "product": pl.lit(PRODUCT),
            "flow": pl.lit(m.flow),
        }
    )
    return frame.select(
        ROW,
        "ref_area",
        *(e.alias(k) for k, e in trade.items()),
        pl.lit(m.indicator).alias("indicator"),
        pl.lit("A").alias("freq"),
        period.alias("time_period"),
        values.alias("value"),
        pl.lit(m.unit.code).alias("unit"),
        pl.lit(m.unit.mult, pl.Int16).alias("unit_mult"),
        pl.when(missing).then(pl.lit("M")).otherwise(pl.lit("A")).alias("obs_status"),
        pl.lit(json.dumps({"table": layout.name, "column": m.header}, ensure_ascii=False)).alias(
            "attrs"
        ),
    )


register(
    Source(
        "report2022",
        TRADE_FLOW,
        "《中国数字贸易发展报告2022》公布表格",
        "China Digital Trade Development Report 2022: published tables 1–4 and regions",
        parse,
        example="report2022/table2_provinces_2022.csv",
        official_table=True,
    )
)
