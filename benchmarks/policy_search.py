"""Policy library at 10,000 documents: ingest rate and search latency against a LIKE scan.

A synthetic corpus is generated from the sentences of the five seed documents (cleaned and in
simplified script): each document has a letterhead, a 文号, a title 关于…的通知/意见/…, an issue
date between 2015 and 2024, and three to five numbered sections of paragraphs drawn at
random from the seeds' sentences (about 2,000 characters). Same seed, same corpus.

Measured, on SQLite and — when ``SHUMAO_BENCH_PG_URL`` names a PostgreSQL server (an admin
URL; a scratch database is created and dropped) — on PostgreSQL:

* **ingest** — documents per second through ``shumao.policy.library.add_many``: cleaning,
  metadata, sections, targets, jieba segmentation, MinHash duplicate check and the writes
  (one transaction per 200 documents; on PostgreSQL the ``VACUUM (ANALYZE)`` that ``add_many``
  runs after a large batch, so that the ranking reads are index-only). The pure preparation is shared by both stores and
  timed once; each store's write time is its own.
* **search** — latency of 1,000 queries (``search.search``, 10 best documents, ranking and
  snippets included): two thirds single words, one third two-word phrases, drawn from the
  seeds' vocabulary; p50 and p95 (target: p95 under 50 ms).
* **baseline** — the same queries answered by a ``LIKE '%term%'`` scan of the same passage
  texts (every term, grouped by document, newest first), in the same run; the ratio is
  baseline ÷ search.

    .venv/bin/python benchmarks/policy_search.py [--docs 10000] [--queries 1000] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from sqlalchemy import Engine, text

from shumao.policy import library, normalise, search, segment
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_engine

SEEDS = Path(__file__).resolve().parents[1] / "demo" / "policy"
ISSUERS = ("商务部", "国务院办公厅", "工业和信息化部", "国家发展改革委", "浙江省商务厅", "中央网信办",
           "财政部", "海关总署", "上海市人民政府", "广东省商务厅")
PREFIXES = ("商服贸函", "国办发", "工信部", "发改外资", "浙商务发", "沪府发", "粤商务贸函", "财税")
TYPES = ("通知", "意见", "指引", "方案", "办法")
NUMERALS = "一二三四五六七八九十"


def seed_material() -> tuple[list[str], list[str]]:
    """Sentences and section headings of the seeds, simplified and cleaned."""
    sentences, headings = [], []
    for path in sorted(SEEDS.glob("00*.txt")):
        for par in normalise.clean(path.read_text(encoding="utf-8")).text:
            heading = re.match(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)([^。]{4,30})", par)
            if heading:
                headings.append(heading.group(1))
            sentences += [s for s in re.findall(r"[^。！？]+[。！？]", par) if 15 <= len(s) <= 200]
    return sentences, headings


def corpus(n: int, seed: int = 20240817) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    sentences, headings = seed_material()
    docs = []
    for i in range(n):
        issuer = rng.choice(ISSUERS)
        year = rng.randint(2015, 2024)
        lines = [issuer, f"{rng.choice(PREFIXES)}〔{year}〕{rng.randint(1, 400)}号",
                 f"{issuer}关于{rng.choice(headings)}的{rng.choice(TYPES)}",
                 f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
        for s in range(rng.randint(3, 5)):
            lines.append(f"{NUMERALS[s]}、{rng.choice(headings)}")
            lines += ["".join(rng.sample(sentences, rng.randint(2, 4))) for _ in range(rng.randint(2, 3))]
        docs.append((f"synthetic-{i:05d}.txt", "\n".join(lines)))
    return docs


def queries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    sentences, _ = seed_material()
    words: list[str] = []
    pairs: list[str] = []
    for sentence in sentences:
        cut = [w for w in segment.tokenizer().cut(sentence) if re.fullmatch(r"[\u4e00-\u9fff]{2,6}", w)
               and w not in segment.STOPWORDS]
        words += cut
        pairs += [a + b for a, b in pairwise(cut)]
    vocabulary = sorted(set(words))
    phrases = sorted(set(pairs))
    return [rng.choice(phrases) if i % 3 == 2 else rng.choice(vocabulary) for i in range(n)]


def baseline(engine: Engine, query: str) -> list[int]:
    """The naive answer: passages containing every term (LIKE scan), documents newest first."""
    terms = search.prepare(query).terms
    where = " AND ".join(f"p.text LIKE :t{i}" for i in range(len(terms)))
    sql = text(f"""SELECT d.id, max(d.issue_date) AS issued FROM policy_passage p
                   JOIN policy_document d ON d.id = p.document_id
                   WHERE d.canonical_id IS NULL AND {where}
                   GROUP BY d.id ORDER BY issued DESC, d.id LIMIT 10""")
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sql, {f"t{i}": f"%{t}%" for i, t in enumerate(terms)})]


def latencies(fn: Callable[[str], object], qs: list[str]) -> list[float]:
    out = []
    for q in qs:
        start = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def run_store(label: str, engine: Engine, prepared: list[tuple[library.Prepared | None, object]],
              prepare_s: float, qs: list[str]) -> None:
    upgrade(engine)
    start = time.perf_counter()
    for at in range(0, len(prepared), 200):
        with engine.begin() as conn:
            for ready, report in prepared[at:at + 200]:
                if ready is not None:
                    library.store(conn, ready, report)  # type: ignore[arg-type]
    library.refresh_statistics(engine)  # as add_many does after a large batch (PostgreSQL)
    write_s = time.perf_counter() - start
    n = len(prepared)
    search.search(engine, qs[0])  # warm caches
    fast = latencies(lambda q: search.search(engine, q, limit=10), qs)
    slow = latencies(lambda q: baseline(engine, q), qs)
    with engine.connect() as conn:
        passages = conn.execute(text("SELECT count(*) FROM policy_passage")).scalar_one()
    print(f"\n== {label}: {n:,} documents, {passages:,} passages "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"ingest   {n / (prepare_s + write_s):8.1f} documents/s  "
          f"(prepare {n / prepare_s:.1f}/s shared, write {n / write_s:.1f}/s)")
    print(f"search   p50 {pct(fast, 50):7.2f} ms   p95 {pct(fast, 95):7.2f} ms   "
          f"max {max(fast):7.2f} ms   over {len(qs):,} queries "
          f"({'meets' if pct(fast, 95) < 50 else 'MISSES'} p95 < 50 ms)")
    print(f"LIKE     p50 {pct(slow, 50):7.2f} ms   p95 {pct(slow, 95):7.2f} ms   "
          f"max {max(slow):7.2f} ms")
    print(f"ratio    LIKE ÷ search: p50 {pct(slow, 50) / pct(fast, 50):.1f}×   "
          f"p95 {pct(slow, 95) / pct(fast, 95):.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    args = parser.parse_args()
    docs = corpus(args.docs)
    chars = sum(len(t) for _, t in docs)
    print(f"corpus: {len(docs):,} synthetic documents, {chars / len(docs):,.0f} characters each "
          f"on average; {args.queries:,} queries; {args.workers} worker process(es) to prepare; "
          f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f} at start")
    start = time.perf_counter()
    with library._pool(args.workers) as pool:
        prepared = list(pool(library._prepare_item, docs))
    prepare_s = time.perf_counter() - start
    qs = queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="shumao-policy-bench-") as tmp:
        sqlite = make_engine(url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        run_store("SQLite (FTS5)", sqlite, prepared, prepare_s, qs)
        sqlite.dispose()
    pg_url = os.environ.get("SHUMAO_BENCH_PG_URL")
    if pg_url:
        with scratch_engine(pg_url, "shumao_bench") as pg:
            run_store("PostgreSQL (tsvector + GIN)", pg, prepared, prepare_s, qs)
    else:
        print("\n(PostgreSQL skipped: set SHUMAO_BENCH_PG_URL to an admin URL to include it)")


if __name__ == "__main__":
    main()
