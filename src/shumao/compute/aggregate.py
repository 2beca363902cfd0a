"""汇总 / aggregation along the reference hierarchies, with what disclosure control needs.

Input: a frame of ``FRAME_SCHEMA`` (one row per contributor and cell). Output: the same
columns for every node of the hierarchy that has data, plus

| column           | meaning                                                                 |
|------------------|-------------------------------------------------------------------------|
| ``level``        | the node's level (``park``, ``province``, ``main_item`` …)              |
| ``n_contributors`` | contributors with a value (leaves of the hierarchy under the node)    |
| ``n_missing``    | contributors present with no value (status ``M``): a missing contributor |
| ``n_estimated``  | contributors whose value is an estimate (status ``E``)                   |
| ``top1``…``topN``| the largest contributions, for the (n, k) dominance rule                 |
| ``agg_status``   | ``complete``, ``estimated``, ``incomplete`` or ``estimated_incomplete``   |

``obs_status`` of an aggregate is ``M`` when no contributor has a value, ``E`` when it includes
an estimate or misses a contributor (a partial sum is an estimate of the total), ``P`` when a
contributor is provisional, ``A`` otherwise. Values of different units are never added: unit
and multiplier are part of every cell's key (convert first with ``to_unit``).

How it runs (one code path, DuckDB SQL in ``compute.cube``): the frame goes to an in-process
DuckDB as Arrow; the leaves are summed to their immediate parent in one group-by over all
rows, those partial sums (sums, counts and the top-N lists are mergeable) are then merged into
every ancestor through the hierarchy's closure. ``benchmarks/aggregate_10m.py`` measures this
path against hand-written DuckDB SQL, polars and pandas on 10 million observations
(ARCHITECTURE, "The cube runs in DuckDB").

Contributors: the leaves of the hierarchy being aggregated. To cross several hierarchies
(``rollup``) the non-geographic ones run first, at the level of the reporting unit, and the
geography last, so that a cell's contributors are reporting units (enterprises), as disclosure
control requires.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from shumao.compute import cube
from shumao.compute.cube import STATUS_BOTH, STATUS_COMPLETE, STATUS_ESTIMATED, STATUS_INCOMPLETE
from shumao.compute.hierarchy import Hierarchy, grouping_map
from shumao.errors import ShumaoError
from shumao.reference import units
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA, conform

STATUS_TEXT = {
    STATUS_COMPLETE: ("完整", "complete"),
    STATUS_ESTIMATED: ("含估计值", "includes estimates"),
    STATUS_INCOMPLETE: ("缺少部分填报单位", "contributors missing"),
    STATUS_BOTH: ("含估计值且缺少部分填报单位", "includes estimates; contributors missing"),
}


def output_columns(top: int = 2) -> list[str]:
    return list(cube.output_schema(top))


# --------------------------------------------------------------------------- units


def to_unit(frame: pl.DataFrame, unit: str | units.Unit) -> pl.DataFrame:
    """Money rows expressed in ``unit`` (exchange rate of the period's year); others unchanged."""
    target = units.parse(unit) if isinstance(unit, str) else unit
    combos = frame.select(
        "unit", "unit_mult", pl.col("time_period").str.slice(0, 4).alias("_year")
    ).unique()
    factors = [unit_factor(u, m, y, target) for u, m, y in combos.iter_rows()]
    table = combos.with_columns(pl.Series("_f", factors, dtype=pl.Float64))
    joined = frame.with_columns(pl.col("time_period").str.slice(0, 4).alias("_year")).join(
        table, on=["unit", "unit_mult", "_year"], how="left", nulls_equal=True
    )
    hit = pl.col("_f").is_not_null()
    return joined.with_columns(
        pl.when(hit).then(pl.col("value") * pl.col("_f")).otherwise(pl.col("value")).alias("value"),
        pl.when(hit).then(pl.lit(target.code)).otherwise(pl.col("unit")).alias("unit"),
        pl.when(hit)
        .then(pl.lit(target.mult, pl.Int16))
        .otherwise(pl.col("unit_mult"))
        .alias("unit_mult"),
    ).drop("_f", "_year")


def unit_factor(code: str, mult: int, year: str, target: units.Unit) -> float | None:
    """What a value in ``code`` × 10^``mult`` of ``year`` is multiplied by to be in ``target``;
    ``None`` when it cannot be (not money, or no rate for that year)."""
    source = units.Unit(code=code, mult=int(mult), name_zh="", name_en="")
    try:
        return units.factor(source, target, year=int(year) if year.isdigit() else None)
    except ShumaoError:
        return None  # not money, or no rate for that year: the row keeps its unit


# --------------------------------------------------------------------------- helpers


def _keys(dim: str) -> list[str]:
    """Cell key apart from the hierarchy's dimension: other dimensions, period and unit."""
    return [d for d in DIMENSIONS if d != dim] + ["time_period", "unit", "unit_mult"]


def unmapped(frame: pl.DataFrame, hierarchy: Hierarchy) -> pl.DataFrame:
    """Rows whose code is not a node of ``hierarchy`` (they are left out of every aggregate)."""
    return frame.join(
        hierarchy.nodes.select(pl.col("code").alias(hierarchy.dim)), on=hierarchy.dim, how="anti"
    )


def leaves_only(frame: pl.DataFrame, hierarchy: Hierarchy) -> pl.DataFrame:
    """Drop rows whose code has a descendant in the same cell (``SI`` next to ``SI1``): the
    aggregate recomputes them, and keeping both would count the parts twice."""
    dim = hierarchy.dim
    present = frame[dim].unique().implode()
    closure = hierarchy.closure().filter(pl.col("depth") > 0)
    suspects = closure.filter(pl.col("code").is_in(present) & pl.col("ancestor").is_in(present))
    if suspects.is_empty():
        return frame
    keys = _keys(dim)
    covered = (
        frame.select(*keys, dim)
        .join(suspects.select(pl.col("code").alias(dim), "ancestor"), on=dim)
        .select(*keys, pl.col("ancestor").alias(dim))
        .unique()
    )
    return frame.join(covered, on=[*keys, dim], how="anti", nulls_equal=True)


# --------------------------------------------------------------------------- aggregation


def aggregate(
    frame: pl.DataFrame, hierarchy: Hierarchy, *, top: int = 2, include_leaves: bool = True
) -> pl.DataFrame:
    """Every node of ``hierarchy`` above the rows of ``frame`` (and the rows themselves)."""
    return rollup(frame, [hierarchy], top=top, include_leaves=include_leaves)


def aggregate_groups(
    frame: pl.DataFrame,
    groups: Sequence[str],
    *,
    dim: str = "counterpart_area",
    top: int = 2,
) -> pl.DataFrame:
    """Country groupings (``RCEP``, ``BRICS`` …) of ``dim`` with membership as of each period."""
    frame = conform(frame)
    members = grouping_map(
        frame[dim].unique().to_list(), frame["time_period"].unique().to_list(), groups
    )
    return cube.groups(frame, members, dim=dim, top=top)


def rollup(
    frame: pl.DataFrame,
    hierarchies: Sequence[Hierarchy],
    *,
    top: int = 2,
    include_leaves: bool = True,
) -> pl.DataFrame:
    """The cube over several hierarchies: every level of each, crossed.

    The hierarchies over ``ref_area`` (the reporting units) run last, so contributor counts
    and top contributions of every cell count reporting units. Earlier passes reduce each
    unit's rows to its own totals; their completeness travels on in ``obs_status``.
    ``include_leaves=False`` leaves out the reporting units' own cells (only aggregates).
    """
    return cube.rollup(conform(frame), hierarchies, top=top, include_leaves=include_leaves)


# --------------------------------------------------------------------------- periods

_PER = {("M", "Q"): 3, ("M", "A"): 12, ("Q", "A"): 4}


def period_totals(frame: pl.DataFrame, freq: str = "A") -> pl.DataFrame:
    """Monthly → quarterly/annual, quarterly → annual sums per series.

    A total with fewer sub-periods than the calendar has (11 months of a year) is kept with
    status ``E`` (incomplete); ``n_periods`` says how many sub-periods it has.
    """
    frame = conform(frame)
    out = []
    for (src,), part in frame.group_by("freq"):
        expected = _PER.get((str(src), freq))
        if expected is None:
            continue
        out.append(_period_totals(part, str(src), freq, expected))
    if not out:
        return frame.head(0).with_columns(pl.lit(0, pl.Int64).alias("n_periods"))
    return pl.concat(out)


def _period_totals(part: pl.DataFrame, src: str, freq: str, expected: int) -> pl.DataFrame:
    year = pl.col("time_period").str.slice(0, 4)
    if freq == "A":
        target = year
    else:
        month = pl.col("time_period").str.slice(5, 2).cast(pl.Int32)
        target = year + "-Q" + ((month - 1) // 3 + 1).cast(pl.String)
    keys = [d for d in DIMENSIONS if d != "freq"] + ["unit", "unit_mult", "_target"]
    summed = (
        part.with_columns(target.alias("_target"))
        .group_by(keys)
        .agg(
            pl.col("value").sum(),
            pl.col("value").is_not_null().sum().alias("n_periods"),
            (pl.col("obs_status") == "E").any().alias("_est"),
            pl.col("value").is_null().all().alias("_none"),
        )
    )
    complete = (pl.col("n_periods") == expected) & ~pl.col("_est")
    return (
        summed.select(
            *[d for d in DIMENSIONS if d != "freq"],
            pl.lit(freq).alias("freq"),
            pl.col("_target").alias("time_period"),
            pl.when(pl.col("_none")).then(None).otherwise(pl.col("value")).alias("value"),
            "unit",
            "unit_mult",
            pl.when(pl.col("_none"))
            .then(pl.lit("M"))
            .when(complete)
            .then(pl.lit("A"))
            .otherwise(pl.lit("E"))
            .alias("obs_status"),
            pl.lit("F").alias("conf_status"),
            pl.lit(None, pl.String).alias("attrs"),
            pl.col("n_periods").cast(pl.Int64),
        )
        .select([*FRAME_SCHEMA, "n_periods"])
        .cast({"unit_mult": pl.Int16})
    )
