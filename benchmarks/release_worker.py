"""What the release worker costs: an idle round (nothing due) and writing a release's
open-data snapshot, each against a baseline in the same process.

The store holds customs' twelve cross-border e-commerce releases (``demo/data/customs_cbec``,
real files) in a fresh SQLite database, all released but the last.
  idle round   ``worker.tick`` with nothing due and every snapshot written (what the worker does
               every ``SHUMAO_RELEASE_WORKER_SECONDS``), against one ``SELECT 1`` round trip
               through the same engine
  snapshot     ``snapshot.write`` of the newest release (public view → Parquet per period +
               SDMX-CSV + manifest with SHA-256), against reading the same public view only
Prints CPU milliseconds (best of --repeat), the ratios, the CPU a day of idle polling at 2 s
takes, and the load average (the machine is shared).
Run: .venv/bin/python benchmarks/release_worker.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from shumao.auth.scope import Scope
from shumao.ingest.pipeline import run_import
from shumao.ingest.sources.customs_cbec import release_files
from shumao.monitor.hooks import after_commit
from shumao.release import public, releases, snapshot, worker
from shumao.storage.engine import make_engine, upgrade

DEMO = Path(__file__).resolve().parents[1] / "demo" / "data" / "customs_cbec"
ADMIN = Scope("admin", username="bench")


def _store(tmp: Path) -> tuple[Engine, int]:
    engine = make_engine(url=f"sqlite:///{tmp}/b.db")
    upgrade(engine)
    vids = [
        int(run_import(engine, "customs-cbec", f, after=after_commit).vintage_id or 0)
        for f in release_files(DEMO)
    ]
    with engine.begin() as conn:
        made = [
            releases.release(
                conn, scope=ADMIN, dataflow_id="CUSTOMS_CBEC", vintage_id=v, revision_reason="bench"
            ).id
            for v in vids
        ]
    return engine, made[-1]


def _cpu_ms(step: Callable[[], object], times: int) -> float:
    start = time.process_time()
    for _ in range(times):
        step()
    return (time.process_time() - start) * 1000 / times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine, newest = _store(Path(tmp))
        root = Path(tmp) / "open-data"
        worker.tick(engine, open_data=root)  # every snapshot written: the next rounds idle
        idle, select1, snap, read = [], [], [], []
        for _ in range(args.repeat):
            idle.append(_cpu_ms(lambda: worker.tick(engine, open_data=root), 200))
            with engine.connect() as conn:
                select1.append(_cpu_ms(lambda: conn.execute(text("SELECT 1")).scalar(), 200))
            with engine.connect() as conn:
                read.append(_cpu_ms(lambda: public.public_view(conn, "CUSTOMS_CBEC"), 5))
            snap.append(_cpu_ms(lambda: _rewrite(engine, newest, root), 5))
        engine.dispose()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"idle round        {min(idle):8.3f} ms CPU   SELECT 1 {min(select1):.3f} ms   "
        f"ratio {min(idle) / min(select1):.1f}×   a day at 2 s: "
        f"{min(idle) * 43200 / 1000:.1f} s CPU"
    )
    print(
        f"snapshot write    {min(snap):8.1f} ms CPU   public view read {min(read):.1f} ms   "
        f"ratio {min(snap) / min(read):.2f}×"
    )


def _rewrite(engine: Engine, release_id: int, root: Path) -> None:
    """Write the snapshot afresh (its record and folder removed first)."""
    from shumao.release.tables import release_snapshot

    with engine.begin() as conn:
        conn.execute(release_snapshot.delete().where(release_snapshot.c.release_id == release_id))
        shutil.rmtree(root / snapshot.folder_name(release_id), ignore_errors=True)
        snapshot.write(conn, release_id, root)


if __name__ == "__main__":
    main()
