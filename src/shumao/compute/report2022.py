"""《中国数字贸易发展报告2022》表1—表4 重算 / the 2022 report's tables recomputed from the store.

The published tables are imported as printed (source ``report2022``: dataflow
``MOFCOM_REPORT`` for trade, ``MOFCOM_BASE_OUTPUT`` for 表4). This module lays them out as the
report does and recomputes the figures the report derives from them:

- 表1: each economy's share of world exports, given the world total (a parameter: the report's
  text prints "4.1 万亿美元", i.e. 41,000 亿美元, the default; or UNCTAD's ``WLD`` value);
- 表2: the **12省市合计** row and each province's share of the nation. The nation is 中国 in
  表1 (全国 2022: 进出口 3727.07, 出口 2105.37, 进口 1621.70 亿美元).
  **Growth of a sum**: the table prints only 2022 values and growth rates. The growth of the
  12 provinces' total is computed from the previous-year values the printed figures imply,
  ``x_2021 = x_2022 / (1 + g/100)`` (``indicators.prior_from_growth``), summed: no other route
  gets the report's 3.54 % without inventing data. The sums of the printed values can differ
  from the report's 合计 in the last digit (the report added unrounded figures); both are shown;
- 地区: each region's share of the nation and its 顺差 from 出口 − 进口;
- 表3/表4: each base's growth 2020→2022 (CAGR by COINr's definition and total growth) and the
  year-on-year growth of 2021 and 2022.

Pure functions on frames; ``load`` reads the store (``shumao.query.select``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from shumao.compute import indicators as ind
from shumao.compute.shares import share_of_world
from shumao.errors import StoreError, UnknownCode
from shumao.query import select
from shumao.reference import countries, geo, parks
from shumao.storage.dataflows import get_dataflow

TRADE_FLOW = "MOFCOM_REPORT"
OUTPUT_FLOW = "MOFCOM_BASE_OUTPUT"
NATION = "CHN"
REPORT_WORLD_EXPORTS = 41_000.0
"""亿美元: the report's "2022年全球可数字化交付服务出口 4.1 万亿美元" (printed to 2 digits)."""
SOURCE_ZH = "数据来源：商务部《中国数字贸易发展报告2022》；合计、占比、增速为本系统据公布数计算"
SOURCE_EN = (
    "Source: MOFCOM, China Digital Trade Development Report 2022; totals, shares and "
    "growth rates computed by shumao from the published figures"
)
TOTAL_12 = "12省市合计"
FLOWS = ("T", "X", "M")
FLOW_ZH = {"T": "进出口", "X": "出口", "M": "进口", "B": "顺差"}


@dataclass(frozen=True)
class ReportData:
    trade: pl.DataFrame
    output: pl.DataFrame
    world_unctad: float | None = None
    """UNCTAD's world digitally-deliverable exports of the year (亿美元), when imported."""


def load(engine: Engine, year: int = 2022) -> ReportData:
    """Read the imported report tables (and UNCTAD's world total, if there) from the store."""
    if year != 2022:
        raise UnknownCode("报告年份 report years (2022)", year)
    trade = select(engine, TRADE_FLOW, start="2020", end=str(year), unit="亿美元")
    if trade.is_empty():
        raise StoreError(
            "库中没有《中国数字贸易发展报告2022》的表格，请先导入："
            "shumao import report2022 <file> / the report's tables are not in the "
            "store; import them with: shumao import report2022 <file>"
        )
    try:
        get_dataflow(OUTPUT_FLOW)
        output = select(engine, OUTPUT_FLOW, start="2020", end=str(year))
    except UnknownCode:
        output = trade.head(0)
    world = select(
        engine,
        "UNCTAD_DDS",
        where={"ref_area": ["WLD"], "flow": ["X"]},
        start=str(year),
        end=str(year),
        unit="亿美元",
    )
    world_value = (
        float(world["value"][0]) if world.height and world["value"][0] is not None else None
    )
    return ReportData(trade, output, world_value)


# --------------------------------------------------------------------------- helpers


def _pick(trade: pl.DataFrame, indicator: str, year: str | None = "2022") -> pl.DataFrame:
    out = trade.filter(pl.col("indicator") == indicator)
    return out.filter(pl.col("time_period") == year) if year else out


def _wide(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
    if frame.is_empty():
        return pl.DataFrame({"ref_area": []}, schema={"ref_area": pl.String})
    return frame.pivot(
        on="flow", index="ref_area", values="value", aggregate_function="first"
    ).rename({f: f"{prefix}{f}" for f in frame["flow"].unique()})


def _is_province(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _name(code: str) -> str:
    if _is_province(code):
        return geo.lookup(code).short_zh
    if code.startswith("DSEB"):
        return parks.lookup(code).name_zh
    try:
        return geo.lookup_region(code).name_zh
    except UnknownCode:
        return countries.lookup(code).name_zh


def nation(trade: pl.DataFrame, year: str = "2022") -> dict[str, float]:
    """全国 (中国 in 表1): ``{"T": 3727.07, "X": 2105.37, "M": 1621.70}``."""
    rows = _pick(trade, "VALUE", year).filter(pl.col("ref_area") == NATION)
    return dict(zip(rows["flow"].to_list(), rows["value"].to_list(), strict=True))


# --------------------------------------------------------------------------- 表1


def table1(trade: pl.DataFrame, world_total: float = REPORT_WORLD_EXPORTS) -> pl.DataFrame:
    """表1 with each economy's share of world exports (``world_total`` in 亿美元)."""
    values = _pick(trade, "VALUE").filter(pl.col("ref_area").str.len_chars() == 3)
    share = share_of_world(values.filter(pl.col("flow") == "X"), world_total)
    wide = _wide(values, "").join(_wide(_pick(trade, "GROWTH_YOY"), "g"), on="ref_area", how="left")
    wide = wide.join(
        share.select("ref_area", pl.col("value").alias("share_world_X")), on="ref_area", how="left"
    )
    ranked = wide.sort("T", descending=True).with_row_index("rank", offset=1)
    return ranked.with_columns(
        pl.col("ref_area").map_elements(_name, return_dtype=pl.String).alias("name")
    )


# --------------------------------------------------------------------------- 表2


def table2(trade: pl.DataFrame) -> pl.DataFrame:
    """表2: the provinces as printed, shares of the nation, and the 12省市合计 row."""
    values = _pick(trade, "VALUE").filter(
        pl.col("ref_area").map_elements(_is_province, return_dtype=pl.Boolean)
    )
    growth = _pick(trade, "GROWTH_YOY").filter(
        pl.col("ref_area").is_in(values["ref_area"].implode())
    )
    total = _total_row(values, growth)
    rows = _wide(values, "").join(_wide(growth, "g"), on="ref_area", how="left").sort("ref_area")
    both = pl.concat([rows, total], how="diagonal")
    whole = nation(trade)
    shares = [(pl.col(f) / whole[f] * 100.0).alias(f"share_{f}") for f in FLOWS if f in whole]
    return both.with_columns(*shares).with_columns(
        pl.col("ref_area")
        .map_elements(lambda c: TOTAL_12 if c == TOTAL_12 else _name(c), return_dtype=pl.String)
        .alias("name")
    )


def _total_row(values: pl.DataFrame, growth: pl.DataFrame) -> pl.DataFrame:
    """Sum of values; growth from the summed previous-year values implied by the growth rates."""
    prior = ind.prior_from_growth(pl.concat([values, growth]))
    now = values.group_by("flow").agg(pl.col("value").sum())
    before = prior.group_by("flow").agg(pl.col("value").sum().alias("prior"))
    summed = now.join(before, on="flow").with_columns(
        ((pl.col("value") / pl.col("prior") - 1.0) * 100.0).alias("g")
    )
    row: dict[str, object] = {"ref_area": TOTAL_12}
    for flow, value, _, g in summed.iter_rows():
        row[flow], row[f"g{flow}"] = value, g
    return pl.DataFrame([row])


# --------------------------------------------------------------------------- regions


def regions(trade: pl.DataFrame) -> pl.DataFrame:
    """The four regions as printed, with their computed share of the nation and 出口 − 进口."""
    codes = [r.code for r in geo.regions()]
    values = _pick(trade, "VALUE").filter(pl.col("ref_area").is_in(codes))
    shares = _pick(trade, "SHARE").filter(pl.col("ref_area").is_in(codes))
    whole = nation(trade)
    wide = _wide(values, "").join(
        shares.select("ref_area", pl.col("value").alias("share_printed")), on="ref_area", how="left"
    )
    order = {c: i for i, c in enumerate(codes)}
    return (
        wide.with_columns(
            (pl.col("T") / whole["T"] * 100.0).alias("share_T"),
            (pl.col("X") - pl.col("M")).alias("B_computed"),
            pl.col("ref_area").map_elements(_name, return_dtype=pl.String).alias("name"),
            pl.col("ref_area").replace_strict(order, return_dtype=pl.Int32).alias("_order"),
        )
        .sort("_order")
        .drop("_order")
    )


# --------------------------------------------------------------------------- 表3, 表4


def _growth_table(values: pl.DataFrame, flows: list[str] | None) -> pl.DataFrame:
    """Per park (and flow): values by year, YoY growth, CAGR and total growth over the span."""
    yoy = ind.growth_yoy(values)
    cagr = ind.cagr(values)
    total = ind.growth_total(values)
    idx = ["ref_area", "flow"] if flows else ["ref_area"]
    wide = values.pivot(on="time_period", index=idx, values="value", aggregate_function="first")
    wide = wide.rename({c: f"v{c}" for c in wide.columns if c.isdigit()})
    g = yoy.pivot(on="time_period", index=idx, values="value", aggregate_function="first")
    g = g.rename({c: f"g{c}" for c in g.columns if c.isdigit()})
    out = (
        wide.join(g, on=idx, how="left")
        .join(cagr.select(*idx, pl.col("value").alias("cagr")), on=idx, how="left")
        .join(total.select(*idx, pl.col("value").alias("growth_total")), on=idx, how="left")
    )
    return out.with_columns(
        pl.col("ref_area").map_elements(_name, return_dtype=pl.String).alias("name")
    )


def table3(trade: pl.DataFrame) -> pl.DataFrame:
    """表3: bases' 进出口 and 出口 2020–2022 with growth (one row per base and flow)."""
    values = _pick(trade, "VALUE", None).filter(pl.col("ref_area").str.starts_with("DSEB"))
    out = _growth_table(values, ["flow"])
    latest = out.filter(pl.col("flow") == "T").select("ref_area", pl.col("v2022").alias("_k"))
    return (
        out.join(latest, on="ref_area", how="left")
        .sort(["_k", "flow"], descending=[True, False])
        .drop("_k")
    )


def table4(output: pl.DataFrame) -> pl.DataFrame:
    """表4: bases' digital-industry output 2020–2022 (亿元) with growth."""
    values = output.filter(
        pl.col("ref_area").str.starts_with("DSEB") & pl.col("value").is_not_null()
    )
    if values.is_empty():
        return pl.DataFrame()
    return _growth_table(values, None).sort("v2022", descending=True)


# --------------------------------------------------------------------------- headline


def headline(trade: pl.DataFrame, world_total: float = REPORT_WORLD_EXPORTS) -> dict[str, float]:
    """The derived figures the report prints in its text, keyed for tests and display."""
    t2 = table2(trade).filter(pl.col("ref_area") == TOTAL_12).row(0, named=True)
    t1 = table1(trade, world_total)
    out = {f"total12_{k}": float(t2[k]) for k in ("T", "gT", "X", "gX", "M", "gM")}
    out["total12_share_T"] = float(t2["share_T"])
    for code in ("USA", "GBR", "IRL", "DEU", "JPN", "CHN"):
        row = t1.filter(pl.col("ref_area") == code)
        if row.height:
            out[f"share_world_X_{code}"] = float(row["share_world_X"][0])
    return out
