"""A throwaway PostgreSQL database, created and dropped around a block (tests, benchmarks)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text

from shumao.storage.engine import make_engine


@contextmanager
def scratch_database(admin_url: str, prefix: str = "shumao_scratch") -> Iterator[str]:
    """Create a database ``<prefix>_<8 hex>`` with ``admin_url`` and yield its URL; drop it
    afterwards (``WITH (FORCE)``: connections still open are closed)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_engine(admin_url: str, prefix: str = "shumao_scratch") -> Iterator[Engine]:
    """``scratch_database`` with a shumao engine on it (not migrated), disposed before the drop."""

    with scratch_database(admin_url, prefix) as url:
        engine = make_engine(url=url)
        try:
            yield engine
        finally:
            engine.dispose()
