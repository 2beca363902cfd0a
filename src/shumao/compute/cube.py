"""The cube in DuckDB SQL: sums along hierarchies with what disclosure control needs.

One code path for every aggregate of ``compute.aggregate`` (``rollup``, ``aggregate``,
``aggregate_groups``): the frame is handed to an in-process DuckDB as Arrow with string
views (no copy: polars' default Arrow export rewrites every string column, 0.8 GB and 1 CPU s
at 10 M rows), the codes of each hierarchy's dimension become the integer ids of its nodes
(the group-bys hash small integers, not 18-character credit codes), and one SQL statement
runs every pass on both cores, streaming the input rows (never held a second time):

1. **inner hierarchies** (products …): each row is joined to its ancestors (the closure
   without the node itself) and summed there, at the level of the reporting unit; the rows and
   these sums go on together, each sum with its status (``M`` no value, ``E`` an estimate or a
   missing part, ``P`` a provisional part, ``A``);
2. **the last hierarchy** (the geography, whose leaves are the reporting units): rows summed
   to their parent node with contributor statistics (counts by status and the ``top`` largest
   contributions, ``max(value, top)``), then those partial results merged into the node and
   every ancestor through the closure (sums add, the top lists are flattened and cut again).

Key columns holding one value throughout (indicator, unit …) are left out of the group keys
and put back on the result. Measured in ``benchmarks/aggregate_10m.py`` (benchmarks/README).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import polars as pl

from shumao.compute.hierarchy import Hierarchy
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA

COUNTS = ("n_contributors", "n_missing", "n_estimated", "n_provisional")
STATUS_COMPLETE = "complete"
STATUS_ESTIMATED = "estimated"
STATUS_INCOMPLETE = "incomplete"
STATUS_BOTH = "estimated_incomplete"
_KEYED = (*DIMENSIONS, "time_period", "unit", "unit_mult")


def top_columns(top: int) -> list[str]:
    return [f"top{i}" for i in range(1, top + 1)]


def output_schema(top: int = 2) -> dict[str, Any]:
    return {
        **FRAME_SCHEMA,
        "level": pl.String,
        **dict.fromkeys(COUNTS, pl.Int64),
        **dict.fromkeys(top_columns(top), pl.Float64),
        "agg_status": pl.String,
    }


def _q(name: str) -> str:
    return f'"{name}"'


def _lead(items: Iterable[str]) -> str:
    """``a, b, `` — items each followed by a comma (nothing when there are none)."""
    return "".join(f"{item}, " for item in items)


def constants(frame: pl.DataFrame, keep: Iterable[str]) -> dict[str, Any]:
    """Key columns holding one value throughout (indicator, unit …): left out of the group
    keys (fewer columns to hash) and put back at the end."""
    keep = set(keep)
    candidates = [c for c in _KEYED if c not in keep]
    if frame.is_empty() or not candidates:
        return {}
    same = frame.select((pl.col(c) == pl.col(c).first()).all().alias(c) for c in candidates)
    first = frame.row(0, named=True)
    return {c: first[c] for c in candidates if same[c][0] and first[c] is not None}


# --------------------------------------------------------------------------- SQL pieces


def _status_sql(n: str, estimated: str, provisional: str) -> str:
    return (
        f"CASE WHEN {n} = 0 THEN 'M' WHEN {estimated} > 0 THEN 'E' "
        f"WHEN {provisional} > 0 THEN 'P' ELSE 'A' END"
    )


def _agg_status_sql(estimated: str, missing: str) -> str:
    return (
        f"CASE WHEN {estimated} > 0 AND {missing} > 0 THEN '{STATUS_BOTH}' "
        f"WHEN {estimated} > 0 THEN '{STATUS_ESTIMATED}' "
        f"WHEN {missing} > 0 THEN '{STATUS_INCOMPLETE}' ELSE '{STATUS_COMPLETE}' END"
    )


def _inner_pass(source: str, dim: str, i: int, columns: Sequence[str]) -> str:
    """Rows and their sums at every ancestor in ``dim`` (a pass of an inner hierarchy)."""
    keys = _lead(f"s.{_q(c)}" for c in columns if c != dim)
    listed = _lead(_q(c) for c in columns)
    return (
        f"SELECT {listed}value, obs_status FROM {source} UNION ALL "
        f"SELECT c.ancestor AS {_q(dim)}, {keys}sum(value) AS value, "
        + _status_sql(
            "count(value)",
            "count(*) FILTER (WHERE value IS NULL OR obs_status IN ('E', 'M'))",
            "count(*) FILTER (WHERE obs_status = 'P')",
        )
        + f" AS obs_status FROM {source} s JOIN closure{i} c ON s.{_q(dim)} = c.code "
        f"WHERE c.depth > 0 GROUP BY ALL"
    )


def _stats_sql(top: int) -> str:
    """Contributor statistics over contributor rows ``value, obs_status``."""
    return (
        "sum(value) AS value, count(value) AS n, count(*) - count(value) AS nmiss, "
        "count(*) FILTER (WHERE obs_status = 'E') AS nest, "
        f"count(*) FILTER (WHERE obs_status = 'P') AS nprov, max(value, {top}) AS tops"
    )


def _merged_sql(top: int) -> str:
    """The same statistics over partial results: sums add; the ``top`` largest of the union
    are the ``top`` largest of each part's ``i``-th largest values (``top - i + 1`` of them
    can qualify), a few small lists per cell instead of a list of every part's list."""
    parts = ", ".join(f"max(tops[{i}], {top - i + 1})" for i in range(1, top + 1))
    return (
        "sum(value) AS value, sum(n) AS n, sum(nmiss) AS nmiss, sum(nest) AS nest, "
        f"sum(nprov) AS nprov, list_slice(list_sort(flatten([{parts}]), 'DESC'), 1, {top}) AS tops"
    )


def _finish_sql(cells: str, keys: Sequence[str], top: int) -> str:
    """Aggregate cells in output columns (codes still ids; ``level`` from the last join)."""
    listed = _lead(_q(c) for c in keys)
    tops = ", ".join(f"tops[{i}] AS top{i}" for i in range(1, top + 1))
    return (
        f"SELECT {listed}CASE WHEN n = 0 THEN NULL ELSE value END AS value, "
        + _status_sql("n", "nest + nmiss", "nprov")
        + " AS obs_status, n AS n_contributors, nmiss AS n_missing, nest AS n_estimated, "
        f"nprov AS n_provisional, {tops}, "
        + _agg_status_sql("nest", "nmiss")
        + f" AS agg_status FROM {cells}"
    )


def _leaf_sql(source: str, keys: Sequence[str], top: int) -> str:
    """Contributor rows as cells of their own (one contributor each, their own status)."""
    listed = _lead(_q(c) for c in keys)
    n = "CAST(value IS NOT NULL AS BIGINT)"
    miss = "CAST(value IS NULL AS BIGINT)"
    est = "CAST(obs_status = 'E' AS BIGINT)"
    others = "".join(f", CAST(NULL AS DOUBLE) AS top{i}" for i in range(2, top + 1))
    return (
        f"SELECT {listed}value, obs_status, {n} AS n_contributors, {miss} AS n_missing, "
        f"{est} AS n_estimated, CAST(obs_status = 'P' AS BIGINT) AS n_provisional, "
        f"value AS top1{others}, " + _agg_status_sql(est, miss) + f" AS agg_status FROM {source}"
    )


# --------------------------------------------------------------------------- running


_DATABASES: dict[int, duckdb.DuckDBPyConnection] = {}


def _connect(frame: pl.DataFrame) -> duckdb.DuckDBPyConnection:
    """A cursor of this process's in-memory DuckDB with ``frame`` as ``obs``: opening a
    database costs 35–60 ms, a cursor well under one; registrations are the cursor's own, so
    threads do not see each other's tables. Keyed by process (a forked worker opens its own)."""
    database = _DATABASES.get(os.getpid())
    if database is None:
        database = _DATABASES[os.getpid()] = duckdb.connect()
        database.execute("SET preserve_insertion_order = false")
    con = database.cursor()
    con.register("obs", frame.to_arrow(compat_level=pl.CompatLevel.newest()))
    return con


def _register_tree(
    con: duckdb.DuckDBPyConnection, i: int, hierarchy: Hierarchy, present: pl.Series
) -> None:
    """``nodes{i}`` (code, id, level, parent) and ``closure{i}`` (code, ancestor, depth) in
    ids, for the ``present`` codes and their ancestors only (small data, small tables)."""
    closure = hierarchy.closure()
    kept = closure.filter(pl.col("code").is_in(present.implode()))["ancestor"].unique()
    nodes = hierarchy.nodes.filter(pl.col("code").is_in(kept.implode())).with_row_index("id")
    ids = nodes.select("code", "id")
    parent = ids.rename({"code": "parent", "id": "_parent"})
    con.register(
        f"nodes{i}",
        nodes.join(parent, on="parent", how="left").select(
            "code", "id", "level", pl.col("_parent").alias("parent")
        ),
    )
    ancestor = ids.rename({"code": "ancestor", "id": "_ancestor"})
    con.register(
        f"closure{i}",
        closure.join(ids, on="code")
        .join(ancestor, on="ancestor")
        .select(pl.col("id").alias("code"), pl.col("_ancestor").alias("ancestor"), "depth"),
    )


def _finalise(result: pl.DataFrame, consts: Mapping[str, Any], top: int) -> pl.DataFrame:
    schema = output_schema(top)
    return (
        result.with_columns(pl.lit(v).alias(c) for c, v in consts.items())
        .with_columns(pl.lit("F").alias("conf_status"), pl.lit(None, pl.String).alias("attrs"))
        .select(pl.col(c).cast(t) for c, t in schema.items())
    )


def rollup(
    frame: pl.DataFrame, hierarchies: Sequence[Hierarchy], *, top: int, include_leaves: bool
) -> pl.DataFrame:
    """Every level of each hierarchy, crossed, the reporting units' hierarchy last (see the
    module's text); ``frame`` in ``FRAME_SCHEMA``."""
    ordered = sorted(hierarchies, key=lambda h: h.dim == "ref_area")
    dims = [h.dim for h in ordered]
    consts = constants(frame, keep=dims)
    others = [c for c in _KEYED if c not in consts and c not in dims]
    work = frame.select(*dims, *others, "value", "obs_status")
    with _connect(work) as con:
        for i, hierarchy in enumerate(ordered):
            _register_tree(con, i, hierarchy, work[hierarchy.dim].unique())
        ids = ", ".join(f"n{i}.id AS {_q(d)}" for i, d in enumerate(dims))
        joins = " ".join(
            f"JOIN nodes{i} n{i} ON obs.{_q(d)} = n{i}.code" for i, d in enumerate(dims)
        )
        listed = _lead(f"obs.{_q(c)}" for c in others)
        last, dim = len(dims) - 1, dims[-1]
        # the rows in ids, a subquery read where it is used: as a CTE read twice DuckDB would
        # materialise all of its rows (0.9 GB at 10 M) while the next pass sums them
        sources = [
            f"(SELECT {ids}, n{last}.parent AS _parent, {listed}value, obs_status FROM obs {joins})"
        ]
        ctes = []
        keyed = [*dims, *others]
        for i, inner in enumerate(dims[:-1]):
            ctes.append(f"p{i + 1} AS ({_inner_pass(sources[i], inner, i, [*keyed, '_parent'])})")
            sources.append(f"p{i + 1}")
        rest = _lead(_q(c) for c in keyed if c != dim)
        ctes.append(
            f"step AS (SELECT _parent AS node, {rest}{_stats_sql(top)} FROM {sources[last]} "
            "WHERE _parent IS NOT NULL GROUP BY ALL)"
        )
        merged_keys = _lead(_q(c) for c in keyed if c != dim)
        ctes.append(
            f"merged AS (SELECT c.ancestor AS {_q(dim)}, {merged_keys}{_merged_sql(top)} "
            f"FROM step JOIN closure{last} c ON step.node = c.code GROUP BY ALL)"
        )
        parts = [_finish_sql("merged", keyed, top)]
        if include_leaves:
            parts.insert(0, _leaf_sql(sources[last], keyed, top))
        cells = " UNION ALL ".join(f"({p})" for p in parts)
        decode = ", ".join(f"n{i}.code AS {_q(d)}" for i, d in enumerate(dims))
        back = " ".join(
            f"JOIN nodes{i} n{i} ON cells.{_q(d)} = n{i}.id" for i, d in enumerate(dims)
        )
        sql = (
            f"WITH {', '.join(ctes)}, cells AS ({cells}) "
            f"SELECT cells.* EXCLUDE ({', '.join(_q(d) for d in dims)}), {decode}, "
            f"n{last}.level AS level FROM cells {back}"
        )
        result = con.sql(sql).pl()
    return _finalise(result, consts, top)


def groups(frame: pl.DataFrame, members: pl.DataFrame, *, dim: str, top: int) -> pl.DataFrame:
    """Cells of country groupings: ``members`` (code, time_period, group) says which codes of
    ``dim`` belong to which group in which period."""
    consts = constants(frame, keep=[dim, "time_period"])
    others = [c for c in _KEYED if c not in consts and c != dim]
    work = frame.select(dim, *others, "value", "obs_status")
    with _connect(work) as con:
        con.register("members", members)
        rest = _lead(f"obs.{_q(c)}" for c in others)
        step = (
            f"SELECT m.{_q('group')} AS {_q(dim)}, {rest}{_stats_sql(top)} FROM obs "
            f"JOIN members m ON obs.{_q(dim)} = m.code AND obs.time_period = m.time_period "
            "GROUP BY ALL"
        )
        sql = f"WITH cells AS ({step}) " + _finish_sql("cells", [dim, *others], top)
        result = con.sql(sql).pl().with_columns(pl.lit("group").alias("level"))
    return _finalise(result, consts, top)
