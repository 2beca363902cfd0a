"""A load's observation rows with their ``series_id``, creating the series it is the first to use.

Measured on a first load of 1 M rows into PostgreSQL (84,000 new series,
``benchmarks/import_1m.py``): sorting the rows by their six key columns (strings) took 0.33
CPU s and finding the distinct keys 0.05–0.1 s. Each key column is coded first, by the rank
of its value among the column's distinct values (a handful to a few thousand each), and the
six codes make one integer whose order is the keys' own: the distinct keys and the sort of
the rows then work on one integer column (0.05–0.065 s to code). The rows sort on that
integer with the period's code as its last digit (0.06 CPU s, where the key and the period's
text took 0.11). A key set too large for 64 bits, or a key with no value, takes the string
sort as before.

The ids of new series come from the column's sequence in one statement, which returns the
first and last id when they are consecutive (one load alone) instead of every id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import polars as pl
from sqlalchemy import Connection, func, select

from shumao.errors import StoreError
from shumao.storage import bulk
from shumao.storage.read_statement import OBS_FIELDS
from shumao.storage.tables import DIMENSIONS, series

KEY = "_series_key"
"""The integer series key column (see the module's docstring)."""
PERIOD = "time_period"


def attach_series_ids(
    conn: Connection,
    dataflow_id: str,
    frame: pl.DataFrame,
    *,
    beside_sort: Callable[[], None] | None = None,
) -> pl.DataFrame:
    """The observation rows of ``frame`` with their ``series_id``, in primary-key order (series,
    period), creating the series this load is the first to use.

    The rows are sorted by the series key; each run of equal keys is one series, the k-th run
    the k-th of the distinct keys sorted the same way: no join of the rows on six text
    columns (1 M rows: 0.9 CPU s for the join alone). New series get their ids in key order,
    so a first load comes out sorted by id and the database appends to its B-tree instead of
    splitting pages all over it (SQLite: 1.4× as fast on a file sorted by enterprise, then
    period). The sort runs in a second thread while the new series go in (PostgreSQL: from
    when their ``COPY`` text is written, 84,000 series: 0.017–0.020 s, where beside the
    sort's threads it took 0.026–0.065; the server works meanwhile); then ``beside_sort()``
    runs, the caller's server work on the series table (``ANALYZE``), while the sort may
    still run.
    """
    frame, order = _keyed(frame)
    keys = _distinct_keys(frame, order)
    known = _series_frame(conn, dataflow_id)
    ids = keys.join(known, on=list(DIMENSIONS), how="left", maintain_order="left")["series_id"]
    fresh = ids.is_null().arg_true()
    with ThreadPoolExecutor(1, thread_name_prefix="shumao-sort") as pool:
        sort = partial(pool.submit, _sorted_runs, frame, order)
        # PostgreSQL: once the new series' text is written (on the critical path); SQLite:
        # while the series are inserted
        runs = None if len(fresh) and conn.dialect.name == "postgresql" else sort()
        if len(fresh):
            drawn = _new_series_ids(conn, len(fresh))
            new = keys[fresh].select(
                drawn.alias("id"), pl.lit(dataflow_id).alias("dataflow_id"), *DIMENSIONS
            )
            with bulk.rows_sent(conn, "series", new):  # the server takes them; the rows sort
                runs = runs or sort()
            ids = ids.scatter(fresh, drawn)
        assert runs is not None
        if beside_sort is not None:
            beside_sort()
        rows = runs.result()
    return _with_ids(rows, ids)


def _keyed(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """``frame`` with its integer series key and the columns that order the series: ``[KEY]``,
    or the six key columns themselves when a key has no value or the codes need over 63 bits.

    Each dimension's codes are the ranks of its values among the frame's distinct values
    (``pl.Enum`` of the sorted values), so the integer sorts as the six texts do; the six
    columns' distinct values are found in one ``select`` (side by side)."""
    levels = _levels(frame, DIMENSIONS)
    if levels is None:
        return frame, list(DIMENSIONS)
    key: pl.Expr | None = None
    for dim, level in zip(DIMENSIONS, levels, strict=True):
        code = _code(dim, level)
        key = code if key is None else key * len(level) + code
    assert key is not None
    return frame.with_columns(key.alias(KEY)), [KEY]


def _levels(frame: pl.DataFrame, columns: Sequence[str], radix: int = 1) -> list[pl.Series] | None:
    """The sorted distinct values of each of ``columns``; None when one holds no value or the
    codes of all of them (times ``radix``) need over 63 bits."""
    found = frame.select(pl.col(c).unique().sort().implode() for c in columns)
    levels = [found[c][0] for c in columns]
    if any(level.null_count() for level in levels):
        return None
    return levels if radix * math.prod(map(len, levels)) < 2**63 else None


def _code(column: str, level: pl.Series) -> pl.Expr:
    """Each value's rank among ``level`` (the column's sorted distinct values)."""
    return pl.col(column).cast(pl.Enum(level)).to_physical().cast(pl.UInt64)


def _distinct_keys(frame: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    """The distinct series keys of a ``_keyed`` frame, sorted: one integer column made unique
    and sorted, each key taken from its first row (1 M rows: 0.03 s, where the six text
    columns took 0.11–0.13 s)."""
    if order != [KEY]:
        return frame.select(DIMENSIONS).unique().sort(DIMENSIONS)
    first = frame.select(pl.int_range(pl.len()).alias("_at"), KEY).unique(KEY).sort(KEY)
    return frame[first["_at"]].select(DIMENSIONS)


def _sorted_runs(frame: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    """A ``_keyed`` frame sorted by series key (the columns ``order``) and period, with the
    index of each row's run of equal keys in ``_group``.

    With the integer key, the period's code (its rank among the load's periods) becomes the
    key's last digit: one integer column to sort (1 M rows: 0.06 CPU s with the period's
    coding, where the key and the period's text took 0.11); a period with no value, or
    codes over 63 bits, sorts as text."""
    periods = None
    if order == [KEY]:
        top = frame[KEY].max()
        periods = _levels(frame, [PERIOD], radix=top + 1 if isinstance(top, int) else 1)
    if periods is None:
        rows = frame.sort(*order, PERIOD)
    else:  # only what the rows keep is gathered (the six key texts are not)
        by = pl.col(KEY) * len(periods[0]) + _code(PERIOD, periods[0])
        rows = frame.select(KEY, *OBS_FIELDS).sort(by)
    starts = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in order).fill_null(
        True
    )
    return rows.with_columns((starts.cum_sum() - 1).cast(pl.Int64).alias("_group"))


def _with_ids(rows: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """The sorted runs (``_sorted_runs``) with the id of each run, in (id, period) order."""
    if rows.height and rows["_group"][-1] != len(ids) - 1:
        raise StoreError(
            f"序列键分组不一致（{rows['_group'][-1] + 1} 组，{len(ids)} 个序列），未写入任何数据 / "
            f"series keys grouped inconsistently ({rows['_group'][-1] + 1} runs, {len(ids)} "
            "series); nothing was stored. Please report this error."
        )
    rows = rows.with_columns(ids.gather(rows["_group"]).alias("series_id"))
    if not ids.is_sorted():  # old and new series interleave: back into id order
        rows = rows.sort("series_id", maintain_order=True)  # each series' periods stay sorted
    return rows.select("series_id", *OBS_FIELDS)


def _series_frame(conn: Connection, dataflow_id: str) -> pl.DataFrame:
    """The dataflow's stored series (id and key). PostgreSQL sends them as CSV (``COPY … TO``),
    read by polars: 84,000 series in 0.06–0.11 s, where rows through the driver into Python
    tuples took 0.24–0.38 s (a second load of the same dataflow, before the server has work)."""
    schema = {"series_id": pl.Int64, **dict.fromkeys(DIMENSIONS, pl.String)}
    stmt = select(series.c.id, *(series.c[d] for d in DIMENSIONS)).where(
        series.c.dataflow_id == dataflow_id
    )
    if conn.dialect.name == "postgresql":
        return bulk.copied_out(conn, stmt, schema)
    return pl.DataFrame(conn.execute(stmt).all(), schema=schema, orient="row")


DRAW_IDS = """
WITH seq AS MATERIALIZED (SELECT pg_get_serial_sequence('series', 'id')::regclass AS seq),
drawn AS MATERIALIZED (SELECT nextval(seq) AS id FROM seq, generate_series(1, %(n)s))
SELECT min(id), max(id),
       CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL ELSE array_agg(id ORDER BY id) END
FROM drawn
"""
"""``n`` ids from ``series``'s sequence, its name resolved once (per id it cost 0.27 server s
for 84,000 ids): first and last when they are consecutive, else all of them in order."""


def _new_series_ids(conn: Connection, n: int) -> pl.Series:
    """``n`` unused series ids in increasing order, taken inside the caller's transaction.

    PostgreSQL draws them from the column's sequence (concurrent loads each get their own;
    ids drawn by another load meanwhile make them non-consecutive, and then they are listed).
    SQLite continues after the largest id, which is safe because the vintage row written
    first holds the database's write lock.
    """
    if conn.dialect.name == "postgresql":
        first, last, listed = conn.exec_driver_sql(DRAW_IDS, {"n": n}).one()
        if listed is not None:
            return pl.Series("series_id", listed, pl.Int64)
        return pl.int_range(first, last + 1, dtype=pl.Int64, eager=True).alias("series_id")
    last = conn.execute(select(func.coalesce(func.max(series.c.id), 0))).scalar_one()
    return pl.int_range(last + 1, last + 1 + n, dtype=pl.Int64, eager=True).alias("series_id")
