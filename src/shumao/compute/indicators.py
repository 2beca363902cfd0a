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

from shumao.compute import hierarchy as hier
from shumao.compute.aggregate import to_unit
from shumao.errors import UnknownCode
from shumao.reference import units
from shumao.storage.tables import DIMENSIONS, NOT_APPLICABLE
from shumao.storage.vintages import FRAME_SCHEMA, conform

DEFINITIONS_FILE = Path(__file__).with_name("indicators.yaml")
BASE_INDICATORS = ("VALUE", NOT_APPLICABLE)
WORLD = "WLD"
PCT = "PCT"
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


def run(indicator_id: str, frame: pl.DataFrame, *, hierarchy: str = "geography",
        world: float | None = None, world_unit: str = "亿美元", start: str | None = None,
        end: str | None = None) -> pl.DataFrame:
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


def levels(frame: pl.DataFrame) -> pl.DataFrame:
    """The level values of ``frame`` (rates and shares in % left out), in ``FRAME_SCHEMA``."""
    return conform(frame).filter(pl.col("unit") != PCT)


def _label(indicator_id: str) -> pl.Expr:
    base = pl.col("indicator")
    return (pl.when(base.is_in(list(BASE_INDICATORS))).then(pl.lit(indicator_id))
            .otherwise(pl.lit(indicator_id + ".") + base).alias("indicator"))


def _status(*columns: str) -> pl.Expr:
    flags = [pl.col(c).is_in(["E", "M"]) for c in columns]
    estimated = flags[0]
    for flag in flags[1:]:
        estimated = estimated | flag
    return pl.when(estimated).then(pl.lit("E")).otherwise(pl.lit("A")).alias("obs_status")


def _rate(frame: pl.DataFrame, indicator_id: str, value: pl.Expr, *statuses: str,
          unit: str = PCT) -> pl.DataFrame:
    """The result rows in ``FRAME_SCHEMA``: value, unit %, status from the inputs."""
    out = frame.with_columns(
        value.alias("value"),
        _label(indicator_id),
        pl.lit(unit).alias("unit"),
        pl.lit(0, pl.Int16).alias("unit_mult"),
        _status(*statuses),
        pl.lit("F").alias("conf_status"),
    )
    return out.filter(pl.col("value").is_not_null() & pl.col("value").is_finite()).select(
        list(FRAME_SCHEMA))


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den != 0).then(num / den * 100.0).otherwise(None)


def _comparable(*frames: pl.DataFrame) -> list[pl.DataFrame]:
    """``frames`` with one multiplier per unit code (the first row's), so that values divide.

    Only the power of ten changes: a currency is never exchanged here (a CNY series stays in
    CNY; exchanging at each year's rate would distort its growth).
    """
    seen = pl.concat([f.select("unit", "unit_mult") for f in frames])
    reference = seen.unique("unit", keep="first", maintain_order=True).rename(
        {"unit_mult": "_ref_mult"})
    out = []
    for frame in frames:
        scaled = frame.join(reference, on="unit", how="left").with_columns(
            (pl.col("value") * pl.lit(10.0).pow(
                (pl.col("unit_mult") - pl.col("_ref_mult")).cast(pl.Float64))).alias("value"),
            pl.col("_ref_mult").cast(pl.Int16).alias("unit_mult"),
        )
        out.append(scaled.drop("_ref_mult"))
    return out


def _in_unit_of(frame: pl.DataFrame, model: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in the (money) unit of ``model``'s first row, exchanged by year if needed."""
    if model.is_empty() or frame.is_empty():
        return frame
    first = model.row(0, named=True)
    if frame["unit"].unique().to_list() == [first["unit"]]:
        return frame
    return to_unit(frame, units.Unit(first["unit"], int(first["unit_mult"]), "", ""))


# --------------------------------------------------------------------------- periods


def previous_period(period: pl.Expr, *, years: int = 0) -> pl.Expr:
    """The period one year (``years=1``) or one step (``years=0``) before ``period``.

    ``2022`` → ``2021``; ``2022-Q1`` → ``2021-Q4`` (step) or ``2021-Q1`` (year);
    ``2022-01`` → ``2021-12`` (step) or ``2021-01`` (year).
    """
    year = period.str.slice(0, 4).cast(pl.Int32)
    rest = period.str.slice(4)
    if years:
        return (year - years).cast(pl.String) + rest
    is_q = rest.str.starts_with("-Q")
    is_m = rest.str.len_chars() == 3
    sub = rest.str.slice(-2).str.replace("Q", "").cast(pl.Int32, strict=False)
    first = sub == 1
    prev_year = pl.when(first).then(year - 1).otherwise(year).cast(pl.String)
    prev_sub = pl.when(first).then(pl.when(is_q).then(4).otherwise(12)).otherwise(sub - 1)
    quarter = prev_year + "-Q" + prev_sub.cast(pl.String)
    month = prev_year + "-" + prev_sub.cast(pl.String).str.zfill(2)
    return pl.when(is_q).then(quarter).when(is_m).then(month).otherwise(None)


def years_between(first: pl.Expr, last: pl.Expr) -> pl.Expr:
    """Distance in years between two periods of one frequency (quarters and months as fractions)."""
    return _as_years(last) - _as_years(first)


def _as_years(period: pl.Expr) -> pl.Expr:
    year = period.str.slice(0, 4).cast(pl.Float64)
    rest = period.str.slice(4)
    sub = rest.str.slice(-2).str.replace("Q", "").cast(pl.Float64, strict=False)
    return (pl.when(rest.str.starts_with("-Q")).then(year + (sub - 1) / 4)
            .when(rest.str.len_chars() == 3).then(year + (sub - 1) / 12).otherwise(year))


def _growth(frame: pl.DataFrame, indicator_id: str, years: int) -> pl.DataFrame:
    (data,) = _comparable(levels(frame))
    prev = data.select(
        *DIMENSIONS, "time_period", pl.col("value").alias("_prev"),
        pl.col("obs_status").alias("_prev_status"),
    )
    joined = data.with_columns(previous_period(pl.col("time_period"), years=years)
                               .alias("_prev_period")).join(
        prev.rename({"time_period": "_prev_period"}), on=[*DIMENSIONS, "_prev_period"])
    value = _ratio(pl.col("value") - pl.col("_prev"), pl.col("_prev"))
    return _rate(joined, indicator_id, value, "obs_status", "_prev_status")


def growth_yoy(frame: pl.DataFrame) -> pl.DataFrame:
    """同比 (x_t / x_{t-1y} − 1) × 100 for every series and period with a value a year earlier."""
    return _growth(frame, "GROWTH_YOY", years=1)


def growth_qoq(frame: pl.DataFrame) -> pl.DataFrame:
    """环比 on the previous quarter (quarterly data) or month (monthly); annual rows are skipped."""
    data = levels(frame).filter(pl.col("freq") != "A")
    return _growth(data, "GROWTH_QOQ", years=0)


# --------------------------------------------------------------------------- shares


def _non_rates(frame: pl.DataFrame) -> pl.DataFrame:
    """Level values of a frame that may carry extra columns (kept)."""
    return frame.filter(pl.col("unit") != PCT)


def share_of(
    frame: pl.DataFrame, denominator: pl.DataFrame, *, on: list[str], indicator_id: str
) -> pl.DataFrame:
    """x / d × 100 where ``denominator`` matches ``frame`` on the columns ``on``."""
    data = _non_rates(frame)
    den = _in_unit_of(_non_rates(denominator), data)
    data, den = _comparable(data, den)
    den = den.select(*on, pl.col("value").alias("_den"), pl.col("obs_status").alias("_den_status"))
    joined = data.join(den.unique(on, keep="first"), on=on)
    return _rate(joined, indicator_id, _ratio(pl.col("value"), pl.col("_den")),
                 "obs_status", "_den_status")


def share_of_parent(
    frame: pl.DataFrame,
    hierarchy: hier.Hierarchy | None = None,
    denominator: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Each node's share of its parent; parents from ``denominator`` or from ``frame`` itself."""
    tree = hierarchy or hier.geography()
    dim = tree.dim
    parents = tree.nodes.select(pl.col("code").alias(dim), pl.col("parent").alias("_parent"))
    data = levels(frame).join(parents.drop_nulls(), on=dim)
    den = levels(denominator if denominator is not None else frame).rename({dim: "_parent"})
    on = ["_parent", *[d for d in DIMENSIONS if d != dim], "time_period"]
    return share_of(data, den, on=on, indicator_id="SHARE_PARENT")


def share_of_world(
    frame: pl.DataFrame,
    world: pl.DataFrame | float | None = None,
    *,
    world_unit: str = "亿美元",
    dim: str = "ref_area",
) -> pl.DataFrame:
    """Share of the world: ``WLD`` rows of ``frame``, a world frame, or one world value."""
    data = levels(frame)
    if world is None:
        den = data.filter(pl.col(dim) == WORLD)
        data = data.filter(pl.col(dim) != WORLD)
    elif isinstance(world, pl.DataFrame):
        den = levels(world)
    else:
        unit = units.parse(world_unit)
        den = conform(data.select([d for d in DIMENSIONS if d != dim] + ["time_period"]).unique()
                      .with_columns(pl.lit(float(world)).alias("value"),
                                    pl.lit(unit.code).alias("unit"),
                                    pl.lit(unit.mult, pl.Int16).alias("unit_mult"),
                                    pl.lit(WORLD).alias(dim)))
    on = [d for d in DIMENSIONS if d not in (dim, "indicator")] + ["time_period"]
    return share_of(data, den, on=on, indicator_id="SHARE_WORLD")


def dd_share_of_services(frame: pl.DataFrame, total: pl.DataFrame | None = None) -> pl.DataFrame:
    """DD / S × 100 for the same area, partner, flow and period."""
    data = levels(frame)
    den = levels(total) if total is not None else data.filter(pl.col("product") == "S")
    on = [d for d in DIMENSIONS if d not in ("product", "indicator")] + ["time_period"]
    return share_of(data.filter(pl.col("product") == "DD"), den, on=on,
                    indicator_id="DD_SHARE_SERVICES")


def park_dd_export_share(frame: pl.DataFrame, total_exports: pl.DataFrame) -> pl.DataFrame:
    """A park's DD exports over its total exports (``total_exports``: same ref_area, period)."""
    data = levels(frame).filter((pl.col("product") == "DD") & (pl.col("flow") == "X"))
    data = data.filter(pl.col("ref_area").str.starts_with("DSEB"))
    return share_of(data, total_exports, on=["ref_area", "time_period"],
                    indicator_id="PARK_DD_EXPORT_SHARE")


# --------------------------------------------------------------------------- spans


def _span(frame: pl.DataFrame, start: str | None, end: str | None) -> pl.DataFrame:
    data = levels(frame).filter(pl.col("value").is_not_null())
    if start:
        data = data.filter(pl.col("time_period") >= start)
    if end:
        data = data.filter(pl.col("time_period") <= end + "~")
    ordered = data.sort(KEY)
    return ordered.group_by(list(DIMENSIONS), maintain_order=True).agg(
        pl.col("time_period").first().alias("_first_period"),
        pl.col("time_period").last(),
        pl.col("value").first().alias("_first"),
        pl.col("value").last().alias("_last"),
        pl.col("unit").first(), pl.col("unit_mult").first(),
        pl.col("obs_status").is_in(["E", "M"]).any().alias("_est"),
    ).filter(pl.col("_first_period") != pl.col("time_period")).with_columns(
        pl.when(pl.col("_est")).then(pl.lit("E")).otherwise(pl.lit("A")).alias("obs_status"),
        pl.format('{{"start": "{}"}}', pl.col("_first_period")).alias("attrs"),
    )


def cagr(frame: pl.DataFrame, start: str | None = None, end: str | None = None) -> pl.DataFrame:
    """COINr's CAGR: ((last / first)^(1/years) − 1) × 100 over the first and last available values."""
    span = _span(frame, start, end)
    years = years_between(pl.col("_first_period"), pl.col("time_period"))
    ratio = pl.col("_last") / pl.col("_first")
    value = pl.when((pl.col("_first") > 0) & (ratio >= 0)).then(
        (ratio.pow(1.0 / years) - 1.0) * 100.0).otherwise(None)
    return _rate(span, "CAGR", value, "obs_status")


def growth_total(frame: pl.DataFrame, start: str | None = None,
                 end: str | None = None) -> pl.DataFrame:
    """(last / first − 1) × 100 over the first and last available values of the span."""
    span = _span(frame, start, end)
    return _rate(span, "GROWTH_TOTAL", _ratio(pl.col("_last") - pl.col("_first"),
                                              pl.col("_first")), "obs_status")


# --------------------------------------------------------------------------- others


def rank(frame: pl.DataFrame, dim: str = "ref_area") -> pl.DataFrame:
    """Rank (1 = largest) among peers: same other dimensions, period and level (if present)."""
    data = conform(frame) if "level" not in frame.columns else frame
    data = data.filter(pl.col("unit") != PCT)
    peers = [d for d in DIMENSIONS if d != dim] + ["time_period"]
    if "level" in data.columns:
        peers.append("level")
    ranked = data.filter(pl.col("value").is_not_null()).with_columns(
        pl.col("value").rank(method="min", descending=True).over(peers).cast(pl.Float64)
        .alias("_rank"))
    return _rate(ranked, "RANK", pl.col("_rank"), "obs_status", unit="NUMBER")


def balance(frame: pl.DataFrame) -> pl.DataFrame:
    """出口 − 进口 as flow ``B`` (surplus > 0), for every key with both flows."""
    (data,) = _comparable(levels(frame))
    keys = [d for d in DIMENSIONS if d != "flow"] + ["time_period"]
    x = data.filter(pl.col("flow") == "X")
    m = data.filter(pl.col("flow") == "M").select(
        *keys, pl.col("value").alias("_m"), pl.col("obs_status").alias("_m_status"),
        pl.col("unit").alias("_m_unit"), pl.col("unit_mult").alias("_m_mult"))
    joined = x.join(m, on=keys).filter((pl.col("unit") == pl.col("_m_unit"))
                                       & (pl.col("unit_mult") == pl.col("_m_mult")))
    return joined.with_columns(
        (pl.col("value") - pl.col("_m")).alias("value"),
        pl.lit("B").alias("flow"),
        _status("obs_status", "_m_status"),
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
    base = levels(totals if totals is not None else frame)
    data, base = _comparable(levels(frame), base)
    prev = data.select(*DIMENSIONS, pl.col("time_period").alias("_pp"),
                       pl.col("value").alias("_prev"))
    data = data.with_columns(previous_period(pl.col("time_period"), years=1).alias("_pp")).join(
        prev, on=[*DIMENSIONS, "_pp"])
    dim = hierarchy.dim if hierarchy is not None else "ref_area"
    others = [d for d in DIMENSIONS if d != dim]
    parent_prev = base.select(
        pl.col(dim).alias("_parent"), *others, pl.col("time_period").alias("_pp"),
        pl.col("value").alias("_parent_prev"))
    if hierarchy is not None:
        parents = hierarchy.nodes.select(pl.col("code").alias(dim), pl.col("parent").alias("_parent"))
        data = data.join(parents.drop_nulls(), on=dim)
        joined = data.join(parent_prev, on=["_parent", *others, "_pp"])
    else:
        joined = data.join(parent_prev.drop("_parent").unique([*others, "_pp"]), on=[*others, "_pp"])
    value = _ratio(pl.col("value") - pl.col("_prev"), pl.col("_parent_prev"))
    return _rate(joined, "CONTRIB_GROWTH", value, "obs_status")


def prior_from_growth(frame: pl.DataFrame) -> pl.DataFrame:
    """Previous-year levels implied by published values and growth: x_{t-1} = x_t / (1 + g/100).

    This is how a table that prints only this year's values and growth rates gives the
    growth of a sum without inventing data: the implied prior values are summed. Rows are
    status ``E`` (derived) with ``attrs`` ``{"derived": "value / (1 + growth)"}``.
    """
    data = conform(frame)
    keys = [d for d in DIMENSIONS if d != "indicator"] + ["time_period"]
    values = data.filter(pl.col("indicator").is_in(list(BASE_INDICATORS)))
    growth = data.filter(pl.col("indicator") == "GROWTH_YOY").select(
        *keys, pl.col("value").alias("_g"))
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
}


from shumao.compute import cbec as _cbec  # noqa: E402,F401  (registers the CBEC_* functions)
