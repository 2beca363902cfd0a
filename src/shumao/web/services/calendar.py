"""发布日程, release notes, embargo previews and the bulk downloads, for the pages and the API.

Keyword-only services over ``shumao.release``; who may see an embargoed release is
``release.embargo``, who may edit notes ``auth.permissions.may_release``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from shumao.auth import permissions
from shumao.auth.scope import Scope
from shumao.errors import NotVisible
from shumao.labels import label, pick
from shumao.reference.units import unit_text
from shumao.release import (
    calendar,
    corrections,
    documents,
    embargo,
    feeds,
    history,
    notes,
    shown,
    snapshot,
)
from shumao.release.tables import release_snapshot
from shumao.storage.dataflows import get_dataflow

PREVIEW_ROWS = 200


def calendar_view(
    conn: Connection, *, scope: Scope, lang: str, now: datetime | None = None
) -> dict[str, Any]:
    """Upcoming entries (soonest first) and past ones (newest first)."""
    now = now or datetime.now(UTC)
    found = calendar.entries(conn)
    rows = [_row(e, scope, lang) for e in found]
    return {
        "upcoming": [r for r in rows if r["entry"].upcoming],
        "past": [r for r in reversed(rows) if not r["entry"].upcoming],
        "now": now,
    }


def _row(e: calendar.Entry, scope: Scope, lang: str) -> dict[str, Any]:
    zh, en = calendar.STATUSES[e.status]
    return {
        "entry": e,
        "title": pick(*_halves(e.title), lang),
        "status": pick(zh, en, lang),
        "kind": pick(*calendar.KINDS[e.kind], lang),
        "may_preview": e.upcoming
        and e.kind in calendar.HOLDS_VINTAGE
        and embargo.may_see(scope, e),
        "may_read_files": e.kind == "report" and documents.visible(scope, e),
    }


def _halves(text: str) -> tuple[str, str]:
    zh, _, en = text.partition(" / ")
    return zh, en or zh


def calendar_json(conn: Connection) -> list[dict[str, Any]]:
    return feeds.as_json(calendar.entries(conn))


def calendar_ical(conn: Connection, *, base_url: str) -> str:
    return feeds.ical(calendar.entries(conn), base_url=base_url)


def release_view(conn: Connection, *, scope: Scope, release_id: int, lang: str) -> dict[str, Any]:
    """A release with its notes (facts and text), its correction and its snapshot."""
    found = [r for r in history.list_releases(conn) if r.id == release_id]
    if not found:
        raise NotVisible("发布", "release")
    made = found[0]
    shown.note(made.dataflow_id)
    note = notes.get(conn, made.id)
    flow = get_dataflow(made.dataflow_id)
    return {
        "release": made,
        "flow_name": pick(flow.name_zh, flow.name_en, lang),
        "note": note,
        "text": (note or {}).get("text_en" if lang == "en" else "text_zh", ""),
        "facts": (note or {}).get("generated") or {},
        "correction": corrections.of_release(conn, made.id),
        "snapshot": snapshot.recorded(conn, made.id),
        "may_edit": permissions.may_release(scope) and note is not None,
    }


def edit_notes(
    conn: Connection, *, scope: Scope, release_id: int, text_zh: str, text_en: str, ip: str = ""
) -> None:
    notes.edit(conn, scope=scope, release_id=release_id, text_zh=text_zh, text_en=text_en, ip=ip)


def preview_view(
    conn: Connection, *, scope: Scope, entry_id: int, lang: str, ip: str = ""
) -> dict[str, Any]:
    """The embargoed figures of an entry, for the preparing roles and the embargo list."""
    frame = embargo.preview(conn, scope=scope, entry_id=entry_id, ip=ip)
    entry = calendar.get(conn, entry_id)
    rows = frame.sort("time_period", descending=True).head(PREVIEW_ROWS).to_dicts()
    return {
        "entry": entry,
        "title": pick(*_halves(entry.title), lang),
        "rows": frame.height,
        "table": [_named(r, lang) for r in rows],
    }


def _named(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """A row with names, not codes, and its unit as people read it (亿美元)."""
    named = {
        d: label(d, row[d], lang)
        for d in ("ref_area", "counterpart_area", "product", "flow", "indicator")
    }
    return {**row, **named, "unit": unit_text(row["unit"], row["unit_mult"], lang) or row["unit"]}


def downloads_view(conn: Connection, *, root: Path, lang: str) -> list[dict[str, Any]]:
    """Every release with a snapshot: its files, sizes and checksums, per dataflow."""
    rows = conn.execute(
        release_snapshot.select().order_by(release_snapshot.c.release_id.desc())
    ).all()
    made = {r.id: r for r in history.list_releases(conn)}
    corrected = {c.corrects: c.release_id for c in corrections.active(conn)}
    out = []
    for row in rows:
        manifest = snapshot.manifest(root, row.folder)
        if manifest is None or row.release_id not in made:
            continue
        flow = get_dataflow(made[row.release_id].dataflow_id)
        shown.note(flow.id)  # the listing shows the dataflow's files: its notice too
        out.append(
            {
                "release": made[row.release_id],
                "folder": row.folder,
                "flow_name": pick(flow.name_zh, flow.name_en, lang),
                "files": manifest["files"],
                "rows": manifest["rows"],
                "manifest_sha256": row.manifest_sha256,
                "bytes": row.bytes,
                "corrected_by": corrected.get(row.release_id),
            }
        )
    return out


def download_path(conn: Connection, *, root: Path, folder: str, name: str) -> Path:
    """A file of a recorded snapshot (its manifest lists it), or not found."""
    known = conn.execute(
        release_snapshot.select().where(release_snapshot.c.folder == folder)
    ).first()
    path = snapshot.file_path(root, folder, name) if known is not None else None
    if known is None or path is None or not path.is_file():
        raise NotVisible("文件", "file")
    shown.note(*(r.dataflow_id for r in history.list_releases(conn) if r.id == known.release_id))
    return path


def reports_view(conn: Connection, *, scope: Scope, lang: str) -> list[dict[str, Any]]:
    """The annual reports released on the calendar (and, for the preparers and the embargo
    list, those still under embargo), with their files."""
    return [
        {"entry": e, "title": pick(*_halves(e.title), lang), "embargoed": e.upcoming, "files": docs}
        for e, docs in documents.listing(conn, scope=scope)
    ]


def report_file(
    conn: Connection, *, scope: Scope, root: Path, entry_id: int, name: str, ip: str = ""
) -> tuple[documents.Document, Path]:
    return documents.file_for(conn, scope=scope, entry_id=entry_id, name=name, root=root, ip=ip)


def correction_notices(
    conn: Connection, *, dataflows: frozenset[str], lang: str
) -> list[dict[str, Any]]:
    """The correction notices of the corrected ``dataflows`` a response shows (none read: no
    query)."""
    if not dataflows:
        return []
    found = corrections.shown_in(conn, dataflows)
    return [
        {
            "release_id": c.release_id,
            "flow": pick(
                get_dataflow(c.dataflow_id).name_zh, get_dataflow(c.dataflow_id).name_en, lang
            ),
            "dataflow": c.dataflow_id,
            "periods": c.periods,
            "reason": c.reason,
            "at": c.corrected_at,
        }
        for c in found
    ]


def correction_header(notices: list[dict[str, Any]]) -> str:
    """The notices as one ASCII header value for the API, SDMX and files:
    ``UNCTAD_DDS; periods=2023; notes=/releases/12``."""
    return ", ".join(
        f"{n['dataflow']}; periods={' '.join(n['periods']) or '-'}; "
        f"notes=/releases/{n['release_id']}"
        for n in notices
    )
