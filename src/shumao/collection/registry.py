"""The enterprise database (企业信息库): enterprises and their changes (roster import from
Excel: ``roster.py``).

An enterprise is identified by its 统一社会信用代码 (GB 32100, check character verified); it
may belong to a national digital service export base (park) and lies in a county (GB/T 2260)
from which its city and province follow. Flags say which surveys it reports to. Every change
is versioned: ``enterprise.version`` counts them and ``enterprise_change`` records who changed
what and when, so the roster can be read as it was at any time.

Service functions take a connection (the caller owns the transaction) and the acting user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update
from sqlalchemy.sql import ColumnElement

from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.collection.checks import rulebook as _rulebook  # noqa: F401  (registers the finding codes)
from shumao.collection.tables import enterprise, enterprise_change
from shumao.errors import ConflictError, NotAllowed, NotVisible
from shumao.reference import geo, parks
from shumao.validation import uscc as uscc_check

FLAGS = ("high_tech", "specialized", "outsourcing_reporter", "trade_reporter", "cbec_reporter")
FLAG_NAMES = {
    "high_tech": "高新技术企业",
    "specialized": "专精特新",
    "outsourcing_reporter": "服务外包报送",
    "trade_reporter": "服贸直报",
    "cbec_reporter": "跨境电商直报",
}
REPORTER_FLAGS = ("trade_reporter", "cbec_reporter")
"""The flags that make an enterprise a reporter of a form (a form's ``reporters``)."""
TRACKED = (
    "name",
    "park_code",
    "county_code",
    "city_code",
    "province_code",
    "industry_code",
    *FLAGS,
    "active",
)


@dataclass(frozen=True)
class EnterpriseRecord:
    """What a roster row or a form says about an enterprise (no id, version or times)."""

    uscc: str
    name: str
    park_code: str | None = None
    county_code: str | None = None
    city_code: str | None = None
    province_code: str | None = None
    industry_code: str | None = None
    high_tech: bool = False
    specialized: bool = False
    outsourcing_reporter: bool = False
    trade_reporter: bool = False
    cbec_reporter: bool = False
    active: bool = True


@dataclass(frozen=True)
class Enterprise(EnterpriseRecord):
    id: int = 0
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True)
class Change:
    version: int
    changed_at: datetime
    changed_by: str
    action: str
    changes: dict[str, list[Any]]
    source: str


# --- locating an enterprise ----------------------------------------------------------------


def locate(record: EnterpriseRecord) -> EnterpriseRecord:
    """Fill city and province from the county, or from the park when no county is given."""

    if record.county_code:
        ancestors = geo.ancestors(record.county_code)
        area = geo.lookup(record.county_code)
        chain = [area, *ancestors]
        province = next(a.code for a in chain if a.level == "province")
        city = next((a.code for a in chain if a.level == "city"), province)
        return replace(record, city_code=city, province_code=province)
    if record.park_code:
        park = parks.lookup(record.park_code)
        return replace(record, city_code=park.city_code, province_code=park.province_code)
    return record


# --- reading -----------------------------------------------------------------------------------


def _scope_condition(actor: Actor) -> ColumnElement[bool] | None:
    return permissions.visible_where(
        actor,
        uscc=enterprise.c.uscc,
        park_code=enterprise.c.park_code,
        city_code=enterprise.c.city_code,
        province_code=enterprise.c.province_code,
    )


def _row(row: Any) -> Enterprise:
    names = {f.name for f in fields(Enterprise)}
    return Enterprise(**{k: v for k, v in row._mapping.items() if k in names})


def list_enterprises(
    conn: Connection,
    *,
    actor: Actor,
    park: str | None = None,
    reporters_only: bool = False,
    include_inactive: bool = False,
) -> list[Enterprise]:
    """The enterprises the actor may see, by credit code (``reporters_only``: those that
    report any form, 服贸直报 or 跨境电商直报)."""
    stmt = select(enterprise).order_by(enterprise.c.uscc)
    cond = _scope_condition(actor)
    if cond is not None:
        stmt = stmt.where(cond)
    if park:
        stmt = stmt.where(enterprise.c.park_code == park)
    if reporters_only:  # a reporter of any form
        stmt = stmt.where(or_(*(enterprise.c[k].is_(True) for k in REPORTER_FLAGS)))
    if not include_inactive:
        stmt = stmt.where(enterprise.c.active.is_(True))
    return [_row(r) for r in conn.execute(stmt)]


def find(conn: Connection, uscc: str) -> Enterprise | None:
    row = conn.execute(select(enterprise).where(enterprise.c.uscc == uscc.strip().upper())).first()
    return _row(row) if row else None


def names(conn: Connection, codes: Iterable[str]) -> dict[str, str]:
    """The registered name of each of ``codes`` that is an enterprise's credit code (one
    statement per 500 codes)."""
    wanted = sorted({c for c in codes if len(c) == 18})
    out: dict[str, str] = {}
    if len(wanted) == 1:  # one enterprise's view: no IN list to expand (0.3 ms on SQLite)
        return dict(conn.execute(NAME, {"code": wanted[0]}).all())
    for i in range(0, len(wanted), 500):
        out.update(conn.execute(NAMES, {"codes": wanted[i : i + 500]}).all())
    return out


NAME = select(enterprise.c.uscc, enterprise.c.name).where(enterprise.c.uscc == bindparam("code"))
NAMES = select(enterprise.c.uscc, enterprise.c.name).where(
    enterprise.c.uscc.in_(bindparam("codes", expanding=True))
)
"""``names``' statements, built once: the explorer asks for every enterprise's view, and
SQLAlchemy renders an expanding ``IN`` list anew at every execution."""


def get_enterprise(conn: Connection, *, actor: Actor, uscc: str) -> Enterprise:
    """The enterprise if the actor may see it; an unknown code and one outside the scope get
    the same answer (``NotVisible``), so codes cannot be probed."""
    found = find(conn, uscc)
    if found is None or not permissions.may_see(actor, found):
        raise NotVisible("企业", "enterprise")
    return found


def changes(conn: Connection, *, actor: Actor, uscc: str) -> list[Change]:
    """The enterprise's change history, oldest first."""
    ent = get_enterprise(conn, actor=actor, uscc=uscc)
    rows = conn.execute(
        select(enterprise_change)
        .where(enterprise_change.c.enterprise_id == ent.id)
        .order_by(enterprise_change.c.version)
    )
    return [
        Change(r.version, r.changed_at, r.changed_by, r.action, r.changes, r.source) for r in rows
    ]


# --- writing -----------------------------------------------------------------------------------


def save_enterprise(
    conn: Connection,
    *,
    actor: Actor,
    record: EnterpriseRecord,
    source: str = "",
    expected_version: int | None = None,
) -> tuple[Enterprise, str]:
    """Create or update an enterprise; return it and "created", "updated" or "unchanged".

    ``expected_version`` (the version the user edited) makes a concurrent edit a
    ``ConflictError`` instead of a silent overwrite.
    """
    problem = uscc_check.problem(record.uscc)
    if problem:
        raise NotAllowed(f"统一社会信用代码 {record.uscc} 无效：{problem}")
    record = locate(record)
    permissions.require_maintain(actor, record)
    existing = find(conn, record.uscc)
    now = datetime.now(UTC)
    if existing is None:
        return _create(conn, actor, record, source, now), "created"
    diff = {
        k: [getattr(existing, k), getattr(record, k)]
        for k in TRACKED
        if getattr(existing, k) != getattr(record, k)
    }
    if not diff:
        return existing, "unchanged"
    version = expected_version if expected_version is not None else existing.version
    done = conn.execute(
        update(enterprise)
        .where(enterprise.c.id == existing.id, enterprise.c.version == version)
        .values(
            **{k: getattr(record, k) for k in TRACKED},
            version=version + 1,
            updated_at=now,
            updated_by=actor.name,
        )
    )
    if done.rowcount != 1:
        raise ConflictError(
            f"企业 {record.uscc} 的信息已被他人修改（当前版本 {existing.version}，"
            f"您编辑的是版本 {version}），请刷新后重试 / enterprise {record.uscc} was changed "
            f"by someone else (now version {existing.version}, you edited {version}); reload and retry"
        )
    _log(conn, existing.id, version + 1, actor, "update", diff, source, now)
    updated = find(conn, record.uscc)
    assert updated is not None
    return updated, "updated"


def _create(
    conn: Connection, actor: Actor, record: EnterpriseRecord, source: str, now: datetime
) -> Enterprise:
    values = asdict(record)
    new_id = conn.execute(
        insert(enterprise)
        .values(**values, version=1, created_at=now, updated_at=now, updated_by=actor.name)
        .returning(enterprise.c.id)
    ).scalar_one()
    diff = {k: [None, v] for k, v in values.items() if v not in (None, False)}
    _log(conn, new_id, 1, actor, "create", diff, source, now)
    created = find(conn, record.uscc)
    assert created is not None
    return created


def _log(
    conn: Connection,
    ent_id: int,
    version: int,
    actor: Actor,
    action: str,
    diff: Mapping[str, list[Any]],
    source: str,
    now: datetime,
) -> None:
    conn.execute(
        insert(enterprise_change).values(
            enterprise_id=ent_id,
            version=version,
            changed_at=now,
            changed_by=actor.label,
            action=action,
            changes=dict(diff),
            source=source[:300],
        )
    )
