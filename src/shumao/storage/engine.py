"""Engine creation and migrations; the only place that knows a database URL."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError

from shumao.config import Settings, get_settings
from shumao.errors import StoreBusy, StoreError
from shumao.storage.dataflows import sync_dataflows

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(settings: Settings | None = None, *, url: str | None = None) -> Engine:
    """Create the engine for ``url`` or the settings' database (SQLite in WAL mode by default)."""
    settings = settings or get_settings()
    url = url or settings.effective_database_url
    most = max(1, settings.db_max_connections)
    # every connection opened is kept: under load an overflow connection was closed after each
    # request and the next one opened again (SQLite: its pragmas and an empty page cache per
    # request; PostgreSQL: a new backend), measured in benchmarks/web_load.py
    pool = {"pool_size": most, "max_overflow": 0, "pool_timeout": 120}
    wait = settings.db_lock_timeout_seconds
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        on_disk = bool(path) and path != ":memory:"
        if on_disk:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": wait}, **(pool if on_disk else {}))
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=int(wait * 1000)))
    else:
        engine = create_engine(url, pool_pre_ping=True, **pool)
    engine.update_execution_options(shumao_lock_timeout_ms=int(wait * 1000))
    return engine


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection for reads: on PostgreSQL in autocommit, so its statements run without the
    ``BEGIN`` before them and the ``ROLLBACK`` when it goes back to the pool — two round trips
    and ≈0.3 ms of the server's CPU per explorer answer (benchmarks/README.md). What each
    statement sees is unchanged: under READ COMMITTED (PostgreSQL's default, which shumao
    keeps) each statement of a transaction already saw what was committed when it started.
    SQLite: the connection as it is (its driver begins no transaction for a read). Only for
    reads: a write on it would be committed at once, not rolled back with the connection."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, *, busy_ms: int = 30_000) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that changes the store, holding the write lock from its first statement.

    SQLite: the writers of this process queue on one lock (``_writer``), then ``BEGIN
    IMMEDIATE`` takes the database's write lock (waiting for the other processes' writers up
    to the busy timeout), so what the transaction reads is what it updates and writers queue
    instead of failing on a stale snapshot. The process queue matters under load: SQLite's own
    wait is sleep-and-retry (up to 100 ms a nap), so a hundred threads polling for the lock
    left it idle most of the time and waited past 30 s (measured, ``deadline_crowd.py``); a
    ``threading.Lock`` hands over at once. PostgreSQL: row locks are waited for at most
    ``db_lock_timeout_seconds`` (``SET LOCAL lock_timeout``). A wait running out raises
    ``StoreBusy`` or an ``OperationalError`` that ``is_lock_wait`` recognises (the web answers
    503). Keep these transactions short: parse and validate before, write inside.
    """
    ms = int(engine.get_execution_options().get("shumao_lock_timeout_ms", 30_000))
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {ms}")
            yield conn
        return
    deadline = time.monotonic() + ms / 1000
    queue = _writer(engine)
    if not queue.acquire(timeout=ms / 1000):
        raise StoreBusy(BUSY)
    try:
        with engine.begin() as conn:
            _begin_immediate(conn, deadline, ms)
            yield conn
    finally:
        queue.release()


def _begin_immediate(conn: Connection, deadline: float, busy_ms: int) -> None:
    """``BEGIN IMMEDIATE``, asking again every 0.5–2 ms until ``deadline``. SQLite's own wait
    naps ever longer (up to 100 ms): the head of one worker process's queue then kept losing
    the lock to the other process, whose next writer takes it the moment it is free, and
    gave up after 30 s (measured, ``deadline_crowd.py``). Only each process's head asks."""
    conn.exec_driver_sql("PRAGMA busy_timeout=1")
    try:
        while True:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if not is_lock_wait(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(random.uniform(0.0005, 0.002))
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_ms)}")


BUSY = "数据库正忙，等待写入超时 / the database is busy: waiting to write timed out"
_WRITERS: dict[str, threading.Lock] = {}
_WRITERS_LOCK = threading.Lock()


def _writer(engine: Engine) -> threading.Lock:
    """The queue of this process's writers to one SQLite database."""
    key = str(engine.url)
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(key, threading.Lock())


LOCK_STATES = frozenset({"55P03", "40P01", "40001"})
"""PostgreSQL: lock not available, deadlock detected, serialization failure."""


def is_lock_wait(exc: BaseException) -> bool:
    """True when ``exc`` says the store was busy: a lock waited for too long (SQLite's
    "database is locked", PostgreSQL's lock timeout), a deadlock or a serialization failure."""
    if isinstance(exc, StoreBusy):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if state in LOCK_STATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database table is locked" in text


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision of every branch, then sync the dataflows."""
    command.upgrade(alembic_config(engine), "heads")

    with engine.begin() as conn:
        sync_dataflows(conn)


def require_schema(engine: Engine) -> None:
    if "observation" not in inspect(engine).get_table_names():
        raise StoreError(
            "数据库尚未初始化，请先运行 `shumao db upgrade` / "
            "the database has no schema yet: run `shumao db upgrade`"
        )


def insert_dialect(conn: Connection, table: Table) -> Any:
    """The dialect's ``INSERT`` (SQLite's or PostgreSQL's), which has ``on_conflict_do_…``."""
    if conn.dialect.name == "postgresql":
        return pg_insert(table)

    return sqlite_insert(table)


def insert_or_skip(conn: Connection, table: Table) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the connection's dialect: of two requests
    creating the same row at once, the second finds it instead of failing."""
    return insert_dialect(conn, table).on_conflict_do_nothing()
