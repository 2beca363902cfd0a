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
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy import text as sql_text

from shumao.errors import ShumaoError
from shumao.policy import (
    duplicates,
    files,
    metadata,
    normalise,
    ranking,
    readers,
    sections,
    segment,
    targets,
)
from shumao.policy import tables as t
from shumao.policy.chinese import to_simplified
from shumao.validation.findings import Report, finding

MIN_CHARS = 20
REFRESH_AFTER = 100
"""After adding this many documents at once, PostgreSQL's statistics are refreshed."""
Progress = Callable[[str, int, int], None]


@dataclass
class AddResult:
    file: str
    status: str
    """added, reingested, attached (a copy of a document: now one of its files) or rejected."""
    document_id: int | None = None
    canonical_id: int | None = None
    similarity: float | None = None
    report: Report = field(default_factory=Report)
    title: str | None = None
    targets: int = 0


@dataclass
class Prepared:
    """Everything derived from one text before it touches the store."""

    source_file: str
    source_format: str
    source_sha256: str
    original: str
    cleaned: normalise.Cleaned
    meta: metadata.Metadata
    sections: list[sections.Section]
    owner: list[int | None]
    targets: list[targets.Target]
    tokens: list[list[str]]
    shingles: np.ndarray
    """Hashes of the character 5-grams (``duplicates.shingles``)."""
    minhash: np.ndarray
    bands: list[str]
    terms: list[tuple[str, float, int]]
    """The ranking index rows: (term, weight, index of the best passage)."""

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.cleaned.simplified_text.encode()).hexdigest()

    @property
    def quality(self) -> int:
        c = self.cleaned
        found = len(metadata.FIELDS) - len(self.meta.missing())
        return (found * 10 + (5 if c.script == "simplified" else 0) - (5 if c.scraped else 0)
                - min(c.removed["repaired"] + c.removed["garbled"], 5))


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files to add: the files given, and the supported files inside folders (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*")
                          if p.is_file() and p.suffix.lower() in readers.SUFFIXES)
        else:
            out.append(path)
    return out


def add_files(engine: Engine, paths: Sequence[Path], *,
              progress: Progress | None = None) -> list[AddResult]:
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
    return add_text(engine, extracted.text, source_file=path.name, source_format=extracted.format,
                    source_sha256=extracted.sha256, report=report)


def add_text(bind: Engine | Connection, text: str, *, source_file: str,
             source_format: str = "txt", source_sha256: str | None = None,
             report: Report | None = None) -> AddResult:
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


def add_many(engine: Engine, items: Iterable[tuple[str, str]], *, batch: int = 200,
             workers: int = 1, progress: Progress | None = None) -> list[AddResult]:
    """Bulk ingest of (name, text) pairs: prepared in ``workers`` processes (the slow, pure
    part: cleaning and segmentation), written in one transaction per ``batch`` documents."""
    pending = list(items)
    results: list[AddResult] = []
    with _pool(workers) as pool:
        stream = zip(pending, pool(_prepare_item, pending), strict=True)
        while chunk := list(islice(stream, batch)):
            with engine.begin() as conn:
                for (name, _), (ready, report) in chunk:
                    results.append(store(conn, ready, report) if ready else
                                   AddResult(name, "rejected", report=report))
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


def _prepare_item(item: tuple[str, str]) -> tuple[Prepared | None, Report]:
    name, text = item
    report = Report(source=name)
    sha = hashlib.sha256(text.encode()).hexdigest()
    return prepare(text, name, "txt", sha, report), report


@contextmanager
def _pool(workers: int) -> Iterator[Callable[..., Iterator[Any]]]:
    if workers <= 1:
        yield map
        return
    with ProcessPoolExecutor(max_workers=workers) as executor:
        yield lambda fn, items: executor.map(fn, items, chunksize=16)


def prepare(text: str, source_file: str, source_format: str, sha: str,
            report: Report) -> Prepared | None:
    cleaned = normalise.clean(text)
    chars = len(duplicates.fingerprint_text(cleaned.simplified_text))
    if chars < MIN_CHARS:
        report.add(finding("policy-too-short", file=source_file, value=chars))
        return None
    _cleaning_findings(cleaned, source_file, report)
    meta = metadata.extract(cleaned.text)
    secs, owner = sections.parse(cleaned.text)
    grams = duplicates.shingles(cleaned.simplified_text)
    signature = duplicates.signature(grams)
    tokens = [segment.index_tokens(p) for p in cleaned.text]
    return Prepared(source_file, source_format, sha, text, cleaned, meta, secs, owner,
                    targets.extract(cleaned.text), tokens, grams, signature,
                    duplicates.band_keys(signature), ranking.document_terms(tokens))


def _cleaning_findings(cleaned: normalise.Cleaned, file: str, report: Report) -> None:
    codes = {"pinyin": "policy-pinyin-removed", "page_numbers": "policy-page-numbers-removed",
             "boilerplate": "policy-boilerplate-removed", "repaired": "policy-text-repaired"}
    if cleaned.script == "traditional":
        report.add(finding("policy-traditional", file=file))
    for kind, code in codes.items():
        if cleaned.removed[kind]:
            report.add(finding(code, file=file, value=cleaned.removed[kind]))
    if cleaned.garbled:
        report.add(finding("policy-text-garbled", file=file, value=len(cleaned.garbled),
                           detail="；".join(cleaned.garbled[:3])))


# ---------------------------------------------------------------- writing


_d = t.document


def store(conn: Connection, p: Prepared, report: Report) -> AddResult:
    """Write a prepared text: a file read again, a copy of a document (a file of it), or a new
    document (see ``files``)."""
    now = datetime.now(UTC)
    known = files.find(conn, p)
    if known is not None:
        return _reingest(conn, p, report, now, *known)
    copy = files.copy_of(conn, p)
    if copy is not None:
        return _attach(conn, p, report, now, *copy)
    doc_id = insert_document(conn, p, now)
    files.record(conn, doc_id, p, now)
    _report_outcome(conn, doc_id, p, report, "added", 0, None)
    title = conn.execute(select(_d.c.title).where(_d.c.id == doc_id)).scalar()
    return AddResult(p.source_file, "added", doc_id, None, None, report, title, len(p.targets))


def insert_document(conn: Connection, p: Prepared, now: datetime) -> int:
    """A new document made from ``p`` with its passages, terms, bands and targets (no file)."""
    row = _document_row(p, now)
    inserted = conn.execute(insert(_d).values(ingested_at=now, **row)).inserted_primary_key
    doc_id = int(inserted[0]) if inserted else 0
    _write_derived(conn, doc_id, p, fresh=True)
    return doc_id


def _reingest(conn: Connection, p: Prepared, report: Report, now: datetime, file_id: int,
              doc_id: int) -> AddResult:
    """A file read again: its record keeps its id; the document is rebuilt from it when it is
    the document's text (or now better than it), editor corrections applied again."""
    primary = files.is_primary(conn, doc_id, file_id)
    files.refresh(conn, file_id, p, now)
    corrections = 0
    if primary or p.quality > files.quality(conn, doc_id):
        corrections = rebuild(conn, doc_id, p, now)
    _report_outcome(conn, doc_id, p, report, "reingested", corrections, None)
    return _result(conn, p, report, "reingested", doc_id)


def _attach(conn: Connection, p: Prepared, report: Report, now: datetime, doc_id: int,
            similarity: float) -> AddResult:
    """A copy of a document becomes one of its files; its text when it is the better one."""
    files.record(conn, doc_id, p, now, similarity)
    if p.quality > files.quality(conn, doc_id):
        rebuild(conn, doc_id, p, now)
    _report_outcome(conn, doc_id, p, report, "attached", 0, similarity)
    return _result(conn, p, report, "attached", doc_id, similarity)


def rebuild(conn: Connection, doc_id: int, p: Prepared, now: datetime) -> int:
    """The document's text, metadata and derived rows from ``p``; corrections on top."""
    _drop_derived(conn, doc_id)
    conn.execute(update(_d).where(_d.c.id == doc_id).values(**_document_row(p, now)))
    _write_derived(conn, doc_id, p, fresh=False)
    return apply_corrections(conn, doc_id)


def _result(conn: Connection, p: Prepared, report: Report, status: str, doc_id: int,
            similarity: float | None = None) -> AddResult:
    canonical, title = conn.execute(select(_d.c.canonical_id, _d.c.title)
                                    .where(_d.c.id == doc_id)).one()
    return AddResult(p.source_file, status, doc_id, canonical, similarity, report, title,
                     len(p.targets))


def _document_row(p: Prepared, now: datetime) -> dict[str, Any]:
    extracted = p.meta.as_json()
    return dict(
        source_file=p.source_file, source_format=p.source_format, source_sha256=p.source_sha256,
        text_sha256=p.text_sha256, original_text=p.original,
        display_text=p.cleaned.display_text, text=p.cleaned.simplified_text,
        script=p.cleaned.script, extracted=extracted, updated_at=now, quality=p.quality,
        minhash=p.minhash.tobytes().hex(),
        cleaning={"removed": dict(p.cleaned.removed), "garbled": p.cleaned.garbled,
                  "scraped": p.cleaned.scraped},
        **_effective_columns(extracted),
    )


def _effective_columns(values: dict[str, Any]) -> dict[str, Any]:
    issued = values.get("issue_date")
    issued = date.fromisoformat(issued) if isinstance(issued, str) else issued
    issuers = list(values.get("issuers") or [])
    return dict(title=values.get("title"), doc_number=values.get("doc_number"), issuers=issuers,
                issuers_text="|" + "|".join(issuers) + "|" if issuers else "",
                issue_date=issued, issue_year=issued.year if issued else None,
                level=values.get("level"), doc_type=values.get("doc_type"))


def _drop_derived(conn: Connection, doc_id: int) -> None:
    for table in (t.term, t.section, t.passage, t.band):
        conn.execute(delete(table).where(table.c.document_id == doc_id))


def _write_derived(conn: Connection, doc_id: int, p: Prepared, *, fresh: bool) -> None:
    if p.sections:
        conn.execute(insert(t.section), [
            dict(document_id=doc_id, ordinal=s.ordinal, parent=s.parent, level=s.level,
                 label=s.label, heading=s.heading[:300], path=s.path[:1000], first_par=s.first,
                 last_par=s.last) for s in p.sections])
    rows = [dict(document_id=doc_id, ordinal=i, section_path=_path(p, i), text=simple,
                 display=shown, tokens=_framed(tokens), n_tokens=len(tokens))
            for i, (simple, shown, tokens) in enumerate(zip(p.cleaned.text, p.cleaned.display,
                                                            p.tokens, strict=True))]
    conn.execute(insert(t.passage), rows)
    ids = dict(conn.execute(select(t.passage.c.ordinal, t.passage.c.id)
                            .where(t.passage.c.document_id == doc_id)).all())
    conn.execute(insert(t.term), [dict(term=term, document_id=doc_id, weight=weight,
                                       passage_id=ids[index]) for term, weight, index in p.terms])
    if fresh:
        _bump_stats(conn, 1)
    conn.execute(insert(t.band), [dict(document_id=doc_id, band=i, bucket=key)
                                  for i, key in enumerate(p.bands)])
    _write_targets(conn, doc_id, p, fresh=fresh)


def _path(p: Prepared, paragraph: int) -> str:
    owner = p.owner[paragraph]
    return p.sections[owner].path[:1000] if owner is not None else ""


def _framed(tokens: list[str]) -> str:
    """`` a  b  c `` — every token between its own two spaces, so that ``replace(' b ', '')``
    removes each occurrence, adjacent ones included."""
    return "".join(f" {tok} " for tok in tokens)


_BUMP = update(t.stats).where(t.stats.c.id == 1).values(
    documents=t.stats.c.documents + bindparam("dn"))


def _bump_stats(conn: Connection, documents: int) -> None:
    """Count documents in the ranking index (the row is re-created if a store was emptied)."""
    if not conn.execute(_BUMP, {"dn": documents}).rowcount:
        total = conn.execute(select(func.count()).select_from(t.document)).scalar_one()
        conn.execute(insert(t.stats).values(id=1, documents=total))


def _write_targets(conn: Connection, doc_id: int, p: Prepared, *, fresh: bool) -> None:
    """Replace the candidates; keep confirmed (or rejected) targets that are found again."""
    kept: dict[str, Any] = {}
    if not fresh:
        kept = {r.key: r for r in conn.execute(select(t.target).where(
            (t.target.c.document_id == doc_id) & (t.target.c.status != "candidate"))).all()}
        conn.execute(delete(t.target).where(t.target.c.document_id == doc_id))
    rows = []
    for target in p.targets:
        prior = kept.get(target.key)
        rows.append(dict(
            document_id=doc_id, key=target.key, subject=target.subject[:300],
            indicator=target.indicator[:300], target_year=target.target_year,
            comparator=target.comparator, value=target.value, unit=target.unit,
            sentence=target.sentence, section_path=_path(p, target.paragraph),
            status=prior.status if prior else "candidate",
            indicator_code=prior.indicator_code if prior else None,
            confirmed_by=prior.confirmed_by if prior else None,
            confirmed_at=prior.confirmed_at if prior else None))
    if rows:
        conn.execute(insert(t.target), rows)


def _report_outcome(conn: Connection, doc_id: int, p: Prepared, report: Report, status: str,
                    corrections: int, similarity: float | None) -> None:
    file = p.source_file
    corrected = set() if status == "added" else set(conn.execute(
        select(t.correction.c.field).where(t.correction.c.document_id == doc_id)).scalars())
    for name in p.meta.missing() if status != "attached" else ():
        if name not in corrected:
            zh, en = metadata.LABELS[name]
            report.add(finding("policy-field-not-found", file=file, column=f"{zh} / {en}"))
    if status == "attached" and similarity is not None:
        report.add(finding("policy-duplicate", file=file, value=doc_id, detail=f"{similarity:.2f}"))
    if status == "reingested":
        report.add(finding("policy-reingested", file=file, value=doc_id, detail=corrections))


# ---------------------------------------------------------------- corrections


def _latest_corrections(conn: Connection, doc_id: int) -> dict[str, Any]:
    rows = conn.execute(select(t.correction.c.field, t.correction.c.value)
                        .where(t.correction.c.document_id == doc_id)
                        .order_by(t.correction.c.id)).all()
    return {r.field: r.value for r in rows}


def apply_corrections(conn: Connection, doc_id: int) -> int:
    """Set the effective fields to the extracted values with the corrections on top."""
    d = t.document
    extracted = conn.execute(select(d.c.extracted).where(d.c.id == doc_id)).scalar_one()
    extracted = json.loads(extracted) if isinstance(extracted, str) else dict(extracted)
    fixes = _latest_corrections(conn, doc_id)
    values = {**extracted, **{k: v for k, v in fixes.items() if k in metadata.FIELDS}}
    conn.execute(update(d).where(d.c.id == doc_id).values(**_effective_columns(values)))
    if "canonical" in fixes:
        _set_canonical(conn, doc_id, fixes["canonical"])
    return len(fixes)


def _set_canonical(conn: Connection, doc_id: int, target_id: int | None) -> None:
    d = t.document
    if target_id is None:
        conn.execute(update(d).where(d.c.id == doc_id).values(canonical_id=None, similarity=None))
        return
    root = conn.execute(select(func.coalesce(d.c.canonical_id, d.c.id)).where(d.c.id == target_id)).scalar()
    if root is None or root == doc_id:
        return
    conn.execute(update(d).where(d.c.canonical_id == doc_id).values(canonical_id=root))
    conn.execute(update(d).where(d.c.id == doc_id).values(canonical_id=root))


def parse_value(name: str, value: str) -> Any:
    """An editor's text for field ``name`` as stored; ``""`` or ``-`` clears the field."""
    value = value.strip()
    if name not in metadata.EDITABLE:
        raise ShumaoError(f"不能修改的字段：{name}（可改：{', '.join(metadata.EDITABLE)}） / "
                          f"field {name!r} cannot be edited (editable: {', '.join(metadata.EDITABLE)})")
    if value in ("", "-"):
        return None
    parser = _PARSERS.get(name, lambda v: to_simplified(v))
    return parser(value)


def _parse_number(value: str) -> str:
    number = metadata.normalise_doc_number(to_simplified(value))
    if number is None:
        raise ShumaoError(f"不是文号：{value}（例如 商合函〔2021〕355号） / "
                          f"not a document number: {value} (e.g. 商合函〔2021〕355号)")
    return number


def _parse_date(value: str) -> str:
    found = metadata.issue_date([value.replace("/", "-")]) if "年" in value else None
    try:
        return (found or date.fromisoformat(value)).isoformat()
    except ValueError:
        raise ShumaoError(f"不是日期：{value}（例如 2021-07-20） / not a date: {value} "
                          "(e.g. 2021-07-20)") from None


def _parse_choice(choices: Sequence[str], what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        simple = to_simplified(value)
        simple = {"指导意见": "意见", "实施意见": "意见"}.get(simple, simple)
        if simple not in choices:
            raise ShumaoError(f"{what}只能是：{'、'.join(choices)} / must be one of {', '.join(choices)}")
        return simple
    return parse


def _parse_issuers(value: str) -> list[str]:
    names = [n for n in re.split(r"[,，、;；\s]+", to_simplified(value)) if n]
    return list(dict.fromkeys(metadata.canonical_issuer(n) for n in names))


def _parse_canonical(value: str) -> int:
    if not value.lstrip("#").isdigit():
        raise ShumaoError(f"不是文件编号：{value} / not a document id: {value}")
    return int(value.lstrip("#"))


_PARSERS: dict[str, Callable[[str], Any]] = {
    "doc_number": _parse_number, "issue_date": _parse_date, "issuers": _parse_issuers,
    "level": _parse_choice(metadata.LEVELS, "层级 level "),
    "doc_type": _parse_choice(metadata.TYPES, "文种 type "), "canonical": _parse_canonical,
}


def edit(engine: Engine, doc_id: int, name: str, value: str, *, by: str = "editor",
         note: str = "") -> dict[str, Any]:
    """Record an editor's correction of one field and apply it; returns the effective fields."""
    parsed = parse_value(name, value)
    with engine.begin() as conn:
        _require(conn, doc_id)
        if name == "canonical" and parsed is not None:
            _require(conn, parsed)
        conn.execute(insert(t.correction).values(document_id=doc_id, field=name, value=parsed,
                                                 corrected_by=by, corrected_at=datetime.now(UTC),
                                                 note=note))
        apply_corrections(conn, doc_id)
    return get(engine, doc_id).fields


def _require(conn: Connection, doc_id: int) -> None:
    if conn.execute(select(t.document.c.id).where(t.document.c.id == doc_id)).scalar() is None:
        raise ShumaoError(f"没有第 {doc_id} 号文件 / no document #{doc_id}")


# ---------------------------------------------------------------- targets


def confirm_target(engine: Engine, target_id: int, indicator_code: str, *,
                   by: str = "editor") -> None:
    """A person confirms which monitoring indicator a candidate target tracks."""
    code = indicator_code.strip()
    if not code or len(code) > 60:
        raise ShumaoError("指标代码不能为空 / the indicator code is empty")
    _set_target(engine, target_id, status="confirmed", indicator_code=code, confirmed_by=by,
                confirmed_at=datetime.now(UTC))


def reject_target(engine: Engine, target_id: int, *, by: str = "editor") -> None:
    _set_target(engine, target_id, status="rejected", indicator_code=None, confirmed_by=by,
                confirmed_at=datetime.now(UTC))


def _set_target(engine: Engine, target_id: int, **values: Any) -> None:
    with engine.begin() as conn:
        changed = conn.execute(update(t.target).where(t.target.c.id == target_id).values(**values)).rowcount
    if not changed:
        raise ShumaoError(f"没有第 {target_id} 号目标 / no target #{target_id}")


def list_targets(bind: Engine | Connection, status: str | None = None) -> list[dict[str, Any]]:
    """Targets with their document; ``status`` candidate / confirmed / rejected, or all."""
    query = (select(t.target, t.document.c.title, t.document.c.canonical_id)
             .join(t.document, t.document.c.id == t.target.c.document_id)
             .order_by(t.target.c.document_id, t.target.c.id))
    if status:
        query = query.where(t.target.c.status == status)
    with _connect(bind) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def candidate_targets(bind: Engine | Connection) -> list[dict[str, Any]]:
    """What monitoring is offered: candidates of canonical documents."""
    return [r for r in list_targets(bind, "candidate") if r["canonical_id"] is None]


def confirmed_targets(bind: Engine | Connection) -> list[dict[str, Any]]:
    return list_targets(bind, "confirmed")


# ---------------------------------------------------------------- reading


@dataclass
class DocumentView:
    id: int
    fields: dict[str, Any]
    """Effective values (extracted, corrected on top)."""
    extracted: dict[str, Any]
    corrected: dict[str, Any]
    missing: list[str]
    """Fields neither found in the text nor given by an editor."""
    source_file: str
    source_format: str
    script: str
    canonical_id: int | None
    similarity: float | None
    duplicates: list[int]
    """Records an editor linked to this one (``edit … canonical``)."""
    files: list[files.SourceFile]
    """The files the document came from, the one its text is taken from first."""
    sections: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    display_text: str
    text: str
    original_text: str
    cleaning: dict[str, Any]


def _connect(bind: Engine | Connection) -> Any:
    return bind.connect() if isinstance(bind, Engine) else nullcontext(bind)


def get(bind: Engine | Connection, doc_id: int) -> DocumentView:
    d = t.document
    with _connect(bind) as conn:
        row = conn.execute(select(d).where(d.c.id == doc_id)).one_or_none()
        if row is None:
            raise ShumaoError(f"没有第 {doc_id} 号文件 / no document #{doc_id}")
        extracted = _json(row.extracted)
        corrected = _latest_corrections(conn, doc_id)
        secs = [dict(r._mapping) for r in conn.execute(
            select(t.section).where(t.section.c.document_id == doc_id).order_by(t.section.c.ordinal))]
        tgts = [dict(r._mapping) for r in conn.execute(
            select(t.target).where(t.target.c.document_id == doc_id).order_by(t.target.c.id))]
        dups = list(conn.execute(select(d.c.id).where(d.c.canonical_id == doc_id)
                                 .order_by(d.c.id)).scalars())
        sources = files.of_document(conn, doc_id)
    fields = {"title": row.title, "doc_number": row.doc_number, "issuers": _json(row.issuers),
              "issue_date": _iso(row.issue_date), "level": row.level, "doc_type": row.doc_type}
    missing = [f for f in metadata.FIELDS if fields[f] in (None, []) and f not in corrected]
    return DocumentView(doc_id, fields, extracted, corrected, missing, row.source_file,
                        row.source_format, row.script, row.canonical_id, row.similarity, dups,
                        sources, secs, tgts, row.display_text, row.text, row.original_text,
                        _json(row.cleaning))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def list_documents(bind: Engine | Connection) -> list[dict[str, Any]]:
    d = t.document
    query = select(d.c.id, d.c.title, d.c.doc_number, d.c.issue_date, d.c.level, d.c.doc_type,
                   d.c.script, d.c.source_file, d.c.canonical_id, d.c.similarity).order_by(d.c.id)
    with _connect(bind) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
