"""What a backup file holds: the manifest, column kinds and how values convert, which tables."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC
from decimal import Decimal
from typing import IO, Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy import Connection, MetaData, Table, select
from sqlalchemy.types import TypeEngine

from shumao.errors import StoreError

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
class Tally:
    """Rows done out of a total, reported to a progress callback."""

    stage: str
    total: int
    progress: Progress | None
    done: int = 0

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress:
            self.progress(self.stage, self.done, self.total)


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
            raise damaged(f"manifest.json: {exc}") from None
        if manifest.format_version > FORMAT_VERSION:
            raise StoreError(
                f"备份格式版本 {manifest.format_version} 比本程序支持的 {FORMAT_VERSION} 新，"
                f"请先升级数贸 / "
                f"backup format {manifest.format_version} is newer than this shumao reads "
                f"({FORMAT_VERSION}): upgrade shumao first"
            )
        return manifest


def damaged(detail: str) -> StoreError:
    return StoreError(
        f"备份文件已损坏或不是数贸备份（{detail}），数据库未做任何改动 / the backup file is "
        f"damaged or not a shumao backup ({detail}); nothing was changed"
    )


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


def to_stored(kind: str) -> Convert:
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


def to_driver(kind: str, column: sa.Column[Any], dialect: sa.Dialect) -> Convert:
    """Arrow value → what the target's driver takes (SQLite: after SQLAlchemy's bind step)."""
    step = _from_stored(kind, column)
    if dialect.name == "postgresql" or kind in _FINAL_KINDS:
        return step
    bind = column.type.dialect_impl(dialect).bind_processor(dialect)
    if bind is None or step is None:
        return bind or step
    return lambda v: bind(step(v))


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
        virtual = virtual_tables(conn)
        names = sa.inspect(conn).get_table_names()
        return set(virtual) | {n for n in names for v in virtual if n.startswith(f"{v}_")}


def virtual_tables(conn: Connection) -> dict[str, str]:
    """SQLite virtual tables and the module they use (``fts5`` …)."""
    if conn.dialect.name != "sqlite":
        return {}
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
    ).all()
    return {name: sql.split("USING", 1)[1].split("(", 1)[0].strip().lower() for name, sql in rows}


def schema_revisions(conn: Connection) -> list[str]:
    if VERSION_TABLE not in sa.inspect(conn).get_table_names():
        return []
    return sorted(conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def count_rows(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(sa.func.count()).select_from(table)).scalar_one())


def sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
