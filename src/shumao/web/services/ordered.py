"""数字订购贸易 on the overview and province pages, and the explorer's grouping of dataflows.

The section (its cards carry ``group="ordered"``) shows the area's cross-border e-commerce — the
nation's from customs (``CUSTOMS_CBEC``), a province's from its own releases (``PROVINCE_CBEC``): the latest total, exports and imports in 亿元 with published
growth, the total in 亿美元 at the year's average rate, and — on the overview — both parts of
digital trade for that year: WTO's digitally delivered services beside it and their sum, a lower
bound of digital trade by the Handbook's framework (docs/methods.md; the framework table is the
page ``/digital-trade``, ``framework_view``). Every card names its source and period; the trend
chart has every year from the first to the last (a year without a release is a gap, not
skipped); a province's section also shows NBS's e-commerce sales, beside and never added
(they include domestic sales); a chart without data is named by the board with the reason.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from shumao.compute.digital_trade import Interval, combine, part_of
from shumao.labels import pick
from shumao.storage.dataflows import Dataflow, all_dataflows
from shumao.web.schemas import Chart, Kpi
from shumao.web.services import charts as ch
from shumao.web.services import ordered_provinces
from shumao.web.services.board import WORLD, Ctx, read
from shumao.web.services.kpis import trade_kpis

FLOW = "CUSTOMS_CBEC"
GROUP = "ordered"
NBS = "NBS_PROV"
YUAN = "亿元"
USD = "亿美元"
LABELS = {"total": "kpi_cbec_total", "exports": "kpi_cbec_exports", "imports": "kpi_cbec_imports"}


def section(ctx: Ctx, code: str) -> tuple[list[Kpi], Chart]:
    """The KPI cards and the trend chart of the area's cross-border e-commerce."""
    where: dict[str, Any] = {"ref_area": [code], "counterpart_area": [WORLD], "product": ["CBEC"]}
    national = code == "CHN"
    dataflow = FLOW if national else ordered_provinces.PROVINCES
    frame = read(ctx, dataflow, unit=YUAN, **where)
    source = ctx.source(FLOW) if national else ordered_provinces.published_by(ctx, frame)
    kpis = [
        k.model_copy(update={"key": "cbec_" + k.key, "label": ctx.t(LABELS[k.key]), "group": GROUP})
        for k in trade_kpis(ctx, frame, YUAN, source)
        if k.key in LABELS
    ]
    total = next((k for k in kpis if k.key == "cbec_total" and k.value is not None), None)
    if total is not None:
        usd = read(ctx, dataflow, unit=USD, **where, flow=["T"], indicator=["VALUE"])
        usd = usd.filter(pl.col("time_period") == total.period)
        if usd.height:
            kpis.append(
                Kpi(
                    key="cbec_total_usd",
                    label=ctx.t("kpi_cbec_usd"),
                    value=float(usd["value"][0]),
                    unit=ctx.unit_name(USD),
                    period=total.period,
                    source=_both(ctx, source, ctx.t("fx_note")),
                    group=GROUP,
                )
            )
        if national:
            kpis += _digital_trade(ctx, usd)
    kpis += _ecommerce(ctx, code)
    chart_source = source if national else ordered_provinces.provinces_source(ctx)
    chart = _every_year(
        ch.series_chart(ctx, "cbec_series", frame, YUAN, chart_source, ctx.t("chart_cbec"))
    )
    return kpis, chart


def _ecommerce(ctx: Ctx, code: str) -> list[Kpi]:
    """NBS's e-commerce sales of the province, beside customs' figures (joined by area and
    year) but never added to them: they include domestic sales (docs/methods.md §5)."""
    frame = read(ctx, NBS, unit=YUAN, ref_area=[code], indicator=["ECOM_SALES"])
    if frame.is_empty():
        return []
    last = frame.sort("time_period").row(-1, named=True)
    return [
        Kpi(
            key="nbs_ecom_sales",
            label=ctx.t("kpi_nbs_ecom_sales"),
            value=last["value"],
            unit=ctx.unit_name(YUAN),
            period=str(last["time_period"]),
            source=ctx.source(NBS),
            group=GROUP,
        )
    ]


def _every_year(chart: Chart) -> Chart:
    """Every year from the first to the last: a year without a release is a gap (2019)."""
    if len(chart.categories) < 2:
        return chart
    years = [str(y) for y in range(int(chart.categories[0]), int(chart.categories[-1]) + 1)]
    at = {c: i for i, c in enumerate(chart.categories)}
    series = [
        s.model_copy(update={"data": [s.data[at[y]] if y in at else None for y in years]})
        for s in chart.series
    ]
    return chart.model_copy(update={"categories": years, "series": series})


def _digital_trade(ctx: Ctx, ordered: pl.DataFrame) -> list[Kpi]:
    """Ordered (跨境电商) + delivered (WTO) − overlap for the year of the ordered figure."""
    if ordered.is_empty():
        return []
    period = str(ordered["time_period"][0])
    wto = read(
        ctx,
        "WTO_DDS",
        unit=USD,
        ref_area=["CHN"],
        counterpart_area=[WORLD],
        product=["DDS"],
        flow=["X", "M"],
    )
    wto = wto.filter(pl.col("time_period") == period)
    if wto.height != 2:
        return []
    delivered = float(wto["value"].sum())
    got = combine(
        ordered_goods=Interval.at_least(float(ordered["value"][0])),
        delivered=Interval.exact(delivered),
    )
    return [
        Kpi(
            key="dd_wto",
            label=ctx.t("kpi_dd_wto"),
            value=delivered,
            unit=ctx.unit_name(USD),
            period=period,
            source=ctx.source("WTO_DDS"),
            group=GROUP,
        ),
        Kpi(
            key="digital_trade_lower",
            label=ctx.t("kpi_digital_trade_lower"),
            value=got.total.lo,
            unit=ctx.unit_name(USD),
            period=period,
            source=_both(ctx, ctx.source(FLOW), ctx.source("WTO_DDS")),
            group=GROUP,
        ),
    ]


def _both(ctx: Ctx, first: str, second: str) -> str:
    return f"{first}；{second}" if ctx.lang == "zh" else f"{first}; {second}"


def flow_groups(lang: str) -> list[tuple[str, list[Dataflow]]]:
    """The explorer's dataflows grouped by the part of digital trade they measure."""
    names = {
        "ordered": ("数字订购贸易", "Digitally ordered trade"),
        "delivered": ("数字交付贸易", "Digitally delivered trade"),
        "other": ("其他数据", "Other data"),
    }
    groups: dict[str, list[Dataflow]] = {k: [] for k in names}
    for flow in all_dataflows():
        found = part_of(flow.id)
        groups[found[0].part if found else "other"].append(flow)
    return [(pick(*names[k], lang), flows) for k, flows in groups.items() if flows]
