"""One PostgreSQL import of 1,000,000 rows and the raw-``COPY`` floor of the same rows, in one
process: the pair to alternate between an old and a new checkout at the same moments.

    SHUMAO_BENCH_PG_URL=… OLD/.venv/bin/python benchmarks/import_pair.py OLD/benchmarks old
    SHUMAO_BENCH_PG_URL=… .venv/bin/python benchmarks/import_pair.py benchmarks new

The first argument is the ``benchmarks`` folder whose ``import_1m.py`` (and so whose shumao,
through that virtualenv) is measured; the line printed holds wall, client and server CPU of
``run_import`` (monitoring off) and of the floor (keys checked once), their ratios and the
load. ``--rows N`` for fewer rows.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmarks", type=Path)
    parser.add_argument("label")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/shumao-import-pair"))
    args = parser.parse_args()
    sys.path.insert(0, str(args.benchmarks.resolve()))
    os.environ["SHUMAO_MONITOR_ON_CHANGE"] = "false"
    # imported here: from the checkout named on the command line, after sys.path names it
    import import_1m as bench
    from _synthetic import ent_dds_tidy

    from shumao.storage.scratch import scratch_engine

    url = os.environ["SHUMAO_BENCH_PG_URL"]
    args.data.mkdir(parents=True, exist_ok=True)
    data = ent_dds_tidy(args.data, args.rows)
    with scratch_engine(url, "shumao_pair") as engine:
        bench.POSTMASTER[0] = bench.postmaster_pid(engine)
        ours, _ = bench.shumao_import(engine, data)
        rows = bench.stored_rows(engine)
    with scratch_engine(url, "shumao_pair") as engine:
        floor = bench.raw_copy(engine, data, rows, keys_once=True)
    total, floor_total = ours.cpu + (ours.server or 0), floor.cpu + (floor.server or 0)
    sys.stdout.write(
        f"{args.label:4} load {os.getloadavg()[0]:5.1f} · shumao wall {ours.wall:6.2f} s, CPU "
        f"{ours.cpu:5.2f} + server {ours.server or 0:5.2f} = {total:5.2f} · floor wall "
        f"{floor.wall:5.2f} s, CPU {floor_total:5.2f} · wall ÷ floor {ours.wall / floor.wall:4.2f}, "
        f"CPU ÷ floor {total / floor_total:4.2f}\n"
    )


if __name__ == "__main__":
    main()
