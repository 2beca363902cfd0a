"""数据来源 / the data sources a report template can name, each a function of the store.

A source reads the store through a ``Reader`` (one ``as_of`` for the whole build) and returns
``Rows`` whose fields say what they measure. The template's ``data:`` section names a source and
its parameters; adding a chapter on new data (e.g. 数字订购贸易) is a template edit plus one
source registered with ``@source`` (``source_registry``), here or in a module of its own that
``report.checks`` imports.

    mofcom_economies   表1: economies' published trade and growth; share of world exports
    mofcom_china       China's total, exports, imports, growth, balance and its change
    mofcom_provinces   表2: the provinces of the bases, 12省市合计 and 全国; shares, ranks
    mofcom_regions     the four regions; shares of the nation
    mofcom_bases       表3: the bases' trade over three years; growth over the span
    mofcom_base_output 表4: the bases' digital-industry output over three years
    series             any dataflow's annual series of one area (charts, CAGR)
    customs_cbec, customs_cbec_partners, digital_trade   数字订购贸易 (``sources_cbec``)
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from shumao.reference import geo
from shumao.report import figures as fx
from shumao.report.data import Field, Reader, Row, Rows, area_name
from shumao.report.figures import Figure
from shumao.report.source_registry import source

MOFCOM = "MOFCOM_REPORT"
OUTPUT = "MOFCOM_BASE_OUTPUT"
NATION = "CHN"
TOTAL12 = "TOTAL12"
YI = "亿美元"
SOURCE_MOFCOM = ("商务部", "MOFCOM")
SOURCE_BASES = ("基地所在地商务主管部门", "local commerce departments of the bases")
SOURCE_WTO = ("WTO数据库", "WTO database")


def trade_fields(*flows: str, growth: bool = True) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in flows:
        out[f] = Field(f, f, "level", YI)
        if growth:
            out[f"g{f}"] = Field(f"g{f}", f, "growth", "%")
    return out


# --------------------------------------------------------------------------- MOFCOM tables


def _published(
    reader: Reader, year: int, first: int | None = None
) -> dict[tuple[str, ...], Figure]:
    frame = reader.frame(MOFCOM, start=str(first or year), end=str(year), unit=YI)
    return reader.figures(frame, MOFCOM, YI)


def _trade_row(
    reader: Reader,
    figs: dict[tuple[str, ...], Figure],
    code: str,
    year: str,
    flows: tuple[str, ...] = ("T", "X", "M"),
) -> Row:
    row = Row(code, area_name(code, reader.lang), year)
    for f in flows:
        level = figs.get((code, f, "VALUE", year))
        if level is not None:
            row.figures[f] = level
        rate = figs.get((code, f, "GROWTH_YOY", year))
        if rate is not None:
            row.figures[f"g{f}"] = Figure(rate.value, "%", rate.lineage, 2, rate.label)
    return row


def _codes(figs: dict[tuple[str, ...], Figure], test: Callable[[str], bool]) -> list[str]:
    return list(dict.fromkeys(k[0] for k in figs if test(k[0])))


def _world_exports(reader: Reader, year: int) -> Figure | None:
    frame = reader.frame(
        "UNCTAD_DDS",
        where={"ref_area": ["WLD"], "flow": ["X"], "product": ["DD"]},
        start=str(year),
        end=str(year),
        unit=YI,
    )
    found = reader.figures(frame, "UNCTAD_DDS", YI)
    return next(iter(found.values()), None)


@source(
    "mofcom_economies", "表1 全球主要经济体（商务部报告公布数）；出口占全球比重以 UNCTAD 全球值计算"
)
def economies(reader: Reader, year: int) -> Rows:
    figs = _published(reader, year)
    world = _world_exports(reader, year)
    rows = [
        _trade_row(reader, figs, c, str(year))
        for c in _codes(figs, lambda c: len(c) == 3 and c.isalpha() and c.isupper())
    ]
    rows.sort(key=lambda r: -(r.T.value or 0.0) if "T" in r.figures else 0.0)
    for i, row in enumerate(rows, start=1):
        if world is not None and "X" in row.figures:
            row.figures["swX"] = fx.share(row.X, world, "SHARE_WORLD")
        row.figures["rank"] = fx.computed(
            "RANK", float(i), "位", [row.T], digits=0, label=row.T.label
        )
    fields = {
        **trade_fields("T", "X", "M"),
        "swX": Field("swX", "X", "share_world", "%", 1),
        "rank": Field("rank", "T", "rank", "位", 0),
    }
    return Rows("mofcom_economies", rows, fields, *SOURCE_WTO)


@source(
    "mofcom_china", "中国：进出口、出口、进口及增速，顺差及其比上年变化（由公布增速推算上年值）"
)
def china(reader: Reader, year: int) -> Rows:
    figs = _published(reader, year)
    row = _trade_row(reader, figs, NATION, str(year))
    fields = trade_fields("T", "X", "M")
    if {"X", "M"} <= row.figures.keys():
        row.figures["B"] = fx.difference(row.X, row.M, label=reader.label(NATION, "B", str(year)))
        if {"gX", "gM"} <= row.figures.keys():
            prior = [
                fx.prior_from_growth(
                    row.figures[f], row.figures[f"g{f}"], reader.label(NATION, f, str(year - 1))
                )
                for f in ("X", "M")
            ]
            before = fx.difference(
                prior[0], prior[1], label=reader.label(NATION, "B", str(year - 1))
            )
            row.figures["dB"] = fx.difference(row.B, before, "CHANGE")
        fields |= {"B": Field("B", "B", "level", YI), "dB": Field("dB", "B", "change", YI)}
    return Rows("mofcom_china", [row], fields, *SOURCE_WTO)


def _is_province(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


@source("mofcom_provinces", "表2 基地所在省市（公布数），12省市合计、全国，占全国比重与位次")
def provinces(reader: Reader, year: int) -> Rows:
    figs = _published(reader, year)
    y = str(year)
    rows = [_trade_row(reader, figs, c, y) for c in _codes(figs, _is_province)]
    rows.sort(key=lambda r: r.code)
    nation = _trade_row(reader, figs, NATION, y)
    nation.name = "全国" if reader.lang != "en" else "China"
    total = Row(
        TOTAL12, f"{len(rows)}省市合计" if reader.lang != "en" else f"{len(rows)} provinces", y
    )
    for f in ("T", "X", "M"):
        parts = [r.figures[f] for r in rows if f in r.figures]
        if not parts:
            continue
        total.figures[f] = fx.total(parts, _label(reader, total.name, f, year))
        priors = [
            fx.prior_from_growth(
                r.figures[f], r.figures[f"g{f}"], reader.label(r.code, f, str(year - 1))
            )
            for r in rows
            if f"g{f}" in r.figures
        ]
        total.figures[f"g{f}"] = fx.growth(
            total.figures[f], fx.total(priors, _label(reader, total.name, f, year - 1))
        )
    for row in [*rows, total]:
        for f in ("T", "X", "M"):
            if f in row.figures and f in nation.figures:
                row.figures[f"s{f}"] = fx.share(row.figures[f], nation.figures[f])
    for i, row in enumerate(sorted(rows, key=lambda r: -(r.T.value or 0.0)), start=1):
        row.figures["rank"] = fx.computed(
            "RANK", float(i), "位", [row.T], digits=0, label=row.T.label
        )
    fields = {
        **trade_fields("T", "X", "M"),
        **{f"s{f}": Field(f"s{f}", f, "share", "%") for f in ("T", "X", "M")},
        "rank": Field("rank", "T", "rank", "位", 0),
    }
    return Rows("mofcom_provinces", [*rows, total, nation], fields, *SOURCE_MOFCOM)


def _label(reader: Reader, name: str, flow: str, year: int) -> str:
    """ "12省市合计·进出口·2022年": the label of a computed row's figure."""
    return f"{name}·{reader.label('', flow, str(year)).split('·', 1)[1]}"


@source("mofcom_regions", "四大地区（公布数），占全国比重")
def regions(reader: Reader, year: int) -> Rows:
    figs = _published(reader, year)
    y = str(year)
    nation = _trade_row(reader, figs, NATION, y)
    rows = []
    for region in geo.regions():
        row = _trade_row(reader, figs, region.code, y, ("T", "X", "M", "B"))
        if "T" not in row.figures:
            continue
        if "T" in nation.figures:
            row.figures["sT"] = fx.share(row.T, nation.T)
        rows.append(row)
    fields = {
        **trade_fields("T", "X", "M", "B", growth=False),
        "sT": Field("sT", "T", "share", "%", 1),
    }
    return Rows("mofcom_regions", rows, fields, *SOURCE_MOFCOM)


def _span_fields(flow: str, unit: str, first: int) -> dict[str, Field]:
    return {
        flow: Field(flow, flow, "level", unit),
        f"{flow}1": Field(f"{flow}1", flow, "level_prev1", unit),
        f"{flow}2": Field(f"{flow}2", flow, "level_prev2", unit),
        f"gt{flow}": Field(f"gt{flow}", flow, "growth_total", "%", since=str(first)),
        f"cagr{flow}": Field(f"cagr{flow}", flow, "cagr", "%", since=str(first)),
    }


def _span_row(
    row: Row,
    figs: dict[tuple[str, ...], Figure],
    flow: str,
    indicator: str,
    year: int,
    key_flow: str,
) -> None:
    """Fields ``flow`` (year), ``flow1``, ``flow2`` (one, two years back), growth over the span."""
    series = [figs.get((row.code, key_flow, indicator, str(year - k))) for k in range(3)]
    for k, fig in enumerate(series):
        if fig is not None:
            row.figures[flow if k == 0 else f"{flow}{k}"] = fig
    last, first = series[0], series[2]
    if last is not None and first is not None:
        row.figures[f"gt{flow}"] = fx.growth(last, first, "GROWTH_TOTAL")
        row.figures[f"cagr{flow}"] = fx.cagr(last, first, 2)


@source("mofcom_bases", "表3 部分基地近三年可数字化交付服务贸易（公布数），区间增长")
def bases(reader: Reader, year: int) -> Rows:
    figs = _published(reader, year, year - 2)
    rows = []
    for code in _codes(figs, lambda c: c.startswith("DSEB")):
        row = Row(code, area_name(code, reader.lang), str(year))
        for flow in ("T", "X"):
            _span_row(row, figs, flow, "VALUE", year, flow)
        rows.append(row)
    rows.sort(key=lambda r: -(r.T.value or 0.0) if "T" in r.figures else 0.0)
    fields = {**_span_fields("T", YI, year - 2), **_span_fields("X", YI, year - 2)}
    return Rows("mofcom_bases", rows, fields, *SOURCE_BASES)


@source("mofcom_base_output", "表4 部分基地数字产业产值（公布数，亿元），区间增长")
def base_output(reader: Reader, year: int) -> Rows:
    frame = reader.frame(OUTPUT, start=str(year - 2), end=str(year))
    frame = frame.filter(pl.col("value").is_not_null())
    figs: dict[tuple[str, ...], Figure] = {
        (k[0], "OUTPUT", k[2], k[3]): f for k, f in reader.figures(frame, OUTPUT, "亿元", 0).items()
    }
    rows = []
    for code in _codes(figs, lambda c: c.startswith("DSEB")):
        row = Row(code, area_name(code, reader.lang), str(year))
        _span_row(row, figs, "O", "OUTPUT", year, "OUTPUT")
        rows.append(row)
    rows.sort(key=lambda r: -(r.O.value or 0.0) if "O" in r.figures else 0.0)
    fields = {
        k: Field(v.name, "OUTPUT", v.kind, v.unit, 0 if v.unit == "亿元" else 2, v.since)
        for k, v in _span_fields("O", "亿元", year - 2).items()
    }
    return Rows("mofcom_base_output", rows, fields, *SOURCE_BASES, topic="output")


# --------------------------------------------------------------------------- any series


@source(
    "series",
    "任一数据流某地区的年度序列（图表、年均增长）",
    params=(
        "dataflow",
        "ref_area",
        "flow",
        "product",
        "first",
        "unit",
        "source_zh",
        "source_en",
        "topic",
    ),
)
def series(
    reader: Reader,
    year: int,
    *,
    dataflow: str,
    ref_area: str,
    flow: str = "X",
    product: str | None = None,
    first: int | None = None,
    unit: str = YI,
    source_zh: str = "",
    source_en: str = "",
    topic: str = "dd",
) -> Rows:
    products = [p.strip() for p in product.split(",")] if product else []
    where = {"ref_area": [ref_area], "flow": [flow], **({"product": products} if products else {})}
    start = first or year - 10
    frame = reader.frame(dataflow, where=where, start=str(start - 1), end=str(year), unit=unit)
    frame = frame.filter(pl.col("value").is_not_null())
    parts: dict[str, list[Figure]] = {}
    for (_,), one in frame.group_by(["product"], maintain_order=True):
        for key, fig in reader.figures(one, dataflow, unit).items():
            parts.setdefault(key[3], []).append(fig)
    by_period = {
        p: fs[0]
        if len(fs) == 1
        else fx.total(fs, f"{area_name(ref_area, reader.lang)}·{'+'.join(products)}·{p}")
        for p, fs in parts.items()
        if len(products) <= 1 or len(fs) == len(products)
    }
    rows = []
    for period in sorted(by_period):
        if int(period) < start:
            continue
        row = Row(
            ref_area,
            period if reader.lang == "en" else f"{period}年",
            period,
            {"v": by_period[period]},
        )
        before = by_period.get(str(int(period) - 1))
        if before is not None:
            row.figures["g"] = fx.growth(by_period[period], before)
        rows.append(row)
    fields = {"v": Field("v", flow, "level", unit), "g": Field("g", flow, "growth", "%", 1)}
    return Rows("series", rows, fields, source_zh, source_en, topic)
