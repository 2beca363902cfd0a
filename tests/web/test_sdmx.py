"""The SDMX endpoint, read back by an independent reader: sdmx1 (``import sdmx``).

sdmx1 reads SDMX-CSV 2.0 only with the data structure, so the structure endpoint serves it
as SDMX-ML 2.1 and the test reads the data with that structure.
"""

from __future__ import annotations

import io

import pytest
import sdmx

from shumao import sdmx as service
from shumao.errors import BadQuery
from shumao.storage.dataflows import get_dataflow


def _structure(client, flow: str):  # type: ignore[no-untyped-def]
    r = client.get(f"/sdmx/structure/dataflow/{flow}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.sdmx.structure+xml"
    )
    message = sdmx.read_sdmx(io.BytesIO(r.content))
    return message.dataflow[flow]


def test_sdmx_csv_reads_back_with_sdmx1(as_role, world) -> None:
    c = as_role("public")
    flow = _structure(c, "UNCTAD_DDS")
    assert [d.id for d in flow.structure.dimensions.components] == [
        "REF_AREA",
        "COUNTERPART_AREA",
        "PRODUCT",
        "FLOW",
        "FREQ",
        "TIME_PERIOD",
    ]
    r = c.get("/sdmx/data/UNCTAD_DDS/CHN..DD.X+M.A?startPeriod=2023&endPeriod=2023")
    assert r.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    message = sdmx.read_sdmx(io.BytesIO(r.content), format="CSV", structure=flow)
    series = sdmx.to_pandas(message.data[0])
    values = {key[3]: value for key, value in series.items()}
    assert values == {"X": pytest.approx(2200.50), "M": pytest.approx(1700.25)}


def test_sdmx_json_reads_back_with_sdmx1(as_role, world) -> None:
    c = as_role("public")
    r = c.get(
        "/sdmx/data/UNCTAD_DDS/CHN..DD.X.A",
        headers={"accept": "application/vnd.sdmx.data+json;version=1.0.0"},
    )
    assert r.headers["content-type"].startswith("application/vnd.sdmx.data+json")
    message = sdmx.read_sdmx(io.BytesIO(r.content), format="JSON")
    series = sdmx.to_pandas(message.data[0])
    assert sorted(series.to_list()) == pytest.approx([2105.37, 2200.50])
    assert c.get("/sdmx/data/UNCTAD_DDS/all?format=sdmx-json").json()["dataSets"]


def test_the_sdmx_endpoint_respects_scopes(as_role, world) -> None:
    public = as_role("public").get("/sdmx/data/MOFCOM_REPORT/all").text
    province = as_role("province").get("/sdmx/data/MOFCOM_REPORT/all").text
    assert "5432.71" not in public and "5432.71" in province and "6543.82" not in province


def test_the_key_names_one_part_per_dimension() -> None:
    flow = get_dataflow("UNCTAD_DDS")
    assert service.parse_key(flow, "CHN..DD.X+M.A") == {
        "ref_area": ["CHN"],
        "product": ["DD"],
        "flow": ["X", "M"],
        "freq": ["A"],
    }
    assert service.parse_key(flow, "all") == {}
    with pytest.raises(BadQuery, match="5"):
        service.parse_key(flow, "CHN.DD")
