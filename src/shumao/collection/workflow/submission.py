"""Submitting a filing for review: every warning of the accepted upload needs the filer's
written explanation first (a zero report's too: the reason nothing was traded)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.collection.tables import filing_explanation
from shumao.collection.workflow import clock
from shumao.collection.workflow.contents import get_upload
from shumao.collection.workflow.filings import (
    Filing,
    Status,
    current,
    enterprise_of,
    get_filing,
    require_status,
    transition,
)
from shumao.errors import ImportRejected, NotAllowed
from shumao.validation.findings import Finding, Report, finding

MIN_EXPLANATION = 2


@dataclass(frozen=True)
class PendingWarning:
    key: str
    finding: Finding
    explanation: str | None


def finding_key(item: Finding) -> str:
    """A stable name for a finding of an upload, used to attach an explanation."""
    where = item.cell or (f"R{item.row}" if item.row is not None else "")
    column = "" if item.cell or not item.column else f"#{item.column}"
    return f"{item.code}@{where}{column}"


def pending_warnings(conn: Connection, *, actor: Actor, filing_id: int) -> list[PendingWarning]:
    """The warnings of the current upload, each with its explanation if one was written."""
    found = get_filing(conn, actor=actor, filing_id=filing_id)
    if found.current_upload_id is None:
        return []
    up = get_upload(conn, actor=actor, upload_id=found.current_upload_id)
    written = dict(
        conn.execute(
            select(filing_explanation.c.finding_key, filing_explanation.c.text).where(
                filing_explanation.c.upload_id == up.id
            )
        ).all()
    )
    return [
        PendingWarning(finding_key(f), f, written.get(finding_key(f))) for f in up.report.warnings
    ]


def explain(
    conn: Connection, *, actor: Actor, filing_id: int, explanations: Mapping[str, str]
) -> list[PendingWarning]:
    """Attach written explanations (finding key → text) to warnings of the current upload."""
    found = get_filing(conn, actor=actor, filing_id=filing_id)
    permissions.require_file(
        actor, enterprise_of(conn, found.uscc), "为此填报写说明", "explain this filing"
    )
    pending = {p.key: p for p in pending_warnings(conn, actor=actor, filing_id=filing_id)}
    unknown = sorted(set(explanations) - set(pending))
    if unknown:
        raise NotAllowed(
            f"没有这些警告：{'、'.join(unknown)}（可说明：{'、'.join(pending)}） / "
            f"no such warnings: {', '.join(unknown)}"
        )
    now = clock.now()
    for key, text in explanations.items():
        conn.execute(
            delete(filing_explanation).where(
                filing_explanation.c.upload_id == found.current_upload_id,
                filing_explanation.c.finding_key == key,
            )
        )
        conn.execute(
            insert(filing_explanation).values(
                upload_id=found.current_upload_id,
                finding_key=key,
                code=pending[key].finding.code,
                text=text.strip(),
                explained_by=actor.name,
                explained_at=now,
            )
        )
    return pending_warnings(conn, actor=actor, filing_id=filing_id)


def submit(
    conn: Connection,
    *,
    actor: Actor,
    filing_id: int,
    expected_version: int | None = None,
    explanations: Mapping[str, str] | None = None,
) -> Filing:
    """Submit the current upload for review (warnings need written explanations)."""
    found = current(conn, actor, filing_id, expected_version)
    ent = enterprise_of(conn, found.uscc)
    permissions.require_file(actor, ent, f"提交企业 {ent.uscc} 的填报", f"submit for {ent.uscc}")
    require_status(found, "submit")
    if found.current_upload_id is None:
        raise NotAllowed(
            f"填报 #{found.id} 还没有通过校验的上传 / filing #{found.id} has no "
            "accepted upload to submit"
        )
    if explanations:
        explain(conn, actor=actor, filing_id=found.id, explanations=explanations)
    _require_explanations(conn, actor, found)
    now = clock.now()
    action = "resubmit" if found.status is Status.RETURNED or found.revision else "submit"
    return transition(
        conn,
        found,
        action=action,
        to=Status.SUBMITTED,
        actor=actor,
        expected_version=expected_version,
        now=now,
        upload_id=found.current_upload_id,
        values={
            "submitted_at": now,
            "submitted_by": actor.name,
            "first_submitted_at": found.first_submitted_at or now,
        },
    )


def _require_explanations(conn: Connection, actor: Actor, found: Filing) -> None:
    missing = [
        p
        for p in pending_warnings(conn, actor=actor, filing_id=found.id)
        if not p.explanation or len(p.explanation) < MIN_EXPLANATION
    ]
    if not missing:
        return
    report = Report(source=f"filing #{found.id}")
    for p in missing:
        f = p.finding
        report.add(
            finding(
                "explanation-missing",
                file=f.file,
                sheet=f.sheet,
                row=f.row,
                column=f.column,
                value=p.key,
            )
        )
    raise ImportRejected(report)
