"""The charts of the dashboards: trends, maps, rankings, structures.

Each flow has its colour from ``web.palette`` on every chart; a trend with a single period is
drawn as bars (a line needs two points); maps say in their legend what grey means.
"""

from __future__ import annotations

import polars as pl

from shumao.compute import aggregate
from shumao.compute.totals import with_flow_total
from shumao.errors import UnknownCode
from shumao.labels import area_name, label, pick, product_name
from shumao.reference import ebops, geo, groupings, parks
from shumao.web import palette
from shumao.web.schemas import Chart, Series
from shumao.web.services.board import (
    BIG,
    WORLD,
    Ctx,
    by_period,
    latest,
    levels_with_balance,
    read,
)

GROUPS = ("BRI", "RCEP", "BRICS", "SCO", "ASEAN", "EU27", "G20")


def flow_series(ctx: Ctx, flow: str, data: list[float | None]) -> Series:
    """One flow's series: its name in the user's language and its one colour."""
    return Series(
        name=label("flow", flow, ctx.lang), code=flow, data=data, color=palette.flow_colour(flow)
    )


def series_chart(
    ctx: Ctx, chart_id: str, frame: pl.DataFrame, unit: str, source: str, title: str
) -> Chart:
    periods = by_period(levels_with_balance(frame))
    cats = sorted(periods)
    series = [
        flow_series(ctx, flow, [periods[p].get(flow) for p in cats])
        for flow in ("X", "M", "T")
        if any(periods[p].get(flow) is not None for p in cats)
    ]
    return Chart(
        id=chart_id,
        kind="line" if len(cats) > 1 else "bar",
        title=title,
        unit=ctx.unit_name(unit),
        categories=cats,
        series=series,
        source=source,
        period=cats[0] if len(cats) == 1 else None,
    )


def area_map(
    ctx: Ctx,
    *,
    chart_id: str,
    title: str,
    codes: list[str],
    names: list[str],
    values: dict[str, float | None],
    unit: str,
    source: str,
    period: str | None,
    geo_key: str,
    no_data: str,
) -> Chart:
    known = sum(1 for c in codes if values.get(c) is not None)
    return Chart(
        id=chart_id,
        kind="map",
        title=title,
        unit=ctx.unit_name(unit),
        categories=names,
        codes=codes,
        series=[
            Series(name=label("flow", "T", ctx.lang), code="T", data=[values.get(c) for c in codes])
        ],
        source=source,
        period=period,
        links=[f"/area/{c}" for c in codes],
        geo=geo_key,
        legend=ctx.t(no_data, known=known, total=len(codes)),
    )


def province_map(ctx: Ctx) -> Chart:
    """Every province (with the 南海诸岛 inset), coloured by the MOFCOM report's totals."""
    provinces = geo.provinces()
    frame = read(
        ctx, "MOFCOM_REPORT", ref_area=[p.code for p in provinces], flow=["T"], indicator=["VALUE"]
    )
    period, rows = latest(frame)
    return area_map(
        ctx,
        chart_id="map",
        title=ctx.t("chart_map"),
        codes=[p.code for p in provinces],
        names=[pick(p.name_zh, p.name_en, ctx.lang) for p in provinces],
        values=dict(rows.select("ref_area", "value").iter_rows()),
        unit=BIG,
        source=ctx.source("MOFCOM_REPORT"),
        period=period,
        geo_key="china",
        no_data="map_no_data_report",
    )


def city_map(ctx: Ctx, province: str, cells: pl.DataFrame, unit: str, source: str) -> Chart | None:
    """The province's cities (districts and counties of a municipality), coloured by the
    direct-reporting totals: the drill-down of the national map."""
    kids = [a for a in geo.children(province) if a.level in ("city", "county")]
    if not kids:
        return None
    frame = cells.filter(
        pl.col("ref_area").is_in([a.code for a in kids])
        & (pl.col("product") == "DD")
        & (pl.col("counterpart_area") == WORLD)
    )
    frame = aggregate.to_unit(frame, unit) if frame.height else frame
    period, rows = latest(levels_with_balance(frame))
    totals = rows.filter(pl.col("flow") == "T")
    return area_map(
        ctx,
        chart_id="city_map",
        title=ctx.t("chart_city_map"),
        codes=[a.code for a in kids],
        names=[area_name(a.code, ctx.lang) for a in kids],
        values=dict(totals.select("ref_area", "value").iter_rows()),
        unit=unit,
        source=source,
        period=period,
        geo_key=province,
        no_data="map_no_data_ent",
    )


def groupings_chart(ctx: Ctx, period: str | None) -> Chart:
    frame = read(ctx, "UNCTAD_DDS", counterpart_area=[WORLD], product=["DD"], flow=["X", "M"])
    if period:
        frame = frame.filter(pl.col("time_period") == period)
    cells = aggregate.aggregate_groups(frame, GROUPS, dim="ref_area") if frame.height else frame
    by_group = {(g, f): v for g, f, v in cells.select("ref_area", "flow", "value").iter_rows()}
    series = [flow_series(ctx, f, [by_group.get((g, f)) for g in GROUPS]) for f in ("X", "M")]
    return Chart(
        id="groups",
        kind="bar",
        title=ctx.t("chart_groups"),
        unit=ctx.unit_name(BIG),
        categories=[_group_name(g, ctx.lang) for g in GROUPS],
        codes=list(GROUPS),
        series=series,
        source=ctx.source("UNCTAD_DDS"),
        period=period,
    )


def _group_name(code: str, lang: str) -> str:
    try:
        group = groupings.lookup_group(code)
    except UnknownCode:
        return code
    return pick(group.name_zh, code if lang == "en" else group.name_zh, lang)


def ebops_chart(ctx: Ctx, frame: pl.DataFrame, source: str, unit: str) -> Chart:
    """Exports and imports by service item, latest period (totals DD/DDS left out)."""
    items = frame.filter(
        ~pl.col("product").is_in(["DD", "DDS", "S", "_Z"]) & pl.col("flow").is_in(["X", "M"])
    )
    period, rows = latest(items)
    codes = _main_items(rows["product"].unique().to_list()) if rows.height else []
    values = {(p, f): v for p, f, v in rows.select("product", "flow", "value").iter_rows()}
    series = [flow_series(ctx, f, [values.get((c, f)) for c in codes]) for f in ("X", "M")]
    return Chart(
        id="ebops",
        kind="bar",
        title=ctx.t("chart_ebops"),
        unit=ctx.unit_name(unit),
        categories=[product_name(c, ctx.lang) for c in codes],
        codes=codes,
        series=series,
        source=source,
        period=period,
    )


def _main_items(codes: list[str]) -> list[str]:
    """Main items, and the sub-items of main items that are not there themselves."""
    present = set(codes)
    keep = []
    for code in sorted(present):
        try:
            main = ebops.main_item_of(code)
        except UnknownCode:
            main = None
        if main is None or main.code == code or main.code not in present:
            keep.append(code)
    return keep


def ranking_chart(
    ctx: Ctx,
    chart_id: str,
    title: str,
    frame: pl.DataFrame,
    unit: str,
    source: str,
    names: dict[str, str] | None = None,
) -> Chart:
    """Areas ranked by total trade (T, else X) in the latest period, with exports beside."""
    period, rows = latest(levels_with_balance(frame))
    values = {(a, f): v for a, f, v in rows.select("ref_area", "flow", "value").iter_rows()}
    codes = sorted(
        {a for a, _ in values}, key=lambda a: -(values.get((a, "T")) or values.get((a, "X")) or 0.0)
    )
    series = [flow_series(ctx, f, [values.get((a, f)) for a in codes]) for f in ("T", "X")]
    return Chart(
        id=chart_id,
        kind="bar",
        title=title,
        unit=ctx.unit_name(unit),
        categories=[area_name(a, ctx.lang, names) for a in codes],
        codes=codes,
        series=series,
        source=source,
        period=period,
        links=[f"/area/{a}" for a in codes],
    )


def parks_chart(ctx: Ctx) -> Chart:
    frame = read(
        ctx,
        "MOFCOM_REPORT",
        ref_area=[p.code for p in parks.parks()],
        flow=["T", "X"],
        indicator=["VALUE"],
    )
    return ranking_chart(
        ctx, "parks", ctx.t("chart_parks"), frame, BIG, ctx.source("MOFCOM_REPORT")
    )


def partners_chart(ctx: Ctx, mine: pl.DataFrame, unit: str, source: str, top: int = 10) -> Chart:
    frame = mine.filter((pl.col("product") == "DD") & (pl.col("counterpart_area") != WORLD))
    period, rows = latest(with_flow_total(frame))
    totals = rows.filter(pl.col("flow") == "T").sort("value", descending=True, nulls_last=True)
    codes = totals["counterpart_area"].head(top).to_list()
    values = {(a, f): v for a, f, v in rows.select("counterpart_area", "flow", "value").iter_rows()}
    series = [flow_series(ctx, f, [values.get((c, f)) for c in codes]) for f in ("X", "M")]
    return Chart(
        id="partners",
        kind="bar",
        title=ctx.t("chart_partners"),
        unit=ctx.unit_name(unit),
        categories=[area_name(c, ctx.lang) for c in codes],
        codes=codes,
        series=series,
        source=source,
        period=period,
    )
