"""The full COINr build (build_example_coin: denominate, impute by group, screen, treat,
normalise, aggregate) with shumao.index against the same steps written plainly in pandas
(tests/index/coinr_plain.py, a line-by-line transcription of COINr's R code), in one run.

Data: COINr's ASEM example (51 economies × 49 indicators, tests/data/coinr_asem) and the
same example grown to ``--scale`` × the units (each copy's values multiplied by a seeded
factor in [0.5, 1.5]) so that the ratio is also seen at the size of the economies' index and
beyond. Both implementations' results are compared (max |Δ| printed). Each timing is the best
of ``--repeat`` runs; CPU seconds and the load average are printed with every figure.
Target: shumao ≥ 5× faster than the plain pandas build.
Run: .venv/bin/python benchmarks/index_build.py [--repeat 3] [--scale 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from index import coinr_plain  # noqa: E402
from shumao.index.coinr import EXAMPLE_BUILD, from_idata  # noqa: E402
from shumao.index.framework import load_framework  # noqa: E402
from shumao.index.pipeline import build  # noqa: E402

ASEM = ROOT / "tests" / "data" / "coinr_asem"


def grown(idata: pd.DataFrame, imeta: pd.DataFrame, scale: int) -> pd.DataFrame:
    if scale == 1:
        return idata
    rng = np.random.default_rng(11)
    numeric = list(imeta[imeta.Type.isin(["Indicator", "Denominator"])].iCode)
    parts = []
    for k in range(scale):
        part = idata.copy()
        part["uCode"] = part["uCode"] + (f"_{k}" if k else "")
        part[numeric] = part[numeric] * rng.uniform(0.5, 1.5, size=(len(part), len(numeric)))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def best(func, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = func()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu), out


def run(scale: int, repeat: int) -> float:
    idata, imeta = coinr_plain.read(str(ASEM / "ASEM_iData.csv"), str(ASEM / "ASEM_iMeta.csv"))
    data = grown(idata, imeta, scale)
    fw = load_framework(ASEM / "ASEM_iMeta.csv")
    frame = pl.from_pandas(data.astype({c: str for c in data.columns}))

    def shumao():  # type: ignore[no-untyped-def]
        raw, units = from_idata(frame, fw)
        return build(fw, raw, units, EXAMPLE_BUILD)

    def plain():  # type: ignore[no-untyped-def]
        return coinr_plain.build(data, imeta)

    w1, c1, coin = best(shumao, repeat)
    w2, c2, stages = best(plain, repeat)
    mine = coin.dset("Aggregated").to_pandas()  # type: ignore[attr-defined]
    theirs = stages["Aggregated"].set_index("uCode")[list(mine.columns)]  # type: ignore[index]
    diff = float(np.nanmax(np.abs(mine.to_numpy() - theirs.to_numpy(dtype=float))))
    load = os.getloadavg()[0]
    print(
        f"{len(data):>6} units × 49 indicators | shumao {w1 * 1000:8.1f} ms (cpu {c1:.3f} s) "
        f"| plain pandas {w2 * 1000:9.1f} ms (cpu {c2:.3f} s) | ratio {w2 / w1:5.1f}× "
        f"(cpu {c2 / c1:5.1f}×) | max |Δ| {diff:.1e} | load {load:.2f}"
    )
    return w2 / w1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=4)
    args = parser.parse_args()
    for scale in sorted({1, args.scale}):
        run(scale, args.repeat)


if __name__ == "__main__":
    main()
