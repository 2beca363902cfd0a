"""Back up the whole store to one portable file; restore it into an empty store of either kind.

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

Restoring checks everything before it changes anything: the zip, the manifest, every
checksum, that the backup's schema revisions are known to this code (not newer), that every
backed-up table and column exists in the target. It then writes all tables in foreign-key
order in one transaction and resets PostgreSQL sequences past the restored ids. A target that
holds more than a freshly migrated store does (``upgrade`` writes dataflow definitions and a
few counters itself) is refused unless ``force``, which empties it in the same transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, Table, select
from sqlalchemy.types import TypeEngine

import shumao
from shumao.config import Settings, get_settings
from shumao.errors import StoreError
from shumao.storage.engine import alembic_config, make_engine, upgrade

log = logging.getLogger(__name__)

FORMAT = "shumao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"
BATCH_ROWS = 50_000
Progress = Callable[[str, int, int], None]
"""progress(stage, done, total), as in ``shumao.ingest.pipeline``: rows backed up or restored."""
BACKING_UP = "备份 / backing up"
VERIFYING = "校验备份 / verifying backup"
RESTORING = "恢复 / restoring"

ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "time": pa.time64("us"),
    "decimal": pa.string(),
    "json": pa.string(),
    "uuid": pa.string(),
    "bytes": pa.binary(),
}
"""Column kind → how its values are stored in Parquet."""

_KIND_OF_TYPE: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
    # order matters: Float is a Numeric, Enum and Text are Strings
    (sa.JSON, "json"),
    (sa.Boolean, "bool"),
    (sa.Integer, "int"),
    (sa.Float, "float"),
    (sa.Numeric, "decimal"),
    (sa.DateTime, "datetime"),
    (sa.Date, "date"),
    (sa.Time, "time"),
    (sa.Uuid, "uuid"),
    (sa.LargeBinary, "bytes"),
    (sa.String, "str"),
)


@dataclass
class _Tally:
    """Rows done out of a total, reported to a progress callback."""

    stage: str
    total: int
    progress: Progress | None
    done: int = 0

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress:
            self.progress(self.stage, self.done, self.total)


# --- the manifest -------------------------------------------------------------------------

@dataclass(frozen=True)
class TableEntry:
    name: str
    file: str
    rows: int
    sha256: str
    columns: dict[str, str]
    """column name → kind (see ``ARROW_TYPES``), in table order."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    shumao_version: str
    revisions: list[str]
    created_at: str
    dialect: str
    tables: list[TableEntry]

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            data = json.loads(text)
            if data.pop("format") != FORMAT:
                raise ValueError("not a shumao backup")
            data["tables"] = [TableEntry(**t) for t in data["tables"]]
            manifest = cls(**data)
        except (ValueError, KeyError, TypeError) as exc:
            raise _damaged(f"manifest.json: {exc}") from None
        if manifest.format_version > FORMAT_VERSION:
            raise StoreError(
                f"备份格式版本 {manifest.format_version} 比本程序支持的 {FORMAT_VERSION} 新，"
                f"请先升级数贸 / "
                f"backup format {manifest.format_version} is newer than this shumao reads "
                f"({FORMAT_VERSION}): upgrade shumao first"
            )
        return manifest


def _damaged(detail: str) -> StoreError:
    return StoreError(
        f"备份文件已损坏或不是数贸备份（{detail}），数据库未做任何改动 / the backup file is "
        f"damaged or not a shumao backup ({detail}); nothing was changed"
    )


# --- column kinds and value conversion ----------------------------------------------------

Convert = Callable[[Any], Any] | None
"""A per-value conversion; None where values pass as they are."""


def column_kind(table: str, column: sa.Column[Any]) -> str:
    for type_, kind in _KIND_OF_TYPE:
        if isinstance(column.type, type_):
            return kind
    raise StoreError(
        f"无法备份 {table}.{column.name} 列：不支持的类型 {column.type!r} / cannot back up "
        f"{table}.{column.name}: unsupported column type {column.type!r}"
    )


def _to_stored(kind: str) -> Convert:
    """Database value → the Python value Arrow stores for ``kind`` (None: as it is)."""
    if kind == "datetime":
        return lambda v: v if v is None or v.tzinfo else v.replace(tzinfo=UTC)
    if kind in ("decimal", "uuid"):
        return lambda v: None if v is None else str(v)
    return None


def _from_stored(kind: str, column: sa.Column[Any]) -> Convert:
    """Arrow value → the Python value the target column takes (None: as it is)."""
    if kind == "datetime":
        aware = bool(getattr(column.type, "timezone", False))
        return lambda v: v if v is None or aware else v.astimezone(UTC).replace(tzinfo=None)
    if kind == "decimal":
        return lambda v: None if v is None else Decimal(v)
    if kind == "uuid" and getattr(column.type, "as_uuid", False):
        return lambda v: None if v is None else uuid.UUID(v)
    return None


_FINAL_KINDS = frozenset({"int", "float", "str", "json", "bytes"})
"""Kinds whose Arrow values every driver takes as they are (JSON goes in as its text)."""


def _to_driver(kind: str, column: sa.Column[Any], dialect: sa.Dialect) -> Convert:
    """Arrow value → what the target's driver takes (SQLite: after SQLAlchemy's bind step)."""
    step = _from_stored(kind, column)
    if dialect.name == "postgresql" or kind in _FINAL_KINDS:
        return step
    bind = column.type.dialect_impl(dialect).bind_processor(dialect)
    if bind is None or step is None:
        return bind or step
    return lambda v: bind(step(v))


# --- reading the database ------------------------------------------------------------------

def store_tables(conn: Connection) -> list[Table]:
    """The tables a backup holds, in foreign-key order (see the module docstring)."""
    skip = {VERSION_TABLE, *_derived_tables(conn)}
    names = [n for n in sa.inspect(conn).get_table_names() if n not in skip]
    meta = MetaData()
    meta.reflect(bind=conn, only=names)
    return [t for t in meta.sorted_tables if t.name in names]


def stored_columns(table: Table) -> list[sa.Column[Any]]:
    """The columns a backup holds: all but generated ones."""
    return [c for c in table.columns if c.computed is None]


def _derived_tables(conn: Connection) -> set[str]:
    """SQLite virtual tables (full-text indexes) and their shadow tables."""
    if conn.dialect.name != "sqlite":
        return set()
    try:
        listed = conn.exec_driver_sql("PRAGMA main.table_list").all()
        return {row[1] for row in listed if row[2] in ("virtual", "shadow")}
    except sa.exc.DBAPIError:  # SQLite before 3.37: shadow tables are named <virtual>_<part>
        virtual = _virtual_tables(conn)
        names = sa.inspect(conn).get_table_names()
        return set(virtual) | {n for n in names for v in virtual if n.startswith(f"{v}_")}


def _virtual_tables(conn: Connection) -> dict[str, str]:
    """SQLite virtual tables and the module they use (``fts5`` …)."""
    if conn.dialect.name != "sqlite":
        return {}
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
    ).all()
    return {name: sql.split("USING", 1)[1].split("(", 1)[0].strip().lower() for name, sql in rows}


def _revisions(conn: Connection) -> list[str]:
    if VERSION_TABLE not in sa.inspect(conn).get_table_names():
        return []
    return sorted(conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


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
    cols = [sa.cast(c, sa.Text).label(c.name) if kinds[c.name] == "json" else c
            for c in stored_columns(table)]
    return select(*cols).order_by(*_order(table))


# --- backup --------------------------------------------------------------------------------

def default_path(settings: Settings | None = None) -> Path:
    """``<data_dir>/backups/shumao-YYYYmmdd-HHMMSS.zip`` (local time)."""
    settings = settings or get_settings()
    return settings.data_dir / "backups" / f"shumao-{datetime.now():%Y%m%d-%H%M%S}.zip"


def backup(
    engine: Engine, path: Path | None = None, *, progress: Progress | None = None,
    settings: Settings | None = None,
) -> tuple[Path, Manifest]:
    """Write every table of the store to ``path`` (default ``default_path``); never overwrites."""
    path = Path(path) if path else default_path(settings)
    if path.exists():
        raise StoreError(f"文件已存在，不会覆盖：{path} / file exists, not overwritten: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shumao-backup-", dir=path.parent) as tmp:
        with _snapshot(engine) as conn:
            revisions = _revisions(conn)
            tables = store_tables(conn)
            tally = _Tally(BACKING_UP, sum(_count(conn, t) for t in tables), progress)
            tally.add(0)
            entries = [_dump_table(conn, t, Path(tmp), tally) for t in tables]
        manifest = Manifest(
            format_version=FORMAT_VERSION, shumao_version=shumao.__version__,
            revisions=revisions, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            dialect=engine.dialect.name, tables=entries,
        )
        partial = Path(tmp) / "backup.zip"
        _write_zip(partial, manifest, Path(tmp))
        os.replace(partial, path)
    log.info("backed up %s rows in %s tables to %s", manifest.total_rows, len(entries), path)
    return path, manifest


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(sa.func.count()).select_from(table)).scalar_one())


def _dump_table(conn: Connection, table: Table, tmp: Path, tally: _Tally) -> TableEntry:
    kinds = {c.name: column_kind(table.name, c) for c in stored_columns(table)}
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in kinds.items()])
    convert = [_to_stored(kind) for kind in kinds.values()]
    file = f"tables/{table.name}.parquet"
    local = tmp / file
    local.parent.mkdir(exist_ok=True)
    done = 0
    with pq.ParquetWriter(local, schema, compression="zstd") as writer:
        for part in _fetch(conn, _select(table, kinds)):
            columns = zip(*part, strict=True)
            arrays = [pa.array(c if f is None else [f(v) for v in c], type=schema.field(i).type)
                      for i, (c, f) in enumerate(zip(columns, convert, strict=True))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            done += len(part)
            tally.add(len(part))
    return TableEntry(table.name, file, done, _sha256(local.open("rb")), kinds)


def _fetch(conn: Connection, stmt: sa.Select[Any]) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of ``stmt`` in batches, straight from the driver (a server-side cursor on
    PostgreSQL), with only the conversions SQLAlchemy's types need (SQLite dates, booleans)."""
    sql = str(stmt.compile(dialect=conn.dialect))
    process = [None if conn.dialect.name == "postgresql" else  # psycopg returns Python types
               c.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
               for c in stmt.selected_columns]
    dbapi: Any = conn.connection.dbapi_connection
    named = conn.dialect.name == "postgresql"
    cur = dbapi.cursor(name="shumao_backup") if named else dbapi.cursor()
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(BATCH_ROWS):
            if any(process):
                rows = [tuple(v if f is None else f(v) for v, f in zip(r, process, strict=True))
                        for r in rows]
            yield rows
    finally:
        cur.close()


def _write_zip(path: Path, manifest: Manifest, tmp: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MANIFEST, manifest.to_json(), compress_type=zipfile.ZIP_DEFLATED)
        for entry in manifest.tables:  # Parquet is compressed already: stored, seekable
            zf.write(tmp / entry.file, entry.file, compress_type=zipfile.ZIP_STORED)


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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
        raise _damaged(f"{type(exc).__name__}: {exc}") from None
    with zf:
        try:
            manifest = Manifest.from_json(zf.read(MANIFEST).decode("utf-8"))
            _verify_files(zf, manifest, progress)
        except _UNREADABLE as exc:
            raise _damaged(f"{type(exc).__name__}: {exc}") from None
        yield zf, manifest


def verify(path: Path, progress: Progress | None = None) -> Manifest:
    """The manifest of a sound backup; ``StoreError`` if anything in it is damaged."""
    with open_backup(path, progress) as (_, manifest):
        return manifest


def _verify_files(zf: zipfile.ZipFile, manifest: Manifest, progress: Progress | None) -> None:
    for i, entry in enumerate(manifest.tables):
        if _sha256(zf.open(entry.file)) != entry.sha256:
            raise _damaged(f"{entry.file} 校验和不符 / checksum mismatch")
        try:
            with zf.open(entry.file) as stream:
                rows = pq.ParquetFile(stream).metadata.num_rows
        except pa.ArrowException as exc:
            raise _damaged(f"{entry.file}: {exc}") from None
        if rows != entry.rows:
            raise _damaged(f"{entry.file} 行数 {rows} ≠ {entry.rows} / row count mismatch")
        if progress:
            progress(VERIFYING, i + 1, len(manifest.tables))


# --- restore -------------------------------------------------------------------------------

def restore(
    engine: Engine, path: Path, *, force: bool = False, progress: Progress | None = None
) -> Manifest:
    """Restore ``path`` into the (migrated, empty) store; all or nothing.

    Raises ``StoreError`` — and changes nothing — if the backup is damaged, comes from a newer
    schema, does not fit the store, or the store holds data and ``force`` is not set.
    """
    with open_backup(path, progress) as (zf, manifest):
        with engine.connect() as conn:
            _check_revisions(engine, conn, manifest)
            targets = store_tables(conn)
        plan = _plan(manifest, targets)
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")  # hold the write lock from the check on
                _clear(conn, targets, {t.name for t, _ in plan}, force)
                tally = _Tally(RESTORING, manifest.total_rows, progress)
                tally.add(0)
                for table, entry in plan:
                    _load_table(conn, zf, table, entry, tally)
                _reset_sequences(conn, targets)
                _rebuild_indexes(conn)
        except sa.exc.DBAPIError as exc:
            detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            raise StoreError(
                f"恢复失败，数据库未做任何改动：{detail} / restore failed, nothing was changed: "
                f"{detail}"
            ) from exc
    log.info("restored %s rows in %s tables from %s", manifest.total_rows, len(plan), path)
    return manifest


def _check_revisions(engine: Engine, conn: Connection, manifest: Manifest) -> None:
    script = ScriptDirectory.from_config(alembic_config(engine))
    known = {rev.revision for rev in script.walk_revisions()}
    newer = [r for r in manifest.revisions if r not in known]
    if newer:
        raise StoreError(
            f"备份来自更新版本的数贸（数据库结构版本 {'、'.join(newer)} 本程序不认识），"
            f"请先升级数贸 / "
            f"the backup comes from a newer shumao (schema revision {', '.join(newer)} is "
            f"unknown here): upgrade shumao first"
        )
    if not set(script.get_heads()) <= _with_ancestors(script, _revisions(conn)):
        raise StoreError(
            "目标数据库结构不是最新版本，请先运行 `shumao db upgrade` / the target store is not "
            "migrated to this shumao's schema: run `shumao db upgrade` first"
        )


def _with_ancestors(script: ScriptDirectory, revisions: list[str]) -> set[str]:
    """``revisions`` and every revision they come after (``depends_on`` included)."""
    seen: set[str] = set()
    todo = list(revisions)
    while todo:
        rev = script.get_revision(todo.pop())
        if rev is None or rev.revision in seen:
            continue
        seen.add(rev.revision)
        for parents in (rev.down_revision, rev.dependencies):
            todo += [parents] if isinstance(parents, str) else list(parents or ())
    return seen


def _plan(manifest: Manifest, targets: list[Table]) -> list[tuple[Table, TableEntry]]:
    """Backed-up tables paired with the store's, in the store's foreign-key order."""
    by_name = {t.name: t for t in targets}
    missing = [e.name for e in manifest.tables if e.name not in by_name]
    if missing:
        raise StoreError(
            f"目标数据库没有备份中的表 {'、'.join(missing)} / the store has no table "
            f"{', '.join(missing)} that the backup holds"
        )
    for entry in manifest.tables:
        takes = {c.name for c in stored_columns(by_name[entry.name])}
        extra = [c for c in entry.columns if c not in takes]
        if extra:
            raise StoreError(
                f"目标表 {entry.name} 缺少列 {'、'.join(extra)} / table {entry.name} in the store "
                f"lacks column(s) {', '.join(extra)}"
            )
    entries = {e.name: e for e in manifest.tables}
    return [(t, entries[t.name]) for t in targets if t.name in entries]


def _clear(conn: Connection, targets: list[Table], restored: set[str], force: bool) -> None:
    """Refuse a store holding data unless ``force``; empty what the restore replaces."""
    seeds = _seed_rows()
    holding = [t.name for t in targets if _has_rows(conn, t, more_than=seeds.get(t.name, 0))]
    if holding and not force:
        raise StoreError(
            f"目标数据库不是空的（{'、'.join(holding)} 表中有数据），未做任何改动；如确需用备份替换"
            f"全部内容，请加 --force / the store is not empty (tables {', '.join(holding)} hold "
            f"rows); nothing was changed. Use --force to replace everything with the backup"
        )
    if force and conn.dialect.name == "postgresql":
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(f"TRUNCATE {', '.join(quote(t.name) for t in targets)}")
        return
    for table in reversed(targets):
        if force or table.name in restored:
            conn.execute(table.delete())


def _has_rows(conn: Connection, table: Table, *, more_than: int = 0) -> bool:
    probe = select(sa.literal(1)).select_from(table).offset(more_than).limit(1)
    return conn.execute(probe).first() is not None


@lru_cache(maxsize=1)
def _seed_rows() -> dict[str, int]:
    """Rows per table of a freshly migrated store: what ``upgrade`` writes by itself."""
    with tempfile.TemporaryDirectory(prefix="shumao-fresh-") as tmp:
        engine = make_engine(url=f"sqlite:///{Path(tmp) / 'fresh.db'}")
        try:
            upgrade(engine)
            with engine.connect() as conn:
                return {t.name: _count(conn, t) for t in store_tables(conn)}
        finally:
            engine.dispose()


def _load_table(
    conn: Connection, zf: zipfile.ZipFile, table: Table, entry: TableEntry,
    tally: _Tally,
) -> None:
    names = list(entry.columns)
    convert = [_to_driver(entry.columns[n], table.c[n], conn.dialect) for n in names]
    write = _writer(conn, table, names)
    with zf.open(entry.file) as stream:
        for batch in pq.ParquetFile(stream).iter_batches(batch_size=BATCH_ROWS, columns=names):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            columns = [c if f is None else [f(v) for v in c]
                       for c, f in zip(columns, convert, strict=True)]
            write(columns)
            tally.add(batch.num_rows)


Columns = list[list[Any]]
_SQLITE_MAX_PARAMS = 999
"""The smallest limit any SQLite build has on parameters per statement."""


def _writer(conn: Connection, table: Table, names: list[str]) -> Callable[[Columns], None]:
    """A function inserting rows (given as columns, in ``names`` order) the fastest way the
    driver has: COPY on PostgreSQL, multi-row ``INSERT … VALUES`` on SQLite."""
    quote = conn.dialect.identifier_preparer.quote
    cols = ", ".join(quote(n) for n in names)
    dbapi: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        sql = f"COPY {quote(table.name)} ({cols}) FROM STDIN"  # JSON text parses as JSON

        def copy(columns: Columns) -> None:
            with dbapi.cursor() as cur, cur.copy(sql) as out:
                for row in zip(*columns, strict=True):
                    out.write_row(row)

        return copy
    width = len(names)
    per = max(1, _SQLITE_MAX_PARAMS // width)
    marks = f"({', '.join('?' * width)})"  # JSON text goes in as it is
    one = f"INSERT INTO {quote(table.name)} ({cols}) VALUES {marks}"
    many = f"INSERT INTO {quote(table.name)} ({cols}) VALUES {', '.join([marks] * per)}"

    def insert(columns: Columns) -> None:
        flat = list(itertools.chain.from_iterable(zip(*columns, strict=True)))
        whole = len(flat) // (per * width) * per * width
        cur = dbapi.cursor()
        try:
            step = per * width
            cur.executemany(many, (flat[i : i + step] for i in range(0, whole, step)))
            rest = flat[whole:]
            cur.executemany(one, (rest[i : i + width] for i in range(0, len(rest), width)))
        finally:
            cur.close()

    return insert


def _rebuild_indexes(conn: Connection) -> None:
    """SQLite: rebuild full-text indexes from their content tables."""
    for name, module in _virtual_tables(conn).items():
        if module in ("fts4", "fts5"):
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.exec_driver_sql(f"INSERT INTO {quoted}({quoted}) VALUES ('rebuild')")


def _reset_sequences(conn: Connection, targets: list[Table]) -> None:
    """PostgreSQL: make every serial/identity column continue after the largest restored id."""
    if conn.dialect.name != "postgresql":
        return  # SQLite continues after the largest rowid by itself
    quote = conn.dialect.identifier_preparer.quote
    for table in targets:
        for column in table.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": quote(table.name), "c": column.name}).scalar()
            if seq:
                conn.execute(sa.text(
                    f"SELECT setval(CAST(:seq AS regclass), COALESCE((SELECT MAX("
                    f"{quote(column.name)}) FROM {quote(table.name)}), 0) + 1, false)"),
                    {"seq": seq})
