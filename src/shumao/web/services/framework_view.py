"""数字贸易测度框架 / the Handbook's framework of digital trade as a page.

One row per cell of ``compute/digital_trade.yaml`` (digitally ordered goods and services, the
overlap, digitally delivered services and goods): its part, which stored series covers it and
how (exact, estimate, lower or upper bound), and its value in 亿美元 for the latest year in
which both measured parts are known to the requester — customs cross-border e-commerce at the
year's average rate (ordered goods, a lower bound) and WTO's digitally delivered services (an
estimate). A cell no source measures stays an interval; the total is ``combine``'s interval.
Without both parts the table still says which series covers which cell, and why no value.
"""

from __future__ import annotations

import math

import polars as pl
from sqlalchemy import Connection

from shumao.auth.scope import Scope
from shumao.compute.digital_trade import Cell, Interval, Total, combine, framework, handbook, rule
from shumao.labels import pick
from shumao.storage.dataflows import get_dataflow
from shumao.web.schemas import FrameworkRow, FrameworkSource, FrameworkTable
from shumao.web.services.board import BIG, WORLD, Ctx, read

ORDERED, DELIVERED = "CUSTOMS_CBEC", "WTO_DDS"
PARTS = {
    "ordered": ("数字订购贸易", "Digitally ordered trade"),
    "delivered": ("数字交付贸易", "Digitally delivered trade"),
    "both": ("二者重叠", "Both (the overlap)"),
}
COVERAGE = {
    "exact": ("精确", "exact"),
    "estimate": ("估计", "estimate"),
    "lower": ("下限", "lower bound"),
    "upper": ("上限", "upper bound"),
}


def table(conn: Connection, *, scope: Scope, lang: str) -> FrameworkTable:
    """The framework with the latest year's values the requester may see (see module doc)."""
    ctx = Ctx(conn, scope, lang)
    measured = _measured(ctx)
    period = measured[0] if measured else None
    values = measured[1] if measured else {}
    total = (
        combine(
            ordered_goods=Interval.at_least(values[ORDERED]),
            delivered=Interval.exact(values[DELIVERED]),
        )
        if measured
        else None
    )
    rows = [_row(ctx, cell, _value(cell, values, total)) for cell in framework()]
    grand = FrameworkRow(
        id="TOTAL",
        name=pick("数字贸易", "Digital trade", ctx.lang),
        part=pick("数字订购 + 数字交付 − 重叠", "ordered + delivered − overlap", ctx.lang),
        **_bounds(total.total if total else None),
    )
    sep = "；" if ctx.lang == "zh" else "; "
    return FrameworkTable(
        title=pick("数字贸易测度框架", "The measurement framework of digital trade", ctx.lang),
        rule=pick(rule()["zh"], rule()["en"], ctx.lang),
        handbook=handbook(),
        period=period,
        unit=ctx.unit_name(BIG),
        rows=rows,
        total=grand,
        source=sep.join(ctx.source(f) for f in (ORDERED, DELIVERED)),
        empty="" if measured else ctx.t("framework_no_year"),
    )


def _measured(ctx: Ctx) -> tuple[str, dict[str, float]] | None:
    """The latest year with both measured parts, and their values in 亿美元."""
    ordered = read(
        ctx,
        ORDERED,
        unit=BIG,
        ref_area=["CHN"],
        counterpart_area=[WORLD],
        product=["CBEC"],
        flow=["T"],
        indicator=["VALUE"],
    )
    delivered = read(
        ctx,
        DELIVERED,
        unit=BIG,
        ref_area=["CHN"],
        counterpart_area=[WORLD],
        product=["DDS"],
        flow=["X", "M"],
    )
    both = (
        delivered.group_by("time_period")
        .agg(pl.col("value").sum(), pl.len().alias("n"))
        .filter(pl.col("n") == 2)
        .join(ordered.select("time_period", pl.col("value").alias("ordered")), on="time_period")
    )
    if both.is_empty():
        return None
    last = both.sort("time_period").row(-1, named=True)
    return str(last["time_period"]), {
        ORDERED: float(last["ordered"]),
        DELIVERED: float(last["value"]),
    }


def _value(cell: Cell, values: dict[str, float], total: Total | None) -> Interval | None:
    """A cell's interval: fixed by definition, from a measured series by its coverage, the
    overlap from ``combine``, otherwise [0, ∞)."""
    if cell.fixed is not None:
        return Interval.exact(float(cell.fixed))
    if total is None:
        return None
    for src in cell.sources:
        if src.dataflow in values:
            v = values[src.dataflow]
            return {"lower": Interval.at_least(v), "upper": Interval(0.0, v)}.get(
                src.coverage, Interval.exact(v)
            )
    return total.overlap if cell.part == "both" else Interval.at_least(0.0)


def _bounds(value: Interval | None) -> dict[str, float | None]:
    if value is None:
        return {"lo": None, "hi": None}
    return {"lo": value.lo, "hi": None if math.isinf(value.hi) else value.hi}


def _row(ctx: Ctx, cell: Cell, value: Interval | None) -> FrameworkRow:
    sources = [
        FrameworkSource(
            dataflow=pick(
                get_dataflow(s.dataflow).name_zh, get_dataflow(s.dataflow).name_en, ctx.lang
            ),
            coverage=pick(*COVERAGE[s.coverage], ctx.lang),
            text=pick(s.zh, s.en, ctx.lang),
        )
        for s in cell.sources
    ]
    return FrameworkRow(
        id=cell.id,
        name=pick(cell.name_zh, cell.name_en, ctx.lang),
        part=pick(*PARTS[cell.part], ctx.lang),
        sources=sources,
        note=pick(cell.note_zh, cell.note_en, ctx.lang),
        **_bounds(value),
    )
