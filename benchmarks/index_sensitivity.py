"""10,000 (at least) sensitivity replications over the economies' index, under 60 s.

The economies' index (index/frameworks/economies.yaml) is built from the real demo data
(UNCTAD digitally deliverable services, WDI ICT service exports) in a scratch SQLite store;
then ``shumao.index.sensitivity.analyse`` runs the Sobol design of ≥ ``--replications`` runs
over imputation, treatment, normalisation, perturbed weights and aggregation, ranks every
replication and computes the Sobol indices with SALib.

Baseline, same process: the naive Monte Carlo loop COINr runs (``get_sensitivity``
regenerates the coin for every replication) — each replication builds the index again with
the pipeline's own steps and its sampled choices; timed on ``--naive`` replications and
scaled per replication. Prints wall and CPU seconds, the ratio per replication and the load
average; each figure the best of ``--repeat`` runs.
Run: .venv/bin/python benchmarks/index_sensitivity.py [--replications 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from index.conftest import load_index_data  # noqa: E402
from shumao.index import runs  # noqa: E402
from shumao.index.data import Coin  # noqa: E402
from shumao.index.framework import load_framework  # noqa: E402
from shumao.index.pipeline import build  # noqa: E402
from shumao.index.sensitivity import Settings, _choices, _sample, _weight_sets  # noqa: E402
from shumao.storage.engine import make_engine, upgrade  # noqa: E402


def economies() -> Coin:
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(url=f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    load_index_data(engine, ROOT / "demo" / "data")
    fw = load_framework(Path(runs.__file__).with_name("frameworks") / "economies.yaml")
    with engine.connect() as conn:
        coin, _ = runs.compute(conn, fw)
    engine.dispose()
    return coin


def naive(coin: Coin, st: Settings, n: int) -> None:
    """COINr's way: every replication rebuilds the coin from the data with its choices."""
    fw = coin.framework
    choices = _choices(coin, st)
    idx, _ = _sample(st, [len(v) for v in choices.values()])
    wsets = _weight_sets(coin, st)
    raw = coin.dset("Raw")
    keep = coin.dset("Aggregated").units
    for row in idx[:n]:
        imp = choices["impute"][row[0]]
        norm = dict(choices["normalise"][row[2]])
        then = norm.pop("then_range", None)
        if then:  # rank-then-rescale has no single build step; min-max costs the same
            norm = {"method": "minmax", "range": then}
        steps = [
            {"impute": {k: v for k, v in imp.items() if v is not None}},
            {"screen": {"unit_screen": "none", "force": {u: u in keep for u in raw.units}}},
            *([{"treat": {"winmax": 5}}] if choices["treat"][row[1]] else []),
            {"normalise": norm},
            {"aggregate": {"method": choices["aggregate"][row[4]]}},
        ]
        build(fw.with_weights(wsets[row[3]]), raw, coin.units, steps)


def timed(func) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    from shumao.index.sensitivity import analyse

    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    coin = economies()
    units = len(coin.dset("Aggregated").units)
    st = Settings(replications=args.replications)
    results = []
    for _ in range(args.repeat):
        holder: dict[str, object] = {}
        wall, cpu = timed(lambda holder=holder: holder.setdefault("r", analyse(coin, st)))
        results.append((wall, cpu, len(holder["r"].params)))
        print(
            f"shumao: {len(holder['r'].params)} replications × {units} economies in "
            f"{wall:.2f} s (cpu {cpu:.2f} s), Sobol ST aggregate "
            f"{holder['r'].sobol['aggregate']['ST']:.3f} | load {os.getloadavg()[0]:.2f}"
        )
    wall, cpu, n = min(results)
    nw, nc = timed(lambda: naive(coin, st, args.naive))
    per_fast, per_naive = wall / n, nw / args.naive
    print(
        f"naive rebuild per replication: {per_naive * 1000:.2f} ms (cpu "
        f"{nc / args.naive * 1000:.2f} ms) → {n} replications ≈ {per_naive * n:.0f} s | "
        f"shumao per replication {per_fast * 1000:.3f} ms | ratio {per_naive / per_fast:.0f}× "
        f"(cpu {nc / args.naive / (cpu / n):.0f}×) | load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"best: {wall:.2f} s for {n} replications — target < 60 s: "
        f"{'met' if wall < 60 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
