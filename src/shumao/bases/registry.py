"""The registry of national digital service export bases and their dated, audited statuses.

A base is a park node of the reference hierarchy (``reference.parks``: DSEB01 …) or one a
person adds for a later batch. Its **region group** for the thresholds follows the NBS four
regions of its province: 东部 → ``EAST``; 中部, 西部, 东北 → ``CWNE`` (中西部和东北);
Hong Kong, Macao and Taiwan belong to no NBS region, so no base can be registered there.

Statuses and the changes allowed (notice 四):

    (new) ──► 候选 candidate ──► 公示 publicity ──► 认定 designated
                                    │ (异议成立)          │
                                    └──► 候选             ├──► 复审合格 rereview_passed ─┐
                                                          └──► 复审不合格 rereview_failed ┤
                 (复审合格 and 复审不合格 both lead to the next re-review) ◄──────────────┘
                 复审不合格 ──► 取消 revoked (terminal)

Every change has an effective date (never before the previous one), a document and reason,
who recorded it and when; it goes to the audit log too. A publicity period's end is the fifth
working day on the official calendar (``calendar.publicity_end``) and designation may not
take effect before it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, insert, select

from shumao.auth.scope import Scope
from shumao.bases import access, calendar, rules
from shumao.bases.tables import export_base, export_base_status
from shumao.errors import ShumaoError, UnknownCode
from shumao.reference import geo, parks

FIRST_BATCH = Path(__file__).with_name("data") / "first_batch.csv"
STATUS_TEXT = {
    "candidate": ("候选", "candidate"),
    "publicity": ("公示", "publicity"),
    "designated": ("认定", "designated"),
    "rereview_passed": ("复审合格", "re-review passed"),
    "rereview_failed": ("复审不合格", "re-review failed"),
    "revoked": ("取消", "revoked"),
}
NEXT: dict[str | None, frozenset[str]] = {
    None: frozenset({"candidate", "designated"}),
    "candidate": frozenset({"publicity"}),
    "publicity": frozenset({"designated", "candidate"}),
    "designated": frozenset({"rereview_passed", "rereview_failed"}),
    "rereview_passed": frozenset({"rereview_passed", "rereview_failed"}),
    "rereview_failed": frozenset({"rereview_passed", "revoked"}),
    "revoked": frozenset(),
}
DESIGNATED = frozenset({"designated", "rereview_passed", "rereview_failed"})
FIRST_BATCH_NOTE = (
    "据《中国数字贸易发展报告2022》：2020年4月商务部会同中央网信办、工业和信息化部联合认定；"
    "报告只载月份，日期记为当月1日",
    "per the 2022 report, designated in April 2020 (the report gives the month only; "
    "recorded as the 1st)",
)
"""The reason of the first batch's designations (Chinese, English): a note shumao writes."""


@dataclass(frozen=True)
class Status:
    status: str
    effective_on: date
    until: date | None
    document: str
    reason: str
    recorded_at: datetime
    recorded_by: str
    reason_en: str = ""
    """The English of a reason shumao wrote; empty for one an official typed."""

    def text(self, lang: str = "zh") -> str:
        zh, en = STATUS_TEXT[self.status]
        return en if lang == "en" else zh

    def reason_in(self, lang: str = "zh") -> str:
        """The reason in the view's language; a typed one as it was typed."""
        return self.reason_en if lang == "en" and self.reason_en else self.reason


@dataclass(frozen=True)
class Base:
    code: str
    name_zh: str
    name_en: str
    city_code: str
    province_code: str
    region_group: str
    batch: int
    lon: float | None
    lat: float | None
    status: Status | None

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh

    @property
    def designated_on(self) -> date | None:
        return self.status.effective_on if self.status else None


def region_group(province_code: str) -> str:
    """``EAST`` or ``CWNE`` (中西部和东北) from the NBS region of the province."""
    region = geo.region_of(province_code)
    group = rules.group_of_region(region.code if region else None)
    if group is None:
        raise ShumaoError(
            f"{geo.lookup(province_code).name_zh}不属于国家统计局四大地区，无适用的业务标准 / "
            f"{province_code} is in none of the NBS four regions: no thresholds apply"
        )
    return group


@lru_cache(maxsize=1)
def _first_batch() -> list[dict[str, str]]:
    lines = [
        ln for ln in FIRST_BATCH.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")
    ]
    return list(csv.DictReader(lines))


def seed_first_batch(conn: Connection, *, by: str = "system") -> int:
    """Register the twelve first-batch bases with their designation (idempotent)."""
    known = set(conn.execute(select(export_base.c.code)).scalars())
    now = datetime.now(UTC)
    added = 0
    for row in _first_batch():
        if row["code"] in known:
            continue
        park = parks.lookup(row["code"])
        conn.execute(
            insert(export_base).values(
                code=park.code,
                name_zh=park.name_zh,
                name_en=park.name_en,
                city_code=_city(park),
                province_code=park.province_code,
                region_group=region_group(park.province_code),
                batch=int(row["batch"]),
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                created_at=now,
                created_by=by,
            )
        )
        conn.execute(
            insert(export_base_status).values(
                base_code=park.code,
                status="designated",
                effective_on=date.fromisoformat(row["designated"]),
                document="",
                reason=FIRST_BATCH_NOTE[0],
                reason_en=FIRST_BATCH_NOTE[1],
                recorded_at=now,
                recorded_by=by,
            )
        )
        added += 1
    return added


def _city(park: parks.Park) -> str:
    """The park's city; a county directly under its province (海南 澄迈县) stands for it."""
    try:
        return geo.lookup(park.city_code).code
    except UnknownCode:
        return park.area_code


def add_base(
    conn: Connection,
    *,
    scope: Scope,
    code: str,
    name_zh: str,
    city_code: str,
    batch: int,
    name_en: str = "",
    lon: float | None = None,
    lat: float | None = None,
) -> Base:
    """A base of a later batch (ministry): its status history starts with ``set_status``."""
    access.require_decide(scope)
    code = code.strip().upper()
    if not code or not name_zh.strip():
        raise ShumaoError("基地代码和名称不能为空 / a base needs a code and a name")
    if conn.execute(select(export_base.c.code).where(export_base.c.code == code)).first():
        raise ShumaoError(f"基地 {code} 已登记 / base {code} is registered already")
    city = geo.lookup(city_code)
    province = geo.province_of(city.code)
    conn.execute(
        insert(export_base).values(
            code=code,
            name_zh=name_zh.strip(),
            name_en=name_en.strip(),
            city_code=city.code,
            province_code=province.code,
            region_group=region_group(province.code),
            batch=batch,
            lon=lon,
            lat=lat,
            created_at=datetime.now(UTC),
            created_by=scope.username or scope.role,
        )
    )
    access.record(
        conn, scope, "base.add", code, {"name": name_zh, "city": city.code, "batch": batch}
    )
    return get(conn, code)


def set_status(
    conn: Connection,
    *,
    scope: Scope,
    code: str,
    status: str,
    effective_on: date,
    document: str = "",
    reason: str = "",
) -> Status:
    """Record a status change (ministry); see the module docstring for what is allowed."""
    access.require_decide(scope)
    base = get(conn, code)
    _check_change(base, status, effective_on)
    if status in ("rereview_failed", "revoked") and not reason.strip():
        raise ShumaoError(
            "复审不合格或取消资格须写明理由 / a failed re-review or a revocation "
            "needs a written reason"
        )
    until = (
        calendar.publicity_end(effective_on, rules.publicity_days())
        if status == "publicity"
        else None
    )
    now = datetime.now(UTC)
    conn.execute(
        insert(export_base_status).values(
            base_code=base.code,
            status=status,
            effective_on=effective_on,
            until=until,
            document=document.strip(),
            reason=reason.strip(),
            recorded_at=now,
            recorded_by=scope.username or scope.role,
        )
    )
    access.record(
        conn,
        scope,
        "base.status",
        base.code,
        {
            "status": status,
            "effective_on": effective_on.isoformat(),
            "until": until.isoformat() if until else None,
            "document": document,
        },
    )
    return history(conn, base.code)[-1]


def _check_change(base: Base, status: str, effective_on: date) -> None:
    if status not in STATUS_TEXT:
        raise UnknownCode("基地状态 base statuses", status)
    current = base.status.status if base.status else None
    if status not in NEXT[current]:
        now = STATUS_TEXT[current][0] if current else "未登记状态"
        allowed = "、".join(STATUS_TEXT[s][0] for s in sorted(NEXT[current])) or "无"
        raise ShumaoError(
            f"基地 {base.code} 当前为“{now}”，不能变更为“{STATUS_TEXT[status][0]}”"
            f"（可变更为：{allowed}）/ base {base.code} cannot go from {current} to "
            f"{status}"
        )
    if base.status and effective_on < base.status.effective_on:
        raise ShumaoError(
            f"生效日期 {effective_on} 早于上一状态的生效日期 "
            f"{base.status.effective_on} / the date is before the previous status'"
        )
    if (
        status == "designated"
        and base.status
        and base.status.until
        and effective_on <= base.status.until
    ):
        raise ShumaoError(
            f"公示期至 {base.status.until} 结束，认定须在其后 / the publicity period "
            f"ends on {base.status.until}: designation must come after it"
        )


def _status(row: object) -> Status:
    m = row._mapping  # type: ignore[attr-defined]
    return Status(
        m["status"],
        m["effective_on"],
        m["until"],
        m["document"],
        m["reason"],
        m["recorded_at"],
        m["recorded_by"],
        m["reason_en"],
    )


def history(conn: Connection, code: str) -> list[Status]:
    rows = conn.execute(
        select(export_base_status)
        .where(export_base_status.c.base_code == code)
        .order_by(export_base_status.c.effective_on, export_base_status.c.id)
    )
    return [_status(r) for r in rows]


def bases(conn: Connection) -> list[Base]:
    """Every registered base with its current status, by code."""
    latest: dict[str, Status] = {}
    for row in conn.execute(
        select(export_base_status).order_by(
            export_base_status.c.effective_on, export_base_status.c.id
        )
    ):
        latest[row.base_code] = _status(row)
    out = []
    for row in conn.execute(select(export_base).order_by(export_base.c.code)):
        m = row._mapping
        out.append(
            Base(
                m["code"],
                m["name_zh"],
                m["name_en"],
                m["city_code"],
                m["province_code"],
                m["region_group"],
                m["batch"],
                m["lon"],
                m["lat"],
                latest.get(m["code"]),
            )
        )
    return out


def get(conn: Connection, code: str) -> Base:
    wanted = code.strip().upper()
    found = next((b for b in bases(conn) if b.code == wanted), None)
    if found is None:
        try:
            wanted = parks.lookup(code).code
        except UnknownCode:
            raise UnknownCode("国家数字服务出口基地 export bases", code) from None
        found = next((b for b in bases(conn) if b.code == wanted), None)
    if found is None:
        raise UnknownCode("国家数字服务出口基地 export bases", code)
    return found


def visible(conn: Connection, scope: Scope) -> list[Base]:
    """The bases whose review files ``scope`` may see (the public list shows every base)."""
    return [b for b in bases(conn) if access.may_see(conn, scope, b.code, b.city_code)]
