"""Copies folded into the wrong document, split off by an administrator — and put back.

The library folds a file whose text is a near-duplicate of a document's into that document
(``files.copy_of``). Two different documents can share most of their text (a notice and the
measures it publishes, two years of one annual notice), and then one was folded into the other.
``split_file`` makes the file a document of its own again: a new record built from the file's
own text (metadata, passages, ranking terms, targets), the file moved to it; when the file was
the one the old document's text came from, the old document is rebuilt from its best remaining
file, editor corrections on top. ``undo`` moves the file back and removes the split-off record
(refused once another file or an editor's link points at it). Both are one transaction, kept
in ``policy_split`` and written to the audit log (``policy.split``, ``policy.unsplit``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from shumao.auth import audit
from shumao.errors import ShumaoError
from shumao.policy import files, writing
from shumao.policy import tables as t
from shumao.policy.prepared import Prepared, prepare
from shumao.validation.findings import Report

_f, _d, _s = t.source_file, t.document, t.split


@dataclass(frozen=True)
class Split:
    id: int
    file_id: int
    source_file: str
    from_document_id: int
    to_document_id: int
    reason: str
    split_by: str
    split_at: datetime
    undone_by: str | None
    undone_at: datetime | None


@contextmanager
def _begin(bind: Engine | Connection) -> Iterator[Connection]:
    """The caller's connection (its transaction), or a new transaction on an engine."""
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.begin() as conn:
        yield conn


def _prepared(conn: Connection, file_id: int) -> Prepared:
    row = conn.execute(
        select(_f.c.original_text, _f.c.source_file, _f.c.source_format, _f.c.source_sha256).where(
            _f.c.id == file_id
        )
    ).one()
    p = prepare(
        row.original_text,
        row.source_file,
        row.source_format,
        row.source_sha256,
        Report(source=row.source_file),
    )
    if p is None:  # it was long enough when it was added; the rules changed since
        raise ShumaoError(
            f"文件 {row.source_file} 的文字太短，无法单独成为一份文件 / the text of "
            f"{row.source_file} is too short to be a document of its own"
        )
    return p


def _file(conn: Connection, file_id: int) -> Any:
    row = conn.execute(
        select(_f.c.id, _f.c.document_id, _f.c.source_file).where(_f.c.id == file_id)
    ).first()
    if row is None:
        raise ShumaoError(f"没有第 {file_id} 号来源文件 / no source file #{file_id}")
    return row


def _count_files(conn: Connection, document_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(_f).where(_f.c.document_id == document_id)
        ).scalar_one()
    )


def _rebuild_from_best(conn: Connection, document_id: int, now: datetime) -> None:
    """The document's text from its best file (quality, then the first added)."""
    best = conn.execute(
        select(_f.c.id)
        .where(_f.c.document_id == document_id)
        .order_by(_f.c.quality.desc(), _f.c.id)
        .limit(1)
    ).scalar_one()
    writing.rebuild(conn, document_id, _prepared(conn, best), now)


def split_file(
    bind: Engine | Connection,
    file_id: int,
    *,
    by: str,
    reason: str = "",
    role: str = "",
    ip: str = "",
) -> Split:
    """Split file ``file_id`` off its document into a document of its own (``by``, ``role``
    and ``ip`` go to the audit log)."""
    now = datetime.now(UTC)
    with _begin(bind) as conn:
        row = _file(conn, file_id)
        old = int(row.document_id)
        if _count_files(conn, old) < 2:
            raise ShumaoError(
                f"第 {old} 号文件只有这一个来源文件，无需拆分 / document #{old} has "
                "only this file; there is nothing to split"
            )
        was_primary = files.is_primary(conn, old, file_id)
        new = writing.insert_document(conn, _prepared(conn, file_id), now)
        conn.execute(update(_f).where(_f.c.id == file_id).values(document_id=new, similarity=None))
        if was_primary:
            _rebuild_from_best(conn, old, now)
        split_id = conn.execute(
            insert(_s).values(
                file_id=file_id,
                from_document_id=old,
                to_document_id=new,
                was_primary=int(was_primary),
                reason=reason[:500],
                split_by=by[:64],
                split_at=now,
            )
        ).inserted_primary_key
        audit.record(
            conn,
            action="policy.split",
            username=by,
            role=role,
            ip=ip,
            target=f"policy_file {file_id}",
            detail={"from_document": old, "to_document": new, "reason": reason},
        )
        return _one(conn, int(split_id[0]) if split_id else 0)


def undo(
    bind: Engine | Connection, split_id: int, *, by: str, role: str = "", ip: str = ""
) -> Split:
    """Put a split-off file back into the document it was split from."""
    now = datetime.now(UTC)
    with _begin(bind) as conn:
        s = _one(conn, split_id)
        if s.undone_at is not None:
            raise ShumaoError(
                f"拆分记录 {split_id} 已于 {s.undone_at:%Y-%m-%d} 撤销 / split "
                f"#{split_id} was already undone"
            )
        _check_undoable(conn, s)
        conn.execute(update(_f).where(_f.c.id == s.file_id).values(document_id=s.from_document_id))
        _remove_document(conn, s.to_document_id)
        if files.quality(conn, s.from_document_id) < int(
            conn.execute(select(_f.c.quality).where(_f.c.id == s.file_id)).scalar_one()
        ):
            writing.rebuild(conn, s.from_document_id, _prepared(conn, s.file_id), now)
        conn.execute(update(_s).where(_s.c.id == split_id).values(undone_by=by[:64], undone_at=now))
        audit.record(
            conn,
            action="policy.unsplit",
            username=by,
            role=role,
            ip=ip,
            target=f"policy_file {s.file_id}",
            detail={"split": split_id, "back_to_document": s.from_document_id},
        )
        return _one(conn, split_id)


def _check_undoable(conn: Connection, s: Split) -> None:
    here = conn.execute(select(_f.c.document_id).where(_f.c.id == s.file_id)).scalar_one()
    others = _count_files(conn, s.to_document_id) - (1 if here == s.to_document_id else 0)
    linked = conn.execute(
        select(func.count()).select_from(_d).where(_d.c.canonical_id == s.to_document_id)
    ).scalar_one()
    if here != s.to_document_id or others or linked:
        raise ShumaoError(
            f"第 {s.to_document_id} 号文件在拆分后又有了其他来源文件或关联记录，不能自动撤销；请先拆分"
            f"或取消这些关联 / document #{s.to_document_id} gained other files or links after the "
            "split; split or unlink those first"
        )


def _remove_document(conn: Connection, document_id: int) -> None:
    for table in (t.term, t.section, t.passage, t.band, t.target, t.correction):
        conn.execute(delete(table).where(table.c.document_id == document_id))
    conn.execute(delete(_d).where(_d.c.id == document_id))
    conn.execute(update(t.stats).where(t.stats.c.id == 1).values(documents=t.stats.c.documents - 1))


def _one(conn: Connection, split_id: int) -> Split:
    row = conn.execute(
        select(_s, _f.c.source_file).join(_f, _f.c.id == _s.c.file_id).where(_s.c.id == split_id)
    ).first()
    if row is None:
        raise ShumaoError(f"没有第 {split_id} 号拆分记录 / no split #{split_id}")
    return _split(row)


def _split(row: Any) -> Split:
    return Split(
        row.id,
        row.file_id,
        row.source_file,
        row.from_document_id,
        row.to_document_id,
        row.reason,
        row.split_by,
        row.split_at,
        row.undone_by,
        row.undone_at,
    )


def history(bind: Engine | Connection) -> list[Split]:
    """Every split, newest first."""
    query = select(_s, _f.c.source_file).join(_f, _f.c.id == _s.c.file_id).order_by(_s.c.id.desc())
    if isinstance(bind, Connection):
        return [_split(r) for r in bind.execute(query)]
    with bind.connect() as conn:
        return [_split(r) for r in conn.execute(query)]
