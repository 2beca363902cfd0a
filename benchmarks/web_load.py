"""Load on the web platform: 50 concurrent clients on a store of 10 million observations.

Builds (or reuses, ``--keep``) a store holding the real demo datasets (the overview's
sources) plus 10,000,000 observations of enterprise direct reporting (``ENT_DDS``:
≈19,800 enterprises in the 12 export bases × 12 months × 7 EBOPS items × 3 partners × 2
flows), releases everything, serves it with uvicorn in a separate process
(``shumao.web.asgi:app``, ``--workers``) and sends, over ``--clients`` keep-alive connections
on loopback (bounded by ``--requests`` per scenario and ``--seconds``; each scenario first
sends four requests per connection that are not measured):

* ``overview``  GET /api/overview                         national aggregated view (public)
* ``area``      GET /api/areas/330000                     a province page: the protected
                                                          sums of its ≈5,000 enterprises
* ``explorer``  GET /api/explore?dataflow=ENT_DDS&ref_area=<a random enterprise>&unit=亿美元
                                                          (ministry: per-enterprise rows;
                                                          nearly every request a cache miss)

For each view and run (``--runs``, 3 by default; ``--views`` picks the views) it prints
the load average, p50/p95/max latency, throughput and the **server's CPU per request** (the
uvicorn processes from ``/proc``, plus a local PostgreSQL server's: ``_server_cpu``) and the
**load client's** (this process: it shares the cores) — CPU survives a loaded machine, p95
under load measures the queue. Beside it the **SQL floor**: the
same question answered straight from SQL by the same number of threads, with no application
(no HTTP, no scopes, no JSON), its p95 and its CPU per question (this process's, plus the
PostgreSQL server's): the overview's six store reads; the province's totals as one SQL
``GROUP BY``; for the explorer one hand-written statement (``ENTERPRISE_SQL``: the
enterprise's latest values, rows as the driver gives them) and, as the **old floor** of the
first measurement, ``vintages.read`` (shumao's reader, a polars frame). ``app ÷ floor``: p95
and CPU ratios (below 1: the application's cache answers faster than the database can).
Targets: p95 under 150 ms for the aggregated views (overview, area), under 300 ms for the
explorer; every run of the explorer asks other enterprises (cache misses).

The client: one asyncio loop drives the connections, each sending its next request when the
previous answer is in (``--client asyncio``, the default). The first version used one httpx
client per thread (``--client threads``); with 50 Python threads runnable on two CPUs, a
thread whose answer has arrived waits for the GIL behind the others (5 ms switch interval
each), so that client measured its own queue as much as the server: same server, p95 188–
255 ms with threads. Both are kept so the difference can be seen.

With ``SHUMAO_BENCH_PG_URL`` set (an admin URL, e.g.
``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``) the same runs against a fresh
PostgreSQL database, dropped afterwards (kept with ``--keep``); ``--stores`` picks the stores.

    .venv/bin/python benchmarks/web_load.py [--rows 10000000] [--clients 50]
        [--requests 1500] [--seconds 60] [--workers 2] [--runs 3]
        [--views overview,area,explorer] [--stores sqlite,postgresql] [--port PORT]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import numpy as np
import polars as pl
import yaml
from _server_cpu import postmaster_pid, server_cpu, tree_cpu
from sqlalchemy import Engine, create_engine, func, insert, select, text

from shumao.auth import users
from shumao.auth.scope import Scope
from shumao.collection.tables import enterprise
from shumao.ingest.pipeline import run_import
from shumao.monitor.hooks import after_commit
from shumao.reference import parks
from shumao.release import releases
from shumao.storage import vintages
from shumao.storage.dataflows import all_dataflows
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.tables import observation
from shumao.validation import uscc

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
PRODUCTS = ("SI1", "SI2", "SI3", "SJ1", "SJ2", "SK1", "SH1")
PARTNERS = ("USA", "JPN", "DEU")
FLOWS = ("X", "M")
MONTHS = tuple(f"2024-{m:02d}" for m in range(1, 13))
PER_ENTERPRISE = len(PRODUCTS) * len(PARTNERS) * len(FLOWS) * len(MONTHS)
BATCH_ENTERPRISES = 4_000
PASSWORD = "bench-password-1"
TARGET_P95_MS = 150.0
EXPLORER_P95_MS = 300.0


# --------------------------------------------------------------------------- the store


def enterprise_codes(n: int) -> list[str]:
    return [uscc.make(f"91{i % 9 + 1}00000MA{i:07d}"[:17]) for i in range(n)]


def _enterprise_rows(codes: list[str]) -> list[dict[str, object]]:
    bases = parks.parks()
    now = datetime.now(UTC)
    rows = []
    for i, code in enumerate(codes):
        park = bases[i % len(bases)]
        rows.append(
            {
                "uscc": code,
                "name": f"基准企业{i}",
                "park_code": park.code,
                "city_code": park.city_code,
                "province_code": park.province_code,
                "trade_reporter": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def ent_frame(codes: list[str], seed: int) -> pl.DataFrame:
    """Every (enterprise, month, item, partner, flow) of ``codes``, lognormal values (万美元)."""
    n = len(codes) * PER_ENTERPRISE
    index = np.arange(n, dtype=np.int64)
    flow_i, rest = index % 2, index // 2
    partner_i, rest = rest % 3, rest // 3
    product_i, rest = rest % len(PRODUCTS), rest // len(PRODUCTS)
    month_i, ent_i = rest % 12, rest // 12
    values = np.round(np.random.default_rng(seed).lognormal(3.0, 1.5, n), 2)
    return pl.DataFrame(
        {
            "ref_area": pl.Series(codes).gather(ent_i),
            "counterpart_area": pl.Series(PARTNERS).gather(partner_i),
            "product": pl.Series(PRODUCTS).gather(product_i),
            "flow": pl.Series(FLOWS).gather(flow_i),
            "freq": "M",
            "time_period": pl.Series(MONTHS).gather(month_i),
            "value": values,
            "unit": "USD",
            "unit_mult": 4,
        }
    )


def build_store(engine: Engine, rows: int) -> list[str]:
    """Demo datasets + ``rows`` ENT_DDS observations; everything released; one ministry user."""
    upgrade(engine)
    manifest = yaml.safe_load((DEMO / "manifest.yaml").read_text(encoding="utf-8"))
    for item in manifest["imports"]:
        run_import(
            engine,
            item["source"],
            DEMO / item["file"],
            options=item.get("options"),
            after=after_commit,
        )
    codes = enterprise_codes(-(-rows // PER_ENTERPRISE))
    with engine.begin() as conn:
        conn.execute(insert(enterprise), _enterprise_rows(codes))
    written = 0
    for start in range(0, len(codes), BATCH_ENTERPRISES):
        frame = ent_frame(codes[start : start + BATCH_ENTERPRISES], seed=start).head(rows - written)
        with engine.begin() as conn:
            vintages.write_vintage(
                conn, dataflow_id="ENT_DDS", frame=frame, kind="import", label="benchmark"
            )
        written += frame.height
        print(f"  {written:,} observations", file=sys.stderr)
    with engine.begin() as conn:
        admin = Scope("admin", username="bench")
        for flow in all_dataflows():
            if vintages.list_vintages(conn, flow.id):
                releases.release(conn, scope=admin, dataflow_id=flow.id)
        users.create_user(conn, username="bench-ministry", password=PASSWORD, role="ministry")
    return codes


def store_codes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(enterprise.c.uscc).order_by(enterprise.c.id)).scalars())


def observation_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(observation)).scalar_one())


@contextmanager
def stores(rows: int, keep: Path | None) -> Iterator[list[tuple[str, str]]]:
    """Yield [(backend, url)] for SQLite and, when configured, PostgreSQL."""
    folder = keep or Path(tempfile.mkdtemp(prefix="shumao-web-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    made: list[tuple[str, str]] = [("SQLite", f"sqlite:///{folder / f'web_load_{rows}.db'}")]
    admin_url = os.environ.get("SHUMAO_BENCH_PG_URL", "")
    pg_name = f"shumao_web_load_{rows}" if keep else f"shumao_web_load_{uuid.uuid4().hex[:8]}"
    if admin_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": pg_name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        made.append(("PostgreSQL", admin_url.rsplit("/", 1)[0] + "/" + pg_name))
    try:
        yield made
    finally:
        if admin_url and not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        if not keep:
            for f in folder.glob("web_load_*"):
                f.unlink()


def ready_store(url: str, rows: int) -> list[str]:
    engine = make_engine(url=url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            complete = users.find_user(conn, "bench-ministry") is not None  # made last
        if complete and observation_count(engine) >= rows:
            print(f"  reusing {url}", file=sys.stderr)
            return store_codes(engine)
        started = time.perf_counter()
        codes = build_store(engine, rows)
        print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return codes
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SHUMAO = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"


@contextmanager
def server(
    url: str,
    workers: int,
    port: int | None = None,
    pids: list[int] | None = None,
    *,
    python: str = sys.executable,
    extra: dict[str, str] | None = None,
) -> Iterator[str]:
    """``shumao serve`` (what a deployment runs: README) serving ``url`` with ``workers``
    processes on 127.0.0.1 (``port`` or a free one), run by ``python`` (another checkout's
    interpreter runs that checkout) with ``extra`` environment variables, its log (uvicorn's
    access lines included) thrown away; the supervisor's pid is appended to ``pids`` when
    given."""
    port = port or free_port()
    env = {
        **os.environ,
        "SHUMAO_DATABASE_URL": url,
        "SHUMAO_ENVIRONMENT": "test",
        "SHUMAO_DATA_DIR": tempfile.mkdtemp(prefix="shumao-web-load-data-"),
        **(extra or {}),
    }
    command = [python, "-c", SHUMAO, "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers are ended with it, whatever happens
    )
    base = f"http://127.0.0.1:{port}"
    if pids is not None:
        pids.append(proc.pid)
    try:
        deadline = time.monotonic() + 600  # a loaded machine takes minutes to import the app
        while True:
            try:
                if httpx.get(f"{base}/api/dataflows", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{python}: the server did not start")
            time.sleep(0.3)
        _all_listening(proc.pid, port, workers if workers > 1 else 0, wait=600)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _all_listening(supervisor: int, port: int, workers: int, wait: float = 120) -> None:
    """Wait until ``workers`` child processes of ``supervisor`` hold a listening socket on
    ``port``: the first worker answers while the others may still be starting, and a warm-up
    they miss would leave their first-request costs in the measured run."""
    deadline = time.monotonic() + wait
    while workers and time.monotonic() < deadline:
        listen = {
            f.split()[9]
            for f in Path("/proc/net/tcp").read_text().splitlines()[1:]
            if f.split()[3] == "0A" and int(f.split()[1].split(":")[1], 16) == port
        }
        held = 0
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
                if stat and int(stat[stat.rindex(")") + 2 :].split()[1]) == supervisor:
                    fds = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
                    held += any(f"socket:[{inode}]" in fds for inode in listen)
            except OSError:
                continue
        if held >= workers:
            return
        time.sleep(0.3)


# --------------------------------------------------------------------------- load


@dataclass
class Run:
    latencies: list[float]
    seconds: float
    errors: int

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def hammer(
    work: Callable[[random.Random], None],
    clients: int,
    requests: int,
    seconds: float,
    seed: int = 0,
) -> Run:
    """``clients`` threads call ``work`` until ``requests`` calls or ``seconds`` have passed
    (thread ``n`` with ``random.Random(seed * 1000 + n)``)."""
    latencies: list[float] = []
    errors = [0]
    left = [requests]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        while time.monotonic() < stop_at:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            try:
                work(rng)
            except Exception:
                with lock:
                    errors[0] += 1
                continue
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Run(latencies, time.perf_counter() - began, errors[0])


def http_work(
    base: str, path_of: Callable[[random.Random], str], cookies: dict[str, str], clients: int
) -> Callable[[random.Random], None]:
    local = threading.local()

    def work(rng: random.Random) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, cookies=cookies, timeout=120)
        r = local.client.get(path_of(rng))
        if r.status_code != 200:
            raise RuntimeError(f"{r.status_code} {r.text[:200]}")

    return work


async def _connection(
    host: str,
    port: int,
    path_of: Callable[[random.Random], str],
    cookie: str,
    n: int,
    budget: list[int],
    stop_at: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    """One keep-alive HTTP/1.1 connection sending requests one after another."""
    rng = random.Random(n)
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while budget[0] > 0 and time.monotonic() < stop_at:
            budget[0] -= 1
            target = quote(path_of(rng), safe="/?&=")
            request = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors[0] += 1
    finally:
        writer.close()


def hammer_http(
    base: str,
    path_of: Callable[[random.Random], str],
    cookies: dict[str, str],
    clients: int,
    requests: int,
    seconds: float,
    seed: int = 0,
) -> Run:
    """``clients`` keep-alive connections driven by one asyncio loop (see the docstring);
    connection ``n`` draws its requests from ``random.Random(seed * 1000 + n)``."""
    split = urlsplit(base)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    latencies: list[float] = []
    errors = [0]

    async def run() -> float:
        budget, stop_at = [requests], time.monotonic() + seconds
        began = time.perf_counter()
        await asyncio.gather(
            *(
                _connection(
                    split.hostname or "127.0.0.1",
                    split.port or 80,
                    path_of,
                    cookie,
                    seed * 1000 + n,
                    budget,
                    stop_at,
                    latencies,
                    errors,
                )
                for n in range(clients)
            )
        )
        return time.perf_counter() - began

    took = asyncio.run(run())
    return Run(latencies, took, errors[0])


def ministry_cookies(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=120) as c:  # argon2 on a loaded machine
        r = c.post("/api/auth/login", json={"username": "bench-ministry", "password": PASSWORD})
        r.raise_for_status()
        return dict(c.cookies)


# --------------------------------------------------------------------------- floors


OVERVIEW_READS = (
    ("UNCTAD_DDS", {"ref_area": ["CHN"], "counterpart_area": ["WLD"], "product": ["DD"]}),
    (
        "BATIS",
        {
            "ref_area": ["CHN"],
            "counterpart_area": ["WLD"],
            "product": ["S", "SF", "SG", "SH", "SI", "SJ", "SK"],
        },
    ),
    ("MOFCOM_REPORT", {"flow": ["T"], "indicator": ["VALUE"]}),
    ("UNCTAD_DDS", {"counterpart_area": ["WLD"], "product": ["DD"], "flow": ["X", "M"]}),
    ("WTO_DDS", {"ref_area": ["CHN"], "counterpart_area": ["WLD"]}),
    ("MOFCOM_REPORT", {"ref_area": [p.code for p in parks.parks()], "flow": ["T", "X"]}),
)

PROVINCE_SQL = text("""
    SELECT o.time_period, s.flow, SUM(o.value)
    FROM observation o JOIN series s ON s.id = o.series_id
    JOIN enterprise e ON e.uscc = s.ref_area
    WHERE s.dataflow_id = 'ENT_DDS' AND e.province_code = :province
    GROUP BY o.time_period, s.flow
""")


ENTERPRISE_SQL = text("""
    SELECT s.ref_area, s.counterpart_area, s.product, s.flow, s.indicator, s.freq,
           o.time_period, o.value, o.unit, o.unit_mult, o.obs_status, o.conf_status, o.vintage_id
    FROM observation o JOIN series s ON s.id = o.series_id
    WHERE s.dataflow_id = 'ENT_DDS' AND s.ref_area = :code
      AND o.vintage_id = (SELECT MAX(o2.vintage_id) FROM observation o2
                          WHERE o2.series_id = o.series_id AND o2.time_period = o.time_period)
    ORDER BY s.counterpart_area, s.product, s.flow, o.time_period
""")
"""The explorer's question written by hand: one enterprise's latest values, one statement."""


def floor_work(engine: Engine, kind: str, codes: list[str]) -> Callable[[random.Random], None]:
    """The question straight from SQL. ``explorer``: the hand-written statement, rows as the
    driver gives them (the strongest floor); ``explorer-old``: ``vintages.read`` (the floor
    of the first measurement: shumao's own reader, a polars frame)."""

    def overview(_: random.Random) -> None:
        with engine.connect() as conn:
            for flow, where in OVERVIEW_READS:
                vintages.read(conn, flow, where=where)

    def area(_: random.Random) -> None:
        with engine.connect() as conn:
            conn.execute(PROVINCE_SQL, {"province": "330000"}).all()

    def explorer(rng: random.Random) -> None:
        with engine.connect() as conn:
            conn.execute(ENTERPRISE_SQL, {"code": rng.choice(codes)}).all()

    def explorer_old(rng: random.Random) -> None:
        with engine.connect() as conn:
            vintages.read(conn, "ENT_DDS", where={"ref_area": [rng.choice(codes)]})

    works = {"overview": overview, "area": area, "explorer": explorer}
    return {**works, "explorer-old": explorer_old}[kind]


# --------------------------------------------------------------------------- main


def scenarios(codes: list[str]) -> dict[str, tuple[Callable[[random.Random], str], bool]]:
    """name → (path for a request, needs the ministry's session)."""
    return {
        "overview": (lambda _: "/api/overview", False),
        "area": (lambda _: "/api/areas/330000", False),
        "explorer": (
            lambda rng: (
                f"/api/explore?dataflow=ENT_DDS&unit=亿美元&size=50&ref_area={rng.choice(codes)}"
            ),
            True,
        ),
    }


def warm(base: str, path: str, cookies: dict[str, str], workers: int) -> float:
    """Seconds of the first (uncached) request; then enough requests to warm every worker."""
    started = time.perf_counter()
    httpx.get(base + path, cookies=cookies, timeout=600).raise_for_status()
    cold = time.perf_counter() - started
    for _ in range(workers * 6):
        httpx.get(base + path, cookies=cookies, timeout=600).raise_for_status()
    return cold


@dataclass
class Cpu:
    """CPU seconds so far of the uvicorn processes (``root``) or this process, and of a local
    PostgreSQL server (``_server_cpu``; ``None`` when not local or SQLite)."""

    root: int | None
    postmaster: int | None

    def read(self) -> tuple[float, float | None]:
        own = tree_cpu(self.root) if self.root else time.process_time()
        return own, server_cpu(self.postmaster)


def timed(cpu: Cpu, run: Callable[[], Run]) -> tuple[Run, float, float | None]:
    """``run()`` and its CPU ms per request: (run, app or client, database server)."""
    own, db = cpu.read()
    done = run()
    own2, db2 = cpu.read()
    n = max(1, len(done.latencies))
    return (
        done,
        (own2 - own) / n * 1000,
        None if db is None or db2 is None else (db2 - db) / n * 1000,
    )


def measure(backend: str, url: str, codes: list[str], args: argparse.Namespace) -> None:
    engine = make_engine(url=url)
    if engine.dialect.name == "postgresql":
        engine.dispose()
        engine = create_engine(url, pool_size=args.clients, max_overflow=0)
    postmaster = postmaster_pid(engine)
    pids: list[int] = []
    with server(url, args.workers, args.port, pids) as base:
        cookies = ministry_cookies(base)
        for name, (path_of, needs_login) in scenarios(codes).items():
            if name not in args.views:
                continue
            jar = cookies if needs_login else {}
            cold = warm(base, path_of(random.Random(0)), jar, args.workers)
            for run in range(1, args.runs + 1):
                shift = run * 7919  # every run asks other enterprises (cache misses)
                began = time.process_time()
                app = timed(
                    Cpu(pids[0], postmaster), partial(load, base, path_of, jar, args, shift)
                )
                client = (time.process_time() - began) / max(1, len(app[0].latencies)) * 1000
                kinds = [name, "explorer-old"] if name == "explorer" else [name]
                floors = [
                    (
                        k,
                        timed(
                            Cpu(None, postmaster), partial(floor_run, engine, k, codes, args, shift)
                        ),
                    )
                    for k in kinds
                ]
                report(backend, name, run, app, floors, cold, client)
                if name == "explorer":
                    solo_floor(engine, codes, postmaster, app, shift)
    engine.dispose()


def solo_floor(
    engine: Engine,
    codes: list[str],
    postmaster: int | None,
    app: tuple[Run, float, float | None],
    seed: int,
    questions: int = 300,
) -> None:
    """The SQL floor's CPU per question asked by one thread, one question after another: what
    the statement itself costs (the floor's 50 threads in one process also pay for the GIL they
    contend for, ≈7× this on SQLite) and the application's CPU per request against it."""
    work = floor_work(engine, "explorer", codes)
    rng = random.Random(seed + 3)
    cpu = Cpu(None, postmaster)
    own, db = cpu.read()
    for _ in range(questions):
        work(rng)
    own2, db2 = cpu.read()
    f_own = (own2 - own) / questions * 1000
    f_db = None if db is None or db2 is None else (db2 - db) / questions * 1000
    _, a_own, a_db = app
    print(
        f"  floor, 1 thread  n={questions:5} client CPU {_cpu_text(f_own, f_db)}/question · "
        f"app ÷ floor: CPU {(a_own + (a_db or 0)) / (f_own + (f_db or 0)):5.2f}×",
        flush=True,
    )


def load(
    base: str,
    path_of: Callable[[random.Random], str],
    jar: dict[str, str],
    args: argparse.Namespace,
    shift: int,
) -> Run:
    """The application under ``args.clients`` connections (first four requests each unmeasured)."""
    if args.client == "threads":
        work = http_work(base, path_of, jar, args.clients)
        hammer(work, args.clients, args.clients * 4, args.seconds)  # connect each one
        return hammer(work, args.clients, args.requests, args.seconds)
    hammer_http(base, path_of, jar, args.clients, args.clients * 4, args.seconds, seed=shift)
    return hammer_http(
        base, path_of, jar, args.clients, args.requests, args.seconds, seed=shift + 1
    )


def floor_run(
    engine: Engine, kind: str, codes: list[str], args: argparse.Namespace, seed: int
) -> Run:
    work = floor_work(engine, kind, codes)
    return hammer(work, args.clients, args.requests, args.seconds, seed=seed + 2)


def _cpu_text(own: float, db: float | None) -> str:
    return f"{own:6.2f} ms" + ("" if db is None else f" + database {db:6.2f} ms")


def report(
    backend: str,
    name: str,
    run: int,
    app: tuple[Run, float, float | None],
    floors: list[tuple[str, tuple[Run, float, float | None]]],
    cold: float,
    client: float,
) -> None:
    """One run's lines; ``client``: this process's CPU per request while it sent the load
    (the load client shares the cores with the server: its CPU is part of the queue)."""
    done, own, db = app
    verdict = ""
    if name in ("overview", "area"):
        verdict = "  ✓ p95 < 150 ms" if done.pct(0.95) < TARGET_P95_MS else "  ✗ p95 ≥ 150 ms"
    if name == "explorer":
        verdict = "  ✓ p95 < 300 ms" if done.pct(0.95) < EXPLORER_P95_MS else "  ✗ p95 ≥ 300 ms"
    load_avg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{backend:10} {name:9} run {run} · load {load_avg} · cold {cold * 1000:.0f} ms\n"
        f"  app          n={len(done.latencies):5} p50={done.pct(0.5):7.1f} ms "
        f"p95={done.pct(0.95):7.1f} ms max={done.pct(1.0):7.1f} ms {done.throughput:6.1f} req/s "
        f"err={done.errors} · server CPU {_cpu_text(own, db)}/request · "
        f"load client CPU {client:5.2f} ms/request{verdict}",
        flush=True,
    )
    for kind, (floor, f_own, f_db) in floors:
        title = {"explorer-old": "old floor"}.get(kind, "SQL floor")
        print(
            f"  {title:12} n={len(floor.latencies):5} p50={floor.pct(0.5):7.1f} ms "
            f"p95={floor.pct(0.95):7.1f} ms {floor.throughput:6.1f} q/s · client CPU "
            f"{_cpu_text(f_own, f_db)}/question · app ÷ floor: p95 "
            f"{done.pct(0.95) / floor.pct(0.95):5.2f}× CPU "
            f"{(own + (db or 0)) / (f_own + (f_db or 0)):5.2f}×",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1500, help="per scenario")
    parser.add_argument("--seconds", type=float, default=60, help="per scenario, at most")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--client",
        choices=("asyncio", "threads"),
        default="asyncio",
        help="asyncio: one loop driving the connections (default); threads: "
        "one httpx client per thread, as the first version did",
    )
    parser.add_argument(
        "--port", type=int, default=None, help="serve on this loopback port (default: a free one)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each view")
    parser.add_argument(
        "--views",
        type=lambda t: t.split(","),
        default=["overview", "area", "explorer"],
        help="comma-separated: overview,area,explorer (default: all three)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep (and reuse) the stores in this folder"
    )
    parser.add_argument(
        "--stores",
        type=lambda t: t.lower().split(","),
        default=["sqlite", "postgresql"],
        help="comma-separated: sqlite,postgresql (default: both; PostgreSQL only with "
        "SHUMAO_BENCH_PG_URL)",
    )
    args = parser.parse_args()
    print(
        f"web_load: {args.rows:,} observations, {args.clients} clients, ≤{args.requests} "
        f"requests or ≤{args.seconds:.0f} s per scenario, {args.workers} workers; "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    with stores(args.rows, args.keep) as made:
        for backend, url in made:
            if backend.lower() not in args.stores:
                continue
            print(f"[{backend}] preparing the store", file=sys.stderr)
            codes = ready_store(url, args.rows)
            measure(backend, url, codes, args)


if __name__ == "__main__":
    main()
