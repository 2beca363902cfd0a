"""Backup and restore: a round trip loses nothing; refused restores change nothing."""

from __future__ import annotations

import json
import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
import typer
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from shumao.cli import backup as backup_cli
from shumao.config import get_settings
from shumao.errors import StoreError
from shumao.storage import backup as backups
from shumao.storage import backup_format, revisions, vintages
from shumao.storage import restore as restores
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_engine
from shumao.storage.tables import dataflow, observation, vintage
from shumao.validation import uscc

PG_ADMIN_URL = os.environ.get("SHUMAO_TEST_DATABASE_URL", "")
ENTERPRISE = uscc.make("91330100MA2H00001")
TINY = 5.9e-07


# --- factories ----------------------------------------------------------------------------

Key = tuple[str, str, str]


def ent_frame(values: dict[Key, float | None], **columns: list[Any]) -> pl.DataFrame:
    """ENT_DDS rows keyed by (partner, EBOPS item, month); a None value is status M."""
    keys = list(values)
    n = len(keys)
    return pl.DataFrame(
        {
            "ref_area": [ENTERPRISE] * n,
            "counterpart_area": [k[0] for k in keys],
            "product": [k[1] for k in keys],
            "flow": ["X"] * n,
            "freq": ["M"] * n,
            "time_period": [k[2] for k in keys],
            "value": list(values.values()),
            "unit": ["USD"] * n,
            "unit_mult": [4] * n,
            "obs_status": ["A" if v is not None else "M" for v in values.values()],
            **columns,
        }
    )


def load_vintages(engine: Engine) -> list[int]:
    """Three vintages in two dataflows: unicode, NULLs, JSON attrs, negative and tiny floats."""
    first = ent_frame(
        {
            ("USA", "SI1", "2024-01"): 1234.5678,
            ("USA", "SI1", "2024-02"): -17.25,
            ("JPN", "SJ1", "2024-01"): TINY,
            ("JPN", "SJ1", "2024-02"): 0.1 + 0.2,
            ("DEU", "SK1", "2024-01"): None,
            ("DEU", "SK1", "2024-02"): 1e-300,
            ("W00", "SH", "2024-01"): 1.7976931348623157e308,
        },
        attrs=[
            '{"注释": "企业估算", "source": "直报"}',
            None,
            '{"flag": true, "n": 3}',
            "",
            None,
            '{"说明": "单引号\'与“引号”,\\n换行"}',
            None,
        ],
        conf_status=["F", "F", "C", "F", "F", "F", "C"],
    )
    revised = ent_frame(
        {
            ("USA", "SI1", "2024-02"): -17.5,
            ("JPN", "SJ1", "2024-01"): None,
            ("JPN", "SJ1", "2024-03"): 2.5e-12,
        }
    )
    annual = pl.DataFrame(
        {
            "ref_area": ["CHN", "CHN", "IND"],
            "counterpart_area": ["W00"] * 3,
            "product": ["DD"] * 3,
            "flow": ["X"] * 3,
            "freq": ["A"] * 3,
            "time_period": ["2022", "2023", "2023"],
            "value": [3727.1, 3859.0, -0.000123],
            "unit": ["USD"] * 3,
            "unit_mult": [8] * 3,
        }
    )
    with engine.begin() as conn:
        ids = [
            vintages.write_vintage(
                conn,
                dataflow_id="ENT_DDS",
                frame=first,
                label="首次直报 ✓",
                note="含\n换行与“引号”",
            ),
            vintages.write_vintage(
                conn,
                dataflow_id="ENT_DDS",
                frame=revised,
                kind="filing",
                label="修订 revision",
                created_by="张三",
            ),
            vintages.write_vintage(
                conn,
                dataflow_id="UNCTAD_DDS",
                frame=annual,
                source_file="unctad.csv",
                source_sha256="ab" * 32,
            ),
        ]
    return ids


def _filled(table: sa.Table, **values: Any) -> dict[str, Any]:
    """A row for ``table``: ``values``, plus a plain value for every other required column."""
    plain: list[tuple[type[Any], Any]] = [
        (sa.JSON, {"值": 1}),
        (sa.Boolean, True),
        (sa.Integer, 1),
        (sa.Float, 0.5),
        (sa.DateTime, datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)),
        (sa.Date, date(2024, 5, 6)),
        (sa.String, "x"),
    ]
    row = dict(values)
    for column in backup_format.stored_columns(table):
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        if column.primary_key and isinstance(column.type, sa.Integer):
            continue
        row[column.name] = next(v for t, v in plain if isinstance(column.type, t))
    return row


def load_other_modules(engine: Engine) -> None:
    """Rows in tables other modules own: an enterprise, two policy documents, passages."""
    with engine.begin() as conn:
        tables = {t.name: t for t in backup_format.store_tables(conn)}
        conn.execute(
            tables["enterprise"].insert(),
            _filled(
                tables["enterprise"],
                uscc=ENTERPRISE,
                name="杭州数贸科技有限公司",
                high_tech=True,
                active=False,
            ),
        )
        conn.execute(
            tables["policy_document"].insert(),
            _filled(
                tables["policy_document"],
                id=1,
                title="关于推进数字贸易发展的意见",
                issuers=["商务部", "国家发展改革委"],
                issue_date=date(2024, 3, 1),
            ),
        )
        conn.execute(
            tables["policy_document"].insert(),
            _filled(
                tables["policy_document"],
                id=2,
                canonical_id=1,
                similarity=0.987654321,
                issuers=[],
                extracted={"targets": None},
            ),
        )
        conn.execute(
            tables["policy_passage"].insert(),
            [
                _filled(
                    tables["policy_passage"],
                    document_id=1,
                    ordinal=i,
                    text=text_,
                    display=text_,
                    tokens=f" {' '.join(words)} ",
                    n_tokens=len(words),
                )
                for i, (text_, words) in enumerate(
                    [
                        ("推动数字贸易高质量发展", ["推动", "数字", "贸易", "高质量", "发展"]),
                        ("扩大服务出口", ["扩大", "服务", "出口"]),
                    ]
                )
            ],
        )


def passages_matching(engine: Engine, word: str) -> list[int]:
    """Passage ids the full-text index finds (FTS5 on SQLite, tsvector on PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        sql, word = "SELECT rowid FROM policy_fts WHERE policy_fts MATCH :q", f'"{word}"'
    else:
        sql = "SELECT id FROM policy_passage WHERE search @@ CAST(:q AS tsquery)"
    with engine.connect() as conn:
        return sorted(conn.execute(text(sql), {"q": word}).scalars())


@contextmanager
def new_store(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated store of ``kind`` (a new SQLite file or a new PostgreSQL database)."""
    if kind != "postgresql":
        engine = make_engine(url=f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:6]}.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    with scratch_engine(PG_ADMIN_URL, "shumao_restore") as engine:
        upgrade(engine)
        yield engine


# --- comparing stores ---------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Bit-exact floats; datetimes in UTC whichever database they came from."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a backup covers, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in backup_format.store_tables(conn):
            order = list(table.primary_key.columns) or list(table.columns)
            stmt = select(*backup_format.stored_columns(table)).order_by(*order)
            out[table.name] = [tuple(_plain(v) for v in row) for row in conn.execute(stmt)]
    return out


def views(engine: Engine, first_vintage: int) -> dict[str, pl.DataFrame]:
    """What users read: latest values, values as of the first vintage, the revision table."""
    with engine.connect() as conn:
        return {
            "latest": vintages.read(conn, "ENT_DDS"),
            "first": vintages.read(conn, "ENT_DDS", as_of=first_vintage),
            "annual": vintages.read(conn, "UNCTAD_DDS"),
            "revisions": revisions.revisions(conn, "ENT_DDS", then=first_vintage),
        }


def assert_same_store(restored: Engine, original: Engine, first_vintage: int) -> None:
    assert table_rows(restored) == table_rows(original)
    got, want = views(restored, first_vintage), views(original, first_vintage)
    for name in want:
        assert_frame_equal(got[name], want[name], check_exact=True)


def count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- round trips --------------------------------------------------------------------------


def test_round_trip_into_a_fresh_store_loses_nothing(engine: Engine, tmp_path: Path) -> None:
    ids = load_vintages(engine)
    load_other_modules(engine)
    path, manifest = backups.backup(engine, tmp_path / "store.zip")
    rows = {t.name: t.rows for t in manifest.tables}
    assert (rows["vintage"], rows["series"], rows["observation"]) == (3, 6, 13)
    assert rows["dataflow"] == count(engine, dataflow)
    with engine.connect() as conn:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert manifest.revisions == sorted(current)
    assert "alembic_version" not in rows
    with new_store(engine.dialect.name, tmp_path) as target:
        restored = restores.restore(target, path)
        assert restored.total_rows == manifest.total_rows
        assert_same_store(target, engine, ids[0])
        with target.connect() as conn:
            latest = vintages.read(conn, "ENT_DDS", where={"counterpart_area": ["JPN"]})
            labels = [v.label for v in vintages.list_vintages(conn)]
            first = vintages.read(conn, "ENT_DDS", as_of=ids[0])
        # the values a user checks, read back from the restored store
        assert latest["value"].to_list() == [None, 0.30000000000000004, 2.5e-12]
        assert latest["obs_status"].to_list() == ["M", "A", "A"]
        assert first["attrs"].to_list() == [  # by partner, product, month
            None,
            '{"说明": "单引号\'与“引号”,\\n换行"}',
            '{"flag": true, "n": 3}',
            "",
            '{"注释": "企业估算", "source": "直报"}',
            None,
            None,
        ]
        assert labels == ["首次直报 ✓", "修订 revision", ""]
        assert passages_matching(target, "贸易") == passages_matching(engine, "贸易") != []
        # the restored store goes on: new vintages and series take fresh ids
        more = ent_frame({("GBR", "SI2", "2024-04"): TINY})
        with target.begin() as conn:
            new_id = vintages.write_vintage(conn, dataflow_id="ENT_DDS", frame=more)
            gbr = vintages.read(conn, "ENT_DDS", where={"counterpart_area": ["GBR"]})
        assert new_id == ids[-1] + 1
        assert gbr["value"].to_list() == [TINY]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_ADMIN_URL, reason="needs SHUMAO_TEST_DATABASE_URL")
def test_round_trip_postgresql_to_sqlite_and_back(engine: Engine, tmp_path: Path) -> None:
    ids = load_vintages(engine)
    load_other_modules(engine)
    found = passages_matching(engine, "出口")
    path, _ = backups.backup(engine, tmp_path / "pg.zip")
    with new_store("sqlite", tmp_path) as lite:
        restores.restore(lite, path)
        assert_same_store(lite, engine, ids[0])
        assert passages_matching(lite, "出口") == found != []
        again, manifest = backups.backup(lite, tmp_path / "sqlite.zip")
    assert manifest.dialect == "sqlite"
    with new_store("postgresql", tmp_path) as pg:
        restores.restore(pg, again)
        assert_same_store(pg, engine, ids[0])
        assert passages_matching(pg, "出口") == found


# --- refusals: nothing changes ------------------------------------------------------------


def _rewrite(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    """Copy a backup zip, replacing the named members (a valid zip with altered contents)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, change.get(item.filename, zin.read(item.filename)))


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]


def test_damaged_backups_are_refused_and_the_store_is_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    load_vintages(engine)
    path, _ = backups.backup(engine, tmp_path / "good.zip")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path) as zf:
        obs = zf.read("tables/observation.parquet")
    _rewrite(path, tampered, {"tables/observation.parquet": _flip_last_byte(obs)})
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("这不是备份 / not a backup", encoding="utf-8")
    with new_store(engine.dialect.name, tmp_path) as target:
        before = table_rows(target)
        for bad in (tampered, truncated, not_zip):
            with pytest.raises(StoreError) as caught:
                restores.restore(target, bad)
            assert "备份文件已损坏" in str(caught.value)
            assert "nothing was changed" in str(caught.value)
            assert table_rows(target) == before
        with pytest.raises(StoreError, match="checksum mismatch"):
            backups.verify(tampered)
        restores.restore(target, path)  # the good one still restores
        assert count(target, observation) == 13


def test_a_store_holding_data_is_refused_unless_forced(engine: Engine, tmp_path: Path) -> None:
    ids = load_vintages(engine)
    path, _ = backups.backup(engine, tmp_path / "store.zip")
    expected = table_rows(engine)
    later = ent_frame({("USA", "SI3", "2024-05"): 99.0})
    with engine.begin() as conn:
        vintages.write_vintage(conn, dataflow_id="ENT_DDS", frame=later, label="备份之后")
    after = table_rows(engine)
    with pytest.raises(StoreError, match="--force") as caught:
        restores.restore(engine, path)
    assert "不是空的" in str(caught.value)
    assert table_rows(engine) == after
    restores.restore(engine, path, force=True)
    assert table_rows(engine) == expected  # the vintage written after the backup is gone
    with engine.begin() as conn:
        assert vintages.write_vintage(conn, dataflow_id="ENT_DDS", frame=later) == ids[-1] + 1


def test_a_backup_from_a_newer_schema_is_refused(engine: Engine, tmp_path: Path) -> None:
    load_vintages(engine)
    path, manifest = backups.backup(engine, tmp_path / "store.zip")
    newer = json.loads(manifest.to_json())
    newer["revisions"] = [*manifest.revisions, "store_9999"]
    future = tmp_path / "future.zip"
    _rewrite(path, future, {"manifest.json": json.dumps(newer).encode()})
    with new_store(engine.dialect.name, tmp_path) as target:
        before = table_rows(target)
        with pytest.raises(StoreError, match="newer shumao") as caught:
            restores.restore(target, future)
        assert "store_9999" in str(caught.value)
        assert table_rows(target) == before


# --- tables beyond the statistical store --------------------------------------------------


def _create_notes(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE review_note (id INTEGER PRIMARY KEY, vintage_id INTEGER "
                "REFERENCES vintage(id), body TEXT NOT NULL, due DATE, score FLOAT)"
            )
        )


def test_tables_other_modules_add_are_backed_up_too(engine: Engine, tmp_path: Path) -> None:
    ids = load_vintages(engine)
    _create_notes(engine)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO review_note VALUES (1, :v, '请核实 SI1', '2024-03-31', "
                    ":s), (2, NULL, 'ok', NULL, NULL)"
                ),
                {"v": ids[0], "s": -TINY},
            )
        path, manifest = backups.backup(engine, tmp_path / "store.zip")
        names = [t.name for t in manifest.tables]
        assert names.index("review_note") > names.index("vintage")  # foreign-key order
        notes = manifest.tables[names.index("review_note")]
        assert (notes.rows, notes.columns["due"], notes.columns["score"]) == (2, "date", "float")
        with new_store(engine.dialect.name, tmp_path) as target:
            with pytest.raises(StoreError, match="review_note"):
                restores.restore(target, path)  # this store's code has no such table
            assert count(target, vintage) == 0
            _create_notes(target)
            restores.restore(target, path)
            assert table_rows(target) == table_rows(engine)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE review_note"))


# --- the commands -------------------------------------------------------------------------


@pytest.fixture
def use_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Point the in-process CLI at a store URL (settings are cached, so clear them)."""

    def point(url: str) -> None:
        monkeypatch.setenv("SHUMAO_DATABASE_URL", url)
        monkeypatch.setenv("SHUMAO_DATA_DIR", str(tmp_path / "data"))
        get_settings.cache_clear()

    yield point
    get_settings.cache_clear()


def test_backup_and_restore_commands(
    engine: Engine, db_url: str, tmp_path: Path, use_store: Any
) -> None:
    ids = load_vintages(engine)
    app = typer.Typer()
    backup_cli.register(app)
    runner = CliRunner()
    use_store(db_url)
    made = runner.invoke(app, ["backup", "--quiet"])
    assert made.exit_code == 0, made.output
    (path,) = (tmp_path / "data" / "backups").glob("shumao-*.zip")
    assert "13" in made.output and "observation" in made.output
    again = runner.invoke(app, ["backup", str(path), "--quiet"])
    assert again.exit_code == 1 and "不会覆盖" in again.output
    refused = runner.invoke(app, ["restore", str(path), "--quiet"])
    assert refused.exit_code == 1 and "--force" in refused.output
    with new_store(engine.dialect.name, tmp_path) as target:
        use_store(target.url.render_as_string(hide_password=False))
        done = runner.invoke(app, ["restore", str(path)])
        assert done.exit_code == 0, done.output
        assert "已恢复 / restored" in done.output
        assert_same_store(target, engine, ids[0])
