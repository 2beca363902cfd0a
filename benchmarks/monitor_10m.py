"""Every warning rule over the 10-million-observation cube: shumao against plain pandas.

The cube of ``aggregate_10m.py`` (30,000 enterprises × 12 months × 7 EBOPS items × 2 partners
× 2 flows, 10,080,000 observations) is rolled up once along the geography and the EBOPS tree
(not timed: that is ``aggregate_10m.py``'s figure). The rules then run over **every series at
every level** — the enterprises' own cells and every park, county, city, province, region and
nation × item level × partner × flow:

* decline (period on period; year on year finds no prior year in one year of months),
  consecutive declines, partner concentration (HHI, top share), balance turning negative,
  a province's share of the nation falling;
* robust growth outliers against peers and along the series (Hampel), CUSUM level shifts,
  STL residuals (no series has the two seasons STL needs: it is run and finds none).

Engines, in the same process, on the same frame:

* **shumao** — ``shumao.monitor.detectors`` (polars expressions, the Hampel window and the
  CUSUM as shifted arrays and cumulative minima: no loop over series);
* **pandas** — the same rules written plainly in pandas: ``groupby`` + ``shift`` / ``pct_change``
  / ``rolling``, and ``groupby.apply`` with a loop where a rule is a recursion (CUSUM) or a
  window statistic pandas has no method for (Hampel's MAD around the window median).

Hit counts are cross-checked. Prints seconds (wall and CPU), the ratio pandas ÷ shumao (target
≥ 5) and shumao's wall time (target < 60 s), with the load average.

    .venv/bin/python benchmarks/monitor_10m.py [--enterprises 30000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from aggregate_10m import make_cube

from shumao.compute import aggregate as agg
from shumao.monitor import rules
from shumao.monitor.detectors import anomaly, change, common
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA

SERIES = list(DIMENSIONS)
TARGET_SECONDS, TARGET_RATIO = 60.0, 5.0


def the_rules() -> dict[str, rules.Rule]:
    packaged = rules.packaged()
    pop = packaged.get("decline-yoy")
    assert pop is not None
    kinds = ("consecutive", "concentration", "balance", "share_falling", "outlier", "cusum", "stl")
    out = {
        r.code: r for r in packaged.rules if r.kind in kinds and r.code != "item-concentration"
    }  # partners: one HHI rule
    out["decline-pop"] = rules.Rule(
        **{**pop.__dict__, "code": "decline-pop", "params": {"mode": "pop", "threshold_pct": 20}}
    )
    out["consecutive-declines"] = rules.Rule(
        **{**out["consecutive-declines"].__dict__, "params": {"n": 3}}
    )
    out["level-shift"] = rules.Rule(
        **{**out["level-shift"].__dict__, "params": {"k": 0.5, "h": 4.0, "min_points": 8}}
    )
    return out


def cube_frame(n: int) -> pl.DataFrame:
    cube = make_cube(n)
    cells = agg.rollup(cube.frame, [cube.geo, cube.products], include_leaves=True)
    return cells.select(list(FRAME_SCHEMA)).filter(pl.col("value").is_not_null())


RULE_CPU: dict[str, float] = {}
"""CPU seconds of ``prepare`` and of each rule in the last shumao run."""


def run_shumao(frame: pl.DataFrame, rs: dict[str, rules.Rule]) -> dict[str, int]:
    kinds = {
        "decline": lambda f, r: change.decline(f, r, "ENT_DDS"),
        "consecutive": lambda f, r: change.consecutive(f, r, "ENT_DDS"),
        "concentration": lambda f, r: change.concentration(f, r, "ENT_DDS"),
        "balance": lambda f, r: change.balance(f, r, "ENT_DDS"),
        "share_falling": lambda f, r: change.share_falling(f, r, "ENT_DDS"),
        "outlier": lambda f, r: anomaly.outlier(f, r, "ENT_DDS"),
        "cusum": lambda f, r: anomaly.cusum(f, r, "ENT_DDS"),
        "stl": lambda f, r: anomaly.stl(f, r, "ENT_DDS"),
    }
    cpu = time.process_time()
    frame = common.prepare(frame)  # once: series ids, order, growth (timed with the rules)
    RULE_CPU["prepare"] = time.process_time() - cpu
    out = {}
    for code, r in rs.items():
        cpu = time.process_time()
        out[code] = kinds[r.kind](frame, r).height
        RULE_CPU[code] = time.process_time() - cpu
    return out


# --------------------------------------------------------------------------- pandas


def run_pandas(df: pd.DataFrame, rs: dict[str, rules.Rule]) -> dict[str, int]:
    df = df.sort_values([*SERIES, "time_period"], kind="stable").reset_index(drop=True)
    g = df.groupby(SERIES, sort=False)
    prev = g["value"].shift(1)
    last = ~df.duplicated(SERIES, keep="last")
    out = {"decline-pop": _pd_decline(df, last)}
    down = (df["value"] < prev).astype(int)
    block = (down == 0).groupby([df[c] for c in SERIES], sort=False).cumsum()
    run = down.groupby([*[df[c] for c in SERIES], block], sort=False).cumsum()
    out["consecutive-declines"] = int(((run >= 3) & last).sum())
    out["partner-concentration"] = _pd_concentration(df, rs["partner-concentration"])
    out["balance-negative"] = _pd_balance(df)
    out["province-share-falling"] = _pd_share(df, rs["province-share-falling"])
    r = np.log(df["value"] / prev).where((df["value"] > 0) & (prev > 0))
    out["growth-outlier"] = _pd_outlier(df.assign(r=r), rs["growth-outlier"])
    out["level-shift"] = _pd_cusum(df.assign(r=r), rs["level-shift"])
    out["seasonal-residual"] = 0  # no series has two seasons: nothing to decompose
    return out


def _pd_decline(df: pd.DataFrame, last: pd.Series) -> int:
    """The latest month against the month before (not the row before: a month may be missing)."""
    latest = df.loc[last, [*SERIES, "time_period", "value"]]
    month = pd.PeriodIndex(latest["time_period"], freq="M") - 1
    latest = latest.assign(time_period=month.strftime("%Y-%m"))
    before = latest.merge(df[[*SERIES, "time_period", "value"]], on=[*SERIES, "time_period"])
    return int(((before["value_x"] / before["value_y"] - 1) * 100 <= -20).sum())


def _pd_concentration(df: pd.DataFrame, rule: rules.Rule) -> int:
    parts = df[(df["value"] > 0) & ~df["counterpart_area"].isin(["WLD", "_Z", "_T"])]
    keys = [d for d in SERIES if d != "counterpart_area"]
    latest = parts.groupby(keys)["time_period"].transform("max")
    parts = parts[parts["time_period"] == latest]
    share = parts["value"] / parts.groupby(keys)["value"].transform("sum") * 100
    agg_ = parts.assign(s2=share**2, s=share).groupby(keys).agg(hhi=("s2", "sum"), top=("s", "max"))
    return int(
        (
            (agg_["hhi"] >= rule.params["hhi"])
            | (agg_["top"] >= rule.params.get("top_share_pct", 100))
        ).sum()
    )


def _pd_balance(df: pd.DataFrame) -> int:
    keys = [d for d in SERIES if d != "flow"]
    wide = df[df["flow"].isin(["X", "M"])].pivot_table(
        index=[*keys, "time_period"], columns="flow", values="value", aggfunc="first"
    )
    bal = (wide["X"] - wide["M"]).dropna().reset_index(name="b")
    bal["prev"] = bal.groupby(keys, sort=False)["b"].shift(1)
    last = bal.groupby(keys, sort=False).tail(1)
    return int(((last["b"] < 0) & (last["prev"] >= 0)).sum())


def _pd_share(df: pd.DataFrame, rule: rules.Rule) -> int:
    n = int(rule.params["n"])
    prov = df[df["ref_area"].str.fullmatch(r"\d{2}0000")].copy()
    keys = [d for d in SERIES if d != "ref_area"]
    prov["share"] = (
        prov["value"] / prov.groupby([*keys, "time_period"])["value"].transform("sum") * 100
    )
    prov = prov.sort_values([*SERIES, "time_period"])
    g = prov.groupby(SERIES, sort=False)["share"]
    falls = (
        (g.diff() < 0)
        .astype(int)
        .groupby([prov[c] for c in SERIES], sort=False)
        .transform(lambda s: s.rolling(n).sum())
    )
    then = g.shift(n)
    ok = (falls == n) & (then - prov["share"] >= rule.params.get("min_drop_pp", 0))
    return int((ok & ~prov.duplicated(SERIES, keep="last")).sum())


def _pd_outlier(df: pd.DataFrame, rule: rules.Rule) -> int:
    d = df.dropna(subset=["r"]).copy()
    code = d["ref_area"]
    d["kind"] = np.select(
        [
            code.str.startswith("DSEB"),
            code.str.fullmatch(r"\d{2}0000"),
            code.str.fullmatch(r"\d{6}"),
            code.str.len() == 18,
        ],
        ["park", "province", "local", "enterprise"],
        "other",
    )
    group = [x for x in SERIES if x != "ref_area"] + ["time_period", "kind"]
    med = d.groupby(group)["r"].transform("median")
    mad = (d["r"] - med).abs().groupby([d[c] for c in group]).transform("median")
    z = (d["r"] - med) / (1.4826 * mad)
    peers = d.groupby(group)["r"].transform("size")
    peer_hit = (
        (peers >= rule.params.get("min_peers", 4))
        & np.isfinite(z)
        & (z.abs() >= rule.params["peer_t"])
    )
    k, t = int(rule.params.get("hampel_window", 2)), float(rule.params.get("hampel_t", 3))

    def hampel(s: pd.Series) -> pd.Series:
        x = s.to_numpy()
        flags = np.zeros(len(x), dtype=bool)
        for i in range(k, len(x) - k):
            w = x[i - k : i + k + 1]
            m = np.median(w)
            scale = 1.4826 * np.median(np.abs(w - m))
            flags[i] = scale > 0 and abs(x[i] - m) > t * scale
        return pd.Series(flags, index=s.index)

    series_hit = d.groupby(SERIES, sort=False, group_keys=False)["r"].apply(hampel)
    flagged = d[peer_hit | series_hit.reindex(d.index, fill_value=False)]
    return int(flagged[SERIES].drop_duplicates().shape[0])


def _pd_cusum(df: pd.DataFrame, rule: rules.Rule) -> int:
    k, h, need = rule.params["k"], rule.params["h"], rule.params["min_points"]

    def crosses(s: pd.Series) -> bool:
        r = s.dropna().to_numpy()
        if len(r) < need - 1:
            return False
        med = np.median(r)
        mad = np.median(np.abs(r - med))
        if mad == 0:
            return False
        z = (r - med) / (1.4826 * mad)
        up = down = 0.0
        for v in z:
            up, down = max(0.0, up + v - k), max(0.0, down - v - k)
            if up > h or down > h:
                return True
        return False

    return int(df.groupby(SERIES, sort=False)["r"].apply(crosses).sum())


# --------------------------------------------------------------------------- main


def reset_peak() -> None:
    """Linux: start the process's peak resident memory (VmHWM) afresh, so that the rules'
    peak is not the cube build's."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_gib() -> float:
    with open("/proc/self/status") as f:
        hwm = next(line for line in f if line.startswith("VmHWM"))
    return int(hwm.split()[1]) / 2**20


def timed(fn, *args):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=30_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pandas", action="store_true")
    args = ap.parse_args()
    rs = the_rules()
    frame = cube_frame(args.enterprises)
    print(
        f"cube: {args.enterprises:,} enterprises → {frame.height:,} cells at every level, "
        f"{frame.select(SERIES).n_unique():,} series · load {os.getloadavg()[0]:.2f}"
    )
    built = peak_gib()
    reset_peak()
    runs = []
    for i in range(args.repeat):
        hits, wall, cpu = timed(run_shumao, frame, rs)
        runs.append((wall, cpu))
        print(
            f"shumao run {i + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU = "
            f"{cpu / frame.height * 1e6:.2f} µs per cell · load {os.getloadavg()[0]:.2f}"
        )
    best = min(runs)
    print("hits:", hits)
    print(
        "CPU µs per cell, last run: "
        + ", ".join(f"{k} {v / frame.height * 1e6:.2f}" for k, v in RULE_CPU.items())
    )
    print(f"peak RSS: building the cube {built:.2f} GiB, during the rules {peak_gib():.2f} GiB")
    if args.no_pandas:
        return
    pdf = frame.to_pandas()
    ph, pwall, pcpu = timed(run_pandas, pdf, rs)
    print(f"pandas: {pwall:.1f} s wall, {pcpu:.1f} s CPU · load {os.getloadavg()[0]:.2f}")
    print("pandas hits:", ph)
    same = {k for k in hits if hits[k] == ph.get(k)}
    print(f"hit counts agree on {len(same)}/{len(hits)} rules: {sorted(set(hits) - same) or 'all'}")
    print(
        f"shumao best {best[0]:.1f} s (target < {TARGET_SECONDS:.0f} s); pandas ÷ shumao = "
        f"{pwall / best[0]:.1f}× wall, {pcpu / best[1]:.1f}× CPU (target ≥ {TARGET_RATIO:.0f}×); "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f} GiB "
        "(cube, rules and pandas)"
    )


if __name__ == "__main__":
    main()
