"""What every dashboard part shares: the request context and the reads of one area's figures.

Every number comes from ``shumao.access.read`` for the requester's scope. Units follow
one rule per figure kind: published statistics (UNCTAD, WTO, the MOFCOM report) in 亿美元,
enterprise direct reporting (ENT_DDS) in 万美元 on every page, whatever the level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection

from shumao import access
from shumao.auth.scope import Scope
from shumao.compute import aggregate, indicators
from shumao.compute.totals import with_flow_total
from shumao.labels import pick
from shumao.storage.dataflows import get_dataflow
from shumao.web.i18n import translate

BIG = "亿美元"
"""Published statistics."""
SMALL = "万美元"
"""Enterprise direct reporting, at every level."""
ENT_FLOW = "ENT_DDS"
WORLD = "WLD"


@dataclass(frozen=True)
class Ctx:
    conn: Connection
    scope: Scope
    lang: str

    def t(self, key: str, **values: object) -> str:
        text = translate(key, self.lang)
        return text.format(**values) if values else text

    def bracket(self, text: str) -> str:
        """（text） in Chinese, (text) in English."""
        return f"（{text}）" if self.lang == "zh" else f" ({text})"

    def source(self, flow_id: str) -> str:
        flow = get_dataflow(flow_id)
        return pick(flow.source_zh, flow.source_en, self.lang)

    def unit_name(self, unit: str) -> str:
        names = {
            BIG: ("亿美元", "USD 100 million"),
            SMALL: ("万美元", "USD 10 thousand"),
            "亿元": ("亿元", "CNY 100 million"),
        }
        return pick(*names.get(unit, (unit, unit)), self.lang)


def read(ctx: Ctx, flow_id: str, unit: str | None = BIG, **where: Iterable[str]) -> pl.DataFrame:
    """The scope's rows of ``flow_id`` (money in ``unit``), filters as dimension=codes."""
    frame = access.read(ctx.conn, ctx.scope, flow_id, where={k: list(v) for k, v in where.items()})
    frame = frame.drop("vintage_id")
    return aggregate.to_unit(frame, unit) if unit and frame.height else frame


def levels_with_balance(frame: pl.DataFrame) -> pl.DataFrame:
    """X, M, T and B (X − M, ``compute.indicators.balance``) of the value rows."""
    values = frame.filter(pl.col("indicator").is_in(["_Z", "VALUE"]) & (pl.col("unit") != "PCT"))
    if values.is_empty():
        return values
    have_b = values.filter(pl.col("flow") == "B")
    balance = indicators.balance(values) if have_b.is_empty() else values.head(0)
    return with_flow_total(pl.concat([values, balance]))


def by_period(frame: pl.DataFrame) -> dict[str, dict[str, float | None]]:
    """period → flow → value (one series)."""
    out: dict[str, dict[str, float | None]] = {}
    for period, flow, value in frame.select("time_period", "flow", "value").iter_rows():
        out.setdefault(period, {})[flow] = value
    return out


def growth(frame: pl.DataFrame) -> dict[tuple[str, str], float]:
    """(period, flow) → growth on a year earlier in %: published when given, else computed."""
    published = frame.filter(pl.col("indicator") == "GROWTH_YOY")
    values = frame.filter(
        pl.col("indicator").is_in(["_Z", "VALUE"])
        & (pl.col("unit") != "PCT")
        & pl.col("flow").is_in(["X", "M", "T"])
    )
    computed = indicators.growth_yoy(values) if values.height else values
    out = {
        (p, f): v
        for p, f, v in computed.select("time_period", "flow", "value").iter_rows()
        if v is not None
    }
    out.update(
        {
            (p, f): v
            for p, f, v in published.select("time_period", "flow", "value").iter_rows()
            if v is not None
        }
    )
    return out


def latest(frame: pl.DataFrame) -> tuple[str | None, pl.DataFrame]:
    """The latest period of ``frame`` and its rows."""
    if frame.is_empty():
        return None, frame
    period = str(frame["time_period"].max())
    return period, frame.filter(pl.col("time_period") == period)
