"""The release calendar as feeds: JSON (the page's API) and iCalendar (RFC 5545).

Both list every entry; an embargoed entry shows what, when and its status — never figures.
Moments are UTC in the feeds (``DTSTART:20261207T013000Z``); calendar programs show them in
the reader's zone, the page in Beijing time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from shumao.release.calendar import KINDS, STATUSES, Entry

PRODID = "-//shumao//release calendar//ZH"


def as_json(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "subject": e.subject,
            "title": e.title,
            "reference_period": e.reference_period,
            "scheduled_at": e.scheduled_at.isoformat(timespec="seconds"),
            "status": e.status,
            "status_zh": STATUSES[e.status][0],
            "reason": e.reason,
            "approved_by": e.approved_by,
            "release_id": e.release_id,
            "released_at": e.released_at.isoformat(timespec="seconds") if e.released_at else None,
            "replaces": e.replaces,
        }
        for e in entries
    ]


def ical(entries: Sequence[Entry], *, base_url: str = "", now: datetime | None = None) -> str:
    """An iCalendar feed: one VEVENT per entry (postponed ones CANCELLED, with the reason)."""
    stamp = _utc(now or datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:数贸 发布日程 / shumao release calendar",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for e in entries:
        lines += _event(e, stamp, base_url)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _event(e: Entry, stamp: str, base_url: str) -> list[str]:
    zh, en = STATUSES[e.status]
    what = f"{KINDS[e.kind][0]} {e.reference_period}"
    describe = f"{zh} / {en}" + (f"：{e.reason}" if e.reason else "")
    return [
        "BEGIN:VEVENT",
        f"UID:release-{e.id}@shumao",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(e.scheduled_at)}",
        f"DTEND:{_utc(e.scheduled_at + timedelta(minutes=15))}",
        f"SUMMARY:{_text(e.title.split(' / ')[0] + ' ' + e.reference_period)}",
        f"DESCRIPTION:{_text(what + '；' + describe)}",
        f"STATUS:{'CANCELLED' if e.status in ('postponed', 'failed') else 'CONFIRMED'}",
        f"URL:{base_url}/calendar#entry-{e.id}",
        "END:VEVENT",
    ]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded (RFC 5545 §3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out)
