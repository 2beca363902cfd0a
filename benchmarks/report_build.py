"""The 2022 report in all four formats: time per format, cold and with the caches.

Baseline: a cold build (empty chart and PDF caches) in the same process. Measured, each 3×:

* cold        — every chart drawn, the PDF laid out by WeasyPrint;
* charts      — charts from the cache, the PDF laid out again (its cache emptied);
* warm        — nothing changed: charts and the PDF from the cache (the second build).

Prints wall and CPU seconds per stage (data + assembly, HTML, PDF, DOCX, XLSX), the load
average, and the ratio cold ÷ warm (the issue asks ≥ 3×) and cold ÷ charts.
Run: ``.venv/bin/python benchmarks/report_build.py``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from shumao.ingest.pipeline import run_import
from shumao.monitor.hooks import after_commit
from shumao.report.build import Request, build
from shumao.storage.engine import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
PASSAGES = DEMO / "report" / "2022" / "passages"

RUNS = 3
STAGES = ("data", "html", "pdf", "docx", "xlsx")


def load_report_data(engine) -> None:  # type: ignore[no-untyped-def]
    """The data the 2022 report is built from (the demo's real files)."""
    data = DEMO / "data"
    run_import(
        engine, "unctad-sdmx", data / "unctad_digital_economy_raw_export.csv", after=after_commit
    )
    run_import(engine, "wto-dds", data / "wto_dds_china_usa_2005_2025.csv", after=after_commit)
    for path in sorted((data / "report2022").glob("*.csv")):
        run_import(engine, "report2022", path, after=after_commit)


def timed_build(engine, out: Path, cache: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    marks: list[tuple[str, float, float]] = [("start", time.perf_counter(), time.process_time())]

    def progress(stage: str, done: int, total: int) -> None:
        if stage in STAGES[1:] or stage == "done":
            marks.append((stage, time.perf_counter(), time.process_time()))

    build(
        engine,
        Request(
            2022,
            passages=PASSAGES,
            out_dir=out,
            cache_dir=cache,
            formats=("html", "pdf", "docx", "xlsx"),
        ),
        progress,
    )
    names = ["data", *[m[0] for m in marks[1:-1]]]
    out_times = {f"{n}_wall": marks[i + 1][1] - marks[i][1] for i, n in enumerate(names)}
    out_times |= {f"{n}_cpu": marks[i + 1][2] - marks[i][2] for i, n in enumerate(names)}
    out_times["total_wall"] = marks[-1][1] - marks[0][1]
    out_times["total_cpu"] = marks[-1][2] - marks[0][2]
    return out_times


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="shumao-report-bench-"))
    try:
        engine = make_engine(url=f"sqlite:///{work / 'store.db'}")
        upgrade(engine)
        load_report_data(engine)
        results: dict[str, list[dict[str, float]]] = {"cold": [], "charts": [], "warm": []}
        for run in range(RUNS):
            cache = work / f"cache{run}"
            results["cold"].append(timed_build(engine, work / "out", cache))
            shutil.rmtree(cache / "pdf")
            results["charts"].append(timed_build(engine, work / "out", cache))
            results["warm"].append(timed_build(engine, work / "out", cache))
        report(results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(results: dict[str, list[dict[str, float]]]) -> None:
    load = os.getloadavg()
    print(
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} · {os.cpu_count()} cores · "
        f"median of {RUNS} runs (seconds)"
    )
    print(f"{'build':8} " + " ".join(f"{s:>13}" for s in (*STAGES, "total")))
    for kind, runs in results.items():
        cells = []
        for stage in (*STAGES, "total"):
            wall = statistics.median(r.get(f"{stage}_wall", 0.0) for r in runs)
            cpu = statistics.median(r.get(f"{stage}_cpu", 0.0) for r in runs)
            cells.append(f"{wall:6.2f}/{cpu:5.2f}c")
        print(f"{kind:8} " + " ".join(f"{c:>13}" for c in cells))
    med = {k: statistics.median(r["total_cpu"] for r in v) for k, v in results.items()}
    wall = {k: statistics.median(r["total_wall"] for r in v) for k, v in results.items()}
    print(
        f"cold ÷ warm: {med['cold'] / med['warm']:.1f}× CPU, {wall['cold'] / wall['warm']:.1f}× "
        f"wall · cold ÷ charts cached: {med['cold'] / med['charts']:.2f}× CPU"
    )


if __name__ == "__main__":
    main()
