"""The project register (对外投资备案报告): what approval of an ``ODI_A`` filing writes, and
the register as each role may read it.

Approval (``collection.workflow.approve``) calls ``store_projects`` in its transaction: the
approved upload's lines become ``outbound_project`` rows tagged with the filing's revision
(``risk`` then recomputes the host economies' levels with its own approval hook, registered
after this one). A
revision adds rows; the current register is, per enterprise and project number, the line of
the latest approved period and revision (``current``), and ``as_of`` any earlier state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, insert, select, true
from sqlalchemy.sql import ColumnElement

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.checks.codes import resolve_code
from shumao.collection.tables import enterprise, filing_cell
from shumao.collection.workflow import clock, filings, review
from shumao.outbound import checks
from shumao.outbound import tables as t

FORM_ID = "ODI_A"
CODE_FIELDS = {"area": "odi_area", "mode": "odi_mode", "stage": "odi_stage"}
DATE_FIELDS = ("filed_on", "started_on", "operating_on", "exited_on")
NUMBER_FIELDS = ("approved", "invested", "revenue", "employees")
COLUMNS = (
    "uscc",
    "province_code",
    "period",
    "revision",
    "project_no",
    "name",
    "host",
    "area",
    "mode",
    "stage",
    "odi_cert",
    *DATE_FIELDS,
    *NUMBER_FIELDS,
    "filing_id",
)


def _lines(conn: Connection, upload_id: int) -> dict[int, dict[str, Any]]:
    cells = (
        conn.execute(
            select(filing_cell)
            .where(filing_cell.c.upload_id == upload_id)
            .order_by(filing_cell.c.seq)
        )
        .mappings()
        .all()
    )
    lines: dict[int, dict[str, Any]] = {}
    for c in cells:
        line = lines.setdefault(c["line"], {})
        line[c["field"]] = c["value"] if c["field"] in NUMBER_FIELDS else c["text"]
        line["host_code"] = c["counterpart_area"]  # the resolved code; "host" is as written
    return lines


def _row(line: dict[str, Any]) -> dict[str, Any]:
    row = {
        "project_no": str(line["project_no"]).strip(),
        "name": str(line["project"]).strip(),
        "host": line["host_code"],
        "odi_cert": checks.certificate(line["odi_cert"]),
    }
    row |= {k: resolve_code(cl, str(line.get(k) or "")) for k, cl in CODE_FIELDS.items()}
    row |= {k: checks.parse_date(line.get(k)) for k in DATE_FIELDS}
    row |= {k: line.get(k) for k in NUMBER_FIELDS}
    row["employees"] = int(row["employees"]) if row["employees"] is not None else None
    return row


def store_projects(conn: Connection, approved: filings.Filing) -> None:
    """The approved upload's projects as rows of this revision (called by approval)."""
    if approved.current_upload_id is None:
        return
    province = conn.execute(
        select(enterprise.c.province_code).where(enterprise.c.uscc == approved.uscc)
    ).scalar()
    now = datetime.now(UTC)
    rows = [
        {
            **_row(line),
            "line": n,
            "filing_id": approved.id,
            "revision": approved.revision,
            "uscc": approved.uscc,
            "province_code": province,
            "period": approved.period,
            "approved_at": now,
        }
        for n, line in sorted(_lines(conn, approved.current_upload_id).items())
    ]
    if rows:
        conn.execute(insert(t.project), rows)


review.on_approve(FORM_ID, store_projects)


# --- reading ------------------------------------------------------------------------------------


def scope_condition(actor: Actor) -> ColumnElement[bool]:
    """The register rows ``actor`` may read (an enterprise its own, a province its enterprises')."""
    e = enterprise.c
    match actor.role:
        case Role.ENTERPRISE:
            return t.project.c.uscc == actor.scope
        case Role.PARK:
            return e.park_code == actor.scope
        case Role.CITY:
            return e.city_code == actor.scope
        case Role.PROVINCE:
            return e.province_code == actor.scope
    return true()


SCHEMA: dict[str, Any] = {
    "uscc": pl.String,
    "enterprise": pl.String,
    "province_code": pl.String,
    "period": pl.String,
    "revision": pl.Int64,
    "project_no": pl.String,
    "name": pl.String,
    "host": pl.String,
    "area": pl.String,
    "mode": pl.String,
    "stage": pl.String,
    "odi_cert": pl.String,
    **dict.fromkeys(DATE_FIELDS, pl.Date),
    "approved": pl.Float64,
    "invested": pl.Float64,
    "revenue": pl.Float64,
    "employees": pl.Int64,
    "filing_id": pl.Int64,
    "approved_at": pl.Datetime("us", "UTC"),
}


def rows(conn: Connection, *, actor: Actor, as_of: datetime | None = None) -> pl.DataFrame:
    """Every stored project row in scope (all periods and revisions), approved by ``as_of``."""
    p = t.project.c
    cond = and_(scope_condition(actor), p.approved_at <= as_of) if as_of else scope_condition(actor)
    query = (
        select(
            *(p[c] for c in COLUMNS if c != "enterprise"),
            enterprise.c.name.label("enterprise"),
            p.approved_at,
        )
        .select_from(t.project.join(enterprise, enterprise.c.uscc == p.uscc))
        .where(cond)
    )
    data = [dict(r) for r in conn.execute(query).mappings()]
    for r in data:
        r["approved_at"] = clock.aware(r["approved_at"])
    return (
        pl.DataFrame(data, schema=SCHEMA).select(list(SCHEMA))
        if data
        else pl.DataFrame(schema=SCHEMA)
    )


def current(conn: Connection, *, actor: Actor, as_of: datetime | None = None) -> pl.DataFrame:
    """The register now (or ``as_of``): per enterprise and project number, its latest line."""
    frame = rows(conn, actor=actor, as_of=as_of)
    if frame.is_empty():
        return frame
    latest = frame.filter(pl.col("revision") == pl.col("revision").max().over("filing_id"))
    return (
        latest.sort("period", "revision")
        .group_by("uscc", "project_no", maintain_order=True)
        .last()
        .sort("uscc", "project_no")
    )
