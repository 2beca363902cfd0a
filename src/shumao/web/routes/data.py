"""The JSON data API: overview, area pages, dataflows, the explorer and its downloads."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, ValidationError

from shumao import sdmx
from shumao.auth import audit
from shumao.auth.sessions import scope_of
from shumao.labels import pick
from shumao.release.history import list_releases
from shumao.storage.dataflows import all_dataflows, get_dataflow
from shumao.web.deps import CacheDep, EngineDep, ScopeDep, SessionDep, client_ip, load_session
from shumao.web.errors import ERROR_RESPONSES
from shumao.web.i18n import lang_of
from shumao.web.schemas import (
    Dashboard,
    DataflowOut,
    ExploreOut,
    FrameworkTable,
    ReleaseOut,
    VintageOut,
)
from shumao.web.services import (
    admin,
    explorer,
    explorer_api,
    explorer_view,
    framework_view,
    views,
)

router = APIRouter(prefix="/api", tags=["data"], responses=ERROR_RESPONSES)
explorer_api_router = APIRouter(prefix="/api", tags=["data"], responses=ERROR_RESPONSES)
"""``GET /api/explore`` alone: matched before the other routers' routes are scanned (ROUTERS)."""
Text = Annotated[str, Query(max_length=200)]


@router.get("/overview", response_model=Dashboard, summary="全国总览 / national overview")
async def overview(
    request: Request, engine: EngineDep, scope: ScopeDep, cache: CacheDep
) -> Response:
    body = await views.overview_json(engine, scope=scope, lang=lang_of(request), cache=cache)
    return Response(body, media_type="application/json")


@router.get(
    "/areas/{code}",
    response_model=Dashboard,
    summary="省、市、基地或企业页面 / a province, city, park or enterprise",
)
async def area(
    code: Annotated[str, Path(max_length=20)],
    request: Request,
    engine: EngineDep,
    scope: ScopeDep,
    cache: CacheDep,
) -> Response:
    body = await views.area_json(engine, scope=scope, code=code, lang=lang_of(request), cache=cache)
    return Response(body, media_type="application/json")


@router.get(
    "/digital-trade",
    response_model=FrameworkTable,
    summary="数字贸易测度框架 / the framework of digital trade, latest year",
)
def digital_trade(request: Request, conn: SessionDep, scope: ScopeDep) -> FrameworkTable:
    return framework_view.table(conn, scope=scope, lang=lang_of(request))


@router.get("/dataflows", response_model=list[DataflowOut], summary="数据流 / dataflows")
def dataflows(request: Request, conn: SessionDep) -> list[DataflowOut]:
    lang = lang_of(request)
    released: dict[str, list[int]] = {}
    for r in reversed(list_releases(conn)):
        released.setdefault(r.dataflow_id, []).append(r.vintage_id)
    return [
        DataflowOut(
            id=f.id,
            name=pick(f.name_zh, f.name_en, lang),
            source=pick(f.source_zh, f.source_en, lang),
            dimensions=list(f.dimensions),
            released_vintages=released.get(f.id, []),
        )
        for f in all_dataflows()
    ]


@router.get(
    "/dataflows/{dataflow}/vintages",
    response_model=list[VintageOut],
    summary="可选数据版本 / vintages you may pick",
)
def dataflow_vintages(
    dataflow: Annotated[str, Path(max_length=40)], conn: SessionDep, scope: ScopeDep
) -> list[VintageOut]:
    return [VintageOut(**v) for v in explorer.vintage_choices(conn, scope=scope, dataflow=dataflow)]


@router.get("/releases", response_model=list[ReleaseOut], summary="已发布版本 / releases")
def releases(conn: SessionDep) -> list[ReleaseOut]:
    return admin.release_list(conn)


EXPLORE_DOC = (
    "查询参数 / query: dataflow, one filter per dimension (ref_area, counterpart_area, "
    "product, flow, indicator, freq: codes or names, comma-separated or repeated), "
    "start, end, unit (亿美元/万美元/亿元), as_of (vintage id or date), sort, desc, "
    "page, size, view (wide: periods as columns, the default of the page and the "
    "downloads; long: one row per observation)"
)


def _query(request: Request) -> explorer.Query:
    return explorer.Query.from_params(request.query_params)


class ExploreParams(BaseModel):
    """The explorer's parameters, validated at once (one model, not sixteen parameters one by
    one: under 50 clients each parameter FastAPI solved cost more than the answer's sort).
    ``explorer.Query`` reads them from the query string (a filter may be repeated)."""

    dataflow: str = Field("UNCTAD_DDS", max_length=200)
    ref_area: str = Field("", max_length=200)
    counterpart_area: str = Field("", max_length=200)
    product: str = Field("", max_length=200)
    flow: str = Field("", max_length=200)
    indicator: str = Field("", max_length=200)
    freq: str = Field("", max_length=200)
    start: str = Field("", max_length=200)
    end: str = Field("", max_length=200)
    unit: str = Field("", max_length=200)
    as_of: str = Field("", max_length=200)
    sort: str = Field("", max_length=200)
    desc: str = Field("", max_length=200)
    view: str = Field("", max_length=200)
    page: int = Field(1, ge=1, le=10**6)
    size: int = Field(50, ge=1, le=explorer.MAX_SIZE)


EXPLORE_FIELDS = tuple(ExploreParams.model_fields)


class ExploreRoute(APIRoute):
    """``GET /api/explore`` without FastAPI's parameter solving when the parameters are valid.

    FastAPI validates the query against ``ExploreParams`` field by field on every request
    (``solve_dependencies``: ≈ a tenth of a worker's CPU per answer under 50 clients,
    benchmarks/README.md); the route needs none of the values it makes (``explorer.Query``
    reads the query string). Here the model checks the parameters in one call; whatever it
    refuses goes through FastAPI's own handler, which refuses it as every route does (the same
    422 answer), and the OpenAPI description is the declared endpoint's."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        declared = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if not _valid(request):
                return await declared(request)
            return await _explore(request)

        return handler


def _valid(request: Request) -> bool:
    given = request.query_params
    try:
        ExploreParams.model_validate({k: given[k] for k in EXPLORE_FIELDS if k in given})
    except ValidationError:
        return False
    return True


async def explore(request: Request, _: Annotated[ExploreParams, Query()]) -> Response:
    return await _explore(request)


explorer_api_router.add_api_route(
    "/explore",
    explore,
    methods=["GET"],
    response_model=ExploreOut,
    summary="数据查询 / data explorer",
    description=EXPLORE_DOC,
    route_class_override=ExploreRoute,
)


async def _explore(request: Request) -> Response:
    """The engine and cache are the application's and the login session is read here, not
    solved as dependencies (``deps.load_session``, as ``ScopeDep`` reads it): each
    dependency FastAPI solves costs a worker of 50 clients more than it saves."""
    state = request.app.state
    session = await load_session(request, state.engine, state.config)
    scope = scope_of(session)
    body = await explorer_api.explore_json(
        state.engine,
        scope=scope,
        query=_query(request),
        lang=lang_of(request),
        cache=state.cache,
        turns=state.config.read_turns,
    )
    return Response(body, media_type="application/json")


MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sdmx-csv": sdmx.CSV_TYPE,
}


@router.get(
    "/explore/download",
    summary="下载查询结果 / download the explorer's view",
    description=EXPLORE_DOC,
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
def download(
    request: Request,
    conn: SessionDep,
    scope: ScopeDep,
    cache: CacheDep,
    format: Literal["csv", "xlsx", "sdmx-csv"] = "csv",
    dataflow: Text = "UNCTAD_DDS",
) -> Response:
    q = _query(request)
    res = views.explore(conn, scope=scope, query=q, lang=lang_of(request), cache=cache)
    lang = lang_of(request)
    if format == "csv":
        content = explorer_view.to_csv(res, lang)
    elif format == "xlsx":
        content = explorer_view.to_xlsx(res, lang)
    else:
        content = sdmx.to_csv(get_dataflow(q.dataflow), res.frame)
    audit.record_by(
        conn,
        scope,
        action="download",
        target=f"{q.dataflow} {format}",
        ip=client_ip(request),
        detail={"query": q.params(), "rows": res.total},
    )
    ext = "csv" if format != "xlsx" else "xlsx"
    name = f"{q.dataflow}{'_sdmx' if format == 'sdmx-csv' else ''}.{ext}"
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
