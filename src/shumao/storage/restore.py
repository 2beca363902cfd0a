"""Restore a backup into an empty store of either kind (written by ``shumao.storage.backup``).

Restoring checks everything before it changes anything: the zip, the manifest, every
checksum, that the backup's schema revisions are known to this code (not newer), that every
backed-up table and column exists in the target. It then writes all tables in foreign-key
order in one transaction and resets PostgreSQL sequences past the restored ids. A backup made
before some of this code's schema revisions gets, in the same transaction, what those revisions
did to rows on upgrade (each migration's ``rewrite``: labels, split notes, derived tables,
counter rows), so its rows come back as an upgraded store holds them. A target that
holds more than a freshly migrated store does (``upgrade`` writes dataflow definitions and a
few counters itself) is refused unless ``force``, which empties it in the same transaction.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, select

from shumao.errors import StoreError
from shumao.storage.backup import open_backup
from shumao.storage.backup_format import (
    BATCH_ROWS,
    RESTORING,
    Manifest,
    Progress,
    TableEntry,
    Tally,
    count_rows,
    schema_revisions,
    store_tables,
    stored_columns,
    to_driver,
    virtual_tables,
)
from shumao.storage.engine import MIGRATIONS, make_engine, upgrade

log = logging.getLogger(__name__)


def restore(
    engine: Engine, path: Path, *, force: bool = False, progress: Progress | None = None
) -> Manifest:
    """Restore ``path`` into the (migrated, empty) store; all or nothing.

    Raises ``StoreError`` — and changes nothing — if the backup is damaged, comes from a newer
    schema, does not fit the store, or the store holds data and ``force`` is not set.
    """
    with open_backup(path, progress) as (zf, manifest):
        with engine.connect() as conn:
            _check_revisions(conn, manifest)
            targets = store_tables(conn)
        plan = _plan(manifest, targets)
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")  # hold the write lock from the check on
                _clear(conn, targets, {t.name for t, _ in plan}, force)
                tally = Tally(RESTORING, manifest.total_rows, progress)
                tally.add(0)
                for table, entry in plan:
                    _load_table(conn, zf, table, entry, tally)
                _reset_sequences(conn, targets)
                if manifest.revisions and _catch_up(conn, later_revisions(manifest.revisions)):
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


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    """This shumao's migrations (the same for every store)."""
    return ScriptDirectory(str(MIGRATIONS))


def _check_revisions(conn: Connection, manifest: Manifest) -> None:
    script = _scripts()
    known = {rev.revision for rev in script.walk_revisions()}
    newer = [r for r in manifest.revisions if r not in known]
    if newer:
        raise StoreError(
            f"备份来自更新版本的数贸（数据库结构版本 {'、'.join(newer)} 本程序不认识），"
            f"请先升级数贸 / "
            f"the backup comes from a newer shumao (schema revision {', '.join(newer)} is "
            f"unknown here): upgrade shumao first"
        )
    if not set(script.get_heads()) <= _with_ancestors(script, schema_revisions(conn)):
        raise StoreError(
            "目标数据库结构不是最新版本，请先运行 `shumao db upgrade` / the target store is not "
            "migrated to this shumao's schema: run `shumao db upgrade` first"
        )


def later_revisions(revisions: list[str]) -> list[str]:
    """The schema revisions of this shumao that came after a backup at ``revisions``, oldest
    first: the backup's rows have not been through what those revisions did to rows."""
    script = _scripts()
    done = _with_ancestors(script, revisions)
    return [r.revision for r in reversed(list(script.walk_revisions())) if r.revision not in done]


def _catch_up(conn: Connection, revisions: list[str]) -> list[str]:
    """Run on the restored rows the data step (``rewrite``) of each revision in ``revisions``,
    in order: a label, a split note or a derived table a migration wrote on upgrade would
    otherwise come back as the older shumao stored it. The revisions whose step ran."""
    ran = []
    for name in revisions:
        revision = _scripts().get_revision(name)
        rewrite = getattr(revision.module, "rewrite", None) if revision is not None else None
        if rewrite is not None:
            rewrite(conn)
            ran.append(name)
    if ran:
        log.info("brought the restored rows up to date: %s", ", ".join(ran))
    return ran


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
                return {t.name: count_rows(conn, t) for t in store_tables(conn)}
        finally:
            engine.dispose()


def _load_table(
    conn: Connection,
    zf: zipfile.ZipFile,
    table: Table,
    entry: TableEntry,
    tally: Tally,
) -> None:
    names = list(entry.columns)
    convert = [to_driver(entry.columns[n], table.c[n], conn.dialect) for n in names]
    write = _writer(conn, table, names)
    with zf.open(entry.file) as stream:
        for batch in pq.ParquetFile(stream).iter_batches(batch_size=BATCH_ROWS, columns=names):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            columns = [
                c if f is None else [f(v) for v in c] for c, f in zip(columns, convert, strict=True)
            ]
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
    for name, module in virtual_tables(conn).items():
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
            seq = conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": quote(table.name), "c": column.name},
            ).scalar()
            if seq:
                conn.execute(
                    sa.text(
                        f"SELECT setval(CAST(:seq AS regclass), COALESCE((SELECT MAX("
                        f"{quote(column.name)}) FROM {quote(table.name)}), 0) + 1, false)"
                    ),
                    {"seq": seq},
                )
