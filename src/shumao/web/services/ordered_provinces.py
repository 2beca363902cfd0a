"""数字订购贸易 by province and by customs mode: the map, the provinces' shares, a province's
share card and the mode structure (``compute.cbec``).

The provinces' figures are the ones published province by province (a commerce department, a
news agency quoting it), each in its own release and often for its own latest year, in their own
dataflow (``PROVINCE_CBEC``); the national figure is customs' (``CUSTOMS_CBEC``). So every share is taken of the nation's figure **of the same
year**, every name on the map and the shares chart carries its year, and a note says when the
years differ and that the figures come from other releases than the national one. A province
without a figure is grey ("无数据") and the legend counts the provinces that have one.
"""

from __future__ import annotations

import json

import polars as pl

from shumao.compute import cbec
from shumao.labels import area_name, label, pick
from shumao.reference import cbec_modes, geo, publishers
from shumao.web.schemas import Chart, Kpi, Series
from shumao.web.services import charts as ch
from shumao.web.services.board import WORLD, Ctx, read

FLOW = "CUSTOMS_CBEC"
PROVINCES = "PROVINCE_CBEC"
FILINGS = "ENT_CBEC"
USCC_LENGTH = 18
GROUP = "ordered"
YUAN = "亿元"


def _levels(ctx: Ctx) -> pl.DataFrame:
    """Total cross-border e-commerce (partner world), 亿元: the nation's (customs') and every
    province's own."""
    where = {"counterpart_area": [WORLD], "product": [cbec.TOTAL], "indicator": ["VALUE"]}
    nation = read(ctx, FLOW, unit=YUAN, ref_area=[cbec.NATION], **where)
    provinces = read(ctx, PROVINCES, unit=YUAN, **where)
    return pl.concat([f for f in (nation, provinces) if f.height] or [nation])


def published_by(ctx: Ctx, frame: pl.DataFrame) -> str:
    """Who published a province's latest figure and when (the row's 发布机构 and 发布日期):
    a province's figures are its own releases, never customs'."""
    values = frame.filter(pl.col("indicator") == "VALUE").sort("time_period")
    got = json.loads(values["attrs"][-1] or "{}") if values.height else {}
    publisher = publishers.name(got.get("publisher", ""), ctx.lang)
    key = "cbec_province_source" if publisher else "cbec_province_source_press"
    return ctx.t(key, publisher=publisher, release=got.get("release", ""))


def provinces_source(ctx: Ctx) -> str:
    """The source line of a chart of provinces' figures: theirs, with customs' national one."""
    return ctx.t("cbec_provinces_source", nation=ctx.source(FLOW))


def _year(ctx: Ctx, period: str) -> str:
    return f"{period}年" if ctx.lang == "zh" else period


def _named(ctx: Ctx, code: str, period: str) -> str:
    """广东（2023年） / Guangdong (2023): a province's name with the year of its figure."""
    return area_name(code, ctx.lang) + ctx.bracket(_year(ctx, period))


def _years_note(ctx: Ctx, table: pl.DataFrame) -> str:
    """Which provinces have a figure, for which year, and that the releases differ."""
    listed = ("、" if ctx.lang == "zh" else ", ").join(
        _named(ctx, code, period) for code, period in table.select("ref_area", "time_period").rows()
    )
    years = table["time_period"].unique()
    key = "cbec_provinces_note_mixed" if years.len() > 1 else "cbec_provinces_note"
    return ctx.t(key, provinces=listed, n=table.height)


def province_map(ctx: Ctx) -> Chart:
    """China's provinces (with the 南海诸岛 inset) coloured by their latest published
    cross-border e-commerce figure; grey for a province without one."""
    table = cbec.province_latest(_levels(ctx))
    years = dict(table.select("ref_area", "time_period").rows())
    provinces = geo.provinces()
    chart = ch.area_map(
        ctx,
        chart_id="cbec_map",
        title=ctx.t("chart_cbec_map"),
        codes=[p.code for p in provinces],
        names=[
            _named(ctx, p.code, years[p.code])
            if p.code in years
            else pick(p.name_zh, p.name_en, ctx.lang)
            for p in provinces
        ],
        values=dict(table.select("ref_area", "value").rows()),
        unit=YUAN,
        source=provinces_source(ctx),
        period=years.popitem()[1] if len(set(years.values())) == 1 else None,
        geo_key="china",
        no_data="map_no_data_cbec",
    )
    return chart.model_copy(update={"note": _years_note(ctx, table) if table.height else ""})


def shares_chart(ctx: Ctx) -> Chart:
    """Each province's share of the national total of the same year (bars, largest first)."""
    table = cbec.province_latest(_levels(ctx)).filter(pl.col("share").is_not_null())
    return Chart(
        id="cbec_province_shares",
        kind="bar",
        title=ctx.t("chart_cbec_shares"),
        unit="%",
        categories=[_named(ctx, c, p) for c, p in table.select("ref_area", "time_period").rows()],
        codes=table["ref_area"].to_list(),
        series=[Series(name=ctx.t("share_of_nation"), code="SHARE", data=table["share"].to_list())],
        source=provinces_source(ctx),
        period=table["time_period"][0] if table["time_period"].n_unique() == 1 else None,
        links=[f"/area/{c}" for c in table["ref_area"]],
        note=_years_note(ctx, table) if table.height else "",
    )


def province_share_kpi(ctx: Ctx, code: str) -> Kpi | None:
    """The province's share of the national total in the year of its latest figure."""
    table = cbec.province_latest(_levels(ctx)).filter(pl.col("ref_area") == code)
    if table.is_empty():
        return None
    row = table.row(0, named=True)
    why = "cbec_share_source" if row["share"] is not None else "cbec_no_nation"
    source = ctx.t("cbec_province_source_nation", nation=ctx.source(FLOW))
    return Kpi(
        key="cbec_share_nation",
        label=ctx.t("kpi_cbec_share_nation"),
        value=row["share"],
        unit="%",
        period=row["time_period"],
        source=ctx.t(why, year=row["time_period"]) + " " + source,
        group=GROUP,
    )


def mode_chart(ctx: Ctx) -> Chart:
    """The mode structure (9610, 9710, 9810, 1210 as % of the total, by flow) of the latest
    period: customs' national figures where published; else the enterprises' filings on
    数贸季2表 (``ENT_CBEC``) that the scope may see per enterprise, summed (``cbec.from_enterprises``)
    and labelled as the filings, not customs'; else empty and named by the board."""
    frame = read(ctx, FLOW, unit=YUAN, ref_area=[cbec.NATION], counterpart_area=[WORLD])
    shares, filed = cbec.mode_share(frame), 0
    if shares.is_empty():
        shares, filed = _filed_shares(ctx)
    period = str(shares["time_period"].max()) if shares.height else None
    rows = shares.filter(pl.col("time_period") == period) if period else shares
    modes = list(cbec_modes.MODES)
    got = {(m, f): v for m, f, v in rows.select("product", "flow", "value").rows()}
    chart = Chart(
        id="cbec_modes",
        kind="bar",
        title=ctx.t("chart_cbec_modes_filed" if filed else "chart_cbec_modes"),
        unit="%",
        categories=[
            pick(cbec_modes.lookup(m).name_zh, cbec_modes.lookup(m).name_en, ctx.lang)
            for m in modes
        ],
        codes=modes,
        series=[
            ch.flow_series(ctx, f, [got.get((m, f)) for m in modes])
            for f in ("X", "M", "T")
            if any((m, f) in got for m in modes)
        ]
        or [Series(name=label("flow", "T", ctx.lang), code="T", data=[None] * len(modes))],
        source=ctx.t("cbec_modes_filed_source", filings=ctx.source(FILINGS))
        if filed
        else ctx.source(FLOW),
        period=period,
    )
    note = ctx.t("cbec_modes_filed_note", n=filed, period=period) if filed else ""
    why = "cbec_modes_none_public" if ctx.scope.is_public else "cbec_modes_none"
    return chart.model_copy(update={"note": note, "empty_reason": "" if period else ctx.t(why)})


def _filed_shares(ctx: Ctx) -> tuple[pl.DataFrame, int]:
    """Mode shares (partner world) of the approved filings the scope sees per enterprise, and
    how many enterprises filed in the latest period; nothing for a scope that sees none."""
    frame = read(ctx, FILINGS, unit=None)
    micro = frame.filter(pl.col("ref_area").str.len_chars() == USCC_LENGTH)
    if micro.is_empty():
        return cbec.mode_share(micro), 0
    last = micro.filter(pl.col("time_period") == micro["time_period"].max())
    summed = cbec.from_enterprises(last, area=cbec.NATION)
    shares = cbec.mode_share(summed).filter(pl.col("counterpart_area") == WORLD)
    return shares, last["ref_area"].n_unique()
