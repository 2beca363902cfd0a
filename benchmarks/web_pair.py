"""The explorer under 50 clients served by two checkouts at once, the load alternating between
them: the CPU per request of an old and a new server measured at the same moments.

    SHUMAO_BENCH_PG_URL=… .venv/bin/python benchmarks/web_pair.py --keep /tmp/wl21e \
        --old /work/main/.venv/bin/python --store postgresql --blocks 6 --block 800

Both servers (``shumao serve``, two workers each, the old one run by ``--old``'s interpreter
and so with its checkout, the new one by this interpreter) serve the kept store of
``web_load.py --keep`` (made by it first). Each block sends ``--block`` explorer requests
(ministry, a random enterprise per request, cache misses) from 50 keep-alive clients to one
server, then the next block to the other, the first of each pair alternating: a machine
whose load changes during the run changes both sides alike, where runs one after the other
(``web_load.py``) differ by whatever else ran meanwhile. Per block: the server's CPU (its
supervisor and workers) and PostgreSQL's per request, the p95 and the load; at the end the
median and mean of each side and the new side's difference. ``--old-env``/``--new-env``
``NAME=value,…`` set variables for one side (``SHUMAO_READ_PARALLEL=1`` …).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import web_load as w
from _server_cpu import postmaster_pid, server_cpu, tree_cpu

from shumao.storage.engine import make_engine


@contextmanager
def serving(python: str, url: str, port: int, extra: dict[str, str]) -> Iterator[tuple[int, str]]:
    """``shumao serve`` with two workers run by ``python``: (supervisor pid, base URL)."""
    pids: list[int] = []
    with w.server(url, 2, port, pids, python=python, extra=extra) as base:
        yield pids[0], base


def _env(text: str) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in text.split(",") if kv)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, required=True, help="web_load.py's kept stores")
    parser.add_argument("--old", required=True, help="the old checkout's python")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--blocks", type=int, default=6, help="pairs of blocks")
    parser.add_argument("--block", type=int, default=800, help="requests per block")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--ports", default="56414,56415")
    parser.add_argument("--old-env", default="")
    parser.add_argument("--new-env", default="")
    args = parser.parse_args()
    with w.stores(args.rows, args.keep) as made:
        url = dict(made)["SQLite" if args.store == "sqlite" else "PostgreSQL"]
    codes = w.ready_store(url, args.rows)
    engine = make_engine(url=url)
    postmaster = postmaster_pid(engine)
    engine.dispose()
    path_of, _ = w.scenarios(codes)["explorer"]
    old_port, new_port = (int(p) for p in args.ports.split(","))
    results: dict[str, list[tuple[float, float | None]]] = {"old": [], "new": []}
    print(f"web_pair: {args.store}, {args.blocks} × 2 blocks of {args.block} requests", flush=True)
    with ExitStack() as stack:
        sides = {
            "old": stack.enter_context(serving(args.old, url, old_port, _env(args.old_env))),
            "new": stack.enter_context(serving(sys.executable, url, new_port, _env(args.new_env))),
        }
        cookies = {side: w.ministry_cookies(base) for side, (_, base) in sides.items()}
        for side, (_, base) in sides.items():  # warm both: first requests, connections, caches
            w.warm(base, path_of(random.Random(0)), cookies[side], 2)
            w.hammer_http(base, path_of, cookies[side], 50, 300, 60, seed=5)
        for block in range(args.blocks):
            for side in ("old", "new") if block % 2 == 0 else ("new", "old"):
                pid, base = sides[side]
                own, db = tree_cpu(pid), server_cpu(postmaster)
                seed = 1000 + block * 13 + (side == "new")
                run = w.hammer_http(base, path_of, cookies[side], 50, args.block, 60, seed=seed)
                own2, db2 = tree_cpu(pid), server_cpu(postmaster)
                n = max(1, len(run.latencies))
                cpu = (own2 - own) / n * 1000
                dbms = None if db is None or db2 is None else (db2 - db) / n * 1000
                results[side].append((cpu, dbms))
                print(
                    f"block {block} {side} load {os.getloadavg()[0]:4.1f} · server CPU "
                    f"{w._cpu_text(cpu, dbms)}/request · p95 {run.pct(0.95):6.1f} ms "
                    f"err={run.errors}",
                    flush=True,
                )
    summary = {}
    for side, found in results.items():
        cpus = [c for c, _ in found]
        dbs = [d for _, d in found if d is not None]
        summary[side] = statistics.median(cpus)
        print(
            f"{side}: server CPU median {statistics.median(cpus):.2f} mean "
            f"{statistics.mean(cpus):.2f} ms/request"
            + (f"; database median {statistics.median(dbs):.2f} ms" if dbs else ""),
            flush=True,
        )
    print(f"new − old (medians): {summary['new'] - summary['old']:+.2f} ms/request", flush=True)


if __name__ == "__main__":
    main()
