"""The read's statement is built once per shape and executed with new values: one code, several
codes (any collection of them), a period range and an as-of limit read what they always did."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.errors import StoreError
from shumao.storage import read_statement, vintages


def load(engine: Engine, values: dict[str, float], area: str = "CHN") -> int:
    frame = pl.DataFrame(
        {
            "ref_area": area,
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
    with engine.begin() as conn:
        return vintages.write_vintage(conn, dataflow_id="UNCTAD_DDS", frame=frame, label="test")


def test_one_shape_one_statement() -> None:
    one, values = read_statement.statement("UNCTAD_DDS", {"ref_area": ["CHN"]}, None, None, None)
    other, other_values = read_statement.statement(
        "WTO_DDS", {"ref_area": ["USA"]}, None, None, None
    )
    several, _ = read_statement.statement("UNCTAD_DDS", {"ref_area": ["CHN", "USA"]}, *[None] * 3)
    assert one is other and several is not one
    assert values == {"dataflow_id": "UNCTAD_DDS", "w_ref_area": "CHN"}
    assert other_values == {"dataflow_id": "WTO_DDS", "w_ref_area": "USA"}
    assert "ref_area = :w_ref_area" in str(one) and "ref_area IN" in str(several)


def test_one_code_several_codes_and_any_collection_read_the_same(engine: Engine) -> None:
    first = load(engine, {"2015": 1.0, "2020": 2.0, "2023": 3.0})
    load(engine, {"2020": 9.0}, area="USA")
    load(engine, {"2020": 2.5})  # a revision of CHN 2020 in a later vintage
    with engine.connect() as conn:
        chn = vintages.read(conn, "UNCTAD_DDS", where={"ref_area": ["CHN"]}, start="2016")
        both = vintages.read(conn, "UNCTAD_DDS", where={"ref_area": {"USA", "CHN"}})
        as_of = vintages.read(conn, "UNCTAD_DDS", where={"ref_area": ("CHN",)}, as_of=first)
        with pytest.raises(StoreError, match="unknown dimension"):
            vintages.read(conn, "UNCTAD_DDS", where={"colour": ["red"]})
    assert chn.select("time_period", "value").rows() == [("2020", 2.5), ("2023", 3.0)]
    assert both.select("ref_area", "time_period", "value").rows() == [
        ("CHN", "2015", 1.0),
        ("CHN", "2020", 2.5),
        ("CHN", "2023", 3.0),
        ("USA", "2020", 9.0),
    ]
    assert as_of.filter(time_period="2020")["value"].to_list() == [2.0]


def test_postgresql_reads_each_series_latest_rows_the_same_way(engine: Engine) -> None:
    """PostgreSQL runs its own form of the statement (each series' newest row per period by
    ``DISTINCT ON``); every shape answers exactly what the portable form answers: revisions,
    an as-of limit, a period range, one code and several, rows in the same order."""
    if engine.dialect.name != "postgresql":
        pytest.skip("DISTINCT ON is PostgreSQL's")
    first = load(engine, {"2015": 1.0, "2020": 2.0, "2023": 3.0})
    load(engine, {"2020": 9.0, "2021": None}, area="USA")  # type: ignore[dict-item]
    load(engine, {"2020": 2.5, "2024": 4.0})  # CHN 2020 revised, 2024 added
    load(engine, {"2021": 7.0}, area="USA")  # USA 2021 given a value after a missing one
    shapes = [
        ({"ref_area": ["CHN"]}, None, None, None),
        ({"ref_area": ["CHN", "USA"]}, None, None, None),
        (None, None, None, None),
        (None, "2016", "2021", None),
        ({"ref_area": ["USA"]}, "2021", None, None),
        (None, None, None, first),
        ({"flow": ["X"], "ref_area": ["CHN", "USA"]}, "2020", "2023", first + 1),
    ]
    with engine.connect() as conn:
        for where, start, end, limit in shapes:
            answers = []
            for form in ("postgresql", "sqlite"):
                stmt, values = read_statement.statement(
                    "UNCTAD_DDS", where, start, end, limit, form
                )
                answers.append([tuple(r) for r in conn.execute(stmt, values).all()])
            assert answers[0] == answers[1] and answers[0], (where, start, end, limit)
        latest = vintages.read(conn, "UNCTAD_DDS")
    assert "DISTINCT ON" in str(
        read_statement.statement("UNCTAD_DDS", None, *[None] * 3, "postgresql")[0]
    )
    assert latest.select("ref_area", "time_period", "value").rows() == [
        ("CHN", "2015", 1.0),
        ("CHN", "2020", 2.5),
        ("CHN", "2023", 3.0),
        ("CHN", "2024", 4.0),
        ("USA", "2020", 9.0),
        ("USA", "2021", 7.0),
    ]
