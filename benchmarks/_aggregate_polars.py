"""The cube workload of ``aggregate_10m.py`` as a skilled polars user writes it by hand.

Every key column is ``Categorical`` (joins and group-bys on integer codes), the steps are the
DuckDB SQL's, one lazy plan per output collected together (``pl.collect_all``) so polars can
share the cube between them and use both cores. Nothing of ``shumao.compute`` is used.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

CAT = pl.Categorical
KEYS = [
    "counterpart_area",
    "product",
    "flow",
    "indicator",
    "freq",
    "time_period",
    "unit",
    "unit_mult",
]


def categorical(tables: dict[str, pl.DataFrame]) -> dict[str, pl.LazyFrame]:
    """The benchmark's tables with every text key as Categorical (done before the clock)."""
    out = {}
    for name, table in tables.items():
        text = [
            c
            for c in table.columns
            if table.schema[c] == pl.String and c not in ("obs_status", "conf_status", "attrs")
        ]
        out[name] = table.with_columns(pl.col(text).cast(CAT)).lazy()
    return out


def _status(n: pl.Expr, estimated: pl.Expr, provisional: pl.Expr) -> pl.Expr:
    return (
        pl.when(n == 0)
        .then(pl.lit("M"))
        .when(estimated > 0)
        .then(pl.lit("E"))
        .when(provisional > 0)
        .then(pl.lit("P"))
        .otherwise(pl.lit("A"))
    )


def _cube(t: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    obs = t["obs"]
    prod = (
        obs.join(t["pclos"], left_on="product", right_on="code")
        .group_by("ref_area", "counterpart_area", "ancestor", *KEYS[2:])
        .agg(
            pl.col("value").sum(),
            pl.col("value").count().alias("n"),
            (pl.col("value").is_null() | pl.col("obs_status").is_in(["E", "M"])).sum().alias("e"),
            (pl.col("obs_status") == "P").sum().alias("p"),
        )
        .select(
            "ref_area",
            "counterpart_area",
            pl.col("ancestor").alias("product"),
            *KEYS[2:],
            pl.when(pl.col("n") > 0).then(pl.col("value")).alias("value"),
            _status(pl.col("n"), pl.col("e"), pl.col("p")).alias("st"),
        )
    )
    ent = pl.concat(
        [obs.select("ref_area", *KEYS, "value", pl.col("obs_status").alias("st")), prod],
        how="vertical",
    )
    st = pl.col("st")
    step1 = (
        ent.join(t["gparent"], left_on="ref_area", right_on="code")
        .group_by("parent", *KEYS)
        .agg(
            pl.col("value").sum(),
            pl.col("value").count().alias("n"),
            pl.col("value").null_count().alias("nmiss"),
            (st == "E").sum().alias("nest"),
            (st == "P").sum().alias("nprov"),
            pl.col("value").drop_nulls().top_k(2).sort(descending=True).alias("tops"),
        )
    )
    n = pl.col("n_contributors")
    return (
        step1.join(t["gclos"], left_on="parent", right_on="code")
        .group_by("ancestor", *KEYS)
        .agg(
            pl.col("value").sum(),
            pl.col("n").sum().alias("n_contributors"),
            pl.col("nmiss").sum().alias("n_missing"),
            pl.col("nest").sum().alias("n_estimated"),
            pl.col("nprov").sum().alias("n_provisional"),
            pl.col("tops").explode().drop_nulls().top_k(2).sort(descending=True).alias("tops"),
        )
        .rename({"ancestor": "ref_area"})
        .with_columns(
            pl.when(n > 0).then(pl.col("value")).alias("value"),
            _status(n, pl.col("n_estimated") + pl.col("n_missing"), pl.col("n_provisional")).alias(
                "obs_status"
            ),
        )
    )


def _periods(cube: pl.LazyFrame, periods: pl.LazyFrame, column: str, full: int) -> pl.LazyFrame:
    return (
        cube.join(periods, on="time_period")
        .group_by(
            "ref_area",
            "counterpart_area",
            "product",
            "flow",
            "indicator",
            column,
            "unit",
            "unit_mult",
        )
        .agg(
            pl.col("value").sum(),
            pl.col("value").count().alias("n_periods"),
            (pl.col("obs_status") != "E").all().alias("_ok"),
        )
        .rename({column: "time_period"})
        .with_columns(
            pl.when((pl.col("n_periods") == full) & pl.col("_ok"))
            .then(pl.lit("A"))
            .otherwise(pl.lit("E"))
            .alias("st")
        )
        .drop("_ok")
    )


def run(
    t: dict[str, pl.LazyFrame],
    clock: Callable[[Callable[[], pl.DataFrame]], pl.DataFrame] = lambda f: f(),
) -> dict[str, pl.DataFrame]:
    """The cube and every derived output, the same steps as the DuckDB SQL; ``clock`` times
    the cube step on its own."""
    cube = clock(lambda: _cube(t).collect()).lazy()
    months = (
        t["obs"].select(pl.col("time_period").unique()).collect()["time_period"].cast(pl.String)
    )
    periods = pl.LazyFrame(
        {
            "time_period": months.cast(CAT),
            "quarter": (
                months.str.slice(0, 4)
                + "-Q"
                + ((months.str.slice(5, 2).cast(pl.Int32) - 1) // 3 + 1).cast(pl.String)
            ).cast(CAT),
            "year": months.str.slice(0, 4).cast(CAT),
        }
    )
    cell = ["counterpart_area", "product", "flow", "time_period"]
    quarters = _periods(cube, periods, "quarter", 3)
    years = _periods(cube, periods, "year", 12)
    members = t["members"].rename({"code": "counterpart_area", "period": "time_period"})
    parent = cube.join(t["gparent"], left_on="ref_area", right_on="code")
    plans = {
        "groups": cube.join(members, on=["counterpart_area", "time_period"])
        .group_by(
            "ref_area",
            "grp",
            "product",
            "flow",
            "indicator",
            "freq",
            "time_period",
            "unit",
            "unit_mult",
        )
        .agg(
            pl.col("value").sum(),
            pl.col("value").count().alias("n"),
            pl.col("value").drop_nulls().top_k(2).sort(descending=True).alias("tops"),
        ),
        "quarters": quarters,
        "years": years,
        "share": parent.join(
            cube.select(pl.col("ref_area").alias("parent"), *cell, pl.col("value").alias("_den")),
            on=["parent", *cell],
        )
        .filter(pl.col("_den") != 0)
        .with_columns((100.0 * pl.col("value") / pl.col("_den")).alias("share")),
        "balance": cube.filter(pl.col("flow") == "X")
        .join(
            cube.filter(pl.col("flow") == "M").select(
                "ref_area", "counterpart_area", "product", "time_period", "value"
            ),
            on=["ref_area", "counterpart_area", "product", "time_period"],
            suffix="_m",
        )
        .select(
            "ref_area",
            "counterpart_area",
            "product",
            "time_period",
            (pl.col("value") - pl.col("value_m")).alias("balance"),
        ),
        "qoq": _qoq(quarters),
        "rank": years.join(t["glevel"], left_on="ref_area", right_on="code")
        .filter(pl.col("value").is_not_null())
        .with_columns(
            pl.col("value")
            .rank("min", descending=True)
            .over("level", "counterpart_area", "product", "flow", "time_period")
            .alias("rank")
        ),
    }
    frames = pl.collect_all(list(plans.values()))
    return {"cube": cube.collect(), **dict(zip(plans, frames, strict=True))}


def _qoq(quarters: pl.LazyFrame) -> pl.LazyFrame:
    q = quarters.with_columns(
        pl.col("time_period").cast(pl.String).str.slice(6, 1).cast(pl.Int8).alias("_q")
    )
    prev = q.select(
        "ref_area",
        "counterpart_area",
        "product",
        "flow",
        (pl.col("_q") + 1),
        pl.col("value").alias("_prev"),
    )
    return (
        q.join(prev, on=["ref_area", "counterpart_area", "product", "flow", "_q"])
        .filter(pl.col("_prev") != 0)
        .with_columns((100.0 * (pl.col("value") / pl.col("_prev") - 1)).alias("growth"))
    )


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Categorical columns back to text (for the cross-check)."""
    return frame.with_columns(pl.col(pl.Categorical).cast(pl.String))
