"""The steps of a filing on the web, over ``shumao.collection.workflow``, each in the audit
log: the template, an upload (read and checked outside the write transaction), a filing with
its findings, explanations, submit, approve and return. Who may do what is decided by the
workflow (``auth.permissions``); this module maps users onto actors and shapes the results.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

from sqlalchemy import Connection, Engine

from shumao.auth import permissions
from shumao.auth.roles import Role, role_text
from shumao.collection import registry
from shumao.collection.forms import get_form, normalise_period
from shumao.collection.limits import Limits
from shumao.collection.templates import Identity, template_bytes, template_filename
from shumao.collection.workflow import contents, deadlines, filings, review, submission, uploads
from shumao.errors import NotAllowed, UnknownCode
from shumao.monitor.hooks import defer
from shumao.storage.engine import write_transaction
from shumao.web.schemas import FilingDetail, FilingOut, UploadOut
from shumao.web.services.filings import Who, enterprise, filing_out, status_text


def _enterprise_of(conn: Connection, who: Who, uscc: str | None) -> registry.Enterprise:
    code = (uscc or (who.scope.code if who.scope.role == Role.ENTERPRISE else "")).strip().upper()
    if not code:
        raise NotAllowed("请指定企业（统一社会信用代码）/ name the enterprise (its credit code)")
    return registry.get_enterprise(conn, actor=who.scope.actor(), uscc=code)


def template(
    conn: Connection, *, who: Who, form_id: str, period: str, uscc: str | None = None
) -> tuple[str, bytes]:
    form = get_form(form_id)
    _checked_period(form_id, period)
    ent = _enterprise_of(conn, who, uscc)
    identity = Identity(
        ent.uscc, ent.name, period, deadlines.due_date(conn, form_id=form.id, period=period)
    )
    who.log(conn, "download", f"template {form.id} {ent.uscc} {period}")
    return template_filename(form, identity), template_bytes(form, identity)


def _checked_period(form_id: str, period: str) -> str:
    form = get_form(form_id)
    if normalise_period(period, form.frequency) != period:
        example = {"A": "2024", "Q": "2024-Q3", "M": "2024-07"}.get(form.frequency, "2024-Q3")
        raise NotAllowed(
            f"报告期“{period}”不是{form.code}《{form.title_zh}》的报告期格式（如 "
            f"{example}）/ {period!r} is not a period of {form.id} (e.g. {example})"
        )
    return period


def upload(
    engine: Engine,
    *,
    who: Who,
    form_id: str,
    period: str,
    data: bytes,
    filename: str,
    max_bytes: int,
    limits: Limits | None = None,
    turns: threading.BoundedSemaphore | None = None,
    uscc: str | None = None,
) -> UploadOut:
    """Parse and check with reads only, then store in one short write transaction: the
    parsing of one large file never holds the write lock other filers wait for. ``turns``
    bounds how many uploads of this process parse at once (the rest wait, holding no lock
    and no CPU, so the event loop keeps answering)."""
    actor = who.scope.actor()
    with turns or nullcontext(), engine.connect() as conn:
        ent = _enterprise_of(conn, who, uscc)
        prepared = uploads.prepare_upload(
            conn,
            actor=actor,
            form_id=form_id,
            uscc=ent.uscc,
            period=_checked_period(form_id, period),
            data=data,
            filename=filename,
            max_bytes=max_bytes,
            limits=limits,
        )
    with write_transaction(engine) as conn:
        done = uploads.store_upload(conn, actor=actor, prepared=prepared)
        who.log(
            conn,
            "filing.upload",
            f"filing #{done.filing.id}",
            upload=done.upload.id,
            accepted=done.accepted,
            errors=done.upload.errors,
            warnings=done.upload.warnings,
        )
        return UploadOut(
            filing=filing_out(conn, done.filing),
            upload_id=done.upload.id,
            accepted=done.accepted,
            errors=done.upload.errors,
            warnings=done.upload.warnings,
            findings=done.report.flat(),
        )


def detail(
    conn: Connection, *, who: Who, filing_id: int, upload_id: int | None = None, lang: str = "zh"
) -> FilingDetail:
    actor = who.scope.actor()
    found = filings.get_filing(conn, actor=actor, filing_id=filing_id)
    kept = contents.list_uploads(conn, actor=actor, filing_id=filing_id)
    shown = _shown_upload(kept, found, upload_id)
    ent = enterprise(conn, found.uscc)
    listed = [_upload_row(u) for u in reversed(kept)]
    return FilingDetail(
        filing=filing_out(conn, found, lang),
        upload=_upload_row(shown) if shown else None,
        findings=shown.report.flat() if shown else [],
        warnings=[
            {
                "key": p.key,
                "explanation": p.explanation or "",
                **{k: v for k, v in p.finding.__dict__.items() if k != "severity"},
            }
            for p in submission.pending_warnings(conn, actor=actor, filing_id=filing_id)
        ],
        uploads=listed,
        history=[_step(h, lang) for h in filings.history(conn, actor=actor, filing_id=filing_id)],
        may_file=permissions.may_file(actor, ent),
        may_review=permissions.may_review(actor, ent),
    )


def _step(h: filings.Transition, lang: str) -> dict[str, Any]:
    """One line of a filing's history, with its statuses and role by name."""
    return {
        "action": h.action,
        "from": h.from_status,
        "to": h.to_status,
        "actor": h.actor,
        "role": h.role,
        "at": h.at.isoformat(timespec="seconds"),
        "reason": h.reason,
        "from_text": status_text(h.from_status, lang) if h.from_status else "",
        "to_text": status_text(h.to_status, lang),
        "role_text": role_text(h.role, lang),
    }


def _upload_row(u: contents.Upload) -> dict[str, Any]:
    return {
        "id": u.id,
        "filename": u.filename,
        "status": u.status,
        "errors": u.errors,
        "warnings": u.warnings,
        "uploaded_at": u.uploaded_at.isoformat(timespec="seconds"),
        "uploaded_by": u.uploaded_by,
    }


def _shown_upload(
    uploads: list[contents.Upload], found: filings.Filing, upload_id: int | None
) -> contents.Upload | None:
    if upload_id is not None:
        for u in uploads:
            if u.id == upload_id:
                return u
        raise UnknownCode("上传 uploads", upload_id)
    return uploads[-1] if uploads else None


def explain(conn: Connection, *, who: Who, filing_id: int, explanations: dict[str, str]) -> None:
    texts = {k: v for k, v in explanations.items() if v.strip()}
    submission.explain(conn, actor=who.scope.actor(), filing_id=filing_id, explanations=texts)
    who.log(conn, "filing.explain", f"filing #{filing_id}", keys=sorted(texts))


def submit(
    conn: Connection,
    *,
    who: Who,
    filing_id: int,
    expected_version: int | None = None,
    explanations: dict[str, str] | None = None,
) -> FilingOut:
    texts = {k: v for k, v in (explanations or {}).items() if v.strip()}
    done = submission.submit(
        conn,
        actor=who.scope.actor(),
        filing_id=filing_id,
        expected_version=expected_version,
        explanations=texts or None,
    )
    who.log(conn, "filing.submit", f"filing #{filing_id}")
    return filing_out(conn, done)


def approve(
    conn: Connection,
    *,
    who: Who,
    filing_id: int,
    expected_version: int | None = None,
    note: str = "",
) -> FilingOut:
    done = review.approve(
        conn,
        actor=who.scope.actor(),
        filing_id=filing_id,
        expected_version=expected_version,
        note=note,
    )
    who.log(conn, "filing.approve", f"filing #{filing_id}", vintage=done.vintage_id)

    defer(
        conn,
        trigger="approval",
        dataflows=[get_form(done.form_id).dataflow],
        user=who.scope.username,
    )
    return filing_out(conn, done)


def return_filing(
    conn: Connection, *, who: Who, filing_id: int, reason: str, expected_version: int | None = None
) -> FilingOut:
    done = review.return_filing(
        conn,
        actor=who.scope.actor(),
        filing_id=filing_id,
        reason=reason,
        expected_version=expected_version,
    )
    who.log(conn, "filing.return", f"filing #{filing_id}", reason=reason)
    return filing_out(conn, done)
