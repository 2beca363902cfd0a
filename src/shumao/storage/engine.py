"""Engine creation and migrations; the only place that knows a database URL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect

from shumao.config import Settings, get_settings
from shumao.errors import StoreError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(settings: Settings | None = None, *, url: str | None = None) -> Engine:
    """Create the engine for ``url`` or the settings' database (SQLite in WAL mode by default)."""
    settings = settings or get_settings()
    url = url or settings.effective_database_url
    most = max(1, settings.db_max_connections)
    pool = {"pool_size": min(5, most), "max_overflow": most - min(5, most), "pool_timeout": 120}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        on_disk = bool(path) and path != ":memory:"
        if on_disk:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **(pool if on_disk else {}))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision of every branch, then sync the dataflows."""
    command.upgrade(alembic_config(engine), "heads")
    from shumao.storage.dataflows import sync_dataflows

    with engine.begin() as conn:
        sync_dataflows(conn)


def require_schema(engine: Engine) -> None:
    if "observation" not in inspect(engine).get_table_names():
        raise StoreError(
            "数据库尚未初始化，请先运行 `shumao db upgrade` / "
            "the database has no schema yet: run `shumao db upgrade`"
        )
