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

How it runs (one code path, polars lazy): the leaves are summed to their immediate parent in
one group-by over all rows; those partial sums, being mergeable (sums, counts and the top-N
lists), are then merged into every ancestor through the hierarchy's closure. The expensive pass
touches each input row once, whatever the depth of the tree. Inside a pass the text keys are
``pl.Categorical`` (grouping on small integers), key columns holding a single value (indicator,
unit …) are left out of the group keys and put back at the end. ``benchmarks/aggregate_10m.py``
measures this path against DuckDB SQL and pandas on 10 million observations.

Contributors: the leaves of the hierarchy being aggregated. To cross several hierarchies
(``rollup``) the non-geographic ones run first, at the level of the reporting unit, and the
geography last, so that a cell's contributors are reporting units (enterprises), as disclosure
control requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from shumao.compute.hierarchy import Hierarchy, grouping_map
from shumao.errors import ShumaoError
from shumao.reference import units
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA, conform

STATUS_COMPLETE = "complete"
STATUS_ESTIMATED = "estimated"
STATUS_INCOMPLETE = "incomplete"
STATUS_BOTH = "estimated_incomplete"
STATUS_TEXT = {
    STATUS_COMPLETE: ("完整", "complete"),
    STATUS_ESTIMATED: ("含估计值", "includes estimates"),
    STATUS_INCOMPLETE: ("缺少部分填报单位", "contributors missing"),
    STATUS_BOTH: ("含估计值且缺少部分填报单位", "includes estimates; contributors missing"),
}
COUNTS = ("n_contributors", "n_missing", "n_estimated", "n_provisional")
_TOP = "_top"


def top_columns(top: int) -> list[str]:
    return [f"top{i}" for i in range(1, top + 1)]


def output_columns(top: int = 2) -> list[str]:
    return [*FRAME_SCHEMA, "level", *COUNTS, *top_columns(top), "agg_status"]


# --------------------------------------------------------------------------- units


def to_unit(frame: pl.DataFrame, unit: str | units.Unit) -> pl.DataFrame:
    """Money rows expressed in ``unit`` (exchange rate of the period's year); others unchanged."""
    target = units.parse(unit) if isinstance(unit, str) else unit
    combos = frame.select(
        "unit", "unit_mult", pl.col("time_period").str.slice(0, 4).alias("_year")
    ).unique()
    factors = [_factor(u, m, y, target) for u, m, y in combos.iter_rows()]
    table = combos.with_columns(pl.Series("_f", factors, dtype=pl.Float64))
    joined = frame.with_columns(pl.col("time_period").str.slice(0, 4).alias("_year")).join(
        table, on=["unit", "unit_mult", "_year"], how="left", nulls_equal=True
    )
    hit = pl.col("_f").is_not_null()
    return joined.with_columns(
        pl.when(hit).then(pl.col("value") * pl.col("_f")).otherwise(pl.col("value")).alias("value"),
        pl.when(hit).then(pl.lit(target.code)).otherwise(pl.col("unit")).alias("unit"),
        pl.when(hit).then(pl.lit(target.mult, pl.Int16)).otherwise(pl.col("unit_mult"))
        .alias("unit_mult"),
    ).drop("_f", "_year")


def _factor(code: str, mult: int, year: str, target: units.Unit) -> float | None:
    source = units.Unit(code=code, mult=int(mult), name_zh="", name_en="")
    try:
        return units.factor(source, target, year=int(year) if year.isdigit() else None)
    except ShumaoError:
        return None  # not money, or no rate for that year: the row keeps its unit


# --------------------------------------------------------------------------- helpers

_CODED = (*DIMENSIONS, "time_period", "unit", "obs_status")
"""Text columns carried as ``pl.Categorical`` inside a pass: grouping on small integers instead
of strings is several times faster and smaller; results are decoded back to text."""
_WORK = (*DIMENSIONS, "time_period", "value", "unit", "unit_mult", "obs_status")


def _encode(frame: pl.LazyFrame, constants: Mapping[str, Any]) -> pl.LazyFrame:
    return frame.select(
        *(pl.col(c).cast(pl.Categorical) if c in _CODED else pl.col(c)
          for c in _WORK if c not in constants))


def _constants(frame: pl.DataFrame, keep: Iterable[str]) -> dict[str, Any]:
    """Key columns holding one value throughout (indicator, unit …): they are dropped from the
    group keys of a pass (fewer columns to hash) and put back at the end."""
    candidates = [c for c in (*DIMENSIONS, "time_period", "unit", "unit_mult") if c not in keep]
    if frame.is_empty() or not candidates:
        return {}
    same = frame.select((pl.col(c) == pl.col(c).first()).all().alias(c) for c in candidates)
    first = frame.row(0, named=True)
    return {c: first[c] for c in candidates if same[c][0] and first[c] is not None}


def _restore(frame: pl.LazyFrame, constants: Mapping[str, Any], columns: list[str]) -> pl.LazyFrame:
    return frame.with_columns(
        pl.lit(v, FRAME_SCHEMA[c]).alias(c) for c, v in constants.items()).select(columns)


def _decode(frame: pl.LazyFrame) -> pl.LazyFrame:
    schema = frame.collect_schema()
    return frame.with_columns(
        pl.col(c).cast(pl.String) for c, t in schema.items() if t == pl.Categorical)


def _cat(frame: pl.DataFrame, *columns: str) -> pl.LazyFrame:
    return frame.lazy().with_columns(pl.col(c).cast(pl.Categorical) for c in columns)


def _keys(dim: str, constants: Mapping[str, Any] | None = None) -> list[str]:
    """Cell key apart from the hierarchy's dimension: other dimensions, period and unit."""
    every = [d for d in DIMENSIONS if d != dim] + ["time_period", "unit", "unit_mult"]
    return [k for k in every if k not in (constants or {})]


def unmapped(frame: pl.DataFrame, hierarchy: Hierarchy) -> pl.DataFrame:
    """Rows whose code is not a node of ``hierarchy`` (they are left out of every aggregate)."""
    return frame.join(hierarchy.nodes.select(pl.col("code").alias(hierarchy.dim)),
                      on=hierarchy.dim, how="anti")


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
        .select(*keys, pl.col("ancestor").alias(dim)).unique()
    )
    return frame.join(covered, on=[*keys, dim], how="anti", nulls_equal=True)


def _largest_first(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Rows by value, largest first: a group keeps this order, so its first rows are its
    largest contributions. Cheaper than a per-group ``top_k`` when groups are many and small
    (country groupings); dearer when groups hold many contributors (measured: 10 M rows in
    165 k cells, top_k 10–15 s, sort + head 24 s), where ``_leaf_stats(sorted_=False)``."""
    return frame.sort("value", descending=True, nulls_last=True)


def _leaf_stats(top: int, *, sorted_: bool = False) -> list[pl.Expr]:
    """Aggregations over contributor rows (first pass); ``sorted_`` when the rows come
    through ``_largest_first``."""
    value = pl.col("value")
    has_value = value.is_not_null()
    return [
        value.sum().alias("value"),
        has_value.sum().cast(pl.Int64).alias("n_contributors"),
        (~has_value).sum().cast(pl.Int64).alias("n_missing"),
        (pl.col("obs_status") == "E").sum().cast(pl.Int64).alias("n_estimated"),
        (pl.col("obs_status") == "P").sum().cast(pl.Int64).alias("n_provisional"),
        (value.head(top) if sorted_ else value.drop_nulls().top_k(top)).alias(_TOP),
    ]


def _merge_stats(top: int) -> list[pl.Expr]:
    """Aggregations over partial aggregates (second pass)."""
    return [
        pl.col("value").sum(),
        *(pl.col(c).sum() for c in COUNTS),
        pl.col(_TOP).explode().drop_nulls().top_k(top).alias(_TOP),
    ]


def _agg_status() -> pl.Expr:
    est = pl.col("n_estimated") > 0
    inc = pl.col("n_missing") > 0
    return (pl.when(est & inc).then(pl.lit(STATUS_BOTH)).when(est).then(pl.lit(STATUS_ESTIMATED))
            .when(inc).then(pl.lit(STATUS_INCOMPLETE)).otherwise(pl.lit(STATUS_COMPLETE))
            .alias("agg_status"))


def _finish(cells: pl.LazyFrame, dim: str, columns: list[str], levels: pl.LazyFrame
            ) -> pl.LazyFrame:
    """Sum is null where no contributor has a value; expand the top list; derive statuses."""
    none = pl.col("n_contributors") == 0
    estimated = (pl.col("n_estimated") > 0) | (pl.col("n_missing") > 0)
    tops = pl.col(_TOP).list.drop_nulls().list.sort(descending=True)
    top = sum(c.startswith("top") for c in columns)
    return (
        cells.with_columns(
            pl.when(none).then(None).otherwise(pl.col("value")).alias("value"),
            *(tops.list.get(i, null_on_oob=True).alias(f"top{i + 1}") for i in range(top)),
            pl.when(none).then(pl.lit("M")).when(estimated).then(pl.lit("E"))
            .when(pl.col("n_provisional") > 0).then(pl.lit("P")).otherwise(pl.lit("A"))
            .cast(pl.Categorical).alias("obs_status"),
            _agg_status(),
            pl.lit("F").alias("conf_status"),
            pl.lit(None, pl.String).alias("attrs"),
        )
        .join(levels, on=dim, how="left")
        .select(columns)
    )


def _leaf_cells(frame: pl.LazyFrame, dim: str, columns: list[str], levels: pl.LazyFrame
                ) -> pl.LazyFrame:
    """Contributor rows as cells of their own (one contributor each, their own status)."""
    has_value = pl.col("value").is_not_null()
    top = sum(c.startswith("top") for c in columns)
    return (
        frame.with_columns(
            has_value.cast(pl.Int64).alias("n_contributors"),
            (~has_value).cast(pl.Int64).alias("n_missing"),
            (pl.col("obs_status") == "E").cast(pl.Int64).alias("n_estimated"),
            (pl.col("obs_status") == "P").cast(pl.Int64).alias("n_provisional"),
            pl.col("value").alias("top1"),
            *(pl.lit(None, pl.Float64).alias(f"top{i}") for i in range(2, top + 1)),
            pl.lit("F").alias("conf_status"),
            pl.lit(None, pl.String).alias("attrs"),
        )
        .with_columns(_agg_status())
        .join(levels, on=dim, how="left")
        .select(columns)
    )


def _tables(hierarchy: Hierarchy) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """(code → parent, node → ancestors, code → level) of ``hierarchy``, encoded."""
    dim = hierarchy.dim
    nodes = hierarchy.nodes
    parents = _cat(nodes.filter(pl.col("parent").is_not_null()).select(
        pl.col("code").alias(dim), pl.col("parent").alias("_node")), dim, "_node")
    closure = _cat(hierarchy.closure().select(pl.col("code").alias("_node"),
                                              pl.col("ancestor").alias(dim)), "_node", dim)
    levels = _cat(nodes.select(pl.col("code").alias(dim), "level"), dim)
    return parents, closure, levels


def _routes(hierarchy: Hierarchy, present: Sequence[str] | None
            ) -> tuple[list[str], pl.LazyFrame]:
    """How partial sums (one per parent of the rows' codes) reach every ancestor.

    A partial node that is nobody's ancestor among the partial nodes is final as it is
    (``through``); the others, and every ancestor above, are summed from the closure rows
    ``into`` them. With the codes ``present`` in the data this skips regrouping most rows.
    """
    dim = hierarchy.dim
    nodes = hierarchy.nodes.drop_nulls("parent")
    if present is not None:
        nodes = nodes.filter(pl.col("code").is_in(pl.Series(present, dtype=pl.String).implode()))
    partial = nodes["parent"].unique().implode()
    closure = hierarchy.closure().filter(pl.col("code").is_in(partial))
    receivers = closure.filter(pl.col("depth") > 0)["ancestor"].unique()
    through = [c for c in nodes["parent"].unique().to_list() if c not in set(receivers)]
    into = closure.filter(pl.col("ancestor").is_in(receivers.implode())).select(
        pl.col("code").alias("_node"), pl.col("ancestor").alias(dim))
    return through, _cat(into, "_node", dim)


def _merge_up(partial: pl.LazyFrame, hierarchy: Hierarchy, keys: list[str],
              stats: list[pl.Expr], present: Sequence[str] | None) -> pl.LazyFrame:
    """Partial sums per parent node → sums per node and every ancestor."""
    dim = hierarchy.dim
    through, into = _routes(hierarchy, present)
    merged = partial.join(into, on="_node").group_by([*keys, dim]).agg(stats)
    direct = partial.filter(pl.col("_node").is_in(through)).rename({"_node": dim})
    return pl.concat([direct, merged], how="vertical_relaxed")


# --------------------------------------------------------------------------- aggregation


def aggregate(
    frame: pl.DataFrame, hierarchy: Hierarchy, *, top: int = 2, include_leaves: bool = True
) -> pl.DataFrame:
    """Every node of ``hierarchy`` above the rows of ``frame`` (and the rows themselves)."""
    return rollup(frame, [hierarchy], top=top, include_leaves=include_leaves)


def _aggregate(
    frame: pl.LazyFrame, hierarchy: Hierarchy, *, top: int, include_leaves: bool,
    constants: Mapping[str, Any], present: Sequence[str] | None = None,
) -> pl.LazyFrame:
    dim, keys = hierarchy.dim, _keys(hierarchy.dim, constants)
    columns = [c for c in output_columns(top) if c not in constants]
    parents, _, levels = _tables(hierarchy)
    partial = frame.join(parents, on=dim).group_by([*keys, "_node"]).agg(_leaf_stats(top))
    merged = _merge_up(partial, hierarchy, keys, _merge_stats(top), present)
    parts = [_finish(merged, dim, columns, levels)]
    if include_leaves:
        leaves = frame.filter(pl.col(dim).is_in(hierarchy.codes()))
        parts.insert(0, _leaf_cells(leaves, dim, columns, levels))
    return pl.concat(parts, how="vertical")


def aggregate_groups(
    frame: pl.DataFrame,
    groups: Sequence[str],
    *,
    dim: str = "counterpart_area",
    top: int = 2,
) -> pl.DataFrame:
    """Country groupings (``RCEP``, ``BRICS`` …) of ``dim`` with membership as of each period."""
    frame = conform(frame)
    members = grouping_map(frame[dim].unique().to_list(),
                           frame["time_period"].unique().to_list(), groups)
    keys = _keys(dim)
    member_of = _cat(members.rename({"code": dim, "group": "_group"}), dim, "time_period",
                     "_group")
    cells = (
        _encode(frame.lazy(), {})
        .join(member_of, on=[dim, "time_period"])
        .pipe(_largest_first)
        .group_by([*keys, "_group"]).agg(_leaf_stats(top, sorted_=True))
        .rename({"_group": dim})
    )
    levels = _cat(pl.DataFrame({dim: members["group"].unique(), "level": "group"}), dim)
    return _decode(_finish(cells, dim, output_columns(top), levels)).collect()


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
    frame = conform(frame)
    dims = [h.dim for h in hierarchies]
    constants = _constants(frame, keep=dims)
    present = {d: frame[d].unique().to_list() for d in dims}
    return rollup_lazy(frame.lazy(), hierarchies, top=top, include_leaves=include_leaves,
                       constants=constants, present=present).collect()


def rollup_lazy(
    frame: pl.LazyFrame,
    hierarchies: Sequence[Hierarchy],
    *,
    top: int = 2,
    include_leaves: bool = True,
    constants: Mapping[str, Any] | None = None,
    present: Mapping[str, Sequence[str]] | None = None,
) -> pl.LazyFrame:
    """``rollup`` as a lazy plan over a frame in ``FRAME_SCHEMA``; ``constants`` names key
    columns known to hold one value (see ``_constants``), ``present`` the codes each
    hierarchy's dimension holds in the data (optional: it lets most rows skip a regrouping)."""
    constants = dict(constants or {})
    present = dict(present or {})
    ordered = sorted(hierarchies, key=lambda h: h.dim == "ref_area")
    lazy = _encode(frame, constants)
    for hier in ordered[:-1]:
        lazy = _sums(lazy, hier, constants, present.get(hier.dim))
    last = ordered[-1]
    plan = _aggregate(lazy, last, top=top, include_leaves=include_leaves,
                      constants=constants, present=present.get(last.dim))
    return _restore(_decode(plan), constants, output_columns(top))


def _sums(frame: pl.LazyFrame, hierarchy: Hierarchy, constants: Mapping[str, Any],
          present: Sequence[str] | None = None) -> pl.LazyFrame:
    """Rows and every node above them in the working columns (an inner pass of ``rollup``):
    sums with their status, no contributor statistics."""
    dim, keys = hierarchy.dim, _keys(hierarchy.dim, constants)
    work = [c for c in _WORK if c not in constants]
    parents, _, _ = _tables(hierarchy)
    flags = [
        pl.col("value").sum(),
        pl.col("value").is_not_null().sum().alias("_n"),
        (pl.col("value").is_null() | pl.col("obs_status").is_in(["E", "M"])).sum().alias("_e"),
        (pl.col("obs_status") == "P").sum().alias("_p"),
    ]
    partial = frame.join(parents, on=dim).group_by([*keys, "_node"]).agg(flags)
    sums = [pl.col(c).sum() for c in ("value", "_n", "_e", "_p")]
    merged = _merge_up(partial, hierarchy, keys, sums, present)
    status = (pl.when(pl.col("_n") == 0).then(pl.lit("M")).when(pl.col("_e") > 0).then(pl.lit("E"))
              .when(pl.col("_p") > 0).then(pl.lit("P")).otherwise(pl.lit("A")))
    above = merged.with_columns(
        pl.when(pl.col("_n") == 0).then(None).otherwise(pl.col("value")).alias("value"),
        status.cast(pl.Categorical).alias("obs_status"),
    ).select(work)
    rows = frame.filter(pl.col(dim).is_in(hierarchy.codes())).select(work)
    return pl.concat([rows, above], how="vertical")


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
    summed = part.with_columns(target.alias("_target")).group_by(keys).agg(
        pl.col("value").sum(),
        pl.col("value").is_not_null().sum().alias("n_periods"),
        (pl.col("obs_status") == "E").any().alias("_est"),
        pl.col("value").is_null().all().alias("_none"),
    )
    complete = (pl.col("n_periods") == expected) & ~pl.col("_est")
    return summed.select(
        *[d for d in DIMENSIONS if d != "freq"],
        pl.lit(freq).alias("freq"),
        pl.col("_target").alias("time_period"),
        pl.when(pl.col("_none")).then(None).otherwise(pl.col("value")).alias("value"),
        "unit", "unit_mult",
        pl.when(pl.col("_none")).then(pl.lit("M")).when(complete).then(pl.lit("A"))
        .otherwise(pl.lit("E")).alias("obs_status"),
        pl.lit("F").alias("conf_status"),
        pl.lit(None, pl.String).alias("attrs"),
        pl.col("n_periods").cast(pl.Int64),
    ).select([*FRAME_SCHEMA, "n_periods"]).cast({"unit_mult": pl.Int16})
