"""Applications (申报) and re-reviews (复审): the checklist, declared figures with evidence
documents, the reviewer's decisions, the special-potential override and the verdict.

    draft ──submit──► submitted ──decide──► decided
      ▲                    │
      └──── reopen ────────┘ (a decided file is never changed; a new one is made instead)

The base (park role) or its province prepares: states each checklist item, declares figures
(code, year, value, unit 亿元 | 亿美元 | 家), uploads evidence documents. The ministry decides
each item (accepted | rejected, with a note), may apply the special-potential clause with a
written reason, and records the verdict, which is the evaluation's (``evaluate``): a reviewer
cannot pass what the rules do not pass, except by the clause, whose reason is kept.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from shumao.auth.scope import Scope
from shumao.bases import access, registry, rules
from shumao.bases.tables import base_application, base_application_item, base_evidence
from shumao.errors import ConflictError, ShumaoError

KINDS = {"application": ("申报", "application"), "rereview": ("复审", "re-review")}
STATES = {
    "draft": ("草稿", "draft"),
    "submitted": ("已提交", "submitted"),
    "decided": ("已决定", "decided"),
}
FIGURES = {t.code: t.unit for t in rules.thresholds()} | {
    "FT_EXPORT": "亿美元",
    "DS_EXPORT": "亿美元",
    "ICT_DELIVERED_EXPORT": "亿美元",
}
"""Figures an applicant may declare: the four thresholds and the three the targets need
(外贸出口额, 数字服务出口额, 利用现代信息技术完成交付或实现的服务出口额)."""
UNITS = ("亿元", "亿美元", "家")
MIN_REASON = 10
MAX_FILE = 20 * 1024 * 1024


def create(conn: Connection, *, scope: Scope, base_code: str, kind: str, years: list[str]) -> int:
    base = registry.get(conn, base_code)
    access.require_prepare(conn, scope, base.code, base.city_code)
    if kind not in KINDS:
        raise ShumaoError(
            f"类型应为 application 或 rereview，而不是 {kind} / kind is application or rereview"
        )
    if not years or not all(y.isdigit() and len(y) == 4 for y in years):
        raise ShumaoError("年度应为四位年份 / years are four digits")
    now = datetime.now(UTC)
    app_id = conn.execute(
        insert(base_application).values(
            base_code=base.code,
            kind=kind,
            years=",".join(sorted(years)),
            state="draft",
            created_by=who(scope),
            created_at=now,
            updated_at=now,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    for cond in rules.checklist():
        conn.execute(
            insert(base_application_item).values(
                application_id=app_id,
                code=cond.code,
                year="",
                updated_by=who(scope),
                updated_at=now,
            )
        )
    access.record(
        conn, scope, "base.application", f"{base.code} #{app_id}", {"kind": kind, "years": years}
    )
    return int(app_id)


def who(scope: Scope) -> str:
    return scope.username or scope.role


def get(conn: Connection, *, scope: Scope, application_id: int) -> dict[str, Any]:
    row = conn.execute(
        select(base_application).where(base_application.c.id == application_id)
    ).first()
    if row is None:
        raise ShumaoError(f"没有申报材料 {application_id} / no application {application_id}")
    app = dict(row._mapping)
    base = registry.get(conn, app["base_code"])
    access.require_see(conn, scope, base.code, base.city_code)
    app["base"] = base
    app["years_list"] = app["years"].split(",")
    app["items"] = items(conn, application_id)
    return app


def items(conn: Connection, application_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(base_application_item)
        .where(base_application_item.c.application_id == application_id)
        .order_by(base_application_item.c.id)
    ).all()
    out = [dict(r._mapping) for r in rows]
    files = conn.execute(
        select(
            base_evidence.c.id,
            base_evidence.c.item_id,
            base_evidence.c.filename,
            base_evidence.c.size,
            base_evidence.c.sha256,
            base_evidence.c.uploaded_at,
        ).where(base_evidence.c.item_id.in_([i["id"] for i in out]))
    ).all()
    for item in out:
        item["files"] = [dict(f._mapping) for f in files if f.item_id == item["id"]]
    return out


def _editable(conn: Connection, scope: Scope, application_id: int) -> dict[str, Any]:
    app = get(conn, scope=scope, application_id=application_id)
    access.require_prepare(conn, scope, app["base"].code, app["base"].city_code)
    if app["state"] != "draft":
        raise ConflictError(
            "申报材料已提交，不能再修改 / the application is submitted: it can no longer be changed"
        )
    return app


def state_item(
    conn: Connection, *, scope: Scope, application_id: int, code: str, statement: str
) -> None:
    app = _editable(conn, scope, application_id)
    item = next((i for i in app["items"] if i["code"] == code and not i["year"]), None)
    if item is None:
        raise ShumaoError(f"没有清单项 {code} / no checklist item {code}")
    _touch_item(conn, scope, item["id"], statement=statement.strip())


def declare(
    conn: Connection,
    *,
    scope: Scope,
    application_id: int,
    code: str,
    year: str,
    value: float,
    unit: str,
    statement: str = "",
) -> int:
    """Declare a figure (a reviewer must accept it, with a document, before it counts)."""
    app = _editable(conn, scope, application_id)
    if code not in FIGURES:
        raise ShumaoError(
            f"不能申报 {code}（可申报：{'、'.join(FIGURES)}）/ {code} cannot be declared"
        )
    if unit not in UNITS or (unit == "家") != (FIGURES[code] == "家"):
        raise ShumaoError(
            f"{code} 的单位应为 {FIGURES[code]}"
            f"{'或亿美元' if FIGURES[code] == '亿元' else ''} / wrong unit for {code}"
        )
    if not (value >= 0):
        raise ShumaoError("申报数值不能为负数或空 / a declared figure is a number ≥ 0")
    if year not in app["years_list"] and code in {t.code for t in rules.thresholds()}:
        raise ShumaoError(
            f"{year} 不在本次材料的年度 {app['years']} 中 / {year} is not a year of "
            "this application"
        )
    found = next((i for i in app["items"] if i["code"] == code and i["year"] == year), None)
    if found is not None:
        _touch_item(
            conn,
            scope,
            found["id"],
            value=value,
            unit=unit,
            statement=statement,
            decision="pending",
        )
        return int(found["id"])
    return int(
        conn.execute(
            insert(base_application_item).values(
                application_id=application_id,
                code=code,
                year=year,
                value=value,
                unit=unit,
                statement=statement.strip(),
                updated_by=who(scope),
                updated_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def _touch_item(conn: Connection, scope: Scope, item_id: int, **values: Any) -> None:
    conn.execute(
        update(base_application_item)
        .where(base_application_item.c.id == item_id)
        .values(**values, updated_by=who(scope), updated_at=datetime.now(UTC))
    )


def upload(
    conn: Connection,
    *,
    scope: Scope,
    application_id: int,
    item_id: int,
    filename: str,
    data: bytes,
    media_type: str = "application/octet-stream",
) -> int:
    app = _editable(conn, scope, application_id)
    if item_id not in {i["id"] for i in app["items"]}:
        raise ShumaoError(
            f"清单项 {item_id} 不属于申报材料 {application_id} / item {item_id} is "
            f"not part of application {application_id}"
        )
    if not data:
        raise ShumaoError(f"证明材料“{filename}”是空文件 / the evidence file {filename!r} is empty")
    if len(data) > MAX_FILE:
        raise ShumaoError(
            f"证明材料超过 {MAX_FILE // 2**20} MB / the evidence file is larger than "
            f"{MAX_FILE // 2**20} MB"
        )
    ev_id = conn.execute(
        insert(base_evidence).values(
            item_id=item_id,
            filename=filename[:200],
            media_type=media_type[:100],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=data,
            uploaded_by=who(scope),
            uploaded_at=datetime.now(UTC),
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    return int(ev_id)


def evidence_file(conn: Connection, *, scope: Scope, evidence_id: int) -> tuple[str, str, bytes]:
    row = conn.execute(
        select(base_evidence, base_application_item.c.application_id)
        .join(base_application_item, base_application_item.c.id == base_evidence.c.item_id)
        .where(base_evidence.c.id == evidence_id)
    ).first()
    if row is None:
        raise ShumaoError(f"没有证明材料 {evidence_id} / no evidence file {evidence_id}")
    get(conn, scope=scope, application_id=row.application_id)  # scope check
    return row.filename, row.media_type, row.content


def submit(conn: Connection, *, scope: Scope, application_id: int) -> None:
    app = _editable(conn, scope, application_id)
    set_state(conn, app, "submitted")
    access.record(conn, scope, "base.application", f"#{application_id}", {"state": "submitted"})


def set_state(conn: Connection, app: dict[str, Any], state: str, **values: Any) -> None:
    done = conn.execute(
        update(base_application)
        .where(base_application.c.id == app["id"], base_application.c.version == app["version"])
        .values(state=state, version=app["version"] + 1, updated_at=datetime.now(UTC), **values)
    )
    if not done.rowcount:
        raise ConflictError(
            "申报材料已被他人修改，请刷新 / somebody changed the application first: reload it"
        )


def of_base(conn: Connection, *, scope: Scope, base_code: str) -> list[dict[str, Any]]:
    base = registry.get(conn, base_code)
    access.require_see(conn, scope, base.code, base.city_code)
    rows = conn.execute(
        select(base_application)
        .where(base_application.c.base_code == base.code)
        .order_by(base_application.c.id.desc())
    ).all()
    return [dict(r._mapping) for r in rows]


def for_years(conn: Connection, base_code: str, kind: str, years: list[str]) -> int | None:
    """The newest application of that kind and years, if any (no scope check: internal)."""
    row = conn.execute(
        select(base_application.c.id)
        .where(
            base_application.c.base_code == base_code,
            base_application.c.kind == kind,
            base_application.c.years == ",".join(sorted(years)),
        )
        .order_by(base_application.c.id.desc())
        .limit(1)
    ).first()
    return int(row.id) if row else None


def submitted(conn: Connection, *, scope: Scope) -> list[dict[str, Any]]:
    """Files waiting for the ministry's decision."""
    access.require_decide(scope)
    rows = conn.execute(
        select(base_application)
        .where(base_application.c.state == "submitted")
        .order_by(base_application.c.id)
    ).all()
    return [dict(r._mapping) for r in rows]
