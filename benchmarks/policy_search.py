"""Policy library at 10,000 documents: ingest rate, search latency against plain full-text search.

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
  seeds' vocabulary; p50 and p95 (target: p95 under 50 ms at load ≥ 4).
* **plain full-text** (the floor) — the same queries as the store's own full-text search over
  the same jieba tokens, written plainly: the 10 best passages by FTS5 ``bm25`` with
  ``snippet()`` on SQLite, by ``ts_rank`` with ``ts_headline`` on PostgreSQL, with their
  document's title, 文号 and date, one statement on the driver's cursor. No phrase bonus, no
  duplicates folded, no best passage per document, no fallback to word parts, no filters
  (target: shumao's p95 ≤ 1.5× this one's, every feature kept);
* **LIKE** (the old baseline) — a ``LIKE '%term%'`` scan of the same passage texts (every
  term, grouped by document, newest first).

Queries are interleaved (each query by each contender in turn) for ``--rounds`` rounds, so
that all three see the same load; each round prints p50/p95, CPU ms per query of this process
and the ratios; on a local PostgreSQL also the server's CPU ms per query (``_server_cpu``), read
around each query outside the timed span, and the ratio of client + server CPU.

``--copies K`` ingests ``docs / K`` documents and copies them ``K`` times at the table level
(``replicate``), for when the ingest is too slow on a loaded machine to build the corpus.

    .venv/bin/python benchmarks/policy_search.py [--docs 10000] [--queries 1000] [--workers 4]
        [--copies 20]
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
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from _server_cpu import postmaster_pid, server_cpu
from sqlalchemy import Engine, text

from shumao.policy import library, normalise, search, segment, writing
from shumao.policy import prepared as prepared_
from shumao.policy import tables as pt
from shumao.policy.prepared import Prepared
from shumao.storage.engine import make_engine, upgrade
from shumao.storage.scratch import scratch_engine

SEEDS = Path(__file__).resolve().parents[1] / "demo" / "policy"
ISSUERS = (
    "商务部",
    "国务院办公厅",
    "工业和信息化部",
    "国家发展改革委",
    "浙江省商务厅",
    "中央网信办",
    "财政部",
    "海关总署",
    "上海市人民政府",
    "广东省商务厅",
)
PREFIXES = ("商服贸函", "国办发", "工信部", "发改外资", "浙商务发", "沪府发", "粤商务贸函", "财税")
TYPES = ("通知", "意见", "指引", "方案", "办法")
NUMERALS = "一二三四五六七八九十"


def seed_material() -> tuple[list[str], list[str]]:
    """Sentences and section headings of the seeds, simplified and cleaned."""
    sentences, headings = [], []
    for path in sorted(SEEDS.glob("00*.txt")):
        for par in normalise.clean(path.read_text(encoding="utf-8")).text:
            heading = re.match(
                r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)([^。]{4,30})", par
            )
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
        lines = [
            issuer,
            f"{rng.choice(PREFIXES)}〔{year}〕{rng.randint(1, 400)}号",
            f"{issuer}关于{rng.choice(headings)}的{rng.choice(TYPES)}",
            f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        ]
        for s in range(rng.randint(3, 5)):
            lines.append(f"{NUMERALS[s]}、{rng.choice(headings)}")
            lines += [
                "".join(rng.sample(sentences, rng.randint(2, 4))) for _ in range(rng.randint(2, 3))
            ]
        docs.append((f"synthetic-{i:05d}.txt", "\n".join(lines)))
    return docs


def queries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    sentences, _ = seed_material()
    words: list[str] = []
    pairs: list[str] = []
    for sentence in sentences:
        cut = [
            w
            for w in segment.tokenizer().cut(sentence)
            if re.fullmatch(r"[\u4e00-\u9fff]{2,6}", w) and w not in segment.STOPWORDS
        ]
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


FTS5_FLOOR = """
SELECT p.document_id, d.title, d.doc_number, d.issue_date, m.score,
       snippet(policy_fts, 0, '【', '】', '……', 24)
FROM (SELECT rowid, bm25(policy_fts) AS score FROM policy_fts WHERE policy_fts MATCH ?
      ORDER BY score LIMIT 10) AS m
JOIN policy_fts ON policy_fts.rowid = m.rowid AND policy_fts MATCH ?
JOIN policy_passage p ON p.id = m.rowid JOIN policy_document d ON d.id = p.document_id
ORDER BY m.score"""

PG_FLOOR = """
SELECT m.document_id, d.title, d.doc_number, d.issue_date, m.score,
       ts_headline('simple', m.tokens, q, 'StartSel=【, StopSel=】, MaxWords=24, MinWords=12')
FROM (SELECT p.document_id, p.tokens, ts_rank(p.search, q) AS score, q
      FROM policy_passage p, CAST(%s AS tsquery) AS q WHERE p.search @@ q
      ORDER BY score DESC LIMIT 10) AS m
JOIN policy_document d ON d.id = m.document_id
ORDER BY m.score DESC"""


def floor(engine: Engine) -> Callable[[str], list[Any]]:
    """The fair floor: the store's own full-text search over the same jieba tokens, plainly —
    the 10 best passages by the engine's ranking (FTS5 ``bm25``, PostgreSQL ``ts_rank``) with
    the engine's snippet (``snippet()``, ``ts_headline``) and their document's title, 文号 and
    date, one statement on the driver's cursor. No phrase bonus, no duplicates folded, no
    best-passage choice per document, no fallback to word parts."""
    raw = engine.raw_connection()
    sqlite = engine.dialect.name == "sqlite"

    def run(query: str) -> list[Any]:
        terms = search.prepare(query).terms
        cur = raw.cursor()
        if sqlite:
            match = " AND ".join(f'"{t}"' for t in terms)
            cur.execute(FTS5_FLOOR, (match, match))
        else:
            cur.execute(PG_FLOOR, (" & ".join(f"'{t}'" for t in terms),))
        rows = cur.fetchall()
        cur.close()
        return rows

    return run


@dataclass
class Timed:
    """Milliseconds per query (wall) and CPU seconds of this process over all of them."""

    ms: list[float] = field(default_factory=list)
    cpu: float = 0.0
    server: float | None = None
    """CPU seconds of the local PostgreSQL server meanwhile (``_server_cpu``), else None."""

    def p(self, q: int) -> float:
        return pct(self.ms, q)


def interleaved(
    contenders: dict[str, Callable[[str], object]],
    qs: list[str],
    rounds: int,
    postmaster: int | None = None,
) -> list[dict[str, Timed]]:
    """Per round, each query is answered by every contender in turn (the same moment, the same
    load for all); a round's figures are its own. With a local PostgreSQL's ``postmaster``,
    the server's CPU around each query is added up too (read outside the timed span)."""
    out = []
    for _ in range(rounds):
        got = {name: Timed() for name in contenders}
        for q in qs:
            for name, fn in contenders.items():
                before = server_cpu(postmaster)
                cpu, start = time.process_time(), time.perf_counter()
                fn(q)
                got[name].ms.append((time.perf_counter() - start) * 1000)
                got[name].cpu += time.process_time() - cpu
                after = server_cpu(postmaster)
                if before is not None and after is not None:
                    got[name].server = (got[name].server or 0.0) + after - before
        out.append(got)
    return out


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def replicate(engine: Engine, copies: int) -> None:
    """The stored documents copied ``copies - 1`` more times at the table level (documents,
    passages — the full-text index follows them — and the ranking index), each copy's term
    weights perturbed by up to 5 % so that copies do not tie. A corpus of 10,000 documents is
    out of reach of the ingest at load 20 (3.7 documents/s); the search then sees 10,000
    canonical documents with the synthetic corpus' term statistics."""
    if copies <= 1:
        return
    doc_cols = [
        c.name for c in pt.document.c if c.name not in ("id", "source_file", "canonical_id")
    ]
    pas_cols = [c.name for c in pt.passage.c if c.name not in ("id", "document_id")]
    with engine.begin() as conn:
        n = conn.execute(text("SELECT max(id) FROM policy_document")).scalar_one()
        p = conn.execute(text("SELECT max(id) FROM policy_passage")).scalar_one()
        for c in range(1, copies):
            conn.execute(
                text(
                    f"INSERT INTO policy_document (id, source_file, canonical_id, {', '.join(doc_cols)}) "
                    f"SELECT id + {c * n}, source_file || '#{c}', canonical_id + {c * n}, "
                    f"{', '.join(doc_cols)} FROM policy_document WHERE id <= {n}"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO policy_passage (id, document_id, {', '.join(pas_cols)}) "
                    f"SELECT id + {c * p}, document_id + {c * n}, {', '.join(pas_cols)} "
                    f"FROM policy_passage WHERE id <= {p}"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO policy_term (term, document_id, weight, passage_id) "
                    f"SELECT term, document_id + {c * n}, "
                    f"weight * (1.0 + 0.05 * ((document_id * 31 + {c * 17}) % 11) / 11.0), "
                    f"passage_id + {c * p} FROM policy_term WHERE document_id <= {n}"
                )
            )
        conn.execute(
            text(
                "UPDATE policy_stats SET documents = "
                "(SELECT count(*) FROM policy_document) WHERE id = 1"
            )
        )


def run_store(
    label: str,
    engine: Engine,
    prepared: list[tuple[Prepared | None, object]],
    prepare_s: float,
    qs: list[str],
    rounds: int,
    copies: int = 1,
) -> None:
    upgrade(engine)
    start = time.perf_counter()
    for at in range(0, len(prepared), 200):
        with engine.begin() as conn:
            for ready, report in prepared[at : at + 200]:
                if ready is not None:
                    writing.store(conn, ready, report)  # type: ignore[arg-type]
    write_s = time.perf_counter() - start
    replicate(engine, copies)
    library.refresh_statistics(engine)  # as add_many does after a large batch (PostgreSQL)
    n = len(prepared) * copies
    search.search(engine, qs[0])  # warm caches
    with engine.connect() as conn:
        passages = conn.execute(text("SELECT count(*) FROM policy_passage")).scalar_one()
    print(
        f"\n== {label}: {n:,} documents, {passages:,} passages "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    m = len(prepared)
    print(
        f"ingest   {m / (prepare_s + write_s):8.1f} documents/s  "
        f"(prepare {m / prepare_s:.1f}/s shared, write {m / write_s:.1f}/s)"
        + (f"; {m:,} ingested, copied {copies}× at the table level" if copies > 1 else "")
    )
    contenders = {
        "shumao": lambda q: search.search(engine, q, limit=10),
        "full-text": floor(engine),
        "LIKE": lambda q: baseline(engine, q),
    }
    for i, got in enumerate(interleaved(contenders, qs, rounds, postmaster_pid(engine))):
        ours, fts = got["shumao"], got["full-text"]
        print(f"round {i + 1} (load {os.getloadavg()[0]:.1f}):")
        for name, t in got.items():
            print(
                f"  {name:9} p50 {t.p(50):7.2f} ms  p95 {t.p(95):7.2f} ms  max {max(t.ms):7.2f} ms"
                f"  CPU {1000 * t.cpu / len(qs):5.2f} ms/query"
                + ("" if t.server is None else f" + server {1000 * t.server / len(qs):5.2f}")
            )
        verdict = "meets" if ours.p(95) <= 1.5 * fts.p(95) else "MISSES"
        print(
            f"  shumao ÷ plain full-text: p95 {ours.p(95) / fts.p(95):.2f}× ({verdict} ≤ 1.5×), "
            f"p50 {ours.p(50) / fts.p(50):.2f}×, CPU {ours.cpu / fts.cpu:.2f}×;  "
            f"LIKE ÷ shumao: p95 {got['LIKE'].p(95) / ours.p(95):.1f}×; "
            f"shumao p95 {'<' if ours.p(95) < 50 else '≥'} 50 ms"
        )
        if ours.server is not None and fts.server is not None:
            print(
                f"  client + server CPU: shumao ÷ plain full-text "
                f"{(ours.cpu + ours.server) / (fts.cpu + fts.server):.2f}×"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the queries (≥ 3)")
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="ingest docs/copies documents, copy them at the table level",
    )
    args = parser.parse_args()
    docs = corpus(args.docs // args.copies)
    chars = sum(len(t) for _, t in docs)
    print(
        f"corpus: {len(docs):,} synthetic documents, {chars / len(docs):,.0f} characters each "
        f"on average; {args.queries:,} queries; {args.workers} worker process(es) to prepare; "
        f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f} at start"
    )
    start = time.perf_counter()
    with prepared_.pool(args.workers) as pool:
        prepared = list(pool(prepared_.prepare_item, docs))
    prepare_s = time.perf_counter() - start
    qs = queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="shumao-policy-bench-") as tmp:
        sqlite = make_engine(url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        run_store("SQLite (FTS5)", sqlite, prepared, prepare_s, qs, args.rounds, args.copies)
        sqlite.dispose()
    pg_url = os.environ.get("SHUMAO_BENCH_PG_URL")
    if pg_url:
        with scratch_engine(pg_url, "shumao_bench") as pg:
            run_store(
                "PostgreSQL (tsvector + GIN)", pg, prepared, prepare_s, qs, args.rounds, args.copies
            )
    else:
        print("\n(PostgreSQL skipped: set SHUMAO_BENCH_PG_URL to an admin URL to include it)")


if __name__ == "__main__":
    main()
