"""The filing pages over ``shumao.collection.workflow``, each action in the audit log.

Enterprise filers file for their own enterprise (the USCC of their scope); reviewers (park,
city, province, admin) see their queue and approve or return. The workflow checks who may do
what; this module maps users onto actors, shapes the results and writes the audit log.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from shumao.auth import audit
from shumao.auth.scope import Scope
from shumao.collection import registry, workflow
from shumao.collection.forms import all_forms, get_form, normalise_period, period_of, shift
from shumao.collection.limits import Limits
from shumao.collection.templates import Identity, template_bytes, template_filename
from shumao.errors import NotAllowed, UnknownCode
from shumao.storage.engine import write_transaction
from shumao.web.i18n import pick
from shumao.web.schemas import (
    FilingDetail,
    FilingOut,
    NonResponseOut,
    NonResponseReport,
    UploadOut,
)
from shumao.web.services.labels import area_name


@dataclass(frozen=True)
class Who:
    """The acting user: scope and address (for the audit log)."""

    scope: Scope
    ip: str = ""

    def log(self, conn: Connection, action: str, target: str, **detail: Any) -> None:
        s = self.scope
        audit.record(conn, action=action, username=s.username, role=s.role, scope=s.code,
                     target=target, ip=self.ip, detail=detail or None)


def _out(conn: Connection, found: workflow.Filing) -> FilingOut:
    ent = registry.find(conn, found.uscc)
    form = get_form(found.form_id)
    return FilingOut(id=found.id, form_id=found.form_id, form_title=f"{form.code} {form.title_zh}",
                     uscc=found.uscc,
                     enterprise=ent.name if ent else found.uscc, period=found.period,
                     status=found.status.value, status_text=found.status_text,
                     version=found.version, current_upload_id=found.current_upload_id,
                     vintage_id=found.vintage_id)


def forms(lang: str) -> list[dict[str, str]]:
    """Every form, the most frequent first (the quarterly form is what clerks file most), with
    the latest period that has ended as the example a clerk would file for."""
    today = datetime.now(workflow.LOCAL).date()
    ordered = sorted(all_forms(), key=lambda f: ("MQA".find(f.frequency), f.id))
    return [{"id": f.id, "title": pick(f.title_zh, f.title_en, lang), "code": f.code,
             "frequency": f.frequency, "last_period": shift(period_of(today, f.frequency), -1)}
            for f in ordered]


def list_filings(conn: Connection, *, who: Who, status: str | None = None) -> list[FilingOut]:
    found = workflow.list_filings(conn, actor=who.scope.actor(), status=status or None)
    return [_out(conn, f) for f in found]


def review_queue(conn: Connection, *, who: Who) -> list[FilingOut]:
    actor = who.scope.actor()
    queue = workflow.list_filings(conn, actor=actor, status=workflow.Status.SUBMITTED.value)
    return [_out(conn, f) for f in queue if actor.can_review(_ent(conn, f.uscc))]


def non_response(conn: Connection, *, who: Who, form_id: str, period: str | None,
                 pending: bool = False, lang: str = "zh") -> NonResponseReport:
    """漏报 / 迟报 (and with ``pending`` 待报) reporters in the reviewer's scope for one period;
    the period defaults to the latest whose deadline has passed (with ``pending``, the one
    open now)."""
    if who.scope.role == "enterprise":
        raise NotAllowed("迟报、漏报名单供审核人员查看 / the non-response list is for reviewers")
    form = get_form(form_id)
    if period:
        wanted = normalise_period(period, form.frequency)
        if wanted is None:
            raise UnknownCode(f"报告期 period ({form.frequency})", period)
    elif pending:  # who has not yet filed for the period now open
        wanted = period_of(datetime.now(workflow.LOCAL).date(), form.frequency)
    else:
        wanted = workflow.last_due_period(conn, form_id=form.id)
    found = workflow.non_response(conn, actor=who.scope.actor(), form_id=form.id, period=wanted,
                                  include_pending=pending)
    rows = [NonResponseOut(uscc=r.uscc, enterprise=r.name, park_code=r.park_code,
                           park=area_name(r.park_code, lang) if r.park_code else "", kind=r.kind,
                           kind_text=r.label, due=r.due, status=r.status,
                           status_text=_status_text(r.status, lang),
                           first_submitted_at=workflow.local_time(r.first_submitted_at)) for r in found]
    counts = {k: sum(r.kind == k for r in found) for k in ("missing", "late", "pending")}
    return NonResponseReport(form_id=form.id, form_title=f"{form.code} "
                             f"{pick(form.title_zh, form.title_en, lang)}", period=wanted,
                             due=workflow.due_date(conn, form_id=form.id, period=wanted),
                             counts=counts, rows=rows)


def non_response_csv(report: NonResponseReport) -> bytes:
    """The list as a CSV a park manager can open in Excel to chase the enterprises (催报):
    UTF-8 with BOM, Chinese headers, formula-like text made inert."""
    import polars as pl

    from shumao.output import inert

    frame = pl.DataFrame({
        "报表 form": [report.form_title] * len(report.rows),
        "报告期 period": [report.period] * len(report.rows),
        "截止日期 deadline": [report.due.isoformat()] * len(report.rows),
        "统一社会信用代码 USCC": [r.uscc for r in report.rows],
        "企业名称 enterprise": [r.enterprise for r in report.rows],
        "基地 park": [r.park or "" for r in report.rows],
        "类别 kind": [r.kind_text for r in report.rows],
        "填报状态 status": [r.status_text for r in report.rows],
        "首次提交（北京时间）first submitted": [
            r.first_submitted_at.strftime("%Y-%m-%d %H:%M") if r.first_submitted_at else ""
            for r in report.rows],
    }, schema_overrides={"基地 park": pl.String})
    return b"\xef\xbb\xbf" + inert(frame).write_csv().encode("utf-8")


def _status_text(status: str, lang: str) -> str:
    if status == "none":
        return pick("未建立填报", "no filing", lang)
    zh, en = workflow.STATUS_NAMES[workflow.Status(status)]
    return pick(zh, en, lang)


def _ent(conn: Connection, uscc: str) -> registry.Enterprise:
    found = registry.find(conn, uscc)
    if found is None:
        raise UnknownCode("企业信息库 enterprise database", uscc)
    return found


def _enterprise_of(conn: Connection, who: Who, uscc: str | None) -> registry.Enterprise:
    code = (uscc or (who.scope.code if who.scope.role == "enterprise" else "")).strip().upper()
    if not code:
        raise NotAllowed("请指定企业（统一社会信用代码）/ name the enterprise (its credit code)")
    return registry.get_enterprise(conn, actor=who.scope.actor(), uscc=code)


def template(conn: Connection, *, who: Who, form_id: str, period: str,
             uscc: str | None = None) -> tuple[str, bytes]:
    form = get_form(form_id)
    _checked_period(form_id, period)
    ent = _enterprise_of(conn, who, uscc)
    identity = Identity(ent.uscc, ent.name, period,
                        workflow.due_date(conn, form_id=form.id, period=period))
    who.log(conn, "download", f"template {form.id} {ent.uscc} {period}")
    return template_filename(form, identity), template_bytes(form, identity)


def _checked_period(form_id: str, period: str) -> str:
    form = get_form(form_id)
    if normalise_period(period, form.frequency) != period:
        example = {"A": "2024", "Q": "2024-Q3", "M": "2024-07"}.get(form.frequency, "2024-Q3")
        raise NotAllowed(f"报告期“{period}”不是{form.code}《{form.title_zh}》的报告期格式（如 "
                         f"{example}）/ {period!r} is not a period of {form.id} (e.g. {example})")
    return period


def upload(engine: Engine, *, who: Who, form_id: str, period: str, data: bytes,
           filename: str, max_bytes: int, limits: Limits | None = None,
           turns: threading.BoundedSemaphore | None = None,
           uscc: str | None = None) -> UploadOut:
    """Parse and check with reads only, then store in one short write transaction: the
    parsing of one large file never holds the write lock other filers wait for. ``turns``
    bounds how many uploads of this process parse at once (the rest wait, holding no lock
    and no CPU, so the event loop keeps answering)."""
    actor = who.scope.actor()
    with turns or nullcontext(), engine.connect() as conn:
        ent = _enterprise_of(conn, who, uscc)
        prepared = workflow.prepare_upload(conn, actor=actor, form_id=form_id, uscc=ent.uscc,
                                           period=_checked_period(form_id, period), data=data,
                                           filename=filename, max_bytes=max_bytes,
                                           limits=limits)
    with write_transaction(engine) as conn:
        done = workflow.store_upload(conn, actor=actor, prepared=prepared)
        who.log(conn, "filing.upload", f"filing #{done.filing.id}", upload=done.upload.id,
                accepted=done.accepted, errors=done.upload.errors,
                warnings=done.upload.warnings)
        return UploadOut(filing=_out(conn, done.filing), upload_id=done.upload.id,
                         accepted=done.accepted, errors=done.upload.errors,
                         warnings=done.upload.warnings, findings=done.report.flat())


def detail(conn: Connection, *, who: Who, filing_id: int, upload_id: int | None = None
           ) -> FilingDetail:
    actor = who.scope.actor()
    found = workflow.get_filing(conn, actor=actor, filing_id=filing_id)
    uploads = workflow.list_uploads(conn, actor=actor, filing_id=filing_id)
    shown = _shown_upload(uploads, found, upload_id)
    ent = _ent(conn, found.uscc)
    listed = [_upload_row(u) for u in reversed(uploads)]
    return FilingDetail(
        filing=_out(conn, found),
        upload=_upload_row(shown) if shown else None,
        findings=shown.report.flat() if shown else [],
        warnings=[{"key": p.key, "explanation": p.explanation or "",
                   **{k: v for k, v in p.finding.__dict__.items() if k != "severity"}}
                  for p in workflow.pending_warnings(conn, actor=actor, filing_id=filing_id)],
        uploads=listed,
        history=[{"action": h.action, "from": h.from_status, "to": h.to_status, "actor": h.actor,
                  "role": h.role, "at": h.at.isoformat(timespec="seconds"), "reason": h.reason}
                 for h in workflow.history(conn, actor=actor, filing_id=filing_id)],
        may_file=actor.can_file(ent), may_review=actor.can_review(ent),
    )


def _upload_row(u: workflow.Upload) -> dict[str, Any]:
    return {"id": u.id, "filename": u.filename, "status": u.status, "errors": u.errors,
            "warnings": u.warnings, "uploaded_at": u.uploaded_at.isoformat(timespec="seconds"),
            "uploaded_by": u.uploaded_by}


def _shown_upload(uploads: list[workflow.Upload], found: workflow.Filing,
                  upload_id: int | None) -> workflow.Upload | None:
    if upload_id is not None:
        for u in uploads:
            if u.id == upload_id:
                return u
        raise UnknownCode("上传 uploads", upload_id)
    return uploads[-1] if uploads else None


def explain(conn: Connection, *, who: Who, filing_id: int, explanations: dict[str, str]) -> None:
    texts = {k: v for k, v in explanations.items() if v.strip()}
    workflow.explain(conn, actor=who.scope.actor(), filing_id=filing_id, explanations=texts)
    who.log(conn, "filing.explain", f"filing #{filing_id}", keys=sorted(texts))


def submit(conn: Connection, *, who: Who, filing_id: int, expected_version: int | None = None,
           explanations: dict[str, str] | None = None) -> FilingOut:
    texts = {k: v for k, v in (explanations or {}).items() if v.strip()}
    done = workflow.submit(conn, actor=who.scope.actor(), filing_id=filing_id,
                           expected_version=expected_version, explanations=texts or None)
    who.log(conn, "filing.submit", f"filing #{filing_id}")
    return _out(conn, done)


def approve(conn: Connection, *, who: Who, filing_id: int, expected_version: int | None = None,
            note: str = "") -> FilingOut:
    done = workflow.approve(conn, actor=who.scope.actor(), filing_id=filing_id,
                            expected_version=expected_version, note=note)
    who.log(conn, "filing.approve", f"filing #{filing_id}", vintage=done.vintage_id)
    return _out(conn, done)


def return_filing(conn: Connection, *, who: Who, filing_id: int, reason: str,
                  expected_version: int | None = None) -> FilingOut:
    done = workflow.return_filing(conn, actor=who.scope.actor(), filing_id=filing_id,
                                  reason=reason, expected_version=expected_version)
    who.log(conn, "filing.return", f"filing #{filing_id}", reason=reason)
    return _out(conn, done)
