"""A small view computed in plain Python (``explorer_rows``) is the view the polars passes
make: the same rows, order, units, names, chart and messages, for every scope — an enterprise
still sees only its own rows, the public only the released, protected figures."""

from __future__ import annotations

from typing import Any

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine
from starlette.datastructures import QueryParams

from shumao.auth import users
from shumao.auth.scope import Scope
from shumao.web.services import explorer, explorer_rows, explorer_unmatched, explorer_view
from web.factories import MONEY, USCC_A, USCC_A2, USCC_B, World

QUERIES = (
    "dataflow=ENT_DDS&unit=亿美元",
    "dataflow=ENT_DDS&sort=value&desc=1",
    f"dataflow=ENT_DDS&ref_area={USCC_A}",
    "dataflow=UNCTAD_DDS&ref_area=CHN&sort=flow&desc=1",
    "dataflow=UNCTAD_DDS&unit=亿元&sort=time_period&size=1&page=2",
    "dataflow=UNCTAD_DDS&flow=出口,没有这个&start=2023",
    "dataflow=MOFCOM_REPORT&sort=value",
    "dataflow=MOFCOM_REPORT&as_of=2099-12-31",
)


def _scope(engine: Engine, username: str) -> Scope:
    with engine.connect() as conn:
        found = users.find_user(conn, username)
    assert found is not None
    return found.access


def _answer(engine: Engine, scope: Scope, text: str, small: int) -> dict[str, Any]:
    query = explorer.Query.from_params(QueryParams(text))
    with engine.connect() as conn:
        found = explorer.full_view(conn, scope=scope, query=query, lang="zh", small=small)
    res = explorer.result(found, query, explorer_unmatched.unmatched(query, found, "zh"))
    assert isinstance(res.view, explorer_rows.Rows) == (small >= 0)
    return {
        "frame": res.frame,
        "page": res.page_dicts(),
        "page_frame": res.page_rows(),
        "total": res.total,
        "problems": res.problems,
        "chart": explorer_view.chart(res, "zh"),
    }


@pytest.mark.parametrize("role", ["ministry", "enterprise", "province", "public"])
def test_plain_rows_and_polars_give_the_same_view(engine: Engine, world: World, role: str) -> None:
    scope = Scope.public() if role == "public" else _scope(engine, world.users[role])
    for text in QUERIES:
        python = _answer(engine, scope, text, explorer_rows.SMALL)
        frames = _answer(engine, scope, text, -1)  # every view in polars
        assert_frame_equal(python.pop("frame"), frames.pop("frame"))
        assert_frame_equal(python.pop("page_frame"), frames.pop("page_frame"))
        assert python == frames, text


def test_an_enterprise_sees_its_own_rows_named_and_converted(engine: Engine, world: World) -> None:
    scope = _scope(engine, world.users["enterprise"])
    answer = _answer(engine, scope, "dataflow=ENT_DDS&unit=亿美元", explorer_rows.SMALL)
    own = [r for r in answer["page"] if len(r["ref_area"]) == 18]
    assert {r["ref_area"] for r in own} == {USCC_A}  # not 乙 (A2) nor 丙 (B)
    assert USCC_A2 not in str(answer["page"]) and USCC_B not in str(answer["page"])
    (row,) = own
    assert row["ref_area_name"] == "测试企业甲" and row["flow_name"] == "出口"
    assert row["value"] == pytest.approx(MONEY["A"] / 10_000)
    assert (row["unit"], row["unit_mult"], row["time_period"]) == ("USD", 8, "2024-Q1")


def test_the_ministry_sorts_by_value_with_empty_values_last(engine: Engine, world: World) -> None:
    scope = _scope(engine, world.users["ministry"])
    answer = _answer(engine, scope, "dataflow=ENT_DDS&sort=value&desc=1", explorer_rows.SMALL)
    values = [r["value"] for r in answer["page"]]
    assert values == sorted(MONEY.values(), reverse=True)
    assert [r["ref_area_name"] for r in answer["page"]] == [
        "测试企业甲",
        "测试企业乙",
        "测试企业丙",
    ]


@pytest.mark.parametrize("role", ["ministry", "enterprise", "public"])
def test_a_view_made_in_order_sorts_as_one_sorted_afresh(
    engine: Engine, world: World, role: str
) -> None:
    """``view`` files the rows under their series' names (``Rows.order``) and ``sort`` skips
    sorting by them again: the same rows in the same order as sorting rows of no known order,
    with and without a chosen column."""
    scope = Scope.public() if role == "public" else _scope(engine, world.users[role])
    keys = None
    for text in QUERIES:
        query = explorer.Query.from_params(QueryParams(text))
        with engine.connect() as conn:
            made = explorer.full_view(conn, scope=scope, query=query, lang="zh")
        assert isinstance(made, explorer_rows.Rows) and made.order
        keys = [f"{d}_name" for d in explorer.get_dataflow(query.dataflow).dimensions]
        keys.append("time_period")
        assert made.order == tuple(keys)
        afresh = explorer_rows.Rows(made.columns, list(reversed(made.rows)))
        for first, desc in ((None, False), ("value", True), ("flow_name", False), (keys[0], True)):
            kept = explorer_rows.sort(made, keys, first, desc).rows
            again = explorer_rows.sort(
                explorer_rows.sort(afresh, keys, None, False), keys, first, desc
            ).rows
            assert kept == again, (text, first)
            assert (
                kept
                == explorer_rows.sort(
                    explorer_rows.Rows(made.columns, made.rows), keys, first, desc
                ).rows
            )
    assert keys is not None
