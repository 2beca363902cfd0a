"""The index's input data, read from the store with the vintages used.

The framework names its units (``units.kind``: ``provinces`` — the 31 provinces of the
mainland —, ``economies`` — every economy with a value in ``units.from`` for the period —, or
``bases`` — the national digital service export bases) and, per indicator, its ``source``::

    source: {dataflow: MOFCOM_REPORT, flow: X, product: DD, counterpart_area: WLD,
             indicator: VALUE, transform: value, fill: region_remainder}

``transform``: ``value`` (the period's value), ``growth`` (% on the year before), ``cagr``
(average annual growth over ``years``), ``enterprises`` (approved direct-reporting filings
summed per province or base over enterprises, partners and the year's quarters).
``fill: region_remainder`` estimates a province the table does not list as an equal share of
what its NBS region's published total leaves after the listed provinces (flagged estimated).
Values are in base units (value × 10^unit_mult) so a load's multiplier never matters.

``as_of`` (dataflow → vintage id) rebuilds a run exactly on the data it read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Connection, select

from shumao.collection.tables import enterprise
from shumao.index.data import Dataset, Units
from shumao.index.framework import Framework, FrameworkRejected
from shumao.reference import countries, geo, groupings, parks
from shumao.storage import vintages
from shumao.validation.findings import Report, finding

DIMS = ("ref_area", "counterpart_area", "product", "flow", "indicator", "freq")


@dataclass
class Inputs:
    raw: Dataset
    units: Units
    vintages: dict[str, int] = field(default_factory=dict)
    periods: dict[str, str] = field(default_factory=dict)
    estimated: list[tuple[str, str]] = field(default_factory=list)


def unit_list(conn: Connection, fw: Framework, as_of: Mapping[str, int] | None) -> Units:
    spec = fw.units or {}
    kind = spec.get("kind")
    if kind == "provinces":
        provs = [a for a in geo.provinces() if int(a.code) < 710000]
        codes = tuple(a.code for a in provs)
        region = {a.code: a.region for a in provs}
        return Units(codes, {a.code: a.short_zh or a.name_zh for a in provs}, {"region": region})
    if kind == "bases":
        ps = parks.parks()
        return Units(
            tuple(p.code for p in ps),
            {p.code: p.name_zh for p in ps},
            {"province": {p.code: p.province_code for p in ps}},
        )
    if kind == "economies":
        return _economies(conn, fw, spec, as_of)
    raise ValueError(f"units.kind must be provinces, economies or bases (got {kind!r})")


def _economies(
    conn: Connection, fw: Framework, spec: Mapping[str, Any], as_of: Mapping[str, int] | None
) -> Units:
    flow = spec.get("from", "UNCTAD_DDS")
    frame = vintages.read(
        conn,
        flow,
        where={"counterpart_area": ["WLD"], "freq": ["A"]},
        start=fw.period,
        end=fw.period,
        as_of=(as_of or {}).get(flow),
    )
    known = {c.iso3: c for c in countries.all_countries(aggregates=False)}
    codes = tuple(sorted({r for r in frame.drop_nulls("value")["ref_area"] if r in known}))
    on = date(int(fw.period), 12, 31)
    dev = groupings.members("DEVELOPED", on)
    region = {c: (countries.m49_region(c) or ("", ""))[0] or None for c in codes}
    return Units(
        codes,
        {c: known[c].name_zh for c in codes},
        {
            "development": {c: "DEVELOPED" if c in dev else "DEVELOPING" for c in codes},
            "m49_region": region,
        },
    )


def gather(conn: Connection, fw: Framework, *, as_of: Mapping[str, int] | None = None) -> Inputs:
    """Read every indicator of ``fw`` for its units; findings when an indicator has no data."""
    units = unit_list(conn, fw, as_of)
    report = Report(source=fw.id)
    cols: list[list[float]] = []
    used: dict[str, int] = {}
    periods: dict[str, str] = {}
    estimated: list[tuple[str, str]] = []
    for code in fw.indicators:
        src = dict(fw.by_code[code].source or {})
        period = str(src.get("period", fw.period))
        values, flows = _read(conn, src, units, period, as_of)
        if src.get("fill") == "region_remainder":
            filled, more = _region_remainder(conn, src, units, period, values, as_of)
            estimated += [(u, code) for u in filled]
            flows = {f: max(v, flows.get(f, 0)) for f, v in {**flows, **more}.items()}
        if src.get("missing") == "zero":
            values = {u: values.get(u, 0.0) for u in units.codes}
        if not values:
            report.add(
                finding(
                    "index-source-empty",
                    item=code,
                    period=period,
                    detail=f"{src.get('dataflow')} {src}"[:160],
                )
            )
        cols.append([values.get(u, np.nan) for u in units.codes])
        periods[code] = period
        for flow, vid in flows.items():
            used[flow] = max(used.get(flow, 0), vid)
    if not report.ok:
        raise FrameworkRejected(report)
    raw = Dataset(units.codes, fw.indicators, np.array(cols, dtype=float).T)
    if (fw.units or {}).get("with_data_only"):
        raw, units = _with_data(fw, raw, units)
    return Inputs(raw, units, used, periods, estimated)


def _with_data(fw: Framework, raw: Dataset, units: Units) -> tuple[Dataset, Units]:
    """Only the units with a value of some indicator not filled by ``missing: zero``."""
    real = [c for c in fw.indicators if (fw.by_code[c].source or {}).get("missing") != "zero"]
    keep = ~np.isnan(raw.cols(real)).all(axis=1)
    kept = raw.select_units(keep)
    return kept, Units(
        kept.units,
        units.names,
        {g: {u: v for u, v in m.items() if u in kept.units} for g, m in units.groups.items()},
        units.denominators,
    )


def _newest(flow: str, frame: pl.DataFrame) -> dict[str, int]:
    """The newest vintage among the rows read: reading as of it reads the same rows again."""
    return {flow: int(frame["vintage_id"].cast(pl.Int64).max())} if frame.height else {}  # type: ignore[arg-type]


def _where(src: Mapping[str, Any], units: Units) -> dict[str, list[str]]:
    where = {d: [str(src[d])] for d in DIMS if d in src and d != "ref_area"}
    where["ref_area"] = list(units.codes)
    return where


def _base(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop_nulls("value").with_columns(
        (pl.col("value") * 10.0 ** pl.col("unit_mult").cast(pl.Float64)).alias("v")
    )


def _read(
    conn: Connection,
    src: Mapping[str, Any],
    units: Units,
    period: str,
    as_of: Mapping[str, int] | None,
) -> tuple[dict[str, float], dict[str, int]]:
    flow = src["dataflow"]
    limit = (as_of or {}).get(flow)
    transform = src.get("transform", "value")
    if transform == "enterprises":
        return _enterprises(conn, src, units, period, limit)
    years = int(src.get("years", 1)) if transform in ("growth", "cagr") else 0
    start = str(int(period) - years)
    frame = _base(
        vintages.read(conn, flow, where=_where(src, units), start=start, end=period, as_of=limit)
    )
    vids = _newest(flow, frame)
    by: dict[str, dict[str, float]] = defaultdict(dict)
    for row in frame.iter_rows(named=True):
        by[row["ref_area"]][row["time_period"]] = row["v"]
    out = {}
    for unit, series in by.items():
        value = _transform(series, transform, period, years)
        if value is not None and np.isfinite(value):
            out[unit] = value
    return out, vids


def _transform(
    series: Mapping[str, float], transform: str, period: str, years: int
) -> float | None:
    now = series.get(period)
    if transform == "value" or now is None:
        return now
    then = series.get(str(int(period) - years))
    if then is None or then <= 0:
        return None
    if transform == "growth":
        return (now / then - 1) * 100
    return ((now / then) ** (1 / years) - 1) * 100


def _enterprises(
    conn: Connection, src: Mapping[str, Any], units: Units, period: str, limit: int | None
) -> tuple[dict[str, float], dict[str, int]]:
    place = (
        enterprise.c.park_code
        if (units.codes and units.codes[0].startswith("DSEB"))
        else enterprise.c.province_code
    )
    owner = dict(conn.execute(select(enterprise.c.uscc, place)).all())
    flow = src["dataflow"]
    where = {d: [str(src[d])] for d in DIMS if d in src and d != "ref_area"}
    frame = _base(
        vintages.read(
            conn, flow, where=where, start=f"{period}-Q1", end=f"{period}-Q4", as_of=limit
        )
    )
    out: dict[str, float] = defaultdict(float)
    for row in frame.iter_rows(named=True):
        unit = owner.get(row["ref_area"])
        if unit in units.codes and row["time_period"].startswith(period):
            out[unit] += row["v"]
    vids = _newest(flow, frame)
    return dict(out), vids


def _region_remainder(
    conn: Connection,
    src: Mapping[str, Any],
    units: Units,
    period: str,
    values: dict[str, float],
    as_of: Mapping[str, int] | None,
) -> tuple[list[str], dict[str, int]]:
    regions = {r.code: r for r in geo.regions()}
    where = {d: [str(src[d])] for d in DIMS if d in src and d != "ref_area"}
    where["ref_area"] = list(regions)
    flow = src["dataflow"]
    totals = _base(
        vintages.read(
            conn, flow, where=where, start=period, end=period, as_of=(as_of or {}).get(flow)
        )
    )
    filled = []
    for row in totals.iter_rows(named=True):
        members = [p for p in regions[row["ref_area"]].provinces if p in units.codes]
        missing = [p for p in members if p not in values]
        rest = row["v"] - sum(values[p] for p in members if p in values)
        if missing and rest > 0:
            for p in missing:
                values[p] = rest / len(missing)
            filled += missing
    vids = _newest(flow, totals)
    return filled, vids
