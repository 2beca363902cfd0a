"""A vintage's foreign keys checked once as a set (PostgreSQL), never weaker than row by row."""

from __future__ import annotations

import uuid

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from shumao.errors import StoreError
from shumao.storage import vintages
from shumao.storage.bulk_keys import _missing_series, keys_checked_once, may_skip_row_triggers
from shumao.storage.tables import observation, series, vintage


def make_frame(values: dict[str, float]) -> pl.DataFrame:
    """Annual values of one series of UNCTAD_DDS (China's digitally deliverable exports)."""
    return pl.DataFrame(
        {
            "ref_area": "CHN",
            "counterpart_area": "W00",
            "product": "DD",
            "flow": "X",
            "freq": "A",
            "time_period": list(values),
            "value": list(values.values()),
            "unit": "USD",
            "unit_mult": 6,
        }
    )


def load(engine: Engine, frame: pl.DataFrame) -> int:
    with engine.begin() as conn:
        return vintages.write_vintage(conn, dataflow_id="UNCTAD_DDS", frame=frame, label="t")


def _orphan(vintage_id: int) -> dict[str, object]:
    return {
        "series_id": 987_654,
        "time_period": "2022",
        "vintage_id": vintage_id,
        "value": 1.0,
        "unit": "USD",
        "unit_mult": 6,
    }


def _new_vintage(conn: Connection) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO vintage (dataflow_id, created_at, kind) "
                "VALUES ('UNCTAD_DDS', CURRENT_TIMESTAMP, 'import') RETURNING id"
            )
        ).scalar_one()
    )


def _postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row triggers and session_replication_role are PostgreSQL's")


def test_a_row_whose_series_does_not_exist_is_refused_and_nothing_is_stored(engine: Engine) -> None:
    load(engine, make_frame({"2021": 100.0}))
    refused = StoreError if may_skip(engine) else IntegrityError
    with pytest.raises(refused) as caught, engine.begin() as conn:
        vid = _new_vintage(conn)
        with keys_checked_once(conn, vid):
            conn.execute(insert(observation).values(**_orphan(vid)))
    if refused is StoreError:
        assert "1 observation rows of vintage" in str(caught.value)
        assert "引用了不存在的序列" in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(observation)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(vintage)).scalar_one() == 1


def test_the_series_ids_a_block_sent_are_checked_range_by_range(engine: Engine) -> None:
    """The ids a block says its rows hold are counted in ``series`` range by range: ids in
    gaps between stored series and past the last one are found, and a refused vintage's
    message still counts its rows (read back only then)."""
    _postgres(engine)
    if not may_skip(engine):
        pytest.skip("the test server's role may not skip the row triggers")
    partners = ("W00", "USA", "JPN", "DEU", "FRA")
    frame = pl.concat(
        make_frame({"2021": 1.0}).with_columns(counterpart_area=pl.lit(p)) for p in partners
    )
    load(engine, frame)
    with engine.connect() as conn:
        ids = conn.execute(select(series.c.id).order_by(series.c.id)).scalars().all()
        kept = [ids[0], ids[1], ids[3], ids[4]]  # a gap where ids[2] is, then two more
        assert _missing_series(conn, pl.Series(kept * 2)) == 0
        absent = [ids[-1] + 1, ids[-1] + 5, -1]
        assert _missing_series(conn, pl.Series([*kept, *absent])) == 3
    with pytest.raises(StoreError) as caught, engine.begin() as conn:
        vid = _new_vintage(conn)
        with keys_checked_once(conn, vid) as sent:
            conn.execute(insert(observation).values(**{**_orphan(vid), "series_id": ids[0]}))
            conn.execute(insert(observation).values(**_orphan(vid)))
            conn.execute(insert(observation).values(**{**_orphan(vid), "time_period": "2023"}))
            sent.series_ids = pl.Series([ids[0], 987_654, 987_654])
    assert "2 observation rows of vintage" in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(observation)).scalar_one() == 5


def may_skip(engine: Engine) -> bool:
    with engine.connect() as conn:
        return may_skip_row_triggers(conn)


def test_the_row_triggers_come_back_on_inside_the_same_transaction(engine: Engine) -> None:
    _postgres(engine)
    with engine.begin() as conn:
        vintages.write_vintage(
            conn, dataflow_id="UNCTAD_DDS", label="t", frame=make_frame({"2021": 1.0, "2022": 2.0})
        )
        assert conn.execute(text("SHOW session_replication_role")).scalar_one() == "origin"
        vid = _new_vintage(conn)
        with pytest.raises(IntegrityError), conn.begin_nested():  # the row trigger again
            conn.execute(insert(observation).values(**_orphan(vid)))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(observation)).scalar_one() == 2


def test_only_a_role_allowed_to_set_the_replication_role_skips_the_row_triggers(
    engine: Engine,
) -> None:
    _postgres(engine)
    role = f"shumao_t_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn, conn.begin():  # rolled back: the role never persists
        if not may_skip_row_triggers(conn):
            pytest.skip("the test server's role is not a superuser")
        conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        conn.execute(text(f"SET LOCAL ROLE {role}"))
        plain = may_skip_row_triggers(conn)
        conn.execute(text("RESET ROLE"))
        conn.execute(text(f"GRANT SET ON PARAMETER session_replication_role TO {role}"))
        conn.execute(text(f"SET LOCAL ROLE {role}"))
        granted = may_skip_row_triggers(conn)
        conn.execute(text("RESET ROLE"))
        conn.rollback()
    assert (plain, granted) == (False, True)


def test_a_large_vintage_is_stored_whole_with_its_keys(engine: Engine) -> None:
    periods = {str(1900 + i): float(i) for i in range(120)}
    with engine.begin() as conn:
        vid = vintages.write_vintage(
            conn, dataflow_id="UNCTAD_DDS", label="t", frame=make_frame(periods), batch_rows=7
        )
    with engine.connect() as conn:
        stored = vintages.read(conn, "UNCTAD_DDS")
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM observation o LEFT JOIN series s ON s.id = o.series_id "
                "WHERE s.id IS NULL"
            )
        ).scalar_one()
    assert stored.height == 120
    assert stored["value"].sum() == sum(range(120))
    assert set(stored["vintage_id"]) == {vid}
    assert orphans == 0
