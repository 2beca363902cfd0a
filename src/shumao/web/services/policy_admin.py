"""The policy library's administration (admin only): documents that hold several files, and
splitting a copy that was folded into the wrong document off again (``policy.split``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from shumao.policy import split
from shumao.policy import tables as t
from shumao.web.services.admin import Admin


def overview(conn: Connection, *, admin: Admin) -> dict[str, Any]:
    """Documents with more than one file (each file with its similarity), and every split."""
    admin.require()
    f, d = t.source_file, t.document
    several = select(f.c.document_id).group_by(f.c.document_id).having(func.count() > 1)
    docs = conn.execute(
        select(d.c.id, d.c.title, d.c.source_sha256, d.c.source_file)
        .where(d.c.id.in_(several))
        .order_by(d.c.id)
    ).all()
    out = []
    for doc in docs:
        rows = conn.execute(
            select(f.c.id, f.c.source_file, f.c.script, f.c.similarity, f.c.source_sha256)
            .where(f.c.document_id == doc.id)
            .order_by(f.c.id)
        ).all()
        out.append(
            {
                "id": doc.id,
                "title": doc.title,
                "files": [
                    {
                        "id": r.id,
                        "source_file": r.source_file,
                        "script": r.script,
                        "similarity": r.similarity,
                        "primary": (r.source_sha256, r.source_file)
                        == (doc.source_sha256, doc.source_file),
                    }
                    for r in rows
                ],
            }
        )
    return {"documents": out, "splits": split.history(conn)}


def split_file(conn: Connection, *, admin: Admin, file_id: int, reason: str) -> split.Split:
    admin.require()
    s = admin.scope
    return split.split_file(conn, file_id, by=s.username, reason=reason, role=s.role, ip=admin.ip)


def undo(conn: Connection, *, admin: Admin, split_id: int) -> split.Split:
    admin.require()
    s = admin.scope
    return split.undo(conn, split_id, by=s.username, role=s.role, ip=admin.ip)


def as_json(done: split.Split) -> dict[str, Any]:
    return {
        **done.__dict__,
        "split_at": done.split_at.isoformat(),
        "undone_at": done.undone_at.isoformat() if done.undone_at else None,
    }
