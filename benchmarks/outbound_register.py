"""The cost of keeping host-economy risk current: filing the demo register with and without
the risk recomputation that every approval runs.

The demo register (30 enterprises, 72 projects, ``demo/outbound``) is filed through the real
workflow (upload → checks → submit → approval) into a fresh SQLite store twice in one process:
  shumao     approval stores the projects and recomputes every host's level (the default)
  baseline   approval stores the projects only (the risk hook removed for the run)
and the 13-entry tracker is loaded into both. Prints CPU seconds of each (best of --repeat),
the ratio, and the load average (the machine is shared).
Run: .venv/bin/python benchmarks/outbound_register.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from shumao.collection.workflow import review
from shumao.outbound import demo, risk, tracker
from shumao.storage.engine import make_engine, upgrade

DEMO = Path(__file__).resolve().parents[1] / "demo" / "outbound"


def run(with_risk: bool) -> float:
    hooks = review.APPROVAL_HOOKS["ODI_A"]
    saved = list(hooks)
    if not with_risk:
        hooks[:] = [h for h in hooks if h is not risk.recompute_on_approval]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(url=f"sqlite:///{tmp}/b.db")
            upgrade(engine)
            start = time.process_time()
            with engine.begin() as conn:
                tracker.load(conn, DEMO / "tracker.yaml")
            assert demo.load(engine, DEMO) == 30
            spent = time.process_time() - start
            engine.dispose()
            return spent
    finally:
        hooks[:] = saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(True)  # warm up (imports, jieba dictionary)
    shumao = min(run(True) for _ in range(args.repeat))
    baseline = min(run(False) for _ in range(args.repeat))
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(
        f"with risk recomputation {shumao:.2f} CPU s, without {baseline:.2f} CPU s, "
        f"ratio {shumao / baseline:.2f}"
    )


if __name__ == "__main__":
    main()
