"""Series ids of a load: new series numbered in the order of their keys, every value on its own
series, whether the keys are coded as one integer or (too many distinct codes) sorted as text,
and whether the sequence hands out consecutive ids or not (PostgreSQL)."""

from __future__ import annotations

import itertools
import random

import polars as pl
import pytest
from sqlalchemy import Engine, select, text

from shumao.storage import series_ids, vintages
from shumao.storage.tables import DIMENSIONS, series


def keyed_frame(codes: list[tuple[str, ...]]) -> pl.DataFrame:
    """One observation per key in ``codes`` (the six dimensions), value = its position."""
    columns = {d: [key[i] for key in codes] for i, d in enumerate(DIMENSIONS)}
    return pl.DataFrame(
        {
            **columns,
            "time_period": ["2024"] * len(codes),
            "value": [float(i) for i in range(len(codes))],
            "unit": ["USD"] * len(codes),
            "unit_mult": [0] * len(codes),
            "obs_status": ["A"] * len(codes),
        }
    )


def stored(engine: Engine) -> tuple[list[tuple[str, ...]], dict[tuple[str, ...], float]]:
    """The series keys in id order, and each key's newest value."""
    with engine.connect() as conn:
        in_id_order = [
            tuple(row)
            for row in conn.execute(
                select(*(series.c[d] for d in DIMENSIONS)).order_by(series.c.id)
            )
        ]
        latest = vintages.read(conn, "UNCTAD_DDS")
    values = {tuple(row[:-1]): row[-1] for row in latest.select(*DIMENSIONS, "value").rows()}
    return in_id_order, values


@pytest.mark.parametrize("distinct", [40, 1600], ids=["integer key", "text sort"])
def test_new_series_are_numbered_in_key_order_and_keep_their_values(
    engine: Engine, distinct: int
) -> None:
    """1,600 distinct codes in each of the six dimensions need more than 63 bits as one
    integer key (1600⁶ > 2⁶³), so that load takes the text sort; 40 take the integer key.
    Both number the series in the (byte) order of their keys, Chinese names included."""
    names = ["美国", "日本", "德国", "Z9", "A1"]
    codes = [
        tuple(f"{names[i * (j + 1) % len(names)]}{i:04d}" for j in range(len(DIMENSIONS)))
        for i in range(distinct)
    ]
    random.Random(distinct).shuffle(codes)
    frame = keyed_frame(codes)
    keyed, order = series_ids._keyed(frame)
    assert order == (["_series_key"] if distinct < 100 else list(DIMENSIONS))
    assert series_ids._distinct_keys(keyed, order).rows() == sorted(
        codes, key=lambda key: [k.encode() for k in key]
    )
    with engine.begin() as conn:
        vintages.write_vintage(conn, dataflow_id="UNCTAD_DDS", frame=frame)
    in_id_order, values = stored(engine)
    assert in_id_order == sorted(codes, key=lambda key: [k.encode() for k in key])
    assert values == {key: float(i) for i, key in enumerate(codes)}


@pytest.mark.parametrize("distinct", [40, 1400], ids=["period in the key", "period as text"])
def test_each_series_keeps_its_values_period_by_period_in_key_and_period_order(
    engine: Engine, distinct: int
) -> None:
    """Three periods of every series, rows shuffled. With 40 codes per dimension the period's
    code joins the integer key (one integer sorts the rows); 1,400 codes per dimension still
    fit one integer (1400⁶ < 2⁶³) but not with the period (× 3 periods > 2⁶³), so the
    period is sorted as text. Either way the rows come out by series key, then period, and
    every value is stored on its series and period."""
    codes = [tuple(f"{d}{i:04d}" for d in "ABCDEF") for i in range(distinct)]
    periods = ["2024", "2023", "2025"]
    frame = pl.concat(
        keyed_frame(codes).with_columns(
            pl.lit(period).alias("time_period"), (pl.col("value") + 10_000 * n).alias("value")
        )
        for n, period in enumerate(periods)
    ).sample(fraction=1.0, shuffle=True, seed=distinct)
    keyed, order = series_ids._keyed(vintages.conform(frame))
    assert order == ["_series_key"]
    runs = series_ids._sorted_runs(keyed, order)
    assert runs["_series_key"].is_sorted()
    assert runs["time_period"].to_list() == sorted(periods) * distinct
    assert runs["_group"].to_list() == [i // 3 for i in range(3 * distinct)]
    with engine.begin() as conn:
        vintages.write_vintage(conn, dataflow_id="UNCTAD_DDS", frame=frame)
        latest = vintages.read(conn, "UNCTAD_DDS")
    got = {
        (tuple(r[:-2]), r[-2]): r[-1]
        for r in latest.select(*DIMENSIONS, "time_period", "value").rows()
    }
    assert got == {
        (key, period): float(i + 10_000 * n)
        for n, period in enumerate(periods)
        for i, key in enumerate(codes)
    }


def test_ids_drawn_with_gaps_are_used_as_drawn(engine: Engine) -> None:
    """When the sequence's ids are not consecutive (another load drew some meanwhile; here:
    a sequence counting by 7) the load takes the ids it drew, each series its own."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite numbers new series after the largest id, without a sequence")
    with engine.begin() as conn:
        conn.execute(text("ALTER SEQUENCE series_id_seq INCREMENT BY 7"))
    try:
        codes = [("CHN", partner, "DD", "X", "_Z", "A") for partner in ("W00", "USA", "JPN")]
        with engine.begin() as conn:
            vintages.write_vintage(conn, dataflow_id="UNCTAD_DDS", frame=keyed_frame(codes))
            ids = conn.execute(select(series.c.id).order_by(series.c.id)).scalars().all()
        in_id_order, values = stored(engine)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER SEQUENCE series_id_seq INCREMENT BY 1"))
    assert [b - a for a, b in itertools.pairwise(ids)] == [7, 7]
    assert in_id_order == sorted(codes)
    assert values == {key: float(i) for i, key in enumerate(codes)}


def test_a_second_load_finds_its_series_whatever_their_codes_hold(engine: Engine) -> None:
    """The stored series are read back (on PostgreSQL as CSV, ``COPY … TO``) and matched to the
    second load's keys: codes with commas, quotes, line breaks, tabs, backslashes, Chinese
    text or nothing at all come back exactly (they went in as ``COPY``'s text format), so the
    load adds values to its series instead of new series."""
    odd = [
        "a,b",
        'he said "x"',
        "两行\n文本",
        "",
        "美国",
        " 空格 ",
        "t\tab",
        "C:\\x",
        "\\N",
        "cr\r",
    ]
    codes = [(area, "W00", "DD", "X", "_Z", "A") for area in odd]
    with engine.begin() as conn:
        vintages.write_vintage(conn, dataflow_id="UNCTAD_DDS", frame=keyed_frame(codes))
        first = dict(conn.execute(select(series.c.ref_area, series.c.id)).all())
    later = keyed_frame(list(reversed(codes))).with_columns(pl.lit("2025").alias("time_period"))
    with engine.begin() as conn:
        vintages.write_vintage(conn, dataflow_id="UNCTAD_DDS", frame=later)
        after = dict(conn.execute(select(series.c.ref_area, series.c.id)).all())
        periods = conn.execute(
            text("SELECT series_id, count(*) FROM observation GROUP BY series_id")
        ).all()
    assert after == first
    assert set(first) == set(odd)
    assert sorted(n for _, n in periods) == [2] * len(odd)
