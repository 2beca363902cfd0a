"""发布文件 / the documents a scheduled release publishes: the annual report's files.

The annual report (中国数字贸易发展报告) is built by ``shumao report build`` or the report page
for the ministry and administrators; it reaches the public only through the calendar. A
calendar entry of kind ``report`` holds its files (``attach``: PDF, Word, HTML, Excel, copied
into ``<data_dir>/release-documents/`` under their SHA-256 — a postponement moves the entry's
files to the entry replacing it without touching a file — audited ``release.attach``). Until the release worker releases the entry at its minute, the files are
listed and served only to the roles that prepare releases and to the entry's embargo list
(``embargo.may_see``; each such download audited ``release.embargo``); to everybody else they
do not exist (404). At the minute the worker refuses to release an entry with no files (it is
marked failed, with the reason), so the calendar never announces a report nobody can read.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from shumao.auth import audit, permissions
from shumao.auth.scope import Scope
from shumao.errors import InvalidParameter, NotVisible
from shumao.release import calendar, embargo
from shumao.release.calendar import Entry
from shumao.release.tables import release_document

FORMATS = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Document:
    id: int
    entry_id: int
    name: str
    format: str
    bytes: int
    sha256: str
    attached_by: str
    attached_at: datetime

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]


def root_of(data_dir: Path) -> Path:
    """The documents folder (never served as a folder: each file only through ``file_for``)."""
    return data_dir / "release-documents"


def stored(root: Path, doc: Document) -> Path:
    """Where a document's bytes are kept: named by their checksum."""
    return root / f"{doc.sha256}.{doc.format}"


def attach(
    conn: Connection,
    *,
    scope: Scope,
    entry_id: int,
    files: Sequence[Path],
    root: Path,
    ip: str = "",
) -> list[Document]:
    """Attach the report's files to a scheduled ``report`` entry (a file of the same name is
    replaced); they stay under embargo with the entry."""
    permissions.require_release(scope)
    entry = calendar.get(conn, entry_id)
    _check_entry(entry)
    checked = [_check_file(path) for path in files]
    if not checked:
        raise InvalidParameter("请给出报告文件 / name the report's files")
    for path, fmt in checked:
        digest, size = _copy(path, root, fmt)
        conn.execute(
            delete(release_document).where(
                release_document.c.entry_id == entry.id, release_document.c.name == path.name
            )
        )
        conn.execute(
            insert(release_document).values(
                entry_id=entry.id,
                name=path.name,
                format=fmt,
                bytes=size,
                sha256=digest,
                attached_by=scope.username,
                attached_at=datetime.now(UTC),
            )
        )
    audit.record_by(
        conn,
        scope,
        action="release.attach",
        target=f"calendar#{entry.id}",
        ip=ip,
        detail={"files": [p.name for p, _ in checked]},
    )
    return of_entry(conn, entry.id)


def _check_entry(entry: Entry) -> None:
    if entry.kind != "report":
        raise InvalidParameter(
            f"发布日程 #{entry.id} 不是报告，只有报告附文件 / calendar entry "
            f"#{entry.id} is not a report: only reports carry files"
        )
    if entry.status != "scheduled":
        raise InvalidParameter(
            f"发布日程 #{entry.id} 状态为{calendar.STATUSES[entry.status][0]}，"
            f"不能再附文件 / calendar entry #{entry.id} is "
            f"{calendar.STATUSES[entry.status][1]}: files are attached "
            "before the release"
        )


def _check_file(path: Path) -> tuple[Path, str]:
    fmt = path.suffix.lower().lstrip(".")
    if not path.is_file():
        raise InvalidParameter(f"找不到文件 {path} / no such file: {path}")
    if fmt not in FORMATS:
        raise InvalidParameter(
            f"文件 {path.name} 的格式不是 PDF、Word、HTML 或 Excel（.pdf、.docx、"
            f".html、.xlsx）/ {path.name} is not a PDF, Word, HTML or Excel "
            "file (.pdf, .docx, .html, .xlsx)"
        )
    return path, fmt


def _copy(path: Path, root: Path, fmt: str) -> tuple[str, int]:
    """Copy beside the final name, then rename into place (a reader never sees half a file)."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with (
        tempfile.NamedTemporaryFile(dir=root, prefix=".", delete=False) as temp,
        path.open("rb") as source,
    ):
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            temp.write(block)
    final = root / f"{digest.hexdigest()}.{fmt}"
    Path(temp.name).replace(final)
    return digest.hexdigest(), final.stat().st_size


def of_entry(conn: Connection, entry_id: int) -> list[Document]:
    rows = conn.execute(
        select(release_document)
        .where(release_document.c.entry_id == entry_id)
        .order_by(release_document.c.name)
    )
    return [_document(r) for r in rows]


def _document(row: Any) -> Document:
    data = dict(row._mapping)
    if data["attached_at"].tzinfo is None:
        data["attached_at"] = data["attached_at"].replace(tzinfo=UTC)
    return Document(**data)


def require_attached(conn: Connection, entry: Entry) -> None:
    """The worker's check at the minute: a report without files is not released."""
    if entry.kind == "report" and not of_entry(conn, entry.id):
        raise InvalidParameter(
            f"发布日程 #{entry.id}（{entry.title}）没有附上报告文件，未发布 / "
            f"calendar entry #{entry.id} has no report files attached: not "
            "released"
        )


def visible(scope: Scope, entry: Entry) -> bool:
    """Released: everybody; before the minute: the preparers and the embargo list."""
    return entry.status == "released" or (entry.upcoming and embargo.may_see(scope, entry))


def listing(conn: Connection, *, scope: Scope) -> list[tuple[Entry, list[Document]]]:
    """The reports ``scope`` may see with their files, newest first."""
    found = [
        e for e in reversed(calendar.entries(conn)) if e.kind == "report" and visible(scope, e)
    ]
    return [(e, docs) for e in found if (docs := of_entry(conn, e.id))]


def file_for(
    conn: Connection, *, scope: Scope, entry_id: int, name: str, root: Path, ip: str = ""
) -> tuple[Document, Path]:
    """A report file, or not found (404) for whoever may not see it yet."""
    entry = calendar.get(conn, entry_id)
    doc = next((d for d in of_entry(conn, entry_id) if d.name == name), None)
    path = stored(root, doc) if doc is not None else None
    if doc is None or path is None or not visible(scope, entry) or not path.is_file():
        raise NotVisible("报告文件", "report file")
    if entry.upcoming:
        embargo.record_look(conn, scope=scope, entry=entry, ip=ip, detail={"file": name})
    return doc, path
