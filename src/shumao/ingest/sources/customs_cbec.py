"""海关总署跨境电商进出口 / customs releases of cross-border e-commerce (数字订购贸易).

One file is **one release** (a press conference, the annual survey report, a reprint that cites
them): it becomes one vintage, so a preliminary figure (初步测算, ``OBS_STATUS`` P) and its
revision by the annual statistical survey (统计调查, A) are both kept and every revision shows.
The long CSV or XLSX (``demo/data/customs_cbec/*.csv``) has the columns

    发布日期, 年份, 地区, 伙伴, 监管方式, 流向, 指标, 数值, 单位, 口径, 来源[, 发布机构]

- 年份 (annual), 地区 (全国 or a province: ``ref_area`` CHN or GB/T 2260), 伙伴 (全球 or a
  country, or the published aggregate 共建“一带一路”国家 ``BRI``; default 全球);
- 监管方式 (``product``, ``cbec_modes.csv``): 合计 ``CBEC``, 货物贸易 ``GOODS`` (the goods-trade
  total the share is taken of), 零售（管理平台）``RETAIL_PLATFORM`` (the old basis), 9610, 9710,
  9810, 1210; default 合计;
- 流向 进出口 T, 出口 X, 进口 M; 指标 金额 ``VALUE``, 同比增长 ``GROWTH_YOY``, 占比 ``SHARE`` (a
  partner's share of the flow), 占货物贸易比重 ``SHARE_GOODS``;
- 数值 as published in 单位 (万亿元, 亿元, %: stored with its multiplier, never rescaled); a
  bound as published (超过50, >50, 不足5) is stored as its number with ``attrs.bound``
  ``lower`` / ``upper``;
- 口径 初步测算 → P, 统计调查 / 公布 → A; 发布日期 (YYYY, YYYY-MM or YYYY-MM-DD, one per file),
  来源 (the address of the release) and the optional 发布机构 (who published the figure: a
  province's commerce department, a news agency quoting it) go to ``attrs``.

An unknown name is a ``code-unknown`` error at its first row; a money indicator in % (or a rate
in 亿元) is ``unit-conflict``; two release dates in one file are ``release-mixed``. A figure
whose 发布机构 is not customs is ``cbec-not-customs``: a province's own release goes to its own
dataflow (``province_cbec``, ``PROVINCE_CBEC``), so that customs' revision policy counts
customs' releases only (docs/methods.md §9.3).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.common import require_columns
from shumao.ingest.readers import ROW, Table, read_table
from shumao.ingest.registry import ImportContext, Source, register
from shumao.reference import cbec_modes, countries, geo, units
from shumao.validation.findings import Report, finding
from shumao.validation.findings import register as register_codes
from shumao.validation.numbers import parse_numbers

DATAFLOW = "CUSTOMS_CBEC"
REQUIRED = ("年份", "地区", "流向", "指标", "数值", "单位")
DEFAULTS = {
    "伙伴": "全球",
    "监管方式": "合计",
    "口径": "公布",
    "发布日期": "",
    "来源": "",
    "发布机构": "",
}
NATION = "CHN"
FLOWS = {"进出口": "T", "出口": "X", "进口": "M"}
INDICATORS = {
    "金额": "VALUE",
    "进出口额": "VALUE",
    "同比增长": "GROWTH_YOY",
    "同比": "GROWTH_YOY",
    "增速": "GROWTH_YOY",
    "占比": "SHARE",
    "比重": "SHARE",
    "占货物贸易比重": "SHARE_GOODS",
    "占外贸比重": "SHARE_GOODS",
}
BASES = {"初步测算": "P", "初步统计": "P", "预计": "P", "统计调查": "A", "公布": "A", "正式": "A"}
RATE_INDICATORS = {"GROWTH_YOY", "SHARE", "SHARE_GOODS"}
_LOWER = re.compile(r"^\s*(超过|高于|逾|大于|>|＞|≥)\s*|\s*(以上|多)\s*$")
_UPPER = re.compile(r"^\s*(不足|低于|小于|<|＜|≤)\s*|\s*以下\s*$")
_RELEASE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

register_codes(
    {
        "release-mixed": {
            "severity": "error",
            "zh": "一个文件只能是一次发布（一个数据版本），但“发布日期”列有多个日期：{value}",
            "en": "a file is one release (one vintage), but the 发布日期 column has several dates: {value}",
            "fix_zh": "按发布日期把文件拆开，每次发布一个文件，按发布先后依次导入。",
            "fix_en": "Split the file by release date, one file per release, and import them in order.",
        },
        "unit-indicator-mismatch": {
            "severity": "error",
            "zh": "指标“{indicator}”的单位应为{expected}，文件写的是“{value}”",
            "en": "indicator {indicator} takes {expected}, the file says {value!r}",
            "fix_zh": "金额写万亿元、亿元等货币单位，同比增长和占比写 %。",
            "fix_en": "Amounts take a money unit (万亿元, 亿元), growth rates and shares take %.",
        },
        "cbec-not-customs": {
            "severity": "error",
            "zh": "第 {row} 行的数字由“{value}”发布，不是海关总署的统计",
            "en": "row {row}: the figure was published by {value!r}, not by customs",
            "fix_zh": "各省自行公布的数请用来源 province-cbec 导入（数据流 PROVINCE_CBEC）；"
            "海关总署的数不写发布机构或写“海关总署”。",
            "fix_en": "Import a province's own release with source province-cbec (dataflow "
            "PROVINCE_CBEC); customs' figures leave 发布机构 blank or say 海关总署.",
        },
        "release-date-invalid": {
            "severity": "error",
            "zh": "发布日期“{value}”不是 YYYY、YYYY-MM 或 YYYY-MM-DD",
            "en": "release date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD",
            "fix_zh": "请写成 2023-01-13 这样的日期（只知道年份时写 2023）。",
            "fix_en": "Write a date such as 2023-01-13 (only the year when that is all that is known).",
        },
    }
)


CUSTOMS = frozenset({"", "海关总署", "中华人民共和国海关总署", "General Administration of Customs"})

Check = Callable[[pl.DataFrame, Table, Report, str], pl.Series]
"""A source's own rule on the rows (the source frame, the table, the report, the file): the
rows it accepts; it reports the others."""


def customs_only(src: pl.DataFrame, table: Table, report: Report, file: str) -> pl.Series:
    """Customs' releases only: a row published by anybody else is ``cbec-not-customs``."""
    ok = src["发布机构"].str.strip_chars().is_in(list(CUSTOMS))
    refuse_rows(src, ~ok, "发布机构", "cbec-not-customs", table, report, file)
    return ok


def refuse_rows(
    src: pl.DataFrame,
    bad: pl.Series,
    header: str,
    code: str,
    table: Table,
    report: Report,
    file: str,
) -> None:
    """Report the first of the ``bad`` rows as ``code`` at its row and column ``header``."""
    for row, value in src.filter(bad).select(ROW, header).head(1).iter_rows():
        report.add(
            finding(
                code,
                file=file,
                row=row,
                column=header,
                col_index=column_index(table, header),
                value=value,
            )
        )


def parse(ctx: ImportContext) -> pl.DataFrame | None:
    return parse_release(ctx, customs_only)


def parse_release(ctx: ImportContext, check: Check) -> pl.DataFrame | None:
    """One release file as observations, the rows ``check`` refuses left out (and reported)."""
    table = read_table(ctx.path, ctx.report, file=ctx.file)
    if table is None or not require_columns(table, REQUIRED, ctx.report, ctx.file):
        return None
    src = table.frame.with_columns(
        pl.col(c).fill_null(v) if c in table.frame.columns else pl.lit(v).alias(c)
        for c, v in DEFAULTS.items()
    )
    release = _release(src, table, ctx.report, ctx.file)
    accepted = check(src, table, ctx.report, ctx.file)
    coded, unknown = _codes(src, table, ctx.report, ctx.file)
    text, bound = _bounds(src["数值"])
    values, missing = parse_numbers(
        src.with_columns(text.alias("数值")),
        "数值",
        ctx.report,
        file=ctx.file,
        col_index=column_index(table, "数值"),
    )
    unit, mult, units_ok = _units(coded, table, ctx.report, ctx.file)
    ctx.options["columns"] = {
        d: (h, column_index(table, h)) for d, h in _HEADERS.items() if h in table.columns
    }
    attrs = [
        json.dumps(
            {
                k: v
                for k, v in {
                    "release": release,
                    "url": url,
                    "basis": basis,
                    "bound": b,
                    "publisher": by,
                }.items()
                if v
            },
            ensure_ascii=False,
        )
        for url, basis, b, by in zip(src["来源"], src["口径"], bound, src["发布机构"], strict=True)
    ]
    return (
        coded.with_columns(
            values.alias("value"),
            unit,
            mult,
            pl.when(missing).then(pl.lit("M")).otherwise(pl.col("obs_status")).alias("obs_status"),
            pl.Series("attrs", attrs, pl.String),
        )
        .filter(~unknown & units_ok & accepted)
        .drop("单位")
    )


_HEADERS = {
    "ref_area": "地区",
    "counterpart_area": "伙伴",
    "product": "监管方式",
    "flow": "流向",
    "indicator": "指标",
    "time_period": "年份",
    "value": "数值",
}


def column_index(table: Table, header: str) -> int | None:
    return table.columns.index(header) if header in table.columns else None


def _release(src: pl.DataFrame, table: Table, report: Report, file: str) -> str:
    dates = [d for d in src["发布日期"].unique(maintain_order=True).to_list() if d]
    col = column_index(table, "发布日期")
    for d in dates:
        if not _RELEASE.match(d):
            row = src.filter(pl.col("发布日期") == d)[ROW][0]
            report.add(
                finding(
                    "release-date-invalid",
                    file=file,
                    row=row,
                    column="发布日期",
                    col_index=col,
                    value=d,
                )
            )
    if len(dates) > 1:
        report.add(
            finding(
                "release-mixed", file=file, column="发布日期", col_index=col, value="、".join(dates)
            )
        )
    return dates[0] if dates else ""


def area_code(name: str) -> str:
    if name.strip() in ("全国", "中国", "CHN"):
        return NATION
    return (
        geo.lookup(name).code
        if not name.isascii() or name.isdigit()
        else countries.lookup(name).iso3
    )


def _partner(name: str) -> str:
    if name.strip() in ("全球", "世界", "合计"):
        return countries.lookup("W00").iso3
    return countries.lookup(name).iso3


def _from(table: dict[str, str], codelist: str) -> Callable[[str], str]:
    def look(value: str) -> str:
        try:
            return table[value.strip()]
        except KeyError:
            raise UnknownCode(codelist, value) from None

    return look


COLUMNS: tuple[tuple[str, str, Callable[[str], str], str], ...] = (
    ("地区", "ref_area", area_code, "全国或省级行政区 China or a province (GB/T 2260)"),
    ("伙伴", "counterpart_area", _partner, countries.CODELIST),
    ("监管方式", "product", lambda v: cbec_modes.lookup(v).code, cbec_modes.CODELIST),
    ("流向", "flow", _from(FLOWS, "流向 进出口/出口/进口"), "流向 进出口/出口/进口"),
    ("指标", "indicator", _from(INDICATORS, "指标"), "指标 " + "/".join(INDICATORS)),
    ("口径", "obs_status", _from(BASES, "口径"), "口径 " + "/".join(BASES)),
)


def _codes(
    src: pl.DataFrame, table: Table, report: Report, file: str
) -> tuple[pl.DataFrame, pl.Series]:
    """The coded frame and the rows holding a name no code list knows (reported at first row)."""
    out = src.select(
        ROW, pl.col("年份").alias("time_period"), pl.lit("A").alias("freq"), pl.col("单位")
    )
    unknown = pl.repeat(False, src.height, dtype=pl.Boolean, eager=True)
    for header, dim, resolve, codelist in COLUMNS:
        codes: dict[str, str | None] = {}
        for name in src[header].unique(maintain_order=True).to_list():
            try:
                codes[name] = resolve(name)
            except UnknownCode:
                codes[name] = None
                row = src.filter(pl.col(header) == name)[ROW][0]
                report.add(
                    finding(
                        "code-unknown",
                        file=file,
                        row=row,
                        column=header,
                        col_index=column_index(table, header),
                        value=name,
                        codelist=codelist,
                    )
                )
        mapped = src[header].replace_strict(codes, default=None, return_dtype=pl.String)
        unknown = unknown | mapped.is_null()
        out = out.with_columns(mapped.alias(dim))
    return out, unknown


def _bounds(text: pl.Series) -> tuple[pl.Series, list[str]]:
    """ "超过50" → ("50", "lower"); "不足5" → ("5", "upper"); other cells as written."""
    cells, bounds = [], []
    for cell in text.to_list():
        cell = cell or ""
        kind = "lower" if _LOWER.search(cell) else "upper" if _UPPER.search(cell) else ""
        cells.append(_UPPER.sub("", _LOWER.sub("", cell)) if kind else cell)
        bounds.append(kind)
    return pl.Series("数值", cells, pl.String), bounds


def _units(
    coded: pl.DataFrame, table: Table, report: Report, file: str
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Unit code and multiplier per row; a rate in money (or money in %) is ``unit-conflict``."""
    parsed: dict[str, units.Unit | None] = {}
    for text in coded["单位"].unique().to_list():
        try:
            parsed[text] = units.parse(text)
        except UnknownCode:
            parsed[text] = None
    ok = []
    codes, mults = [], []
    col = column_index(table, "单位")
    for row, text, indicator in coded.select(ROW, "单位", "indicator").iter_rows():
        unit = parsed.get(text)
        rate = indicator in RATE_INDICATORS
        good = unit is not None and (unit.code == "PCT") == rate
        if not good and indicator is not None:
            report.add(
                finding(
                    "unit-indicator-mismatch",
                    file=file,
                    row=row,
                    column="单位",
                    col_index=col,
                    value=text,
                    indicator=indicator,
                    expected="%" if rate else "亿元/万亿元",
                )
            )
        ok.append(good or indicator is None)
        codes.append(unit.code if unit else None)
        mults.append(unit.mult if unit else 0)
    return (
        pl.Series("unit", codes, pl.String),
        pl.Series("unit_mult", mults, pl.Int16),
        pl.Series(ok, dtype=pl.Boolean),
    )


def release_files(folder: Path) -> list[Path]:
    """The release files of a folder in release order (their names start with the date)."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))


register(
    Source(
        "customs-cbec",
        DATAFLOW,
        "海关总署跨境电商进出口（按发布）",
        "Customs releases of cross-border e-commerce trade (one file per release)",
        parse,
        example="demo/data/customs_cbec/2023-04-11_cbec_2022_preliminary.csv",
    )
)
