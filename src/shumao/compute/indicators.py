"""指标 / indicators: defined once as data (``indicators.yaml``), computed by pure functions.

Each function takes a tidy frame (``FRAME_SCHEMA``) of level values and returns a tidy frame of
the indicator: same dimensions, ``indicator`` set to the indicator's id (or ``ID.BASE`` when the
input's indicator is neither ``VALUE`` nor ``_Z``), unit ``PCT`` for rates and shares, status
``E`` where an input was an estimate. Rows whose unit is ``PCT`` (published rates) are never
used as level values. Units are made comparable with ``aggregate.to_unit`` before dividing.

``compute(id, frame, **params)`` runs an indicator by id; ``definitions()`` lists them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from shumao.compute import cbec
from shumao.compute import hierarchy as hier
from shumao.compute import indicator_parts as parts
from shumao.compute.periods import previous_period, years_between
from shumao.compute.shares import (
    dd_share_of_services,
    park_dd_export_share,
    share_of_parent,
    share_of_world,
)
from shumao.errors import UnknownCode
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA, conform

DEFINITIONS_FILE = Path(__file__).with_name("indicators.yaml")
KEY = [*DIMENSIONS, "time_period"]


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    unit: str
    function: str
    formula: str
    doc_zh: str
    doc_en: str


@lru_cache(maxsize=1)
def _definitions() -> dict[str, Indicator]:
    raw = yaml.safe_load(DEFINITIONS_FILE.read_text(encoding="utf-8"))
    return {d["id"]: Indicator(**d) for d in raw["indicators"]}


def definitions() -> list[Indicator]:
    return list(_definitions().values())


def definition(indicator_id: str) -> Indicator:
    try:
        return _definitions()[indicator_id.upper()]
    except KeyError:
        raise UnknownCode("指标 indicators", indicator_id) from None


def compute(indicator_id: str, frame: pl.DataFrame, **params: Any) -> pl.DataFrame:
    """Run the indicator ``indicator_id`` on ``frame`` (see its definition for ``params``)."""
    spec = definition(indicator_id)
    function: Callable[..., pl.DataFrame] = FUNCTIONS[spec.function]
    return function(frame, **params)


def run(
    indicator_id: str,
    frame: pl.DataFrame,
    *,
    hierarchy: str = "geography",
    world: float | None = None,
    world_unit: str = "亿美元",
    start: str | None = None,
    end: str | None = None,
) -> pl.DataFrame:
    """``compute`` with the parameters a user states (CLI ``--compute``/``indicators compute``):
    the hierarchy by name for shares of a parent and contributions, the world value for
    ``SHARE_WORLD``, the span for ``CAGR`` and ``GROWTH_TOTAL``."""
    spec = definition(indicator_id)
    params: dict[str, Any] = {}
    if spec.function in ("share_of_parent", "contribution_to_growth"):
        params["hierarchy"] = hier.by_name(hierarchy)
    if spec.function == "share_of_world" and world is not None:
        params.update(world=world, world_unit=world_unit)
    if spec.function in ("cagr", "growth_total"):
        params.update(start=start, end=end)
    return compute(spec.id, frame, **params)


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- periods


def _growth(frame: pl.DataFrame, indicator_id: str, years: int) -> pl.DataFrame:
    (data,) = parts.comparable(parts.levels(frame))
    prev = data.select(
        *DIMENSIONS,
        "time_period",
        pl.col("value").alias("_prev"),
        pl.col("obs_status").alias("_prev_status"),
    )
    joined = data.with_columns(
        previous_period(pl.col("time_period"), years=years).alias("_prev_period")
    ).join(prev.rename({"time_period": "_prev_period"}), on=[*DIMENSIONS, "_prev_period"])
    value = parts.ratio(pl.col("value") - pl.col("_prev"), pl.col("_prev"))
    return parts.rate(joined, indicator_id, value, "obs_status", "_prev_status")


def growth_yoy(frame: pl.DataFrame) -> pl.DataFrame:
    """同比 (x_t / x_{t-1y} − 1) × 100 for every series and period with a value a year earlier."""
    return _growth(frame, "GROWTH_YOY", years=1)


def growth_qoq(frame: pl.DataFrame) -> pl.DataFrame:
    """环比 on the previous quarter (quarterly data) or month (monthly); annual rows are skipped."""
    data = parts.levels(frame).filter(pl.col("freq") != "A")
    return _growth(data, "GROWTH_QOQ", years=0)


# --------------------------------------------------------------------------- spans


def _span(frame: pl.DataFrame, start: str | None, end: str | None) -> pl.DataFrame:
    data = parts.levels(frame).filter(pl.col("value").is_not_null())
    if start:
        data = data.filter(pl.col("time_period") >= start)
    if end:
        data = data.filter(pl.col("time_period") <= end + "~")
    ordered = data.sort(KEY)
    return (
        ordered.group_by(list(DIMENSIONS), maintain_order=True)
        .agg(
            pl.col("time_period").first().alias("_first_period"),
            pl.col("time_period").last(),
            pl.col("value").first().alias("_first"),
            pl.col("value").last().alias("_last"),
            pl.col("unit").first(),
            pl.col("unit_mult").first(),
            pl.col("obs_status").is_in(["E", "M"]).any().alias("_est"),
        )
        .filter(pl.col("_first_period") != pl.col("time_period"))
        .with_columns(
            pl.when(pl.col("_est")).then(pl.lit("E")).otherwise(pl.lit("A")).alias("obs_status"),
            pl.format('{{"start": "{}"}}', pl.col("_first_period")).alias("attrs"),
        )
    )


def cagr(frame: pl.DataFrame, start: str | None = None, end: str | None = None) -> pl.DataFrame:
    """COINr's CAGR: ((last / first)^(1/years) − 1) × 100 over the first and last available values."""
    span = _span(frame, start, end)
    years = years_between(pl.col("_first_period"), pl.col("time_period"))
    ratio = pl.col("_last") / pl.col("_first")
    value = (
        pl.when((pl.col("_first") > 0) & (ratio >= 0))
        .then((ratio.pow(1.0 / years) - 1.0) * 100.0)
        .otherwise(None)
    )
    return parts.rate(span, "CAGR", value, "obs_status")


def growth_total(
    frame: pl.DataFrame, start: str | None = None, end: str | None = None
) -> pl.DataFrame:
    """(last / first − 1) × 100 over the first and last available values of the span."""
    span = _span(frame, start, end)
    return parts.rate(
        span,
        "GROWTH_TOTAL",
        parts.ratio(pl.col("_last") - pl.col("_first"), pl.col("_first")),
        "obs_status",
    )


# --------------------------------------------------------------------------- others


def rank(frame: pl.DataFrame, dim: str = "ref_area") -> pl.DataFrame:
    """Rank (1 = largest) among peers: same other dimensions, period and level (if present)."""
    data = conform(frame) if "level" not in frame.columns else frame
    data = data.filter(pl.col("unit") != parts.PCT)
    peers = [d for d in DIMENSIONS if d != dim] + ["time_period"]
    if "level" in data.columns:
        peers.append("level")
    ranked = data.filter(pl.col("value").is_not_null()).with_columns(
        pl.col("value")
        .rank(method="min", descending=True)
        .over(peers)
        .cast(pl.Float64)
        .alias("_rank")
    )
    return parts.rate(ranked, "RANK", pl.col("_rank"), "obs_status", unit="NUMBER")


def balance(frame: pl.DataFrame) -> pl.DataFrame:
    """出口 − 进口 as flow ``B`` (surplus > 0), for every key with both flows."""
    (data,) = parts.comparable(parts.levels(frame))
    keys = [d for d in DIMENSIONS if d != "flow"] + ["time_period"]
    x = data.filter(pl.col("flow") == "X")
    m = data.filter(pl.col("flow") == "M").select(
        *keys,
        pl.col("value").alias("_m"),
        pl.col("obs_status").alias("_m_status"),
        pl.col("unit").alias("_m_unit"),
        pl.col("unit_mult").alias("_m_mult"),
    )
    joined = x.join(m, on=keys).filter(
        (pl.col("unit") == pl.col("_m_unit")) & (pl.col("unit_mult") == pl.col("_m_mult"))
    )
    return joined.with_columns(
        (pl.col("value") - pl.col("_m")).alias("value"),
        pl.lit("B").alias("flow"),
        parts.status("obs_status", "_m_status"),
    ).select(list(FRAME_SCHEMA))


def contribution_to_growth(
    frame: pl.DataFrame,
    hierarchy: hier.Hierarchy | None = None,
    totals: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """(x_i,t − x_i,t−1y) / P_t−1y × 100: percentage points of the parent's YoY growth.

    The parent ``P`` is the node's parent in ``hierarchy`` (looked up in ``frame`` or
    ``totals``); without a hierarchy, ``totals`` holds one total per key (any ``ref_area``).
    """
    base = parts.levels(totals if totals is not None else frame)
    data, base = parts.comparable(parts.levels(frame), base)
    prev = data.select(
        *DIMENSIONS, pl.col("time_period").alias("_pp"), pl.col("value").alias("_prev")
    )
    data = data.with_columns(previous_period(pl.col("time_period"), years=1).alias("_pp")).join(
        prev, on=[*DIMENSIONS, "_pp"]
    )
    dim = hierarchy.dim if hierarchy is not None else "ref_area"
    others = [d for d in DIMENSIONS if d != dim]
    parent_prev = base.select(
        pl.col(dim).alias("_parent"),
        *others,
        pl.col("time_period").alias("_pp"),
        pl.col("value").alias("_parent_prev"),
    )
    if hierarchy is not None:
        parents = hierarchy.nodes.select(
            pl.col("code").alias(dim), pl.col("parent").alias("_parent")
        )
        data = data.join(parents.drop_nulls(), on=dim)
        joined = data.join(parent_prev, on=["_parent", *others, "_pp"])
    else:
        joined = data.join(
            parent_prev.drop("_parent").unique([*others, "_pp"]), on=[*others, "_pp"]
        )
    value = parts.ratio(pl.col("value") - pl.col("_prev"), pl.col("_parent_prev"))
    return parts.rate(joined, "CONTRIB_GROWTH", value, "obs_status")


def prior_from_growth(frame: pl.DataFrame) -> pl.DataFrame:
    """Previous-year levels implied by published values and growth: x_{t-1} = x_t / (1 + g/100).

    This is how a table that prints only this year's values and growth rates gives the
    growth of a sum without inventing data: the implied prior values are summed. Rows are
    status ``E`` (derived) with ``attrs`` ``{"derived": "value / (1 + growth)"}``.
    """
    data = conform(frame)
    keys = [d for d in DIMENSIONS if d != "indicator"] + ["time_period"]
    values = data.filter(pl.col("indicator").is_in(list(parts.BASE_INDICATORS)))
    growth = data.filter(pl.col("indicator") == "GROWTH_YOY").select(
        *keys, pl.col("value").alias("_g")
    )
    joined = values.join(growth, on=keys)
    return joined.with_columns(
        (pl.col("value") / (1.0 + pl.col("_g") / 100.0)).alias("value"),
        previous_period(pl.col("time_period"), years=1).alias("time_period"),
        pl.lit("E").alias("obs_status"),
        pl.lit(json.dumps({"derived": "value / (1 + growth)"})).alias("attrs"),
    ).select(list(FRAME_SCHEMA))


FUNCTIONS: dict[str, Callable[..., pl.DataFrame]] = {
    "growth_yoy": growth_yoy,
    "growth_qoq": growth_qoq,
    "share_of_parent": share_of_parent,
    "share_of_world": share_of_world,
    "cagr": cagr,
    "growth_total": growth_total,
    "rank": rank,
    "balance": balance,
    "contribution_to_growth": contribution_to_growth,
    "dd_share_of_services": dd_share_of_services,
    "park_dd_export_share": park_dd_export_share,
    "cbec_share_of_goods": cbec.share_of_goods,
    "cbec_partner_share": cbec.partner_share,
    "cbec_mode_share": cbec.mode_share,
    "cbec_province_share": cbec.province_share,
    "cbec_group_share": cbec.group_share,
}
