"""The deadline crowd: 200 enterprises log in, upload and submit their quarterly filing within
one minute, while the public overview is being read; then the same with one client uploading
the audit's million-row workbook at the same moment.

The store holds the real demo datasets (the overview's sources, released) and 200 + 1
enterprises with a user each (argon2 at its production cost). uvicorn serves it with two
worker processes on 127.0.0.1:18120. Each filer ``i`` starts at ``i × 0.3 s`` (200 starts in
60 s) and sends: ``POST /api/auth/login``, ``POST /api/filings/upload`` (a CSV of 50–500 lines,
the count drawn per filer from a fixed seed), ``POST /api/filings/{id}/submit``. A 503 is
waited out (``Retry-After``) and retried, as a client should; it is counted. Meanwhile one
reader sends ``GET /api/overview`` every 100 ms.

Printed per run, with the load average: upload and submit p50/p95/max, overview p95, errors
(any 5xx, refused log-in, upload not accepted, dropped connection; the first five listed),
503 retries, and from the store afterwards: filings submitted, lost (a filer
without a submitted filing) and doubled (more than one upload or filing for one filer).
**Baseline**, measured first on the same server: the same steps by one filer at a time
(20 filers, no crowd) and the overview with no load; ``ratio`` = crowd p95 ÷ baseline p95.
Targets: 0 server errors, 0 lost or doubled, upload p95 < 2 s, overview p95 < 150 ms, and the
million-row upload leaving the others' figures where they were.

    .venv/bin/python benchmarks/deadline_crowd.py [--runs 3] [--filers 200] [--seconds 60]
    SHUMAO_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:54312/postgres \\
        .venv/bin/python benchmarks/deadline_crowd.py          # … and on PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import Engine, create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).parent))
from _synthetic import million_row_xlsx
from web_load import server

from shumao.auth import users
from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.auth.scope import Scope
from shumao.collection import registry
from shumao.collection.tables import filing, filing_upload
from shumao.ingest.pipeline import run_import
from shumao.monitor.hooks import after_commit
from shumao.release import releases
from shumao.storage import vintages
from shumao.storage.dataflows import all_dataflows
from shumao.storage.engine import make_engine, upgrade
from shumao.validation import uscc

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
PORT = 18120
PASSWORD = "deadline-crowd-1"
PRODUCTS = (
    "SF1",
    "SF2",
    "SF3",
    "SF4",
    "SG1",
    "SG2",
    "SH1",
    "SH2",
    "SH3",
    "SH4",
    "SI1",
    "SI2",
    "SI3",
    "SJ1",
    "SJ2",
    "SJ3",
    "SK1",
    "SK2",
)
PARTNERS = (
    "USA",
    "JPN",
    "DEU",
    "GBR",
    "FRA",
    "KOR",
    "SGP",
    "HKG",
    "AUS",
    "CAN",
    "ITA",
    "NLD",
    "ESP",
    "CHE",
    "SWE",
    "IND",
    "BRA",
    "RUS",
    "MYS",
    "THA",
    "VNM",
    "IDN",
    "PHL",
    "ARE",
    "SAU",
    "MEX",
    "NZL",
    "IRL",
)
PERIODS = ("2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3")
"""One period per crowd (filings are new in each); the baseline files for 2022-Q4."""


def filer(i: int) -> str:
    return uscc.make(f"91320114MB{i:07d}")


def filing_csv(code: str, period: str, lines: int, seed: int) -> bytes:
    """A filled quarterly form of ``lines`` lines (service item × partner) and its total."""
    rng = random.Random(seed)
    pairs = [(p, c) for c in PARTNERS for p in PRODUCTS][:lines]
    rows = [(p, c, round(rng.uniform(1, 500), 2), round(rng.uniform(0, 50), 2)) for p, c in pairs]
    tx, tm = round(sum(r[2] for r in rows), 2), round(sum(r[3] for r in rows), 2)
    out = [
        "统一社会信用代码,报告期,服务类别,伙伴国家（地区）,出口（万美元）,进口（万美元）,"
        "进出口合计（万美元）,备注",
        f"{code},{period},合计,,{tx:.2f},{tm:.2f},{tx + tm:.2f},",
    ]
    out += [f"{code},{period},{p},{c},{x:.2f},{m:.2f},{x + m:.2f}," for p, c, x, m in rows]
    return ("\n".join(out) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- the store


def build_store(engine: Engine, filers: int) -> None:
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
    admin = Actor("bench", Role.ADMIN)
    with engine.begin() as conn:
        for i in range(filers + 21):  # the crowd, the million-row client, 20 for the baseline
            code = filer(i)
            registry.save_enterprise(
                conn,
                actor=admin,
                record=registry.EnterpriseRecord(
                    uscc=code,
                    name=f"截止日压测企业{i:03d}",
                    park_code="DSEB05",
                    trade_reporter=True,
                ),
            )
            users.create_user(
                conn, username=f"f{i}", password=PASSWORD, role="enterprise", scope=code
            )
        scope = Scope("admin", username="bench")
        for flow in all_dataflows():
            if vintages.list_vintages(conn, flow.id):
                releases.release(conn, scope=scope, dataflow_id=flow.id)


@contextmanager
def stores() -> Iterator[list[tuple[str, str]]]:
    folder = Path(tempfile.mkdtemp(prefix="shumao-deadline-"))
    made = [("SQLite", f"sqlite:///{folder / 'deadline.db'}")]
    admin_url = os.environ.get("SHUMAO_BENCH_PG_URL", "")
    name = f"shumao_deadline_{uuid.uuid4().hex[:8]}"
    if admin_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made = [("PostgreSQL", admin_url.rsplit("/", 1)[0] + "/" + name)]
    try:
        yield made
    finally:
        if admin_url:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        for f in folder.glob("deadline.db*"):
            f.unlink()


# --------------------------------------------------------------------------- the clients


@dataclass
class Tally:
    upload: list[float] = field(default_factory=list)
    submit: list[float] = field(default_factory=list)
    overview: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    big: str = ""
    cpu: float = 0.0
    """Server CPU seconds spent during the scenario (all workers)."""


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _send(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kw: object
) -> httpx.Response:
    for _ in range(20):
        try:
            r = await client.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.TransportError as exc:  # counted, never retried: a POST may have landed
            tally.errors.append(f"{method} {url}: connection {type(exc).__name__}")
            raise
        if r.status_code != 503:
            if r.status_code >= 500:
                tally.errors.append(f"{method} {url}: {r.status_code} {r.text[:200]}")
            return r
        tally.retries += 1
        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
    return r


CLIENT = {"timeout": 900, "limits": httpx.Limits(max_keepalive_connections=0)}
"""A connection per request, as browsers behind proxies often do: on a starved machine a
client resuming after uvicorn's 5 s keep-alive otherwise races the server closing it."""


async def file_one(base: str, i: int, period: str, delay: float, tally: Tally, lines: int) -> None:
    await asyncio.sleep(delay)
    with contextlib.suppress(httpx.TransportError):  # counted in tally.errors by _send
        await _file_one(base, i, period, tally, lines)


async def _file_one(base: str, i: int, period: str, tally: Tally, lines: int) -> None:
    async with httpx.AsyncClient(base_url=base, **CLIENT) as c:  # type: ignore[arg-type]
        r = await _send(
            c, tally, "POST", "/api/auth/login", json={"username": f"f{i}", "password": PASSWORD}
        )
        if r.status_code != 200:
            tally.errors.append(f"login f{i}: {r.status_code} {r.text[:200]}")
            return
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        start = time.perf_counter()
        r = await _send(
            c,
            tally,
            "POST",
            "/api/filings/upload",
            data={"form_id": "DDS_Q", "period": period},
            files={"file": (f"f{i}.csv", filing_csv(filer(i), period, lines, i), "text/csv")},
        )
        tally.upload.append(time.perf_counter() - start)
        body = r.json() if r.status_code == 200 else {}
        if not body.get("accepted"):
            tally.errors.append(f"upload f{i}: {r.status_code} {r.text[:300]}")
            return
        fid = body["filing"]["id"]
        notes = {}
        if body["warnings"]:
            detail = (await c.get(f"/api/filings/{fid}")).json()
            notes = {w["key"]: "数据属实，业务增长" for w in detail["warnings"]}
        start = time.perf_counter()
        r = await _send(
            c, tally, "POST", f"/api/filings/{fid}/submit", json={"explanations": notes}
        )
        tally.submit.append(time.perf_counter() - start)
        if r.status_code != 200:
            tally.errors.append(f"submit f{i}: {r.status_code} {r.text[:300]}")


async def big_one(base: str, i: int, period: str, data: bytes, tally: Tally) -> None:
    await asyncio.sleep(2.0)
    async with httpx.AsyncClient(base_url=base, timeout=900) as c:
        r = await c.post("/api/auth/login", json={"username": f"f{i}", "password": PASSWORD})
        if r.status_code != 200:
            tally.big = f"login {r.status_code} {r.text[:200]}"
            return
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        start = time.perf_counter()
        r = await c.post(
            "/api/filings/upload",
            data={"form_id": "DDS_Q", "period": period},
            files={"file": ("million.xlsx", data, XLSX)},
        )
        codes = [f["code"] for f in r.json().get("findings", [])] if r.status_code == 200 else []
        tally.big = f"{r.status_code} in {time.perf_counter() - start:.1f} s, findings {codes}"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def read_overview(base: str, until: float, tally: Tally) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        while time.monotonic() < until:
            start = time.perf_counter()
            r = await c.get("/api/overview")
            tally.overview.append(time.perf_counter() - start)
            if r.status_code != 200:
                tally.errors.append(f"overview: {r.status_code}")
            await asyncio.sleep(0.1)


async def crowd(
    base: str, filers: list[int], period: str, seconds: float, big: bytes | None = None
) -> Tally:
    tally = Tally()
    rng = random.Random(period)
    step = seconds / max(1, len(filers))
    jobs = [
        file_one(base, i, period, k * step, tally, rng.randint(50, 500))
        for k, i in enumerate(filers)
    ]
    if big is not None:
        jobs.append(big_one(base, max(filers) + 1, period, big, tally))
    reader = asyncio.ensure_future(read_overview(base, time.monotonic() + seconds + 30, tally))
    await asyncio.gather(*jobs)
    reader.cancel()
    return tally


async def one_at_a_time(base: str, filers: list[int], period: str) -> Tally:
    tally = Tally()
    for i in filers:
        await file_one(base, i, period, 0.0, tally, 275)
    await read_overview(base, time.monotonic() + 10, tally)
    return tally


# --------------------------------------------------------------------------- checking


def outcome(url: str, period: str, filers: list[int]) -> str:
    engine = make_engine(url=url)
    codes = {filer(i) for i in filers}
    with engine.connect() as conn:
        rows = conn.execute(
            select(filing.c.uscc, filing.c.status, func.count(filing_upload.c.id))
            .join(filing_upload, filing_upload.c.filing_id == filing.c.id)
            .where(filing.c.period == period)
            .group_by(filing.c.id)
        ).all()
    engine.dispose()
    submitted = {r.uscc for r in rows if r.status == "submitted" and r.uscc in codes}
    doubled = sum(1 for r in rows if r.uscc in codes and r[2] != 1)
    return (
        f"submitted {len(submitted)}/{len(codes)}, lost {len(codes - submitted)}, doubled {doubled}"
    )


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the uvicorn supervisor and its workers so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for p in (pid, *map(int, children)):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def line(name: str, t: Tally, base: Tally | None = None) -> str:
    text = (
        f"{name:<22} upload p50 {pct(t.upload, 0.5):6.0f} p95 {pct(t.upload, 0.95):6.0f} "
        f"max {pct(t.upload, 1):6.0f} ms · submit p95 {pct(t.submit, 0.95):5.0f} ms · "
        f"overview p95 {pct(t.overview, 0.95):5.0f} ms (n={len(t.overview)}) · "
        f"errors {len(t.errors)} · 503 retried {t.retries}"
    )
    if base is not None:
        text += (
            f" · ratio upload {pct(t.upload, 0.95) / pct(base.upload, 0.95):.1f}× "
            f"overview {pct(t.overview, 0.95) / pct(base.overview, 0.95):.1f}×"
        )
    if t.cpu:
        text += f" · server CPU {t.cpu:.0f} s = {t.cpu / max(1, len(t.upload)):.2f} s per filer"
    return text + f" · load {' '.join(f'{x:.1f}' for x in os.getloadavg())}"


def measured(pid: int, scenario: Coroutine[Any, Any, Tally]) -> Tally:
    before = server_cpu(pid)
    tally = asyncio.run(scenario)
    tally.cpu = server_cpu(pid) - before
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--filers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    crowd_ids = list(range(args.filers))
    baseline_ids = list(range(args.filers + 1, args.filers + 21))
    with tempfile.TemporaryDirectory() as tmp:
        big = million_row_xlsx(Path(tmp) / "million.xlsx").read_bytes()
    with stores() as made:
        for backend, url in made:
            started = time.perf_counter()
            build_store(make_engine(url=url), args.filers)
            print(f"== {backend}: store built in {time.perf_counter() - started:.0f} s")
            pids: list[int] = []
            with server(url, 2, args.port, pids) as base:
                base_t = measured(pids[0], one_at_a_time(base, baseline_ids, "2022-Q4"))
                print(line("baseline (one filer)", base_t))
                for run in range(args.runs):
                    period = PERIODS[2 * run]
                    t = measured(pids[0], crowd(base, crowd_ids, period, args.seconds))
                    print(
                        line(f"run {run + 1} crowd", t, base_t),
                        "·",
                        outcome(url, period, crowd_ids),
                    )
                    for e in t.errors[:5]:
                        print("   ", e)
                    period = PERIODS[2 * run + 1]
                    t = measured(pids[0], crowd(base, crowd_ids, period, args.seconds, big))
                    print(
                        line(f"run {run + 1} crowd + 1M", t, base_t),
                        "·",
                        outcome(url, period, crowd_ids),
                        "· million-row upload:",
                        t.big,
                    )
                    for e in t.errors[:5]:
                        print("   ", e)


if __name__ == "__main__":
    main()
