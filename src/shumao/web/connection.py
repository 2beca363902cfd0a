"""The route's connection, kept on the request while the route runs.

``SessionDep`` opens one connection per request and holds it until the route returns; what
the route's page reads besides (``render.page``: the correction notices, the scope's name)
must read through that same connection. A request that held one connection and waited for a
second deadlocked the pool under load: with every pooled connection held by such requests,
none came back (``benchmarks/alerts_web.py``: "QueuePool limit of size 5 overflow 35
reached" after 120 s on ``/monitor`` with 50 clients).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from starlette.requests import Request

T = TypeVar("T")


@contextmanager
def kept(request: Request, conn: Connection) -> Iterator[None]:
    """``conn`` is the request's connection until the block ends."""
    request.state.conn = conn
    try:
        yield
    finally:
        request.state.conn = None


def read(request: Request, engine: Engine, reader: Callable[[Connection], T]) -> T:
    """``reader`` on the request's connection while its route holds one, else on a fresh one
    (a page rendered outside a route's connection, such as an error page)."""
    held: Connection | None = getattr(request.state, "conn", None)
    if held is not None:
        return reader(held)
    with engine.connect() as conn:
        return reader(conn)
