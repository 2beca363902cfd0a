"""Link 200,000 service-outsourcing roster rows to 100,000 direct-reporting enterprises and
report precision and recall on the labelled synthetic set in the same run.

shumao: ``shumao.bases.linkage.link`` (normalisation, credit code, Splink on DuckDB: u by
seeded random sampling, m from the credit-code links, prediction over five blocking rules).
Baseline, same process, same data: a deterministic matcher — credit code, then exact
normalised name core + city (``names.normalise_names``), the rule most offices use by hand.
Prints wall and CPU seconds (CPU counts DuckDB's threads), the load average, precision,
recall and the review queue; ``--runs`` repeats (default 3).
"""

from __future__ import annotations

import argparse
import os
import time

import polars as pl

from shumao.bases import linkage, synthetic


def baseline(ents: pl.DataFrame, roster: pl.DataFrame) -> set[tuple[str, str]]:
    lhs, rhs = linkage.prepare(ents), linkage.prepare(roster)
    by_code = rhs.join(lhs.select("uid", "code"), on="code", suffix="_l")
    rest = rhs.filter(~pl.col("uid").is_in(by_code["uid"].implode()))
    by_name = rest.join(
        lhs.select("uid", "name_core", "city"), on=["name_core", "city"], suffix="_l"
    ).unique("uid", keep="none")
    return {
        (a, b)
        for a, b in pl.concat(
            [by_code.select("uid", "uid_l"), by_name.select("uid", "uid_l")]
        ).iter_rows()
    }


def timed(fn, *args):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--roster", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    made, gen_s, _ = timed(synthetic.generate, args.enterprises, args.roster)
    truth = synthetic.truth_pairs(made.roster)
    print(
        f"data: {args.enterprises:,} enterprises × {args.roster:,} roster rows "
        f"({len(truth):,} true links), generated in {gen_s:.1f} s"
    )
    for run in range(1, args.runs + 1):
        load = os.getloadavg()[0]
        result, wall, cpu = timed(linkage.link, made.enterprises, made.roster)
        links = result.links
        found = {
            (a, b)
            for a, b in links.filter(pl.col("status") == linkage.LINKED)
            .select("right_uid", "left_uid")
            .iter_rows()
        }
        p, r = synthetic.precision_recall(found, truth)
        queue = links.filter(pl.col("status") == linkage.REVIEW)
        base, b_wall, b_cpu = timed(baseline, made.enterprises, made.roster)
        bp, br = synthetic.precision_recall(base, truth)
        print(
            f"run {run} (load {load:.1f}): shumao {wall:.1f} s wall / {cpu:.1f} s CPU, "
            f"precision {p:.4f}, recall {r:.4f}, review queue {queue.height:,}; "
            f"baseline {b_wall:.1f} s wall / {b_cpu:.1f} s CPU, precision {bp:.4f}, "
            f"recall {br:.4f}; CPU ratio {cpu / max(b_cpu, 1e-9):.1f}×, recall gain "
            f"{r - br:+.4f}"
        )


if __name__ == "__main__":
    main()
