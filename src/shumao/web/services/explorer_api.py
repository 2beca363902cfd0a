"""The explorer's JSON answer (``GET /api/explore``): one worker thread, one connection.

The route is a coroutine that hands the whole answer to one thread (``explore_json``): the
view (``views.explore``, cached per scope and store state), the chart, the disclosure note and
the encoded body, read on one connection. Before, each request crossed to a worker thread
three times (session, connection, route) and the body was validated again by FastAPI's
response model; with 50 clients on two workers those crossings and the GIL they contend for
cost more than the query (benchmarks/web_load.py, benchmarks/README.md). At most
``read_parallel`` answers of a process are computed at once (``turns``), the others wait in
order: beyond two, threads only contend for the GIL and the answers finish in random order.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from shumao.auth.scope import Scope
from shumao.labels import pick
from shumao.storage.dataflows import get_dataflow
from shumao.storage.engine import read_only
from shumao.web.cache import ViewCache
from shumao.web.config import Turns
from shumao.web.schemas import ExploreOut
from shumao.web.services import explorer, explorer_view, views

FORMATS = ("csv", "xlsx", "sdmx-csv")


async def explore_json(
    engine: Engine,
    *,
    scope: Scope,
    query: explorer.Query,
    lang: str,
    cache: ViewCache,
    turns: Turns,
) -> bytes:
    """The explorer's answer as JSON bytes, made in one worker thread when its turn comes."""
    return await turns.run(_encoded, engine, scope, query, lang, cache)


def _encoded(
    engine: Engine,
    scope: Scope,
    query: explorer.Query,
    lang: str,
    cache: ViewCache,
) -> bytes:
    with read_only(engine) as conn:
        return (
            explore_out(conn, scope=scope, query=query, lang=lang, cache=cache)
            .model_dump_json()
            .encode()
        )


def explore_out(
    conn: Connection, *, scope: Scope, query: explorer.Query, lang: str, cache: ViewCache
) -> ExploreOut:
    """One page of the view, its chart, why it is empty, and its links."""
    res = views.explore(conn, scope=scope, query=query, lang=lang, cache=cache)
    found = get_dataflow(query.dataflow)
    link = "&".join(f"{k}={v}" for k, v in query.params().items())
    return ExploreOut.model_construct(  # made here of checked values: nothing to validate
        dataflow=query.dataflow,
        columns=explorer.shown_columns(found),
        column_names=explorer.column_names(found, lang),
        rows=res.page_dicts(),
        messages=list(res.problems),
        total=res.total,
        page=query.page,
        size=query.size,
        pages=res.pages,
        unit=query.unit or None,
        chart=explorer_view.chart(res, lang)[0],
        source=pick(found.source_zh, found.source_en, lang),
        protected_by=explorer_view.protected_by(conn, scope=scope, query=query, lang=lang),
        permalink=f"/explorer?{link}",
        downloads={fmt: f"/api/explore/download?format={fmt}&{link}" for fmt in FORMATS},
    )
