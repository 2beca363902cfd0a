"""跨境电商指标 / indicators of cross-border e-commerce (数字订购贸易), pure frame → frame.

Listed in ``indicators.FUNCTIONS`` (their definitions are in ``indicators.yaml``):

    CBEC_SHARE_GOODS     cross-border e-commerce (CBEC) as % of goods trade (GOODS), same flow
    CBEC_PARTNER_SHARE   a partner's share of the flow (partner value / world value)
    CBEC_MODE_SHARE      a customs supervision mode's share of the total (9610 … / CBEC)
    CBEC_PROVINCE_SHARE  a province's share of the nation (province / CHN)
    CBEC_GROUP_SHARE     a dated grouping's share (共建“一带一路”国家 BRI: members at period end)

``amounts`` gives the level values in 亿元 and 亿美元 at the official annual average rate.
``province_latest`` gives each province's latest published level with the nation's figure of the
same year and the share (the provinces' years may differ: every row says its own).
``partner_structure`` lists the published partner shares of one flow and year, the share left
to other partners, and the Belt and Road aggregate apart (it overlaps the countries).
"""

from __future__ import annotations

import json

import polars as pl

from shumao.compute.hierarchy import grouping_map
from shumao.compute.indicator_parts import levels
from shumao.compute.shares import share_of
from shumao.query import convert_units
from shumao.reference import cbec_modes, geo, units
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import conform

WORLD = "WLD"
NATION = "CHN"
BRI = "BRI"
TOTAL = "CBEC"
GOODS = "GOODS"


def _on(*free: str) -> list[str]:
    return [d for d in DIMENSIONS if d not in (*free, "indicator")] + ["time_period"]


def _values(frame: pl.DataFrame) -> pl.DataFrame:
    return levels(frame.filter(pl.col("indicator").is_in(["VALUE", "_Z"])))


def share_of_goods(frame: pl.DataFrame) -> pl.DataFrame:
    """x(CBEC) / x(GOODS) × 100 for the same area, partner, flow and period."""
    data = _values(frame)
    return share_of(
        data.filter(pl.col("product") == TOTAL),
        data.filter(pl.col("product") == GOODS),
        on=_on("product"),
        indicator_id="CBEC_SHARE_GOODS",
    )


def partner_share(frame: pl.DataFrame) -> pl.DataFrame:
    """x(partner) / x(world) × 100 for the same area, mode, flow and period."""
    data = _values(frame)
    return share_of(
        data.filter(pl.col("counterpart_area") != WORLD),
        data.filter(pl.col("counterpart_area") == WORLD),
        on=_on("counterpart_area"),
        indicator_id="CBEC_PARTNER_SHARE",
    )


def group_values(frame: pl.DataFrame, groups: tuple[str, ...] = (BRI,)) -> pl.DataFrame:
    """Partner countries summed into dated groupings: a country counts in a period when it is a
    member at the period's end (``reference.groupings``: Italy in BRI until 2024-03-22). Only
    country rows are summed (``WLD`` and a published aggregate such as customs' ``BRI`` are no
    members), so a grouping is as complete as the partners the frame has."""
    data = _values(frame)
    members = grouping_map(
        data["counterpart_area"].unique().to_list(), data["time_period"].unique().to_list(), groups
    )
    joined = data.join(
        members.rename({"code": "counterpart_area"}), on=["counterpart_area", "time_period"]
    )
    keys = [
        c
        for c in (*DIMENSIONS, "time_period", "unit", "unit_mult", "freq")
        if c in data.columns and c != "counterpart_area"
    ]
    keys = list(dict.fromkeys(keys))
    return conform(
        joined.group_by([*keys, "group"])
        .agg(pl.col("value").sum())
        .rename({"group": "counterpart_area"})
    )


def group_share(frame: pl.DataFrame, groups: tuple[str, ...] = (BRI,)) -> pl.DataFrame:
    """x(members of the grouping at period end) / x(WLD) × 100, same area, mode, flow, period."""
    data = _values(frame)
    grouped = group_values(data, groups)
    return share_of(
        grouped,
        data.filter(pl.col("counterpart_area") == WORLD),
        on=_on("counterpart_area"),
        indicator_id="CBEC_GROUP_SHARE",
    )


def mode_share(frame: pl.DataFrame) -> pl.DataFrame:
    """x(mode) / x(CBEC) × 100: the mode structure (9610, 9710, 9810, 1210)."""
    data = _values(frame)
    return share_of(
        data.filter(pl.col("product").is_in(list(cbec_modes.MODES))),
        data.filter(pl.col("product") == TOTAL),
        on=_on("product"),
        indicator_id="CBEC_MODE_SHARE",
    )


def province_share(frame: pl.DataFrame) -> pl.DataFrame:
    """x(province) / x(CHN) × 100 for the same partner, mode, flow and period."""
    data = _values(frame)
    provinces = data.filter(pl.col("ref_area").str.contains(r"^\d{6}$"))
    return share_of(
        provinces,
        data.filter(pl.col("ref_area") == NATION),
        on=_on("ref_area"),
        indicator_id="CBEC_PROVINCE_SHARE",
    )


def province_latest(frame: pl.DataFrame, *, flow: str = "T") -> pl.DataFrame:
    """Each province's latest level of ``flow`` (total ``CBEC``, partner world) in 亿元, the
    nation's level of the same year (latest vintage) and the province's share of it in %, null
    when the nation has no figure for that year. Columns: ref_area, time_period, value, nation,
    share, attrs; largest value first. Provinces only: a city's figure is no province's."""
    data = convert_units(
        _values(frame).filter(
            (pl.col("product") == TOTAL)
            & (pl.col("counterpart_area") == WORLD)
            & (pl.col("flow") == flow)
        ),
        units.parse("亿元"),
    )
    codes = [p.code for p in geo.provinces()]
    provinces = data.filter(pl.col("ref_area").is_in(codes))
    if provinces.is_empty():
        return pl.DataFrame(
            schema={
                "ref_area": pl.String,
                "time_period": pl.String,
                "value": pl.Float64,
                "nation": pl.Float64,
                "share": pl.Float64,
                "attrs": pl.String,
            }
        )
    last = provinces.sort("time_period").group_by("ref_area").last()
    nation = data.filter(pl.col("ref_area") == NATION).select(
        "time_period", pl.col("value").alias("nation")
    )
    shares = province_share(data).select("ref_area", "time_period", pl.col("value").alias("share"))
    return (
        last.select("ref_area", "time_period", "value", "attrs")
        .join(nation, on="time_period", how="left")
        .join(shares, on=["ref_area", "time_period"], how="left")
        .select("ref_area", "time_period", "value", "nation", "share", "attrs")
        .sort("value", descending=True)
    )


def from_enterprises(frame: pl.DataFrame, *, area: str) -> pl.DataFrame:
    """Approved filings (``ENT_CBEC``: one row per enterprise, mode, partner, flow) summed into
    the shape of ``CUSTOMS_CBEC`` for ``area``: per mode and partner, per mode (partner
    ``WLD``) and the total over the modes (``CBEC``), so that the customs indicators apply.
    Values are converted to the first row's unit first (all 万元 from the form)."""
    data = levels(frame)
    if data.is_empty():
        return data
    keys = ["product", "counterpart_area", "flow", "freq", "time_period", "unit", "unit_mult"]
    by_partner = data.group_by(keys).agg(pl.col("value").sum())
    by_mode = (
        by_partner.group_by([k for k in keys if k != "counterpart_area"])
        .agg(pl.col("value").sum())
        .with_columns(pl.lit(WORLD).alias("counterpart_area"))
    )
    total = (
        by_partner.group_by([k for k in keys if k != "product"])
        .agg(pl.col("value").sum())
        .with_columns(pl.lit(TOTAL).alias("product"))
    )
    total_world = (
        by_mode.group_by([k for k in keys if k not in ("product", "counterpart_area")])
        .agg(pl.col("value").sum())
        .with_columns(pl.lit(TOTAL).alias("product"), pl.lit(WORLD).alias("counterpart_area"))
    )
    parts = [f.select([*keys, "value"]) for f in (by_partner, by_mode, total, total_world)]
    return conform(
        pl.concat(parts).with_columns(
            pl.lit(area).alias("ref_area"), pl.lit("VALUE").alias("indicator")
        )
    )


def amounts(frame: pl.DataFrame) -> pl.DataFrame:
    """Level rows with ``cny`` (亿元, as published) and ``usd`` (亿美元 at the year's average rate)."""
    data = _values(frame)
    cny = convert_units(data, units.parse("亿元"))
    usd = convert_units(data, units.parse("亿美元"))
    return cny.with_columns(usd["value"].alias("usd")).rename({"value": "cny"})


def bound(attrs: str | None) -> str:
    """``lower``/``upper`` when the published figure is a bound (超过50%), else ``""``."""
    if not attrs:
        return ""
    return str(json.loads(attrs).get("bound", ""))


def partner_structure(frame: pl.DataFrame, *, flow: str, year: str) -> pl.DataFrame:
    """Published partner shares of ``flow`` in ``year`` (largest first), then 其他 (the rest,
    computed), then the Belt and Road aggregate (a grouping that overlaps the countries, so it
    is never part of the sum). Columns: partner, share, kind (published/computed/grouping),
    bound (lower/upper/empty)."""
    rows = frame.filter(
        (pl.col("indicator") == "SHARE")
        & (pl.col("flow") == flow)
        & (pl.col("time_period") == year)
        & (pl.col("ref_area") == NATION)
    )
    countries = rows.filter(pl.col("counterpart_area") != BRI).sort("value", descending=True)
    out = [
        (p, float(v), "published", bound(a))
        for p, v, a in countries.select("counterpart_area", "value", "attrs").iter_rows()
    ]
    if out:
        out.append(("OTHER", round(100.0 - sum(r[1] for r in out), 10), "computed", ""))
    out += [
        (BRI, float(v), "grouping", bound(a))
        for v, a in rows.filter(pl.col("counterpart_area") == BRI)
        .select("value", "attrs")
        .iter_rows()
    ]
    return pl.DataFrame(
        out,
        schema={"partner": pl.String, "share": pl.Float64, "kind": pl.String, "bound": pl.String},
        orient="row",
    )
