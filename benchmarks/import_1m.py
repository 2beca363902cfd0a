"""Import one million observation rows: shumao's validated import against a pandas baseline.

Generates a national-scale enterprise direct-reporting file (``_synthetic.ent_dds_tidy``:
enterprises × months × EBOPS digitally-deliverable sub-items × partners × flows, exactly
1,000,000 rows, Chinese headers, a mapping YAML) and measures, in the same run:

* **shumao** — ``run_import(engine, "tidy", file, options={"mapping": ...})`` into a fresh,
  migrated SQLite file: read + decode + parse numbers + look up codes + every shared check
  (codes, periods, missing values, duplicate keys) + write one vintage in one transaction;
* **baseline** — ``pandas.read_csv(file)`` + ``DataFrame.to_sql("obs", engine, index=False,
  chunksize=50_000)`` into another fresh SQLite file with the same PRAGMAs: no validation,
  no code lookup, no series table, no vintages.

Each is repeated (default 3×); the script prints rows/s (best and median), the ratio
shumao ÷ baseline (higher is better; the target is ≥ 1.0 and ≥ 150,000 rows/s), and where
shumao's time goes (timers wrapped around the pipeline's stages). With
``SHUMAO_BENCH_PG_URL`` set (an admin URL, e.g.
``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``) both are also run against a
fresh PostgreSQL database that is dropped afterwards.

    .venv/bin/python benchmarks/import_1m.py [--rows 1000000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import SyntheticFile, ent_dds_tidy

from shumao.ingest import pipeline
from shumao.ingest.sources import generic
from shumao.storage import vintages
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_engine

TARGET_ROWS_PER_S = 150_000


# --- timers -------------------------------------------------------------------------------

@dataclass
class Timers:
    """Seconds spent in wrapped functions, by label (wrappers restored on exit)."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def wrap(self, owner: Any, name: str, label: str) -> Callable[[], None]:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start

        setattr(owner, name, timed)
        return lambda: setattr(owner, name, original)


STAGES = (
    # (module, function, label): the functions run_import reaches, by stage
    (generic, "read_table", "parse: read + decode CSV"),
    (generic, "resolve", "parse: look up names → codes"),
    (generic, "parse_numbers", "parse: numbers"),
    (pipeline, "_parse", "parse (total)"),
    (pipeline, "check_frame", "check: codes, periods, values, duplicates"),
    (vintages, "_attach_series_ids", "write: series ids"),
    (vintages, "_insert_observations", "write: observation rows"),
    (pipeline, "write_vintage", "write (total, excl. commit)"),
)


@contextmanager
def stage_timers() -> Iterator[Timers]:
    timers = Timers()
    undo = [timers.wrap(owner, name, label) for owner, name, label in STAGES]
    try:
        yield timers
    finally:
        for restore in reversed(undo):
            restore()


# --- the two contenders -------------------------------------------------------------------

@contextmanager
def fresh_sqlite(directory: Path, name: str) -> Iterator[Engine]:
    path = directory / f"{name}-{uuid.uuid4().hex[:8]}.db"
    engine = make_engine(url=f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    """CPU seconds of this process, all threads (a PostgreSQL server's work is not in it)."""


@contextmanager
def clock() -> Iterator[list[Timing]]:
    """Yield a list that holds the block's ``Timing`` once the block ends."""
    out: list[Timing] = []
    wall, cpu = time.perf_counter(), time.process_time()
    yield out
    out.append(Timing(time.perf_counter() - wall, time.process_time() - cpu))


def shumao_import(engine: Engine, data: SyntheticFile) -> tuple[Timing, dict[str, float]]:
    upgrade(engine)
    with stage_timers() as timers, clock() as took:
        result = pipeline.run_import(engine, "tidy", data.csv, options={"mapping": data.mapping})
    assert result.rows == data.rows, result.report.text()
    return took[0], dict(timers.seconds)


def pandas_baseline(engine: Engine, data: SyntheticFile) -> Timing:
    with clock() as took:
        frame = pd.read_csv(data.csv)
        frame.to_sql("obs", engine, index=False, chunksize=50_000, method=None)
    assert len(frame) == data.rows
    return took[0]


# --- running and reporting ----------------------------------------------------------------

@dataclass
class Runs:
    name: str
    timings: list[Timing] = field(default_factory=list)
    stages: list[dict[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> list[float]:
        return [t.wall for t in self.timings]

    def rate(self, rows: int, how: Callable[[list[float]], float]) -> float:
        return rows / how(self.seconds)

    @property
    def best(self) -> Timing:
        return min(self.timings, key=lambda t: t.wall)


Store = Callable[[str], AbstractContextManager[Engine]]


def run_both(data: SyntheticFile, store: Store, kind: str, repeat: int) -> tuple[Runs, Runs]:
    ours = Runs(f"shumao run_import ({kind})")
    base = Runs(f"pandas read_csv + to_sql ({kind})")
    for i in range(repeat):
        with store("shumao") as engine:
            took, stages = shumao_import(engine, data)
        ours.timings.append(took)
        ours.stages.append(stages)
        with store("baseline") as engine:
            base.timings.append(pandas_baseline(engine, data))
        print(f"  run {i + 1}: shumao {took.wall:6.2f} s (cpu {took.cpu:5.2f}) · baseline "
              f"{base.timings[-1].wall:6.2f} s (cpu {base.timings[-1].cpu:5.2f})", flush=True)
    return ours, base


def report(ours: Runs, base: Runs, rows: int) -> None:
    print()
    print(f"{'':38} {'best rows/s':>12} {'median rows/s':>14} {'best s':>8} {'its cpu s':>10}")
    for runs in (ours, base):
        print(f"{runs.name:38} {runs.rate(rows, min):12,.0f} "
              f"{runs.rate(rows, statistics.median):14,.0f} {runs.best.wall:8.2f} "
              f"{runs.best.cpu:10.2f}")
    best = ours.rate(rows, min) / base.rate(rows, min)
    median = ours.rate(rows, statistics.median) / base.rate(rows, statistics.median)
    print(f"ratio shumao ÷ baseline (rows/s): best {best:.2f} · median {median:.2f}  "
          f"(target ≥ 1.00, and ≥ {TARGET_ROWS_PER_S:,} rows/s)")
    fastest = ours.seconds.index(min(ours.seconds))
    print_breakdown(ours.stages[fastest], ours.seconds[fastest])


def machine() -> str:
    """CPUs and load: wall times on a shared machine are only comparable within one run."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"


def print_breakdown(stages: dict[str, float], total: float) -> None:
    print(f"\nwhere the time goes (fastest shumao run, {total:.2f} s):")
    for _, _, label in STAGES:
        seconds = stages.get(label, 0.0)
        print(f"  {label:44} {seconds:6.2f} s  {100 * seconds / total:5.1f} %")
    accounted = sum(stages.get(label, 0.0) for label in
                    ("parse (total)", "check: codes, periods, values, duplicates",
                     "write (total, excl. commit)"))
    print(f"  {'other (hash, series count, commit)':44} {total - accounted:6.2f} s  "
          f"{100 * (total - accounted) / total:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shumao-bench-") as tmp:
        work = args.keep or Path(tmp)
        start = time.perf_counter()
        data = ent_dds_tidy(work, args.rows)
        size = data.csv.stat().st_size / 1e6
        print(f"generated {data.rows:,} rows ({size:.0f} MB) in "
              f"{time.perf_counter() - start:.1f} s: {data.csv}")
        print(f"SQLite ({machine()}):")
        report(*run_both(data, partial(fresh_sqlite, work), "SQLite", args.repeat), data.rows)
        pg_url = os.environ.get("SHUMAO_BENCH_PG_URL", "")
        if pg_url:
            print(f"\nPostgreSQL ({machine()}):")
            stores = lambda _: scratch_engine(pg_url, "shumao_bench")  # noqa: E731
            report(*run_both(data, stores, "PostgreSQL", args.repeat), data.rows)
        print(f"\nafter: {machine()}")


if __name__ == "__main__":
    main()
