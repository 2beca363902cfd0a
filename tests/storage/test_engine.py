"""The connection pool on PostgreSQL: a connection the server has ended (a restart ends them
all) is replaced before a request uses it, without asking the server on every checkout; a
read-only connection gives the pool back a connection that runs transactions again."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from shumao.storage.engine import read_only


def postgresql_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the server ends connections only on PostgreSQL")


def backend(conn: object) -> int:
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())  # type: ignore[attr-defined]


def end_backends(engine: Engine, pids: set[int]) -> None:
    """What a restart does to each connection: the server ends its backend."""
    admin = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            left = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                {"pids": list(pids)},
            ).scalar_one()
            if not left:
                break
            time.sleep(0.05)
    admin.dispose()


def test_connections_the_server_ended_are_replaced_before_use(engine: Engine) -> None:
    postgresql_only(engine)
    with engine.connect() as one, engine.connect() as two:  # two pooled connections
        before = {backend(one), backend(two)}
    end_backends(engine, before)
    with read_only(engine) as conn:  # the explorer's connection
        first = backend(conn)
    with engine.begin() as conn:  # a page's
        second = backend(conn)
    assert not {first, second} & before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1


def test_a_read_only_connection_goes_back_to_the_pool_transactional(engine: Engine) -> None:
    postgresql_only(engine)
    with read_only(engine) as conn:
        reader = backend(conn)
        started = [conn.execute(text("SELECT statement_timestamp() = now()")).scalar_one()]
    assert started == [True]  # autocommit: each statement is its own transaction
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert backend(conn) == reader  # the same pooled connection
        conn.execute(text("CREATE TABLE read_only_probe (x int)"))
        raise RuntimeError("rolled back")
    with engine.connect() as conn:
        found = conn.execute(text("SELECT to_regclass('read_only_probe')")).scalar_one()
    assert found is None
