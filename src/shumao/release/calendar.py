"""发布日程 / the release calendar: what is released when, as data.

An entry names what is released (a dataflow, the annual report or an index), its reference
period, the scheduled moment (stored in UTC, entered and shown in Beijing time), its status and
who approved it. A dataflow's entry holds the prepared vintage under embargo (``embargo``: who
besides the preparing roles may see it) until the scheduled minute; the release worker
(``worker``) claims due entries from this table and releases them.

    scheduled ──(worker, at the minute)──▶ released
        │                                   (failed: the release raised; the reason is kept)
        └──(postpone: new moment, reason)──▶ postponed, and a new scheduled entry replaces it

Everything here is audited (``release.schedule``, ``release.postpone``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, insert, select, update

from shumao.auth import audit, permissions, users
from shumao.auth.scope import Scope
from shumao.errors import InvalidParameter, NotVisible, StoreError
from shumao.release import history, notes
from shumao.release.tables import release_calendar, release_document
from shumao.storage.dataflows import get_dataflow
from shumao.storage.tables import vintage

BEIJING = ZoneInfo("Asia/Shanghai")
KINDS = {
    "dataflow": ("数据流", "dataflow"),
    "report": ("年度报告", "annual report"),
    "index": ("指数", "index"),
}
HOLDS_VINTAGE = ("dataflow", "index")
"""Kinds whose release is a vintage of a dataflow (an index's build is a vintage of its own
dataflow, e.g. DTI_PROV); a report's release is its files (``documents``)."""
STATUSES = {
    "scheduled": ("已排期", "scheduled"),
    "releasing": ("发布中", "releasing"),
    "released": ("已发布", "released"),
    "postponed": ("已推迟", "postponed"),
    "failed": ("发布失败", "failed"),
}


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    subject: str
    title: str
    reference_period: str
    scheduled_at: datetime
    status: str
    reason: str
    vintage_id: int | None
    embargo: list[str]
    revision_reason: str
    approved_by: str
    created_at: datetime
    release_id: int | None
    released_at: datetime | None
    replaces: int | None

    @property
    def upcoming(self) -> bool:
        return self.status in ("scheduled", "releasing")


def aware(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _entry(row: Any) -> Entry:
    data = dict(row._mapping)
    for key in ("scheduled_at", "created_at", "released_at"):
        data[key] = aware(data[key])
    data["embargo"] = list(data["embargo"] or [])
    return Entry(**data)


def beijing(text: str) -> datetime:
    """A moment typed in Beijing time ("2026-12-07 09:30"; an explicit offset is kept) as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise InvalidParameter(
            f"时间“{text}”无法识别，请写成 2026-12-07 09:30（北京时间）/ cannot "
            f"read the moment {text!r}: write 2026-12-07 09:30 (Beijing time)"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)).astimezone(UTC)


def get(conn: Connection, entry_id: int) -> Entry:
    row = conn.execute(select(release_calendar).where(release_calendar.c.id == entry_id)).first()
    if row is None:
        raise NotVisible("发布日程", "calendar entry")
    return _entry(row)


def entries(conn: Connection, *, subject: str | None = None) -> list[Entry]:
    """Every entry, soonest first."""
    stmt = select(release_calendar).order_by(release_calendar.c.scheduled_at, release_calendar.c.id)
    if subject:
        stmt = stmt.where(release_calendar.c.subject == subject)
    return [_entry(r) for r in conn.execute(stmt)]


def schedule(
    conn: Connection,
    *,
    scope: Scope,
    kind: str,
    subject: str,
    reference_period: str,
    at: datetime,
    vintage_id: int | None = None,
    embargo: Sequence[str] = (),
    revision_reason: str = "",
    title: str = "",
    ip: str = "",
    now: datetime | None = None,
) -> Entry:
    """Put a release on the calendar (ministry, admin); a dataflow's prepared vintage (default:
    its newest) is under embargo from now until ``at``."""
    permissions.require_release(scope)
    now = now or datetime.now(UTC)
    if kind not in KINDS:
        raise InvalidParameter(
            f"发布类型“{kind}”未知（dataflow、report、index）/ unknown kind "
            f"{kind!r} (dataflow, report, index)"
        )
    if at <= now:
        raise InvalidParameter(
            f"发布时间 {at.astimezone(BEIJING):%Y-%m-%d %H:%M} 已过，请选将来的时间"
            f" / the release time {at.astimezone(BEIJING):%Y-%m-%d %H:%M} "
            "(Beijing) has passed: choose a future moment"
        )
    if not reference_period.strip():
        raise InvalidParameter(
            "请给出参考期（如 2024-Q3）/ give the reference period (e.g. 2024-Q3)"
        )
    names = _embargo_list(conn, embargo)
    if kind == "dataflow":
        subject, vintage_id = _prepared(conn, subject, vintage_id)
        notes.check_planned(conn, subject, vintage_id, revision_reason)
    elif kind == "index":
        subject, vintage_id = _prepared_build(conn, subject, vintage_id)
    new_id = conn.execute(
        insert(release_calendar)
        .values(
            kind=kind,
            subject=subject,
            title=title.strip() or _title(kind, subject),
            reference_period=reference_period.strip(),
            scheduled_at=at,
            status="scheduled",
            vintage_id=vintage_id,
            embargo=names,
            revision_reason=revision_reason.strip(),
            approved_by=scope.username,
            created_at=now,
        )
        .returning(release_calendar.c.id)
    ).scalar_one()
    audit.record_by(
        conn,
        scope,
        action="release.schedule",
        target=f"{subject}@{reference_period}",
        ip=ip,
        detail={
            "entry": int(new_id),
            "at": at.isoformat(),
            "vintage": vintage_id,
            "embargo": names,
        },
    )
    return get(conn, int(new_id))


def _prepared(conn: Connection, subject: str, vintage_id: int | None) -> tuple[str, int]:
    """The dataflow and the vintage a release will publish (it must not be public yet)."""
    flow = get_dataflow(subject)
    vid = (
        vintage_id
        if vintage_id is not None
        else conn.execute(
            select(func.max(vintage.c.id)).where(vintage.c.dataflow_id == flow.id)
        ).scalar()
    )
    owner = (
        conn.execute(select(vintage.c.dataflow_id).where(vintage.c.id == vid)).scalar()
        if vid is not None
        else None
    )
    if vid is None or owner != flow.id:
        raise StoreError(f"数据流 {flow.id} 没有版本 {vid} / {flow.id} has no vintage {vid}")
    if vid in history.released_vintages(conn, flow.id):
        raise InvalidParameter(
            f"{flow.id} 版本 {vid} 已经发布，无需排期 / vintage {vid} of "
            f"{flow.id} is already public"
        )
    return flow.id, int(vid)


def _prepared_build(
    conn: Connection, subject: str, vintage_id: int | None
) -> tuple[str, int | None]:
    """An index's dataflow and the build (a vintage of kind ``index``) a release will publish:
    the one named, else the newest unreleased build, else none yet (the newest build at the
    minute is released; until then no build of the index can be released by hand)."""
    flow = get_dataflow(subject)
    if vintage_id is None:
        return flow.id, newest_build(conn, flow.id)
    row = conn.execute(
        select(vintage.c.dataflow_id, vintage.c.kind).where(vintage.c.id == vintage_id)
    ).first()
    if row is None or row.dataflow_id != flow.id or row.kind != "index":
        raise StoreError(
            f"版本 {vintage_id} 不是指数 {flow.id} 的计算结果 / vintage {vintage_id} "
            f"is not a build of the index {flow.id}"
        )
    if vintage_id in history.released_vintages(conn, flow.id):
        raise InvalidParameter(
            f"{flow.id} 版本 {vintage_id} 已经发布，无需排期 / build "
            f"{vintage_id} of {flow.id} is already public"
        )
    return flow.id, vintage_id


def newest_build(conn: Connection, flow_id: str) -> int | None:
    """The newest build of an index not yet released (``None``: none)."""
    released = history.released_vintages(conn, flow_id)
    found = conn.execute(
        select(func.max(vintage.c.id)).where(
            vintage.c.dataflow_id == flow_id,
            vintage.c.kind == "index",
            vintage.c.id.not_in(released or [0]),
        )
    ).scalar()
    return int(found) if found is not None else None


def held_vintage(conn: Connection, entry: Entry) -> int:
    """The vintage a dataflow or index entry releases: the one it holds, or (an index
    scheduled before its build) the newest build now."""
    found = entry.vintage_id if entry.vintage_id is not None else newest_build(conn, entry.subject)
    if found is None:
        raise StoreError(
            f"指数 {entry.subject} 还没有可发布的计算结果 / the index "
            f"{entry.subject} has no build to release"
        )
    return found


def _embargo_list(conn: Connection, names: Sequence[str]) -> list[str]:
    wanted = sorted({n.strip() for n in names if n.strip()})
    unknown = [n for n in wanted if users.find_user(conn, n) is None]
    if unknown:
        raise InvalidParameter(
            f"禁发名单中的用户不存在：{'、'.join(unknown)} / no such users on "
            f"the embargo list: {', '.join(unknown)}"
        )
    return wanted


def _title(kind: str, subject: str) -> str:
    if kind in HOLDS_VINTAGE:
        flow = get_dataflow(subject)
        return f"{flow.name_zh} / {flow.name_en}"
    zh, en = KINDS[kind]
    return f"{zh} {subject} / {en} {subject}"


def postpone(
    conn: Connection,
    *,
    scope: Scope,
    entry_id: int,
    to: datetime,
    reason: str,
    ip: str = "",
    now: datetime | None = None,
) -> Entry:
    """Postpone a scheduled release to ``to`` with a reason: the entry is marked postponed
    (it stays on the calendar, with the reason) and a new entry replaces it."""
    permissions.require_release(scope)
    now = now or datetime.now(UTC)
    old = get(conn, entry_id)
    if old.status != "scheduled":
        raise InvalidParameter(
            f"发布日程 #{entry_id} 状态为{STATUSES[old.status][0]}，不能推迟 / "
            f"entry #{entry_id} is {STATUSES[old.status][1]}: only a "
            "scheduled release can be postponed"
        )
    if not reason.strip():
        raise InvalidParameter("推迟发布须说明原因 / a postponement needs a reason")
    if to <= max(now, old.scheduled_at):
        raise InvalidParameter(
            "新的发布时间须晚于原定时间和当前时间 / the new moment must be "
            "later than the old one and than now"
        )
    done = conn.execute(
        update(release_calendar)
        .where(release_calendar.c.id == entry_id, release_calendar.c.status == "scheduled")
        .values(status="postponed", reason=reason.strip())
    )
    if done.rowcount != 1:  # the worker claimed it meanwhile
        raise InvalidParameter(
            f"发布日程 #{entry_id} 已开始发布 / entry #{entry_id} is being released"
        )
    new_id = conn.execute(
        insert(release_calendar)
        .values(
            kind=old.kind,
            subject=old.subject,
            title=old.title,
            reference_period=old.reference_period,
            scheduled_at=to,
            status="scheduled",
            vintage_id=old.vintage_id,
            embargo=old.embargo,
            revision_reason=old.revision_reason,
            approved_by=scope.username,
            created_at=now,
            replaces=old.id,
        )
        .returning(release_calendar.c.id)
    ).scalar_one()
    conn.execute(
        update(release_document)
        .where(release_document.c.entry_id == old.id)
        .values(entry_id=int(new_id))
    )  # the report's files go with it
    audit.record_by(
        conn,
        scope,
        action="release.postpone",
        target=f"{old.subject}@{old.reference_period}",
        ip=ip,
        detail={
            "entry": entry_id,
            "new_entry": int(new_id),
            "reason": reason.strip(),
            "from": old.scheduled_at.isoformat(),
            "to": to.isoformat(),
        },
    )
    return get(conn, int(new_id))


def embargoed(conn: Connection) -> list[Entry]:
    """Dataflow and index entries still holding a vintage under embargo."""
    return [e for e in entries(conn) if e.kind in HOLDS_VINTAGE and e.upcoming]
