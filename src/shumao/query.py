"""Select observations for people: names or codes in filters, latest or as-of, any unit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import polars as pl
from sqlalchemy import Engine

from shumao.errors import UnknownCode
from shumao.reference import units
from shumao.reference._data import AmbiguousName
from shumao.reference.names import resolver
from shumao.storage import vintages
from shumao.storage.dataflows import get_dataflow
from shumao.validation import codelists

_KIND_OF_CODELIST = codelists.RESOLVERS


def resolve_filters(dataflow_id: str, where: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Turn names ("中国", "江苏", "计算机服务") into the codes the dataflow stores."""

    flow = get_dataflow(dataflow_id)
    out: dict[str, list[str]] = {}
    for dim, values in where.items():
        kind = _KIND_OF_CODELIST.get(flow.dimensions.get(dim, ""))
        if kind is None and dim in ("ref_area", "counterpart_area"):
            kind = "country"  # free-code areas (e.g. World Bank) still take country names
        codes = []
        for value in values:
            try:
                codes.append(resolver(kind)(value) if kind else value)
            except UnknownCode:
                codes.append(value)
        out[dim] = codes
    return out


def unknown_names(dataflow_id: str, where: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The filter values no code list of the dataflow knows, as code or as name (only for
    dimensions with a code list; free codes such as enterprise USCCs are never "unknown")."""

    flow = get_dataflow(dataflow_id)
    out: dict[str, list[str]] = {}
    for dim, values in where.items():
        kind = _KIND_OF_CODELIST.get(flow.dimensions.get(dim, ""))
        if kind is None:
            continue
        for value in values:
            try:
                resolver(kind)(value)
            except UnknownCode:
                out.setdefault(dim, []).append(value)
    return out


def ambiguity(dataflow_id: str, dim: str, value: str) -> AmbiguousName | None:
    """The entries a filter value names when it is a name of several (Suzhou: 苏州 and 宿州):
    such a value selects nothing rather than one of them."""
    return codelists.ambiguity(get_dataflow(dataflow_id).dimensions.get(dim, ""), value)


def select(
    engine: Engine,
    dataflow_id: str,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: int | datetime | None = None,
    unit: str | None = None,
) -> pl.DataFrame:
    flow = get_dataflow(dataflow_id)
    resolved = resolve_filters(flow.id, where or {})
    with engine.connect() as conn:
        frame = vintages.read(conn, flow.id, where=resolved, start=start, end=end, as_of=as_of)
    return convert_units(frame, units.parse(unit)) if unit else frame


def convert_units(frame: pl.DataFrame, target: units.Unit) -> pl.DataFrame:
    """Express money rows in ``target`` (fx by the period's year); other rows are unchanged."""
    if frame.is_empty():
        return frame
    pairs = frame.select("unit", "unit_mult", pl.col("time_period").str.slice(0, 4).alias("y"))
    factors: list[float | None] = []
    for unit_code, mult, year in pairs.iter_rows():
        try:
            source = units.Unit(code=unit_code, mult=int(mult), name_zh="", name_en="")
            factors.append(units.factor(source, target, year=int(year)))
        except Exception:
            factors.append(None)
    f = pl.Series("_f", factors, dtype=pl.Float64)
    converted = f.is_not_null()
    return frame.with_columns(
        pl.when(converted).then(pl.col("value") * f).otherwise(pl.col("value")).alias("value"),
        pl.when(converted).then(pl.lit(target.code)).otherwise(pl.col("unit")).alias("unit"),
        pl.when(converted)
        .then(pl.lit(target.mult, pl.Int16))
        .otherwise(pl.col("unit_mult"))
        .alias("unit_mult"),
    )
