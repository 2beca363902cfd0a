"""The alert list under load: 10,000 open alerts, 50 clients (p95 target < 150 ms).

Builds a store (SQLite file, or a scratch PostgreSQL database with ``SHUMAO_BENCH_PG_URL``)
with ``--alerts`` open alerts spread over the 31 provinces, their cities and parks, the
packaged rules and the four levels, plus a ministry and a province user; serves it
with ``shumao serve --workers`` (what a deployment runs) on loopback and drives ``--clients``
keep-alive connections (``web_load.hammer_http``: one asyncio loop) through:

* ``page``      GET /monitor                       the 监测预警 page (ministry: all 10,000;
                                                   counts, the map, the first 50 rows)
* ``api``       GET /api/alerts?level=<random>     the JSON list, filtered by level
* ``province``  GET /api/alerts                    as the province user (its ≈320 alerts)

and prints, per case, p50/p95/max, throughput and errors, and the **server CPU per request**
(user + system of uvicorn's supervisor and workers from ``/proc``, ÷ requests answered; on
a local PostgreSQL the database server's CPU is printed beside it, "+ database": run it on
a cluster nothing else uses) with the load average, and the **floor**:
the same list question (one page of 50, the total, the counts per level, the worst level per
province) answered straight from SQL by the same number of threads, without the alert-list
cache the routes keep under the alert change token (``web/services/alert_views.py``).
On a loaded machine read the CPU per request: p95 with 50 clients on 2 cores is at least
50 × CPU per request ÷ 2.

    .venv/bin/python benchmarks/alerts_web.py [--alerts 10000] [--clients 50]
        [--requests 1500] [--seconds 60] [--workers 2] [--port N] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

sys.path.insert(0, str(Path(__file__).parent))
from _server_cpu import postmaster_pid, server_cpu, tree_cpu
from web_load import PASSWORD, hammer, hammer_http, server

from shumao.auth import users
from shumao.auth.scope import Scope
from shumao.monitor import queries, rules
from shumao.monitor import tables as t
from shumao.reference import geo, parks
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_database

LEVELS = ("red", "orange", "yellow", "blue")


def build(engine: Engine, n: int) -> None:
    upgrade(engine)
    rng = random.Random(16)
    codes = [r.code for r in rules.packaged().rules]
    provinces = [p.code for p in geo.provinces()]
    all_parks = list(parks.parks())
    now = datetime.now(UTC)
    rows = []
    for i in range(n):
        level = rng.choice(LEVELS)
        if i % 10 == 0:
            park = rng.choice(all_parks)
            area, province, city, pk = park.code, park.province_code, park.city_code, park.code
        else:
            province = rng.choice(provinces)
            area, city, pk = province, None, None
        drop = rng.uniform(20, 90)
        rows.append(
            dict(
                fingerprint=f"bench-{i:06d}",
                rule_code=rng.choice(codes),
                rule_kind="decline",
                ruleset_version=1,
                dataflow="MOFCOM_REPORT",
                series_key=f"MOFCOM_REPORT:{area}.WLD.DD.X.VALUE.A#{i}",
                ref_area=area,
                province=province,
                city=city,
                park=pk,
                level=level,
                rank=rules.LEVELS[level][1],
                state=rng.choice(("firing", "firing", "acknowledged")),
                period=str(2015 + i % 10),
                value=round(100 - drop, 2),
                threshold=20.0,
                message_zh=f"{2015 + i % 10}年某地可数字化交付的服务出口{100 - drop:.2f}亿美元，同比下降"
                f"{drop:.2f}%，超过预警阈值20%",
                message_en=f"down {drop:.2f}% year on year",
                detail={},
                pending_count=1,
                public=False,
                first_seen=now - timedelta(minutes=i),
                last_seen=now,
                fired_at=now - timedelta(minutes=i),
                updated_at=now,
            )
        )
    with engine.begin() as conn:
        for start in range(0, len(rows), 1000):
            conn.execute(insert(t.alert), rows[start : start + 1000])
        for name, role, scope in (
            ("bench-ministry", "ministry", ""),
            ("bench-province", "province", "320000"),
        ):
            users.create_user(conn, username=name, password=PASSWORD, role=role, scope=scope)


def cookies_of(base: str, username: str) -> dict[str, str]:
    import httpx

    with httpx.Client(base_url=base) as c:
        c.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        ).raise_for_status()
        return dict(c.cookies)


def floor(engine: Engine) -> callable:  # type: ignore[valid-type]
    scope = Scope("ministry")

    def work(rng: random.Random) -> None:
        with engine.connect() as conn:
            f = queries.Filters(level=rng.choice(LEVELS))
            queries.rows(conn, scope, f)
            queries.summary(conn, scope, f)  # counts per level, the total, the map

    return work


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=1500)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=None, help="uvicorn's port (default: a free one)")
    ap.add_argument("--runs", type=int, default=3, help="runs of every case (≥ 3)")
    args = ap.parse_args()
    pg = os.environ.get("SHUMAO_BENCH_PG_URL", "")
    if pg:
        with scratch_database(pg, "shumao_bench_alerts") as url:
            run(url, args, "postgresql")
    else:
        with tempfile.TemporaryDirectory(prefix="shumao-alerts-") as tmp:
            run(f"sqlite:///{tmp}/shumao.db", args, "sqlite")


def run(url: str, args: argparse.Namespace, backend: str) -> None:
    engine = make_engine(url=url)
    build(engine, args.alerts)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(t.alert)).scalar_one()
    print(f"[{backend}] {n:,} open alerts · {args.clients} clients · load {os.getloadavg()[0]:.2f}")
    pids: list[int] = []
    postmaster = postmaster_pid(engine)  # the database server's CPU too, when it is local
    with server(url, args.workers, args.port, pids) as base:
        jars = {
            "ministry": cookies_of(base, "bench-ministry"),
            "province": cookies_of(base, "bench-province"),
        }
        cases = {
            "page": (lambda _r: "/monitor", "ministry"),
            "api": (lambda r: f"/api/alerts?level={r.choice(LEVELS)}", "ministry"),
            "province": (lambda _r: "/api/alerts", "province"),
        }
        for run_no, (name, (path_of, who)) in product(range(1, args.runs + 1), cases.items()):
            if run_no == 1:
                hammer_http(base, path_of, jars[who], args.clients, args.clients * 4, 30)  # warm
            cpu, db = tree_cpu(pids[0]), server_cpu(postmaster)
            done = hammer_http(base, path_of, jars[who], args.clients, args.requests, args.seconds)
            answered = max(1, len(done.latencies))
            per = (tree_cpu(pids[0]) - cpu) / answered * 1000
            db_after = server_cpu(postmaster)
            in_db = (
                ""
                if db is None or db_after is None
                else f" + database {(db_after - db) / answered * 1000:4.2f}"
            )
            print(
                f"  run {run_no} {name:9s} p50 {done.pct(0.5):7.1f} ms  "
                f"p95 {done.pct(0.95):7.1f} ms  max {done.pct(1.0):7.1f} ms  "
                f"{done.throughput:6.1f} req/s  errors {done.errors}"
                f"  server CPU {per:5.2f}{in_db} ms/request · load {os.getloadavg()[0]:.2f}"
            )
    for run_no in range(1, args.runs + 1):
        cpu = time.process_time()
        base_floor = hammer(floor(engine), args.clients, args.requests, args.seconds)
        per = (time.process_time() - cpu) / max(1, len(base_floor.latencies)) * 1000
        print(
            f"  run {run_no} floor     p50 {base_floor.pct(0.5):7.1f} ms  "
            f"p95 {base_floor.pct(0.95):7.1f} ms CPU {per:5.2f} ms/question "
            f"(the list question straight from SQL, {args.clients} "
            f"threads) · load {os.getloadavg()[0]:.2f}"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
