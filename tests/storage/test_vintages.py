"""Vintages: loads never overwrite; reads give latest or as-of; revision tables."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, update

from shumao.errors import StoreError
from shumao.storage import revisions as revision_tables
from shumao.storage import vintages
from shumao.storage.tables import observation, series, vintage

_EXAMPLE = itertools.count()


def make_frame(
    values: dict[str, float | None], *, area: str = "CHN", mult: int = 6
) -> pl.DataFrame:
    periods = list(values)
    return pl.DataFrame(
        {
            "ref_area": [area] * len(periods),
            "counterpart_area": ["W00"] * len(periods),
            "product": ["DD"] * len(periods),
            "flow": ["X"] * len(periods),
            "freq": ["A"] * len(periods),
            "time_period": periods,
            "value": list(values.values()),
            "unit": ["USD"] * len(periods),
            "unit_mult": [mult] * len(periods),
            "obs_status": ["A" if v is not None else "M" for v in values.values()],
        }
    )


def load(engine: Engine, frame: pl.DataFrame, flow: str = "UNCTAD_DDS") -> int:
    with engine.begin() as conn:
        return vintages.write_vintage(conn, dataflow_id=flow, frame=frame, label="test")


def test_a_load_adds_a_vintage_and_never_overwrites(engine: Engine) -> None:
    v1 = load(engine, make_frame({"2021": 100.0, "2022": 110.0}))
    v2 = load(engine, make_frame({"2022": 115.5, "2023": 120.0}))
    with engine.connect() as conn:
        latest = vintages.read(conn, "UNCTAD_DDS")
        first = vintages.read(conn, "UNCTAD_DDS", as_of=v1)
        stored = conn.execute(select(func.count()).select_from(observation)).scalar_one()
        n_series = conn.execute(select(func.count()).select_from(series)).scalar_one()
    assert dict(zip(latest["time_period"], latest["value"], strict=True)) == {
        "2021": 100.0,
        "2022": 115.5,
        "2023": 120.0,
    }
    assert dict(zip(latest["time_period"], latest["vintage_id"], strict=True)) == {
        "2021": v1,
        "2022": v2,
        "2023": v2,
    }
    assert dict(zip(first["time_period"], first["value"], strict=True)) == {
        "2021": 100.0,
        "2022": 110.0,
    }
    assert stored == 4  # both 2022 values are kept
    assert n_series == 1  # the second load reused the series
    assert latest["counterpart_area"].to_list() == ["W00"] * 3
    assert latest["indicator"].to_list() == ["_Z"] * 3  # unused dimension


def test_as_of_a_date_picks_the_vintage_current_then(engine: Engine) -> None:
    v1 = load(engine, make_frame({"2022": 1.0}))
    v2 = load(engine, make_frame({"2022": 2.0}))
    day1 = datetime(2024, 3, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(update(vintage).where(vintage.c.id == v1).values(created_at=day1))
        conn.execute(
            update(vintage).where(vintage.c.id == v2).values(created_at=day1 + timedelta(days=30))
        )
    with engine.connect() as conn:
        mid = vintages.read(conn, "UNCTAD_DDS", as_of=day1 + timedelta(days=1))
        assert mid["value"].to_list() == [1.0]
        with pytest.raises(StoreError, match="no vintage of dataflow UNCTAD_DDS exists"):
            vintages.read(conn, "UNCTAD_DDS", as_of=day1 - timedelta(days=1))


def test_withdrawn_value_is_a_missing_observation_in_a_new_vintage(engine: Engine) -> None:
    load(engine, make_frame({"2022": 5.0}))
    load(engine, make_frame({"2022": None}))
    with engine.connect() as conn:
        latest = vintages.read(conn, "UNCTAD_DDS")
    assert latest["value"].to_list() == [None]
    assert latest["obs_status"].to_list() == ["M"]


def test_filters_and_period_range(engine: Engine) -> None:
    load(engine, make_frame({"2015": 1.0, "2020": 2.0, "2023": 3.0}))
    load(engine, make_frame({"2020": 9.0}, area="USA"))
    with engine.connect() as conn:
        chn = vintages.read(
            conn, "UNCTAD_DDS", where={"ref_area": ["CHN"]}, start="2016", end="2023"
        )
    assert chn["time_period"].to_list() == ["2020", "2023"]
    assert chn["ref_area"].unique().to_list() == ["CHN"]


def test_quarters_fall_inside_their_year_range(engine: Engine) -> None:
    frame = make_frame({"2023-Q1": 1.0, "2023-Q4": 2.0, "2024-Q1": 3.0}).with_columns(
        pl.lit("Q").alias("freq")
    )
    load(engine, frame)
    with engine.connect() as conn:
        rows = vintages.read(conn, "UNCTAD_DDS", start="2023", end="2023")
    assert rows["time_period"].to_list() == ["2023-Q1", "2023-Q4"]


def test_revision_table_between_two_vintages(engine: Engine) -> None:
    v1 = load(engine, make_frame({"2021": 200.0, "2022": 250.0}))
    # the source re-publishes in a different multiplier and revises 2022
    v2 = load(engine, make_frame({"2021": 0.2, "2022": 0.26, "2023": 0.3}, mult=9))
    with engine.connect() as conn:
        table = revision_tables.revisions(conn, "UNCTAD_DDS", then=v1, now=v2)
    rows = {r["time_period"]: r for r in table.to_dicts()}
    assert rows["2021"]["revision"] == pytest.approx(0.0, abs=1e-12)
    assert rows["2022"]["value_then"] == pytest.approx(0.25)
    assert rows["2022"]["value_now"] == pytest.approx(0.26)
    assert rows["2022"]["revision"] == pytest.approx(0.01)
    assert rows["2022"]["revision_pct"] == pytest.approx(4.0)
    assert rows["2023"]["value_then"] is None and rows["2023"]["value_now"] == pytest.approx(0.3)
    assert rows["2022"]["unit_mult"] == 9


def test_missing_in_both_vintages_is_no_revision(engine: Engine) -> None:
    """NaN ≠ NaN must not make a revision; missing → value and value → missing are labelled."""
    v1 = load(
        engine, make_frame({"2019": None, "2020": None, "2021": 1.0, "2022": 2.0, "2023": 3.0})
    )
    v2 = load(
        engine,
        make_frame(
            {"2019": None, "2020": 5.0, "2021": None, "2022": 2.5, "2023": 3.0, "2024": 4.0}
        ),
    )
    with engine.connect() as conn:
        table = revision_tables.revisions(conn, "UNCTAD_DDS", then=v1, now=v2)
    kinds = dict(zip(table["time_period"], table["change"], strict=True))
    assert kinds == {
        "2019": "missing",
        "2020": "added",
        "2021": "removed",
        "2022": "revised",
        "2023": "unchanged",
        "2024": "added",
    }
    shown = revision_tables.changed(table)
    assert shown["time_period"].to_list() == ["2020", "2021", "2022", "2024"]
    assert revision_tables.REVISION_KINDS["added"] == ("缺失→有值", "missing → value")
    assert revision_tables.REVISION_KINDS["removed"] == ("有值→缺失", "value → missing")


def test_as_of_a_vintage_of_another_dataflow_is_an_error(engine: Engine) -> None:
    mine = load(engine, make_frame({"2021": 1.0}))
    other = load(engine, make_frame({"2021": 2.0}), flow="WTO_DDS")
    with engine.connect() as conn:
        assert vintages.read(conn, "UNCTAD_DDS", as_of=mine)["value"].to_list() == [1.0]
        with pytest.raises(StoreError) as wrong:
            vintages.read(conn, "UNCTAD_DDS", as_of=other)
        with pytest.raises(StoreError) as missing:
            vintages.read(conn, "UNCTAD_DDS", as_of=other + 10)
        with pytest.raises(StoreError) as early:
            vintages.read(conn, "UNCTAD_DDS", as_of=datetime(2000, 1, 1, tzinfo=UTC))
    text = str(wrong.value)
    assert f"版本 {other} 属于数据流 WTO_DDS，不是 UNCTAD_DDS" in text
    assert f"vintages of UNCTAD_DDS: {mine}（" in text
    assert f"没有第 {other + 10} 号数据版本" in str(missing.value)
    assert "2000-01-01 00:00 之前数据流 UNCTAD_DDS 没有任何数据版本" in str(early.value)


def test_query_as_of_another_dataflows_vintage_says_so(
    engine: Engine, cli_env: dict[str, str], tmp_path: object
) -> None:
    import subprocess
    import sys
    from pathlib import Path

    mine = load(engine, make_frame({"2021": 1.0}), flow="WTO_DDS")
    other = load(engine, make_frame({"2021": 2.0}))
    out = Path(str(tmp_path)) / "out.xlsx"
    run = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            run,
            "query",
            "WTO_DDS",
            "--as-of",
            str(other),
            "--format",
            "xlsx",
            "-o",
            str(out),
        ],
        env={**cli_env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert not out.exists()
    said = " ".join(done.stderr.split())
    assert f"版本 {other} 属于数据流 UNCTAD_DDS，不是 WTO_DDS" in said
    assert f"vintages of WTO_DDS: {mine}（" in said


def test_the_revisions_command_lists_only_real_revisions(
    engine: Engine, cli_env: dict[str, str]
) -> None:
    import subprocess
    import sys

    v1 = load(engine, make_frame({"2019": None, "2020": None, "2021": 1.0}))
    load(engine, make_frame({"2019": None, "2020": 5.0, "2021": 1.5}))
    run = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"
    done = subprocess.run(
        [sys.executable, "-c", run, "revisions", "UNCTAD_DDS", "--then", str(v1)],
        env={**cli_env, "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "2019" not in done.stdout  # missing then and now
    assert "缺失→有值" in done.stdout and "修订" in done.stdout
    assert "2 行" in done.stdout  # 2020 (missing → value) and 2021 (revised)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.dictionaries(
        st.sampled_from([str(y) for y in range(2010, 2024)]),
        st.floats(0, 1e6, allow_nan=False),
        min_size=1,
    ),
    second=st.dictionaries(
        st.sampled_from([str(y) for y in range(2010, 2024)]),
        st.floats(0, 1e6, allow_nan=False),
        min_size=1,
    ),
)
def test_revisions_never_lose_a_value(
    engine: Engine, first: dict[str, float], second: dict[str, float]
) -> None:
    area = f"T{next(_EXAMPLE)}"  # a fresh series for every example (the store is per test)
    v1 = load(engine, make_frame(first, area=area), flow="GENERIC")
    v2 = load(engine, make_frame(second, area=area), flow="GENERIC")
    with engine.connect() as conn:
        table = revision_tables.revisions(
            conn, "GENERIC", then=v1, now=v2, where={"ref_area": [area]}
        )
        then = vintages.read(conn, "GENERIC", as_of=v1, where={"ref_area": [area]})
    assert set(table["time_period"]) == set(first) | set(second)
    for row in table.to_dicts():
        expected_now = second.get(row["time_period"], first.get(row["time_period"]))
        assert row["value_now"] == pytest.approx(expected_now)
        assert row["value_then"] == pytest.approx(first.get(row["time_period"]))
    assert dict(zip(then["time_period"], then["value"], strict=True)) == pytest.approx(first)


def test_a_large_load_leaves_postgresql_fresh_statistics(engine: Engine) -> None:
    """The read after a large load must not be planned on a small table's statistics.

    In CI the newest-vintage read of 100,000 freshly loaded BaTIS rows, planned on the
    statistics of the few rows an earlier test had left, ran for minutes."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    from sqlalchemy import text

    load(engine, make_frame({"2021": 1.0}))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE series, observation"))  # the statistics of one row
    years = {str(y): float(y) for y in range(1000, 1000 + vintages.ANALYZE_AFTER_ROWS)}
    load(engine, make_frame(years, area="USA"))
    with engine.connect() as conn:
        counted = dict(
            conn.execute(
                text(
                    "SELECT relname, reltuples FROM pg_class "
                    "WHERE relname IN ('observation', 'series')"
                )
            ).all()
        )
    assert counted["observation"] >= vintages.ANALYZE_AFTER_ROWS
    assert counted["series"] == 2  # the new series too (analysed while the rows sorted)


def test_a_small_load_into_a_large_store_leaves_the_statistics_to_autovacuum(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ANALYZE`` (0.1 s after 1 M rows) only when a vintage adds a tenth of the counted rows."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    from sqlalchemy import text

    monkeypatch.setattr(vintages, "ANALYZE_AFTER_ROWS", 100)

    def counted() -> float:
        with engine.connect() as conn:
            return float(
                conn.execute(
                    text("SELECT reltuples FROM pg_class WHERE relname = 'observation'")
                ).scalar_one()
            )

    load(engine, make_frame({str(y): 1.0 for y in range(1000, 3000)}))
    assert counted() == 2000
    load(engine, make_frame({str(y): 2.0 for y in range(1000, 1150)}, area="USA"))
    assert counted() == 2000  # 150 rows: less than a tenth, not analysed
    load(engine, make_frame({str(y): 3.0 for y in range(1000, 1300)}, area="JPN"))
    assert counted() == 2450


def test_a_load_mixing_known_and_new_series_in_any_order_keeps_every_series_its_id(
    engine: Engine,
) -> None:
    """Series ids come from one sort of the load by its key (no join of the rows on six text
    columns): a known series keeps its id, a new one gets a new id, and every value lands on
    its own series whatever the order of the rows."""
    load(engine, pl.concat([make_frame({"2021": 1.0}, area=a) for a in ("DEU", "USA")]))
    with engine.connect() as conn:
        before: dict[str, int] = dict(conn.execute(select(series.c.ref_area, series.c.id)).all())
    areas = ["USA", "CHN", "DEU", "JPN", "USA", "CHN", "DEU", "JPN"]
    periods = ["2023", "2022", "2023", "2022", "2022", "2023", "2022", "2023"]
    mixed = pl.concat(
        [
            make_frame({p: float(10 * i + int(p[-1]))}, area=a)
            for i, (a, p) in enumerate(zip(areas, periods, strict=True))
        ]
    )
    v2 = load(engine, mixed)
    with engine.connect() as conn:
        after: dict[str, int] = dict(conn.execute(select(series.c.ref_area, series.c.id)).all())
        latest = vintages.read(conn, "UNCTAD_DDS")
    assert {a: after[a] for a in before} == before
    assert set(after) == {"CHN", "DEU", "JPN", "USA"} and len(set(after.values())) == 4
    got = {
        (a, p): (v, vid)
        for a, p, v, vid in latest.select("ref_area", "time_period", "value", "vintage_id").rows()
    }
    assert got == {
        **{(a, "2021"): (1.0, v2 - 1) for a in ("DEU", "USA")},
        **{
            (a, p): (float(10 * i + int(p[-1])), v2)
            for i, (a, p) in enumerate(zip(areas, periods, strict=True))
        },
    }


def test_texts_holding_tabs_line_breaks_backslashes_or_nothing_come_back_exactly(
    engine: Engine,
) -> None:
    """PostgreSQL takes the observations in ``COPY``'s text format, where a tab, a line break,
    a carriage return and a backslash mean something: in a text they are escaped, so every
    attribute text (and a missing one, and an empty one) is stored as it was given."""
    texts = ["a\tb", "两行\n文本", "cr\rlf\r\n", "C:\\data\\x", "\\N", "\\.", "", None, '"q", c']
    frame = make_frame({str(2000 + i): float(i) for i in range(len(texts))}).with_columns(
        pl.Series("attrs", texts, pl.String), pl.lit("U\\S\tD").alias("unit")
    )
    vid = load(engine, frame)
    with engine.connect() as conn:
        stored = conn.execute(
            select(observation.c.time_period, observation.c.attrs, observation.c.unit)
            .where(observation.c.vintage_id == vid)
            .order_by(observation.c.time_period)
        ).all()
    assert [row.attrs for row in stored] == texts
    assert {row.unit for row in stored} == {"U\\S\tD"}
