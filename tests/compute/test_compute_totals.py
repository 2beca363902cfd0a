"""``compute.totals``: the one way every layer adds a total a table lacks (the release's world
totals, the dashboard's X + M, the revisions view)."""

from __future__ import annotations

import polars as pl

from shumao.compute.totals import with_flow_total, with_world_total
from shumao.storage.vintages import FRAME_SCHEMA


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {
        "ref_area": "320000",
        "counterpart_area": "WLD",
        "product": "DD",
        "flow": "X",
        "indicator": "_Z",
        "freq": "A",
        "time_period": "2023",
        "value": 1.0,
        "unit": "USD",
        "unit_mult": 4,
        "obs_status": "A",
        "conf_status": "F",
        "attrs": None,
    }
    return pl.DataFrame(
        [{**base, **r} for r in rows],
        schema={c: t for c, t in FRAME_SCHEMA.items() if c != "vintage_id"},
    )


def _values(frame: pl.DataFrame, dim: str) -> dict[tuple[str, str], tuple[float | None, str]]:
    return {
        (r["ref_area"], r[dim]): (r["value"], r["obs_status"]) for r in frame.iter_rows(named=True)
    }


def test_the_flow_total_needs_both_flows_with_values() -> None:
    frame = _frame(
        [
            {"flow": "X", "value": 30.0},
            {"flow": "M", "value": 12.5, "obs_status": "E"},
            {"ref_area": "330000", "flow": "X", "value": 7.0},
            {"ref_area": "340000", "flow": "X", "value": 5.0},
            {"ref_area": "340000", "flow": "M", "value": None},
        ]
    )
    out = _values(with_flow_total(frame), "flow")
    assert out[("320000", "T")] == (42.5, "E")  # an estimated part makes an estimated total
    assert ("330000", "T") not in out  # no M: X alone is not the total
    assert out[("340000", "T")] == (None, "A")  # a missing part: the total has no value
    assert with_flow_total(frame).filter(pl.col("flow") == "T")["conf_status"].to_list() == [
        "F",
        "F",
    ]


def test_a_published_total_is_never_replaced() -> None:
    frame = _frame(
        [{"flow": "X", "value": 30.0}, {"flow": "M", "value": 12.0}, {"flow": "T", "value": 43.0}]
    )
    out = with_flow_total(frame)
    assert out.height == 3
    assert _values(out, "flow")[("320000", "T")] == (43.0, "A")


def test_the_world_total_sums_the_partners_there_are() -> None:
    frame = _frame(
        [
            {"counterpart_area": "USA", "value": 3.0},
            {"counterpart_area": "JPN", "value": 4.0},
            {"counterpart_area": "SGP", "value": None},
            {"ref_area": "330000", "counterpart_area": "USA", "value": 9.0},
            {"ref_area": "330000", "counterpart_area": "WLD", "value": 20.0},
        ]
    )
    out = _values(with_world_total(frame), "counterpart_area")
    assert out[("320000", "WLD")] == (7.0, "A")
    assert out[("330000", "WLD")] == (20.0, "A")  # published: kept, not 9.0
