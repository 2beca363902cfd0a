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

``run_import`` evaluates the warning rules after its commit (``monitor.hooks.after_commit``,
which reads the stored series back); the baselines have nothing like it, so it is off unless
``--with-monitoring`` (then its share shows in the breakdown). On a local PostgreSQL the
server's CPU is measured too (``_server_cpu``) and printed beside the client's.

    .venv/bin/python benchmarks/import_1m.py [--rows 1000000] [--repeat 3] [--keep DIR]
        [--pg-only] [--no-pandas] [--with-monitoring]
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
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _polars_adbc
from _server_cpu import postmaster_pid, server_cpu
from _synthetic import SyntheticFile, ent_dds_tidy

from shumao.ingest import pipeline
from shumao.ingest.sources import generic
from shumao.monitor import hooks
from shumao.storage import bulk, vintages
from shumao.storage.bulk_keys import keys_checked_once
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_engine
from shumao.storage.tables import DIMENSIONS

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
    (pipeline, "run_checks", "check: codes, periods, values, duplicates ‖"),
    (vintages, "attach_series_ids", "write: series ids (sort ‖ series COPY, ANALYZE)"),
    (bulk, "insert_observations", "write: observation rows"),
    (pipeline, "write_vintage", "write (total, excl. commit)"),
    (hooks, "after_commit", "after commit: monitoring rules"),
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
    server: float | None = None
    """CPU seconds of the local PostgreSQL server meanwhile (``_server_cpu``), else None."""


POSTMASTER: list[int | None] = [None]
"""The local PostgreSQL server whose CPU ``clock`` adds (set while PostgreSQL runs)."""


@contextmanager
def clock() -> Iterator[list[Timing]]:
    """Yield a list that holds the block's ``Timing`` once the block ends."""
    out: list[Timing] = []
    server = server_cpu(POSTMASTER[0])
    wall, cpu = time.perf_counter(), time.process_time()
    yield out
    took = Timing(time.perf_counter() - wall, time.process_time() - cpu)
    after = server_cpu(POSTMASTER[0])
    if server is not None and after is not None:
        took = Timing(took.wall, took.cpu, after - server)
    out.append(took)


def shumao_import(engine: Engine, data: SyntheticFile) -> tuple[Timing, dict[str, float]]:
    upgrade(engine)
    with stage_timers() as timers, clock() as took:
        result = pipeline.run_import(
            engine, "tidy", data.csv, options={"mapping": data.mapping}, after=hooks.after_commit
        )
    assert result.rows == data.rows, result.report.text()
    return took[0], dict(timers.seconds)


def pandas_baseline(engine: Engine, data: SyntheticFile) -> Timing:
    with clock() as took:
        frame = pd.read_csv(data.csv)
        frame.to_sql("obs", engine, index=False, chunksize=50_000, method=None)
    assert len(frame) == data.rows
    return took[0]


def adbc_connect(engine: Engine) -> Any:
    """An ADBC connection to the database ``engine`` points at."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi as driver

        return driver.connect(str(url.database))
    import adbc_driver_postgresql.dbapi as driver

    return driver.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))


def polars_adbc(engine: Engine, data: SyntheticFile, *, keyed: bool) -> Timing:
    """The checks in polars, then shumao's schema (``keyed``) or a table without keys."""
    if keyed:
        upgrade(engine)
    conn = adbc_connect(engine)
    try:
        with clock() as took:
            flow, frame = _polars_adbc.checked_frame(data.csv, data.mapping)
            if keyed:
                _polars_adbc.write_keyed(conn, flow, frame)
            else:
                _polars_adbc.write_flat(conn, frame)
    finally:
        conn.close()
    assert frame.height == data.rows
    return took[0]


def raw_copy(
    engine: Engine, data: SyntheticFile, rows: pl.DataFrame, *, keys_once: bool = False
) -> Timing:
    """PostgreSQL's floor: the rows shumao writes — its new series, then the observations —,
    already in memory as CSV, each sent with one ``COPY`` into the same schema (the vintage row
    goes in first, untimed). ``keys_once``: the row triggers off and the keys checked as one
    set afterwards, as ``storage.bulk_keys`` does (the strongest floor for a role that may do
    so). Binary ``COPY`` and a staging table were measured and are not faster (README)."""
    upgrade(engine)
    series_rows = rows.select(
        pl.col("series_id").alias("id"), pl.lit("ENT_DDS").alias("dataflow_id"), *DIMENSIONS
    ).unique(maintain_order=True)
    payloads = [
        ("series", series_rows.columns, series_rows.write_csv(include_header=False)),
        ("observation", bulk.OBS_COLS, rows.select(bulk.OBS_COLS).write_csv(include_header=False)),
    ]
    with engine.begin() as conn:
        vintage_id = conn.execute(
            text(
                "INSERT INTO vintage (dataflow_id, created_at, kind) VALUES ('ENT_DDS', now(), "
                "'import') RETURNING id"
            )
        ).scalar_one()
        assert vintage_id == rows["vintage_id"][0]
        cur = bulk.cursor(conn)
        keys = keys_checked_once(conn, vintage_id) if keys_once else nullcontext()
        with clock() as took, keys:
            for table, columns, payload in payloads:
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
                with cur.copy(sql) as copy:
                    copy.write(payload.encode("utf-8"))
    return took[0]


def stored_rows(engine: Engine) -> pl.DataFrame:
    """The observation rows (with their series keys) of the first vintage in ``engine``."""
    with engine.connect() as conn:
        result = conn.execute(
            text(
                f"SELECT o.{', o.'.join(bulk.OBS_COLS)}, {', '.join('s.' + d for d in DIMENSIONS)} "
                "FROM observation o JOIN series s ON s.id = o.series_id "
                "ORDER BY o.series_id, o.time_period"
            )
        )
        return pl.DataFrame(
            result.all(),
            schema=[*bulk.OBS_COLS, *DIMENSIONS],
            orient="row",
            infer_schema_length=None,
        )


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

    @property
    def cpu(self) -> float:
        return statistics.median(t.cpu for t in self.timings)

    @property
    def server(self) -> float | None:
        """Median CPU seconds of the local PostgreSQL server, if it was measured."""
        known = [t.server for t in self.timings if t.server is not None]
        return statistics.median(known) if known else None

    @property
    def total(self) -> float:
        """Median CPU seconds of this process and the server together."""
        return statistics.median(t.cpu + (t.server or 0.0) for t in self.timings)


Store = Callable[[str], AbstractContextManager[Engine]]
Contender = tuple[str, Callable[[Engine], Timing]]


def contenders(
    data: SyntheticFile, kind: str, floor: pl.DataFrame | None, *, pandas: bool = True
) -> list[Contender]:
    """The baselines, strongest first (the first is shumao's, timed separately)."""
    out: list[Contender] = [
        ("polars checks + ADBC, shumao's schema", partial(polars_adbc, data=data, keyed=True)),
        ("polars checks + ADBC, one table, no keys", partial(polars_adbc, data=data, keyed=False)),
    ]
    if pandas:
        out.append(
            ("pandas read_csv + to_sql, no checks, no keys", partial(pandas_baseline, data=data))
        )
    if floor is not None:
        out[:0] = [
            (
                "raw COPY of shumao's rows (keys checked once), its schema",
                partial(raw_copy, data=data, rows=floor, keys_once=True),
            ),
            (
                "raw COPY of shumao's rows (row triggers), its schema",
                partial(raw_copy, data=data, rows=floor),
            ),
        ]
    return out


def run_all(
    data: SyntheticFile,
    store: Store,
    kind: str,
    repeat: int,
    floor: pl.DataFrame | None = None,
    *,
    pandas: bool = True,
) -> list[Runs]:
    """Interleaved: shumao, then each baseline, ``repeat`` times (all see the same load)."""
    ours = Runs(f"shumao run_import ({kind})")
    others = contenders(data, kind, floor, pandas=pandas)
    runs = [ours, *(Runs(name) for name, _ in others)]
    for i in range(repeat):
        with store("shumao") as engine:
            took, stages = shumao_import(engine, data)
        ours.timings.append(took)
        ours.stages.append(stages)
        line = [f"shumao {took.wall:6.2f} s (cpu {cpu_text(took)})"]
        for (name, run), into in zip(others, runs[1:], strict=True):
            with store("baseline") as engine:
                into.timings.append(run(engine))
            line.append(
                f"{name.split(',')[0]} {into.timings[-1].wall:6.2f} s "
                f"(cpu {cpu_text(into.timings[-1])})"
            )
        print(f"  run {i + 1} (load {os.getloadavg()[0]:.1f}): " + " · ".join(line), flush=True)
    return runs


def cpu_text(took: Timing) -> str:
    if took.server is None:
        return f"{took.cpu:5.2f}"
    return f"{took.cpu:5.2f} + server {took.server:5.2f}"


def report_server(runs: list[Runs]) -> None:
    """CPU of client + local server, each ÷ shumao's (PostgreSQL: where the work is)."""
    ours = runs[0]
    if ours.server is None:
        return
    print(
        f"\n{'CPU, client + PostgreSQL server (median)':58} {'client':>7} {'server':>7} "
        f"{'total':>7} {'shumao ÷':>9} {'paired':>14}"
    )
    for other in runs:
        paired = [
            (a.cpu + (a.server or 0)) / (b.cpu + (b.server or 0))
            for a, b in zip(ours.timings, other.timings, strict=True)
        ]
        print(
            f"{other.name:58} {other.cpu:7.2f} {other.server or 0:7.2f} {other.total:7.2f} "
            f"{ours.total / other.total:9.2f} {min(paired):6.2f}–{max(paired):<6.2f}"
        )
    print("(shumao ÷ = shumao's total CPU ÷ the other's, medians; below 1.00 shumao uses less)")


def report(runs: list[Runs], rows: int) -> None:
    ours = runs[0]
    print()
    print(
        f"{'':58} {'best rows/s':>12} {'median rows/s':>14} {'best s':>7} {'cpu s':>6} "
        f"{'shumao ×':>9} {'paired':>14}"
    )
    for other in runs:
        best = ours.rate(rows, min) / other.rate(rows, min)
        paired = [b.wall / a.wall for a, b in zip(ours.timings, other.timings, strict=True)]
        print(
            f"{other.name:58} {other.rate(rows, min):12,.0f} "
            f"{other.rate(rows, statistics.median):14,.0f} {other.best.wall:7.2f} "
            f"{other.cpu:6.2f} {best:9.2f} "
            f"{min(paired):6.2f}–{max(paired):<6.2f}"
        )
    print(
        "(shumao × = shumao's rows/s ÷ the other's, best runs; paired = the same ratio for "
        "each run, min–max; cpu s = median CPU seconds of this process, all threads — a "
        "PostgreSQL server's work is not in it)"
    )
    print(f"target: ≥ 1.00 against every baseline and ≥ {TARGET_ROWS_PER_S:,} rows/s")
    report_server(runs)
    report_floor(runs)
    fastest = ours.seconds.index(min(ours.seconds))
    print_breakdown(ours.stages[fastest], ours.seconds[fastest])


FLOOR_GOAL = 1.3
"""Issue 21: shumao's PostgreSQL import within 1.3× of a raw ``COPY`` of the same rows."""


def report_floor(runs: list[Runs]) -> None:
    """Wall and CPU of shumao ÷ the raw-``COPY`` floor (keys checked once), run by run."""
    floor = next((r for r in runs if r.name.startswith("raw COPY") and "once" in r.name), None)
    if floor is None:
        return
    ours = runs[0]
    pairs = list(zip(ours.timings, floor.timings, strict=True))
    wall = [a.wall / b.wall for a, b in pairs]
    cpu = [(a.cpu + (a.server or 0)) / (b.cpu + (b.server or 0)) for a, b in pairs]
    print(
        f"\nshumao ÷ {floor.name}: wall {statistics.median(wall):.2f}× (runs "
        f"{', '.join(f'{w:.2f}' for w in wall)}; best ÷ best {ours.best.wall / floor.best.wall:.2f}), "
        f"CPU client + server {statistics.median(cpu):.2f}× (runs {', '.join(f'{c:.2f}' for c in cpu)}); "
        f"goal ≤ {FLOOR_GOAL}×"
    )


def machine() -> str:
    """CPUs and load: wall times on a shared machine are only comparable within one run."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"


def print_breakdown(stages: dict[str, float], total: float) -> None:
    print(f"\nwhere the time goes (fastest shumao run, {total:.2f} s):")
    for _, _, label in STAGES:
        seconds = stages.get(label, 0.0)
        print(f"  {label:44} {seconds:6.2f} s  {100 * seconds / total:5.1f} %")
    accounted = sum(
        stages.get(label, 0.0)
        for label in (
            "parse (total)",
            "write (total, excl. commit)",
            "after commit: monitoring rules",
        )
    )
    print(
        f"  {'other (waiting for the checks, commit)':44} {total - accounted:6.2f} s  "
        f"{100 * (total - accounted) / total:5.1f} %"
    )
    print("  (‖ = in a second thread beside the write: not added to the total)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write files here and keep them")
    parser.add_argument("--pg-only", action="store_true", help="skip the SQLite runs")
    parser.add_argument(
        "--no-pandas", action="store_true", help="skip the old pandas baseline (slowest)"
    )
    parser.add_argument(
        "--with-monitoring",
        action="store_true",
        help="let shumao evaluate the warning rules after its commit, as "
        "`shumao import` does (off: the import alone, as the baselines)",
    )
    args = parser.parse_args()
    os.environ["SHUMAO_MONITOR_ON_CHANGE"] = "true" if args.with_monitoring else "false"
    with tempfile.TemporaryDirectory(prefix="shumao-bench-") as tmp:
        work = args.keep or Path(tmp)
        start = time.perf_counter()
        data = ent_dds_tidy(work, args.rows)
        size = data.csv.stat().st_size / 1e6
        print(
            f"generated {data.rows:,} rows ({size:.0f} MB) in "
            f"{time.perf_counter() - start:.1f} s: {data.csv}"
        )
        print(f"SQLite ({machine()}):")
        if not args.pg_only:
            sqlite = partial(fresh_sqlite, work)
            report(
                run_all(data, sqlite, "SQLite", args.repeat, pandas=not args.no_pandas), data.rows
            )
        pg_url = os.environ.get("SHUMAO_BENCH_PG_URL", "")
        if pg_url:
            print(f"\nPostgreSQL ({machine()}):")
            stores = lambda _: scratch_engine(pg_url, "shumao_bench")  # noqa: E731
            with stores("floor") as engine:
                shumao_import(engine, data)
                floor = stored_rows(engine)
                POSTMASTER[0] = postmaster_pid(engine)
            runs = run_all(
                data, stores, "PostgreSQL", args.repeat, floor, pandas=not args.no_pandas
            )
            report(runs, data.rows)
        print(f"\nafter: {machine()}")


if __name__ == "__main__":
    main()
