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

import polars as pl
from sqlalchemy import Connection, Engine

from shumao.auth import audit, permissions
from shumao.auth.roles import Role, role_text
from shumao.auth.scope import Scope
from shumao.collection import registry, workflow
from shumao.collection.forms import all_forms, get_form, normalise_period, period_of, shift
from shumao.collection.limits import Limits
from shumao.collection.templates import Identity, template_bytes, template_filename
from shumao.errors import NotAllowed, UnknownCode
from shumao.labels import pick
from shumao.monitor.hooks import defer
from shumao.output import to_bytes
from shumao.storage.engine import write_transaction
from shumao.web.schemas import FilingDetail, FilingOut, UploadOut


@dataclass(frozen=True)
class Who:
    """The acting user: scope and address (for the audit log)."""

    scope: Scope
    ip: str = ""

    def log(self, conn: Connection, action: str, target: str, **detail: Any) -> None:
        s = self.scope
        audit.record(conn, action=action, username=s.username, role=s.role, scope=s.code,
                     target=target, ip=self.ip, detail=detail or None)


def status_text(status: str, lang: str) -> str:
    """A filing's status in the user's language (``none``: no filing yet)."""
    if status == "none":
        return pick("未填报", "not filed", lang)
    return pick(*workflow.STATUS_NAMES[workflow.Status(status)], lang)


def _out(conn: Connection, found: workflow.Filing, lang: str = "zh",
         names: dict[str, str] | None = None) -> FilingOut:
    if names is None:
        ent = registry.find(conn, found.uscc)
        names = {found.uscc: ent.name} if ent else {}
    form = get_form(found.form_id)
    return FilingOut(id=found.id, form_id=found.form_id,
                     form_title=f"{form.code} {pick(form.title_zh, form.title_en, lang)}",
                     uscc=found.uscc, enterprise=names.get(found.uscc, found.uscc),
                     period=found.period, status=found.status.value,
                     status_text=status_text(found.status.value, lang), version=found.version,
                     current_upload_id=found.current_upload_id, vintage_id=found.vintage_id,
                     submitted_at=workflow.local_time(found.first_submitted_at))


def forms(lang: str) -> list[dict[str, str]]:
    """Every form, the most frequent first (the quarterly form is what clerks file most), then
    by its 表号 (数贸季1表 before 数贸季2表), with the latest period that has ended as the
    example a clerk would file for."""
    today = datetime.now(workflow.LOCAL).date()
    ordered = sorted(all_forms(), key=lambda f: ("MQA".find(f.frequency), f.code, f.id))
    return [{"id": f.id, "title": pick(f.title_zh, f.title_en, lang), "code": f.code,
             "frequency": f.frequency, "last_period": shift(period_of(today, f.frequency), -1)}
            for f in ordered]


def list_filings(conn: Connection, *, who: Who, status: str | None = None,
                 form_id: str | None = None, period: str | None = None, q: str | None = None,
                 lang: str = "zh") -> list[FilingOut]:
    """The filings the user may see, filtered: form, period, status, and ``q`` — part of the
    enterprise's name or of its credit code. Newest period first."""
    actor = who.scope.actor()
    found = workflow.list_filings(conn, actor=actor, form_id=form_id or None,
                                  period=period or None, status=status or None)
    names = {e.uscc: e.name for e in registry.list_enterprises(conn, actor=actor,
                                                                 include_inactive=True)}
    text = (q or "").strip().upper()
    if text:
        found = [f for f in found if text in f.uscc or text in names.get(f.uscc, "").upper()]
    found.sort(key=lambda f: (f.period, f.uscc, f.form_id), reverse=True)
    return [_out(conn, f, lang, names) for f in found]


PAGE_SIZE = 50


@dataclass(frozen=True)
class ListQuery:
    """The filings list as the page asks for it: filters and the page."""

    form_id: str = ""
    period: str = ""
    status: str = ""
    q: str = ""
    page: int = 1

    def params(self, **override: Any) -> dict[str, str]:
        """The query string of this view (empty values left out)."""
        out = {"form_id": self.form_id, "period": self.period, "status": self.status,
               "q": self.q, "page": str(self.page), **{k: str(v) for k, v in override.items()}}
        return {k: v for k, v in out.items() if v and not (k == "page" and v == "1")}


@dataclass(frozen=True)
class ListPage:
    total: int
    pages: int
    rows: list[FilingOut]


def filings_page(conn: Connection, *, who: Who, query: ListQuery, lang: str) -> ListPage:
    """One page (``PAGE_SIZE`` rows) of the filtered list."""
    found = list_filings(conn, who=who, status=query.status, form_id=query.form_id,
                         period=query.period, q=query.q, lang=lang)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    start = (min(query.page, pages) - 1) * PAGE_SIZE
    return ListPage(len(found), pages, found[start:start + PAGE_SIZE])


def statuses(lang: str) -> list[dict[str, str]]:
    """The statuses a filing can have, for the list's filter."""
    return [{"id": s.value, "text": status_text(s.value, lang)} for s in workflow.Status]


def export_filings(rows: list[FilingOut], *, fmt: str, lang: str) -> bytes:
    """The list as CSV (UTF-8 with BOM) or XLSX, headers in the user's language."""


    heads = [pick(zh, en, lang) for zh, en in EXPORT_HEADERS]
    frame = pl.DataFrame([[r.id, r.form_title, r.uscc, r.enterprise, r.period, r.status_text,
                           r.submitted_at.strftime("%Y-%m-%d %H:%M") if r.submitted_at else "",
                           r.vintage_id] for r in rows],
                         schema={h: t for h, t in zip(heads, EXPORT_TYPES, strict=True)},
                         orient="row")
    return to_bytes(frame, fmt, sheet=pick("填报", "filings", lang))


EXPORT_HEADERS = (("编号", "No."), ("报表", "Form"), ("统一社会信用代码", "Credit code"),
                  ("企业名称", "Enterprise"), ("报告期", "Period"), ("状态", "Status"),
                  ("首次提交（北京时间）", "First submitted (Beijing time)"),
                  ("数据版本", "Vintage"))
EXPORT_TYPES = (int, str, str, str, str, str, str, int)


def review_queue(conn: Connection, *, who: Who, lang: str = "zh") -> list[FilingOut]:
    actor = who.scope.actor()
    queue = workflow.list_filings(conn, actor=actor, status=workflow.Status.SUBMITTED.value)
    return [_out(conn, f, lang) for f in queue if permissions.may_review(actor, _ent(conn, f.uscc))]


def _ent(conn: Connection, uscc: str) -> registry.Enterprise:
    found = registry.find(conn, uscc)
    if found is None:
        raise UnknownCode("企业信息库 enterprise database", uscc)
    return found


def _enterprise_of(conn: Connection, who: Who, uscc: str | None) -> registry.Enterprise:
    code = (uscc or (who.scope.code if who.scope.role == Role.ENTERPRISE else "")).strip().upper()
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


def detail(conn: Connection, *, who: Who, filing_id: int, upload_id: int | None = None,
           lang: str = "zh") -> FilingDetail:
    actor = who.scope.actor()
    found = workflow.get_filing(conn, actor=actor, filing_id=filing_id)
    uploads = workflow.list_uploads(conn, actor=actor, filing_id=filing_id)
    shown = _shown_upload(uploads, found, upload_id)
    ent = _ent(conn, found.uscc)
    listed = [_upload_row(u) for u in reversed(uploads)]
    return FilingDetail(
        filing=_out(conn, found, lang),
        upload=_upload_row(shown) if shown else None,
        findings=shown.report.flat() if shown else [],
        warnings=[{"key": p.key, "explanation": p.explanation or "",
                   **{k: v for k, v in p.finding.__dict__.items() if k != "severity"}}
                  for p in workflow.pending_warnings(conn, actor=actor, filing_id=filing_id)],
        uploads=listed,
        history=[_step(h, lang) for h in workflow.history(conn, actor=actor, filing_id=filing_id)],
        may_file=permissions.may_file(actor, ent),
        may_review=permissions.may_review(actor, ent),
    )


def _step(h: workflow.Transition, lang: str) -> dict[str, Any]:
    """One line of a filing's history, with its statuses and role by name."""
    return {"action": h.action, "from": h.from_status, "to": h.to_status, "actor": h.actor,
            "role": h.role, "at": h.at.isoformat(timespec="seconds"), "reason": h.reason,
            "from_text": status_text(h.from_status, lang) if h.from_status else "",
            "to_text": status_text(h.to_status, lang), "role_text": role_text(h.role, lang)}


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

    defer(conn, trigger="approval", dataflows=[get_form(done.form_id).dataflow],
          user=who.scope.username)
    return _out(conn, done)


def return_filing(conn: Connection, *, who: Who, filing_id: int, reason: str,
                  expected_version: int | None = None) -> FilingOut:
    done = workflow.return_filing(conn, actor=who.scope.actor(), filing_id=filing_id,
                                  reason=reason, expected_version=expected_version)
    who.log(conn, "filing.return", f"filing #{filing_id}", reason=reason)
    return _out(conn, done)
