"""Back up the whole store to one portable file; verify one.

A backup is a zip file::

    manifest.json           format version, shumao version, schema revisions, when, from what
                            database, and per table: file, row count, SHA-256, column kinds
    tables/<table>.parquet  one Parquet file per table, rows in primary-key order

Every table SQLAlchemy reflection finds is backed up (tables added later by other modules
included), except ``alembic_version``, whose revisions go into the manifest instead, and what
the database derives itself: generated columns (PostgreSQL ``tsvector``) and SQLite virtual
tables with their shadow tables (FTS5 full-text indexes, rebuilt after a restore). Values are
stored by *kind* (int, float, str, datetime in UTC, JSON as its text …), not by database type,
so a SQLite backup restores into PostgreSQL and back; floats stay bit-exact.

Restoring is ``shumao.storage.restore``; what the file holds, ``shumao.storage.backup_format``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy import Connection, Engine, Table, select

import shumao
from shumao.config import Settings, get_settings
from shumao.errors import StoreError
from shumao.storage.backup_format import (
    ARROW_TYPES,
    BACKING_UP,
    BATCH_ROWS,
    FORMAT_VERSION,
    MANIFEST,
    VERIFYING,
    Manifest,
    Progress,
    TableEntry,
    Tally,
    column_kind,
    count_rows,
    damaged,
    schema_revisions,
    sha256,
    store_tables,
    stored_columns,
    to_stored,
)

log = logging.getLogger(__name__)


# --- reading the database ------------------------------------------------------------------


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one consistent state of every table."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
        return
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # the driver starts no transaction for reads
        try:
            yield conn
        finally:
            conn.rollback()


def _order(table: Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def _select(table: Table, kinds: dict[str, str]) -> sa.Select[Any]:
    # JSON as its stored text: exact, and SQL NULL stays distinct from JSON null
    cols = [
        sa.cast(c, sa.Text).label(c.name) if kinds[c.name] == "json" else c
        for c in stored_columns(table)
    ]
    return select(*cols).order_by(*_order(table))


# --- backup --------------------------------------------------------------------------------


def default_path(settings: Settings | None = None) -> Path:
    """``<data_dir>/backups/shumao-YYYYmmdd-HHMMSS.zip`` (local time)."""
    settings = settings or get_settings()
    return settings.data_dir / "backups" / f"shumao-{datetime.now():%Y%m%d-%H%M%S}.zip"


def backup(
    engine: Engine,
    path: Path | None = None,
    *,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> tuple[Path, Manifest]:
    """Write every table of the store to ``path`` (default ``default_path``); never overwrites."""
    path = Path(path) if path else default_path(settings)
    if path.exists():
        raise StoreError(f"文件已存在，不会覆盖：{path} / file exists, not overwritten: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shumao-backup-", dir=path.parent) as tmp:
        with _snapshot(engine) as conn:
            revisions = schema_revisions(conn)
            tables = store_tables(conn)
            tally = Tally(BACKING_UP, sum(count_rows(conn, t) for t in tables), progress)
            tally.add(0)
            entries = [_dump_table(conn, t, Path(tmp), tally) for t in tables]
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            shumao_version=shumao.__version__,
            revisions=revisions,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            dialect=engine.dialect.name,
            tables=entries,
        )
        partial = Path(tmp) / "backup.zip"
        _write_zip(partial, manifest, Path(tmp))
        os.replace(partial, path)
    log.info("backed up %s rows in %s tables to %s", manifest.total_rows, len(entries), path)
    return path, manifest


def _dump_table(conn: Connection, table: Table, tmp: Path, tally: Tally) -> TableEntry:
    kinds = {c.name: column_kind(table.name, c) for c in stored_columns(table)}
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in kinds.items()])
    convert = [to_stored(kind) for kind in kinds.values()]
    file = f"tables/{table.name}.parquet"
    local = tmp / file
    local.parent.mkdir(exist_ok=True)
    done = 0
    with pq.ParquetWriter(local, schema, compression="zstd") as writer:
        for part in _fetch(conn, _select(table, kinds)):
            columns = zip(*part, strict=True)
            arrays = [
                pa.array(c if f is None else [f(v) for v in c], type=schema.field(i).type)
                for i, (c, f) in enumerate(zip(columns, convert, strict=True))
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            done += len(part)
            tally.add(len(part))
    return TableEntry(table.name, file, done, sha256(local.open("rb")), kinds)


def _fetch(conn: Connection, stmt: sa.Select[Any]) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of ``stmt`` in batches, straight from the driver (a server-side cursor on
    PostgreSQL), with only the conversions SQLAlchemy's types need (SQLite dates, booleans)."""
    sql = str(stmt.compile(dialect=conn.dialect))
    process = [
        None
        if conn.dialect.name == "postgresql"
        # psycopg returns Python types
        else c.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
        for c in stmt.selected_columns
    ]
    dbapi: Any = conn.connection.dbapi_connection
    named = conn.dialect.name == "postgresql"
    cur = dbapi.cursor(name="shumao_backup") if named else dbapi.cursor()
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(BATCH_ROWS):
            if any(process):
                rows = [
                    tuple(v if f is None else f(v) for v, f in zip(r, process, strict=True))
                    for r in rows
                ]
            yield rows
    finally:
        cur.close()


def _write_zip(path: Path, manifest: Manifest, tmp: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MANIFEST, manifest.to_json(), compress_type=zipfile.ZIP_DEFLATED)
        for entry in manifest.tables:  # Parquet is compressed already: stored, seekable
            zf.write(tmp / entry.file, entry.file, compress_type=zipfile.ZIP_STORED)


# --- verify --------------------------------------------------------------------------------

_UNREADABLE = (zipfile.BadZipFile, zlib.error, OSError, EOFError, UnicodeDecodeError, KeyError)


@contextlib.contextmanager
def open_backup(
    path: Path, progress: Progress | None = None
) -> Iterator[tuple[zipfile.ZipFile, Manifest]]:
    """Open and verify a backup (manifest, files, checksums, row counts) or raise ``StoreError``."""
    if not Path(path).is_file():
        raise StoreError(f"找不到备份文件 {path} / backup file not found: {path}")
    try:
        zf = zipfile.ZipFile(path)
    except _UNREADABLE as exc:
        raise damaged(f"{type(exc).__name__}: {exc}") from None
    with zf:
        try:
            manifest = Manifest.from_json(zf.read(MANIFEST).decode("utf-8"))
            _verify_files(zf, manifest, progress)
        except _UNREADABLE as exc:
            raise damaged(f"{type(exc).__name__}: {exc}") from None
        yield zf, manifest


def verify(path: Path, progress: Progress | None = None) -> Manifest:
    """The manifest of a sound backup; ``StoreError`` if anything in it is damaged."""
    with open_backup(path, progress) as (_, manifest):
        return manifest


def _verify_files(zf: zipfile.ZipFile, manifest: Manifest, progress: Progress | None) -> None:
    for i, entry in enumerate(manifest.tables):
        if sha256(zf.open(entry.file)) != entry.sha256:
            raise damaged(f"{entry.file} 校验和不符 / checksum mismatch")
        try:
            with zf.open(entry.file) as stream:
                rows = pq.ParquetFile(stream).metadata.num_rows
        except pa.ArrowException as exc:
            raise damaged(f"{entry.file}: {exc}") from None
        if rows != entry.rows:
            raise damaged(f"{entry.file} 行数 {rows} ≠ {entry.rows} / row count mismatch")
        if progress:
            progress(VERIFYING, i + 1, len(manifest.tables))
