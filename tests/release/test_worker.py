"""The release worker: a real ``shumao release worker`` process releases a due entry at its
minute and never before; a worker started after the minute (a restart) catches up; two
workers claiming the same entry release it once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from shumao.auth.scope import Scope
from shumao.auth.tables import audit_log
from shumao.release import calendar, history, releases, worker

ADMIN = Scope("admin", username="tester")
SHUMAO = Path(sys.executable).with_name("shumao")
FLOW = "CUSTOMS_CBEC"


def _prepare(engine: Engine, vintages: dict[str, int], at: datetime) -> calendar.Entry:
    """All customs files but the last released (customs' own late revisions with their reason);
    the last scheduled for ``at``. Its 2024 revision (2.63 → 2.71 万亿元) is the first customs
    release since the preliminary figure, inside CUSTOMS_CBEC's two: no reason needed (the
    provinces' releases are another dataflow, ``PROVINCE_CBEC``, and do not count)."""
    *before, last = vintages.values()
    with engine.begin() as conn:
        for vid in before:
            releases.release(
                conn,
                scope=ADMIN,
                dataflow_id=FLOW,
                vintage_id=vid,
                revision_reason="按海关公布顺序 / in customs' order",
            )
        return calendar.schedule(
            conn,
            scope=ADMIN,
            kind="dataflow",
            subject=FLOW,
            reference_period="2024",
            at=at,
            vintage_id=last,
            now=at - timedelta(minutes=1),
        )


def _status(engine: Engine, entry: int) -> calendar.Entry:
    with engine.connect() as conn:
        return calendar.get(conn, entry)


def _wait_for(condition: Callable[[], bool], seconds: float = 180) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_process_releases_at_the_minute(
    engine: Engine, cbec_vintages: dict[str, int], cli_env: dict[str, str]
) -> None:
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    entry = _prepare(engine, cbec_vintages, at)
    env = {**cli_env, "SHUMAO_RELEASE_WORKER_SECONDS": "0.5"}
    process = subprocess.Popen(
        [str(SHUMAO), "release", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert _wait_for(lambda: _status(engine, entry.id).status == "released")
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    done = _status(engine, entry.id)
    assert done.released_at is not None and done.released_at >= at, output
    assert f"#{entry.id}" in output and process.returncode == 0, output
    with engine.connect() as conn:
        newest = history.list_releases(conn, FLOW)[0]
    assert newest.vintage_id == entry.vintage_id and newest.released_at >= at


def test_a_restarted_worker_catches_up(
    engine: Engine, cbec_vintages: dict[str, int], cli_env: dict[str, str]
) -> None:
    """The first worker dies (SIGKILL, no goodbye); the entry falls due while none runs; the
    next worker started releases it on its first round."""
    at = datetime.now(UTC) + timedelta(seconds=2)
    entry = _prepare(engine, cbec_vintages, at)
    first = subprocess.Popen(
        [str(SHUMAO), "release", "worker"],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    assert _wait_for(lambda: datetime.now(UTC) > at)
    assert _status(engine, entry.id).status == "scheduled"
    again = subprocess.run(
        [str(SHUMAO), "release", "worker", "--once"],
        env=cli_env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stdout.decode() + again.stderr.decode()
    assert _status(engine, entry.id).status == "released"


def test_two_workers_release_an_entry_once(
    engine: Engine, cbec_vintages: dict[str, int], tmp_path: Path
) -> None:
    at = datetime(2030, 1, 2, 1, 30, tzinfo=UTC)
    entry = _prepare(engine, cbec_vintages, at)
    rounds: list[worker.Round] = []
    start = threading.Barrier(2)

    def work() -> None:
        start.wait()
        rounds.append(worker.tick(engine, open_data=tmp_path, now=at))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(len(r.released) for r in rounds) == [0, 1]
    with engine.connect() as conn:
        made = [r for r in history.list_releases(conn, FLOW) if r.vintage_id == entry.vintage_id]
        audited = (
            conn.execute(select(audit_log.c.detail).where(audit_log.c.action == "release"))
            .scalars()
            .all()
        )
    assert len(made) == 1
    assert sum(1 for d in audited if (d or {}).get("calendar") == entry.id) == 1
    assert os.path.isdir(tmp_path / f"release={made[0].id}")
