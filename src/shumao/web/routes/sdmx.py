"""SDMX data and structure endpoints (see ``shumao.sdmx``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from shumao import access, sdmx
from shumao.storage.dataflows import get_dataflow
from shumao.web.deps import ScopeDep, SessionDep
from shumao.web.errors import ERROR_RESPONSES

router = APIRouter(prefix="/sdmx", tags=["sdmx"], responses=ERROR_RESPONSES)
FlowId = Annotated[str, Path(max_length=40, description="数据流 / dataflow id, e.g. UNCTAD_DDS")]
Period = Annotated[str | None, Query(max_length=10)]


def _data(
    conn: SessionDep,
    scope: ScopeDep,
    flow_id: str,
    key: str,
    start: str | None,
    end: str | None,
    fmt: str | None,
    accept: str,
) -> Response:
    flow = get_dataflow(flow_id)
    as_json = sdmx.wants_json(fmt, accept)
    frame = access.read(conn, scope, flow.id, where=sdmx.parse_key(flow, key), start=start, end=end)
    if as_json:
        return Response(sdmx.to_json(flow, frame), media_type=sdmx.JSON_TYPE)
    return Response(sdmx.to_csv(flow, frame), media_type=sdmx.CSV_TYPE)


DATA: dict[int | str, dict[str, Any]] = {200: {"content": {sdmx.CSV_TYPE: {}, sdmx.JSON_TYPE: {}}}}


@router.get(
    "/data/{flow}/{key}",
    response_class=Response,
    responses=DATA,
    summary="SDMX 数据 / SDMX data (key: dot-separated codes, empty = all, + = or)",
)
def data(
    flow: FlowId,
    key: Annotated[str, Path(max_length=500)],
    conn: SessionDep,
    scope: ScopeDep,
    startPeriod: Period = None,
    endPeriod: Period = None,
    format: Annotated[str | None, Query(max_length=20)] = None,
    accept: Annotated[str, Header(max_length=500)] = "",
) -> Response:
    return _data(conn, scope, flow, key, startPeriod, endPeriod, format, accept)


@router.get(
    "/data/{flow}",
    response_class=Response,
    responses=DATA,
    summary="SDMX 数据（全部）/ SDMX data, every series",
)
def data_all(
    flow: FlowId,
    conn: SessionDep,
    scope: ScopeDep,
    startPeriod: Period = None,
    endPeriod: Period = None,
    format: Annotated[str | None, Query(max_length=20)] = None,
    accept: Annotated[str, Header(max_length=500)] = "",
) -> Response:
    return _data(conn, scope, flow, "all", startPeriod, endPeriod, format, accept)


@router.get(
    "/structure/dataflow/{flow}",
    response_class=Response,
    responses={200: {"content": {sdmx.XML_TYPE: {}}}},
    summary="SDMX-ML 结构 / SDMX-ML 2.1 dataflow and data structure",
)
def structure(flow: FlowId, request: Request) -> Response:
    """SDMX clients get the SDMX-ML media type; a browser (asking for HTML) gets the same
    document as XML, which it shows instead of downloading."""
    browser = "text/html" in request.headers.get("accept", "")
    return Response(
        sdmx.structure_xml(flow),
        media_type="application/xml; charset=utf-8" if browser else sdmx.XML_TYPE,
    )
