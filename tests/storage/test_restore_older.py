"""Restoring a backup made before a migration that rewrote rows: the restored rows get the
rewrite too (they came back as the older shumao stored them before)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from alembic import command
from sqlalchemy import Engine, insert, select, text
from typer.testing import CliRunner

from bases.old_notes import TYPED, store_old_history
from shumao.bases import registry
from shumao.cli import backup as backup_cli
from shumao.config import get_settings
from shumao.storage import backup as backups
from shumao.storage import restore as restores
from shumao.storage.engine import alembic_config, make_engine, upgrade
from shumao.storage.scratch import scratch_engine
from shumao.storage.tables import vintage

PG_ADMIN_URL = os.environ.get("SHUMAO_TEST_DATABASE_URL", "")
OLD_LABEL = (
    "数贸季1表 数字服务进出口情况（季度） 2024-Q3 企业直报审核通过 第2版 / "
    "approved enterprise filings, revision 2"
)
NEW_LABEL = (
    "数贸季1表 数字服务进出口情况（季度） 2024-Q3 企业直报审核通过 第2版 / "
    "Digital services trade (quarterly) 2024-Q3, approved revision 2"
)
BEFORE = ("bases_0001", "collection_0004", "monitor_0002")


@contextmanager
def fresh_store(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty store of ``kind`` migrated to this shumao's schema."""
    if kind == "postgresql":
        with scratch_engine(PG_ADMIN_URL, "shumao_restore_older") as engine:
            upgrade(engine)
            yield engine
        return
    engine = make_engine(url=f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def older_backup(engine: Engine, path: Path) -> list[str]:
    """A backup of ``engine`` taken at ``BEFORE`` (the first batch's note stored whole, an
    approved filing's label with the old English half, no alert counter), then the store is
    brought back to this schema. The backup's revisions."""
    config = alembic_config(engine)
    for revision in BEFORE:
        command.downgrade(config, revision)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            store_old_history(conn, now)
            conn.execute(
                insert(vintage).values(
                    dataflow_id="ENT_DDS", created_at=now, kind="filing", label=OLD_LABEL
                )
            )
        _, manifest = backups.backup(engine, path)
    finally:
        upgrade(engine)
    return manifest.revisions


def assert_up_to_date(engine: Engine) -> None:
    with engine.connect() as conn:
        history = registry.history(conn, "DSEB06")
        labels = conn.execute(select(vintage.c.label).where(vintage.c.kind == "filing")).all()
        counters = conn.execute(text("SELECT id, n FROM alert_change")).all()
    assert [(h.reason_in("zh"), h.reason_in("en")) for h in history] == [
        registry.FIRST_BATCH_NOTE,
        (TYPED, TYPED),
    ]
    assert [label for (label,) in labels] == [NEW_LABEL]
    assert [tuple(row) for row in counters] == [(1, 0)]


def test_the_rows_of_an_older_backup_get_the_later_migrations_rewrites(
    engine: Engine, tmp_path: Path
) -> None:
    revisions = older_backup(engine, tmp_path / "older.zip")
    assert set(BEFORE) <= set(revisions)
    later = restores.later_revisions(revisions)
    assert sorted(later) == ["bases_0002", "collection_0005", "monitor_0003"]
    with fresh_store(engine.dialect.name, tmp_path) as target:
        restores.restore(target, tmp_path / "older.zip")
        assert_up_to_date(target)
    # replacing a store that holds data: its counter row goes with everything else, and the
    # backup has none; the restore puts the counter back
    with engine.begin() as conn:
        conn.execute(text("UPDATE alert_change SET n = 7"))
    restores.restore(engine, tmp_path / "older.zip", force=True)
    assert_up_to_date(engine)


def test_a_backup_of_this_schema_is_restored_as_it_is(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(vintage).values(
                dataflow_id="ENT_DDS", created_at=datetime.now(UTC), kind="filing", label=OLD_LABEL
            )
        )
    _, manifest = backups.backup(engine, tmp_path / "now.zip")
    assert restores.later_revisions(manifest.revisions) == []
    with fresh_store(engine.dialect.name, tmp_path) as target:
        restores.restore(target, tmp_path / "now.zip")
        with target.connect() as conn:
            labels = conn.execute(select(vintage.c.label)).scalars().all()
    assert labels == [OLD_LABEL]  # no rewrite ran: a label stored at this schema stays as stored


def test_the_restore_command_says_which_revisions_it_caught_up_with(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = restores.later_revisions(older_backup(engine, tmp_path / "older.zip"))
    app = typer.Typer()
    backup_cli.register(app)
    monkeypatch.setenv("SHUMAO_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(
            app, ["restore", str(tmp_path / "older.zip"), "--force", "--quiet"]
        )
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert f"备份早于数据库结构版本 {'、'.join(later)}，恢复的数据已按这些版本更新" in done.output
    assert f"the backup predates schema revisions {', '.join(later)}; the restored" in done.output
    assert_up_to_date(engine)
