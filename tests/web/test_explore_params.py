"""``GET /api/explore`` checks its sixteen parameters in one model call and answers at once when
they are valid; whatever that call refuses goes through FastAPI's own handler, so the refusal
is every route's 422, and the OpenAPI description is the declared parameters'."""

from __future__ import annotations

import pytest

from shumao.web.app import create_app
from web.factories import USCC_A

LONG = "x" * 201


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("size=0", "query.size"),
        ("size=1001", "query.size"),
        ("size=ten", "query.size"),
        ("page=0", "query.page"),
        ("page=", "query.page"),
        ("page=1000001", "query.page"),
        (f"dataflow={LONG}", "query.dataflow"),
        (f"ref_area={LONG}", "query.ref_area"),
        (f"sort={LONG}", "query.sort"),
        (f"view={LONG}", "query.view"),
    ],
)
def test_each_invalid_parameter_is_refused_where_it_is(
    as_role, world, query: str, where: str
) -> None:
    for role in ("public", "ministry"):
        r = as_role(role).get(f"/api/explore?dataflow=ENT_DDS&{query}")
        assert r.status_code == 422, (role, query, r.text)
        error = r.json()["error"]
        assert error["type"] == "invalid_request"
        assert [f["location"] for f in error["findings"]] == [where]


def test_the_largest_valid_values_are_answered(as_role, world) -> None:
    text = "y" * 200  # the longest a parameter may be: a name that finds nothing
    r = as_role("ministry").get(
        f"/api/explore?dataflow=ENT_DDS&ref_area={USCC_A}&size=1000&page=1000000&sort=value"
        f"&flow={text}"
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert (answer["size"], answer["page"], answer["rows"]) == (1000, 1000000, [])
    assert any(text in m for m in answer["messages"])
    r = as_role("ministry").get(f"/api/explore?dataflow=ENT_DDS&ref_area={USCC_A}&size=1000")
    assert r.status_code == 200 and r.json()["rows"][0]["ref_area"] == USCC_A


def test_a_repeated_parameter_is_checked_as_fastapi_reads_it(as_role, world) -> None:
    """FastAPI validates the last of a repeated value (the explorer reads them all)."""
    c = as_role("ministry")
    assert c.get("/api/explore?dataflow=ENT_DDS&size=0&size=5").json()["size"] == 5
    assert c.get("/api/explore?dataflow=ENT_DDS&size=5&size=0").status_code == 422


def test_the_openapi_description_lists_the_declared_parameters(settings) -> None:
    operation = create_app(settings).openapi()["paths"]["/api/explore"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert list(params) == [
        "dataflow",
        "ref_area",
        "counterpart_area",
        "product",
        "flow",
        "indicator",
        "freq",
        "start",
        "end",
        "unit",
        "as_of",
        "sort",
        "desc",
        "view",
        "page",
        "size",
    ]
    assert all(p["in"] == "query" and not p["required"] for p in params.values())
    assert params["size"]["schema"] == {
        "type": "integer",
        "maximum": 1000,
        "minimum": 1,
        "default": 50,
        "title": "Size",
    }
    assert params["dataflow"]["schema"]["maxLength"] == 200
    assert params["dataflow"]["schema"]["default"] == "UNCTAD_DDS"
    assert "200" in str(operation["responses"]) and "ExploreOut" in str(operation["responses"])
