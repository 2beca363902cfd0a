"""Validate a 100,000-line filing upload: parse + every rule, HB against 8 previous quarters.

The upload is a park's batch CSV of the quarterly form (数贸季1表): 1,000 enterprises × 10
service items × 10 partners, plus one totals line each (101,000 lines), written the way clerks
write (thousands separators, full-width digits, stray spaces, a few bad cells). The history the
store would supply is built in memory: 8 earlier quarters of every series, exports and imports (1.6 million
values) and the annual form of 2024 for the cross-form check.

Timed, in one run:
  shumao        read_file + validate with every rule (structural, arithmetic, cross-form,
                HB against the enterprise's 8 previous quarters and against its peers)
  shumao-struct the same without HB and cross-form (the structural rules only)
  pandera       pandas read_csv + the same structural rules as a pandera DataFrameSchema
                (lazy, all failures collected), with the same number and code normalisation
  pandera+pandas  the same, then the HB (history and peers) and cross-form rules in plain
                pandas (``PandasRules``): the like-for-like baseline for all rules

Each is timed as the best of ``--repeat`` runs (3). Prints seconds and the ratios pandera /
shumao-struct (the same structural rules) and pandera+pandas / shumao (all rules), and checks
that both flag the same rows for the two HB rules. Target: shumao under 3 s, at least 3×.
Run: .venv/bin/python benchmarks/validate_100k.py [--enterprises 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _validate_polars as vp

from shumao.collection.checks.engine import validate
from shumao.collection.checks.model import Context
from shumao.collection.forms import get_form, previous_periods, shift
from shumao.collection.limits import Limits
from shumao.collection.upload import read_file
from shumao.validation import uscc
from shumao.validation.findings import Finding

PRODUCTS = ("SF1", "SG1", "SH3", "SI1", "SI2", "SI3", "SJ1", "SJ2", "SJ3", "SK1")
PARTNERS = ("USA", "JPN", "DEU", "GBR", "SGP", "KOR", "FRA", "HKG", "AUS", "CAN")
PERIOD = "2024-Q4"
HEADER = {
    "uscc": "统一社会信用代码",
    "period": "报告期",
    "product": "服务类别",
    "counterpart_area": "伙伴国家（地区）",
    "X": "出口（万美元）",
    "M": "进口（万美元）",
    "T": "进出口合计（万美元）",
    "remark": "备注",
}
FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


# --- the synthetic upload and its history -------------------------------------------------------


def series(n_ent: int, seed: int) -> tuple[pl.DataFrame, np.ndarray]:
    """Every (enterprise, item, partner) with its level and 9 quarters of exports."""
    rng = np.random.default_rng(seed)
    codes = [uscc.make(f"91320100{i:09d}") for i in range(n_ent)]
    per = len(PRODUCTS) * len(PARTNERS)
    idx = np.arange(n_ent * per)
    frame = pl.DataFrame(
        {
            "uscc": pl.Series(codes).gather(idx // per),
            "product": pl.Series(PRODUCTS).gather((idx % per) // len(PARTNERS)),
            "counterpart_area": pl.Series(PARTNERS).gather(idx % len(PARTNERS)),
        }
    )
    level = rng.lognormal(3.0, 1.2, size=idx.size)
    growth = rng.normal(1.01, 0.01, size=idx.size)
    steps = np.arange(9)
    values = level[:, None] * growth[:, None] ** steps * rng.normal(1, 0.04, (idx.size, 9))
    jump = rng.random(idx.size) < 0.005
    values[jump, 8] *= 8  # a few unusual changes for HB to find
    return frame, np.round(values, 2)


def upload_frame(frame: pl.DataFrame, values: np.ndarray, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed + 1)
    n = frame.height
    x = values[:, 8]
    m = np.round(x * rng.uniform(0.05, 0.4, n), 2)
    m_missing = rng.random(n) < 0.2
    m = np.where(m_missing, np.nan, m)
    t = np.round(x + np.nan_to_num(m), 2)
    lines = frame.with_columns(
        period=pl.lit(PERIOD), X=pl.Series(x), M=pl.Series(m), T=pl.Series(t), remark=pl.lit("")
    )
    totals = (
        lines.group_by("uscc", maintain_order=True)
        .agg(
            pl.col("X").sum().round(2),
            pl.col("M").fill_nan(None).sum().round(2),
            pl.col("T").sum().round(2),
        )
        .with_columns(
            period=pl.lit(PERIOD),
            product=pl.lit("合计"),
            counterpart_area=pl.lit(""),
            remark=pl.lit(""),
        )
    )
    both = pl.concat([totals.select(lines.columns), lines])
    return _as_written(both, rng)


def _as_written(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Numbers as text, with the quirks of real files and a few bad cells."""
    n = frame.height
    pick = rng.random(n)
    text = {}
    for col in ("X", "M", "T"):
        plain = frame[col].fill_nan(None).map_elements(lambda v: f"{v:.2f}", return_dtype=pl.String)
        styled = [
            _style(v, p) if v is not None else ""
            for v, p in zip(plain.to_list(), pick, strict=True)
        ]
        text[col] = styled
    out = frame.with_columns(**{c: pl.Series(v) for c, v in text.items()})
    named = out.with_columns(
        pl.when(pl.Series(pick) < 0.3)
        .then(pl.col("product") + " 名称")
        .otherwise(pl.col("product"))
        .alias("product")
    )
    bad = np.flatnonzero(pick > 0.99995)
    x = named["X"].to_list()
    for i in bad:
        x[i] = "约100"
    return named.with_columns(X=pl.Series(x))


def _style(v: str, p: float) -> str:
    if p < 0.01 and float(v) >= 1000:
        whole, frac = v.split(".")
        return f"{int(whole):,}.{frac}"
    if p < 0.015:
        return v.translate(FULL)
    if p < 0.02:
        return f" {v} "
    return v


def history(frame: pl.DataFrame, values: np.ndarray, seed: int) -> pl.DataFrame:
    """The 8 previous quarters of exports and imports, as the store would give them."""
    rng = np.random.default_rng(seed + 2)
    periods = previous_periods(PERIOD, 8)
    parts = []
    for k, p in enumerate(periods):
        x = values[:, k]
        m = np.round(x * rng.uniform(0.05, 0.4, x.size), 2)
        base = frame.with_columns(period=pl.lit(p))
        parts += [
            base.with_columns(field=pl.lit("X"), value=pl.Series(x)),
            base.with_columns(field=pl.lit("M"), value=pl.Series(m)),
        ]
    return pl.concat(parts)


def annual(hist: pl.DataFrame, current: np.ndarray, frame: pl.DataFrame) -> pl.DataFrame:
    year = hist.filter(pl.col("period").str.starts_with("2024") & (pl.col("field") == "X"))
    now = frame.with_columns(value=pl.Series(current))
    total = (
        pl.concat([year.select("uscc", "value"), now.select("uscc", "value")])
        .group_by("uscc")
        .agg(pl.col("value").sum())
    )
    return total.select(
        "uscc", period=pl.lit("2024"), field=pl.lit("dds_export"), value=pl.col("value") * 1.002
    )


# --- the two implementations ------------------------------------------------------------------


Timing = tuple[float, float, int, int]
"""(wall seconds, CPU seconds of all threads, lines, findings)."""


def run_shumao(path: Path, ctx: Context, found: list[Finding] | None = None) -> Timing:
    form = get_form("DDS_Q")
    cpu, start = time.process_time(), time.perf_counter()
    parsed = read_file(
        path, form=form, max_bytes=200 * 1024 * 1024, limits=Limits(rows=10**6, cells=10**7)
    )  # a batch file, past upload limits
    assert parsed.sheet is not None
    checked = validate(parsed.sheet, form, context=ctx, report=parsed.report)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    if found is not None:
        found[:] = checked.report.findings
    return wall, used, checked.lines.height, len(checked.report.findings)


def run_pandera(path: Path, rest: Callable[[pd.DataFrame], int] | None = None) -> Timing:
    """pandas read_csv + pandera's structural schema, the credit code checked row by row (the
    old baseline); ``rest`` runs more rules on the frame."""
    import pandera.pandas as pa

    cpu, start = time.process_time(), time.perf_counter()
    df = vp.pandas_frame(path, HEADER)
    detail = df[~df["is_total"]]
    check = pa.Check(uscc.is_valid, element_wise=True, name="check-character")
    failures = vp.pandera_failures(df, detail, check, PERIOD)
    if rest is not None:
        failures += rest(detail)
    return time.perf_counter() - start, time.process_time() - cpu, len(df), failures


class PandasRules:
    """The non-structural rules in plain pandas, as a pandas shop would write them.

    The same arithmetic as shumao's rules (docs/methods.md §2.1, parameters from rules.yaml): HB of
    each series against its 8 previous quarters (``DataFrame.median(axis=1)`` per row, the MAD
    fallback as every series has fewer than 10 pairs), HB of each enterprise's change against
    its peers per service item and flow (group quartiles), and the sum of the four quarters
    against the annual form (1 % tolerance). ``flagged`` keeps the rows each rule flagged, so
    the run can be checked against shumao's findings.
    """

    U, A, C, MIN_OBS, MIN_UNITS, MIN_CHANGE = 0.5, 0.05, 4.0, 10, 4, 0.1

    def __init__(self, hist: pd.DataFrame, annual: pd.DataFrame) -> None:
        self.hist, self.annual = hist, annual
        self.flagged: dict[str, pd.DataFrame] = {}

    def __call__(self, detail: pd.DataFrame) -> int:
        keys = ["uscc", "product_code", "counterpart_area_code"]
        lines = detail.melt(id_vars=[*keys, "_row"], value_vars=["X", "M"], var_name="field")
        lines = lines.dropna(subset=["value"])
        cur = lines[lines["product_code"].notna() & lines["counterpart_area_code"].notna()]
        hist = self.hist.rename(
            columns={"product": "product_code", "counterpart_area": "counterpart_area_code"}
        )
        self.flagged = {
            "hb-history-outlier": self.history(cur, hist, keys),
            "hb-peer-outlier": self.peers(cur, hist),
            "cross-form-mismatch": self.cross_form(lines, hist),
        }
        return sum(len(f) for f in self.flagged.values())

    def history(self, cur: pd.DataFrame, hist: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        window = previous_periods(PERIOD, 8)
        past = hist[hist["period"].isin(window) & hist["field"].isin(["X", "M"])]
        wide = past.pivot_table(
            index=[*keys, "field"], columns="period", values="value", aggfunc="first"
        ).reindex(columns=window)
        m = cur.join(wide, on=[*keys, "field"])
        values = m[[*window, "value"]].to_numpy(dtype=float)
        y1 = pd.DataFrame(values[:, :-1])
        y2 = pd.DataFrame(values[:, 1:])
        ok = y1.notna() & y2.notna() & (y1 > 0) & (y2 > 0)
        ratio = (y2 / y1).where(ok)
        med_r = ratio.median(axis=1)
        centred = (1 - ratio.rdiv(med_r, axis=0)).where(
            ratio.lt(med_r, axis=0), ratio.div(med_r, axis=0) - 1
        )
        score = (centred * np.maximum(y1, y2) ** self.U).where(ok)
        n = ok.sum(axis=1)
        e_med = score.median(axis=1)
        floor = (self.A * e_med).abs()
        mad = np.maximum(score.sub(e_med, axis=0).abs().median(axis=1) * 1.4826, floor)
        big = n >= self.MIN_OBS
        d_lo = mad.where(~big, np.maximum(e_med - score.quantile(0.25, axis=1), floor))
        d_hi = mad.where(~big, np.maximum(score.quantile(0.75, axis=1) - e_med, floor))
        last, change = score.iloc[:, -1], centred.iloc[:, -1]
        out = (
            (n >= self.MIN_UNITS)
            & ok.iloc[:, -1]
            & ((last < e_med - self.C * d_lo) | (last > e_med + self.C * d_hi))
            & (change.abs() >= self.MIN_CHANGE)
        )
        return m.loc[out.to_numpy(), ["field", "_row"]]

    def peers(self, cur: pd.DataFrame, hist: pd.DataFrame) -> pd.DataFrame:
        keys = ["uscc", "product_code", "field"]
        now = cur.groupby(keys, as_index=False).agg(y2=("value", "sum"), _row=("_row", "min"))
        prev = hist[(hist["period"] == shift(PERIOD, -1)) & hist["field"].isin(["X", "M"])]
        before = prev.groupby(keys, as_index=False).agg(y1=("value", "sum"))
        d = now.merge(before, on=keys)
        d = d[(d["y1"] > 0) & (d["y2"] > 0)].copy()
        d["ratio"] = d["y2"] / d["y1"]
        group = d.groupby(["product_code", "field"])
        med_r = group["ratio"].transform("median")
        d["centred"] = np.where(d["ratio"] < med_r, 1 - med_r / d["ratio"], d["ratio"] / med_r - 1)
        d["score"] = d["centred"] * np.maximum(d["y1"], d["y2"]) ** self.U
        group = d.groupby(["product_code", "field"])["score"]
        e_med, q1, q3 = (
            group.transform("median"),
            group.transform("quantile", 0.25),
            group.transform("quantile", 0.75),
        )
        floor = (self.A * e_med).abs()
        lower = e_med - self.C * np.maximum(e_med - q1, floor)
        upper = e_med + self.C * np.maximum(q3 - e_med, floor)
        out = ((d["score"] < lower) | (d["score"] > upper)) & (
            d["centred"].abs() >= self.MIN_CHANGE
        )
        return d.loc[out, ["field", "_row"]]

    def cross_form(self, cur: pd.DataFrame, hist: pd.DataFrame) -> pd.DataFrame:
        year = [f"{PERIOD[:4]}-Q{q}" for q in range(1, 5)]
        now = cur[cur["field"] == "X"].groupby("uscc")["value"].sum()
        past = (
            hist[hist["period"].isin(year) & (hist["period"] != PERIOD) & (hist["field"] == "X")]
            .groupby("uscc")
            .agg(value=("value", "sum"), quarters=("period", "nunique"))
            .reindex(now.index)
        )
        total = (now + past["value"])[past["quarters"] == 3]
        annual = self.annual.set_index("uscc")["value"]
        pct = (total - annual.reindex(total.index)).abs() / annual.reindex(total.index).abs() * 100
        return pd.DataFrame({"uscc": pct.index[pct > 1.0]})


def same_rows(findings: list[Finding], code: str, pandas: pd.DataFrame) -> bool:
    """shumao's findings of ``code`` (at most 50 per column) are pandas' first flagged rows."""
    field = {"出口（万美元）": "X", "进口（万美元）": "M"}
    mine = sorted((field[f.column], f.row) for f in findings if f.code == code)
    theirs = sorted((f, int(r)) for f, r in pandas[["field", "_row"]].itertuples(index=False))
    by_field: dict[str, list[int]] = {}
    for f, r in theirs:
        by_field.setdefault(f, []).append(r)
    cut = [(f, r) for f, rows in by_field.items() for r in rows[:50]]
    return mine == sorted(cut)


def interleaved(repeat: int, runs: dict[str, Callable[[], Timing]]) -> dict[str, Timing]:
    """Each contender once per round, ``repeat`` rounds (all see the same load); the fastest
    run of each, with its CPU seconds."""
    got: dict[str, list[Timing]] = {name: [] for name in runs}
    for i in range(repeat):
        for name, run in runs.items():
            got[name].append(run())
        print(
            f"  round {i + 1} (load {os.getloadavg()[0]:.1f}): "
            + ", ".join(f"{n} {t[-1][0]:.2f}s/{t[-1][1]:.2f}c" for n, t in got.items()),
            flush=True,
        )
    return {name: min(times, key=lambda r: r[0]) for name, times in got.items()}


STRUCTURAL = (
    ("struct", "shumao, structural rules only"),
    ("polars", "plain polars expressions (distinct codes)"),
    ("pandera_polars", "pandera, polars backend (distinct codes)"),
    ("pandera_distinct", "pandera on pandas, distinct codes"),
    ("pandera", "pandera on pandas, code checked per row (old)"),
)


def print_structural(runs: dict[str, Timing]) -> None:
    """The structural rules: shumao against each baseline, wall and CPU."""
    ours = runs["struct"]
    print("\nstructural rules (best of the rounds; ratio = baseline ÷ shumao):")
    for key, label in STRUCTURAL:
        wall, cpu, _, found = runs[key]
        print(
            f"  {label:46} {wall:5.2f} s  CPU {cpu:5.2f} s  {found:6,} failures  "
            f"{wall / ours[0]:4.1f}× wall  {cpu / ours[1]:4.1f}× CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20241231)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()
    frame, values = series(args.enterprises, args.seed)
    hist = history(frame, values, args.seed)
    ctx = Context(
        expected_period=PERIOD,
        history=hist,
        other_forms={"BASIC_A": annual(hist, values[:, 8], frame)},
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch_100k.csv"
        written = upload_frame(frame, values, args.seed)
        written.select(list(HEADER)).rename(HEADER).write_csv(path)
        size = path.stat().st_size
        print(
            f"upload: {written.height:,} lines, {size / 1e6:.1f} MB; history: "
            f"{hist.height:,} values over 8 quarters"
        )
        found: list[Finding] = []
        run_shumao(path, ctx, found)  # warm caches (code lookups) as a running server has them
        plain = Context(expected_period=PERIOD, hb=False)
        rest = PandasRules(hist.to_pandas(), ctx.other_forms["BASIC_A"].to_pandas())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runs = interleaved(
                args.repeat,
                {
                    "struct": lambda: run_shumao(path, plain),
                    "polars": lambda: vp.polars_plain(path, HEADER, PERIOD),
                    "pandera_polars": lambda: vp.pandera_polars(path, HEADER, PERIOD),
                    "pandera_distinct": lambda: vp.pandas_distinct(path, HEADER, PERIOD),
                    "pandera": lambda: run_pandera(path),
                    "full": lambda: run_shumao(path, ctx),
                    "pandera_all": lambda: run_pandera(path, rest),
                },
            )
    full = runs["full"]
    base, base_all = runs["pandera"], runs["pandera_all"]
    print_structural(runs)
    print("\nall rules:")
    print(
        f"shumao (parse + all rules incl. HB, cross-form): {full[0]:.2f} s "
        f"(CPU {full[1]:.2f} s) · {full[2]:,} lines · {full[3]:,} findings"
    )
    print(
        f"pandera + pandas HB and cross-form (all rules):  {base_all[0]:.2f} s "
        f"(CPU {base_all[1]:.2f} s) · {base_all[3]:,} failure cases and flags"
    )
    agree = all(
        same_rows(found, code, rest.flagged[code])
        for code in ("hb-history-outlier", "hb-peer-outlier")
    )
    print(
        f"HB flags, shumao vs pandas: {'the same rows' if agree else 'DIFFERENT rows'} "
        f"(history {len(rest.flagged['hb-history-outlier']):,}, peers "
        f"{len(rest.flagged['hb-peer-outlier']):,}, cross-form "
        f"{len(rest.flagged['cross-form-mismatch']):,} enterprises)"
    )
    verdict = "met" if full[0] < 3 else "NOT met"
    print(
        f"ratio pandera+pandas / shumao, all rules: {base_all[0] / full[0]:.1f}× wall, "
        f"{base_all[1] / full[1]:.1f}× CPU (target ≥ 3×; shumao-all < 3 s: {verdict})"
    )
    print(
        f"ratio pandera structural / shumao all:    {base[0] / full[0]:.1f}× wall, "
        f"{base[1] / full[1]:.1f}× CPU"
    )
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
