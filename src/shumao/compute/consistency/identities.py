"""Identities within one period: flows (T = X + M, B = X − M), a total and its parts, shares."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from shumao.compute.consistency.codes import KEY, Tally, count, identity, where_of
from shumao.compute.consistency.intervals import Span, decimals, fmt, half_unit, pct
from shumao.compute.hierarchy import Hierarchy
from shumao.storage.tables import DIMENSIONS
from shumao.validation.findings import Finding, finding


def with_precision(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_h``, half a unit of the last printed digit, per printed column.

    A printed column has one number of decimals; a value whose last decimals are zeros
    (``8.0`` stored as 8.0) cannot show it, so the column's largest count of decimals is used.
    The column is the one named in ``attrs`` by the importer, else indicator × flow × product.
    """
    if "_h" in frame.columns:
        return frame
    column = pl.col("attrs").str.json_path_match("$.column").fill_null("")
    table = pl.col("attrs").str.json_path_match("$.table").fill_null("")
    decimals_ = pl.col("value").map_elements(decimals, return_dtype=pl.Int64, skip_nulls=True)
    keyed = frame.with_columns(table.alias("_t"), column.alias("_c"), decimals_.alias("_d"))
    return keyed.with_columns(
        (
            0.5
            * pl.lit(10.0).pow(
                -pl.col("_d")
                .max()
                .over(["_t", "_c", "indicator", "flow", "product"])
                .cast(pl.Float64)
            )
        ).alias("_h")
    ).drop("_t", "_c", "_d")


def span_of(value: float, half: float | None) -> Span:
    h = half_unit(value) if half is None else half
    return Span(value - h, value + h)


def value_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("indicator").is_in(["VALUE", "_Z"]) & pl.col("value").is_not_null())


def by_flow(frame: pl.DataFrame, indicator: Iterable[str]) -> pl.DataFrame:
    """One row per key (flow excluded) with a column per flow and ``h<flow>`` its precision."""
    keys = [d for d in DIMENSIONS if d not in ("flow", "indicator")] + ["time_period"]
    data = frame.filter(pl.col("indicator").is_in(list(indicator)) & pl.col("value").is_not_null())
    if data.is_empty():
        return pl.DataFrame()
    values = data.pivot(on="flow", index=keys, values="value", aggregate_function="first")
    halves = data.pivot(on="flow", index=keys, values="_h", aggregate_function="first")
    halves = halves.rename({f: f"h{f}" for f in halves.columns if f not in keys})
    return values.join(halves, on=keys, nulls_equal=True)


def check_flows(frame: pl.DataFrame, file: str = "", tally: Tally | None = None) -> list[Finding]:
    """T = X + M, B = X − M, and no part larger than T."""
    out: list[Finding] = []
    wide = by_flow(with_precision(frame), ["VALUE", "_Z"])
    for row in wide.iter_rows(named=True) if wide.height else []:
        printed = {
            f: (row[f], span_of(row[f], row.get(f"h{f}")))
            for f in ("X", "M", "T", "B")
            if row.get(f) is not None
        }
        out += _flow_identities(printed, where_of(row), file, tally)
    return out


def _flow_identities(
    printed: dict[str, tuple[float, Span]], where: str, file: str, tally: Tally | None
) -> list[Finding]:
    out: list[Finding] = []
    x, m, t, b = (printed.get(f) for f in ("X", "M", "T", "B"))
    if x and m and t:
        count(tally, "table-flow-sum")
        out += identity("table-flow-sum", t[1], x[1] + m[1], t[0], x[0] + m[0], where, file)
    for part, flow in ((x, "X"), (m, "M")):
        if part is None or t is None:
            continue
        count(tally, "table-part-exceeds")
        if part[1].low > t[1].high:
            out.append(
                finding(
                    "table-part-exceeds",
                    file=file,
                    value=part[0],
                    where=where,
                    part=fmt(part[0]),
                    flow=flow,
                    total=fmt(t[0]),
                )
            )
    if x and m and b:
        count(tally, "table-balance")
        out += identity("table-balance", b[1], x[1] - m[1], b[0], x[0] - m[0], where, file)
    return out


def check_parts(
    frame: pl.DataFrame, hierarchy: Hierarchy, file: str = "", tally: Tally | None = None
) -> list[Finding]:
    """Every printed total whose parts are all printed equals their sum."""
    dim = hierarchy.dim
    data = value_rows(with_precision(frame))
    children: dict[str, list[str]] = {}
    for code, parent in hierarchy.nodes.select("code", "parent").iter_rows():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    others = [k for k in KEY if k != dim]
    out: list[Finding] = []
    for _, part in data.group_by(others, maintain_order=True):
        cells = {c: (v, h) for c, v, h in part.select(dim, "value", "_h").iter_rows()}
        for code, (total, half) in cells.items():
            kids = children.get(code, [])
            if not kids or any(k not in cells for k in kids):
                continue
            count(tally, "table-parts-total")
            computed = sum((span_of(*cells[k]) for k in kids), Span(0.0, 0.0))
            row = part.row(0, named=True) | {dim: code}
            out += identity(
                "table-parts-total",
                span_of(total, half),
                computed,
                total,
                sum(cells[k][0] for k in kids),
                where_of(row),
                file,
                parts=" + ".join(kids),
            )
    return out


def check_shares(
    frame: pl.DataFrame, hierarchy: Hierarchy, file: str = "", tally: Tally | None = None
) -> list[Finding]:
    """Printed ``SHARE`` (of the total flow T) against value / parent value × 100."""
    frame = with_precision(frame)
    dim = hierarchy.dim
    keys = [d for d in DIMENSIONS if d != "indicator"] + ["time_period"]
    shares = frame.filter(pl.col("indicator") == "SHARE").select(
        *keys, pl.col("value").alias("s"), pl.col("_h").alias("hs")
    )
    values = value_rows(frame).select(*keys, "value", "_h")
    parents = hierarchy.nodes.drop_nulls("parent").select(
        pl.col("code").alias(dim), pl.col("parent").alias("_parent")
    )
    parent_values = values.rename({dim: "_parent", "value": "pv", "_h": "hpv"})
    joined = (
        shares.join(values, on=keys)
        .join(parents, on=dim)
        .join(parent_values, on=["_parent", *[k for k in keys if k != dim]])
    )
    out: list[Finding] = []
    for row in joined.iter_rows(named=True):
        count(tally, "table-share")
        computed = pct(span_of(row["value"], row["_h"]) / span_of(row["pv"], row["hpv"]), False)
        if not span_of(row["s"], row["hs"]).overlaps(computed):
            out.append(
                finding(
                    "table-share",
                    file=file,
                    value=row["s"],
                    where=where_of(row),
                    printed=fmt(row["s"]),
                    computed=fmt(row["value"] / row["pv"] * 100),
                    numerator=fmt(row["value"]),
                    parent_value=fmt(row["pv"]),
                    low=fmt(computed.low),
                    high=fmt(computed.high),
                )
            )
    return out
