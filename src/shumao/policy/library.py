"""The policy library's service functions: add files, correct fields, confirm targets, read.

Adding a file (``add_file``) reads it, cleans it, extracts metadata, sections and targets,
finds near-duplicates, and writes everything in one transaction; a file that cannot be read
gets error findings and changes nothing. A file whose bytes are already in the library
(or a file of the same name whose cleaned text is) is a **re-ingest**: the record keeps its id, is rebuilt from the new
extraction, and the editor corrections (``edit``) and target confirmations are applied again
on top — they are stored apart from what extraction found and never overwritten by it.

Copies: a file whose text is a near-duplicate of a document's becomes one more file of that
document (``files``); the document's text is that of its better file (more metadata found,
simplified script, no repaired or garbled text, a clean extraction rather than a scraped copy),
whatever the order they were added in. An editor may also link two records as one
(``edit … canonical``); search shows only canonical records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy import text as sql_text

from shumao.policy import readers
from shumao.policy.prepared import pool, prepare, prepare_item
from shumao.policy.writing import AddResult, store
from shumao.validation.findings import Report

REFRESH_AFTER = 100
"""After adding this many documents at once, PostgreSQL's statistics are refreshed."""


Progress = Callable[[str, int, int], None]


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files to add: the files given, and the supported files inside folders (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in readers.SUFFIXES
            )
        else:
            out.append(path)
    return out


def add_files(
    engine: Engine, paths: Sequence[Path], *, progress: Progress | None = None
) -> list[AddResult]:
    """Add files and the supported files in folders, one transaction each."""
    files = expand(paths)
    results = []
    for done, path in enumerate(files, start=1):
        results.append(add_file(engine, path))
        if progress:
            progress("收录 / adding", done, len(files))
    if len(files) >= REFRESH_AFTER:
        refresh_statistics(engine)
    return results


def add_file(engine: Engine, path: Path) -> AddResult:
    report = Report(source=str(path))
    extracted = readers.read(path, report)
    if extracted is None:
        return AddResult(path.name, "rejected", report=report)
    return add_text(
        engine,
        extracted.text,
        source_file=path.name,
        source_format=extracted.format,
        source_sha256=extracted.sha256,
        report=report,
    )


def add_text(
    bind: Engine | Connection,
    text: str,
    *,
    source_file: str,
    source_format: str = "txt",
    source_sha256: str | None = None,
    report: Report | None = None,
) -> AddResult:
    """Add one document's text (already extracted from its file)."""
    report = report or Report(source=source_file)
    sha = source_sha256 or hashlib.sha256(text.encode()).hexdigest()
    prepared = prepare(text, source_file, source_format, sha, report)
    if prepared is None:
        return AddResult(source_file, "rejected", report=report)
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            return store(conn, prepared, report)
    return store(bind, prepared, report)


def add_many(
    engine: Engine,
    items: Iterable[tuple[str, str]],
    *,
    batch: int = 200,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[AddResult]:
    """Bulk ingest of (name, text) pairs: prepared in ``workers`` processes (the slow, pure
    part: cleaning and segmentation), written in one transaction per ``batch`` documents."""
    pending = list(items)
    results: list[AddResult] = []
    with pool(workers) as run:
        stream = zip(pending, run(prepare_item, pending), strict=True)
        while chunk := list(islice(stream, batch)):
            with engine.begin() as conn:
                for (name, _), (ready, report) in chunk:
                    results.append(
                        store(conn, ready, report)
                        if ready
                        else AddResult(name, "rejected", report=report)
                    )
            if progress:
                progress("收录 / adding", len(results), len(pending))
    if len(pending) >= REFRESH_AFTER:
        refresh_statistics(engine)
    return results


def refresh_statistics(engine: Engine) -> None:
    """After a large batch on PostgreSQL: ``VACUUM (ANALYZE)`` the search tables.

    The ranking reads are index-only scans, which PostgreSQL can use only for pages its
    visibility map marks all-visible, i.e. after a vacuum; autovacuum would get there within
    minutes, this makes the first searches after a bulk ingest fast as well. SQLite needs
    nothing."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sql_text("VACUUM (ANALYZE) policy_term, policy_document, policy_passage"))
