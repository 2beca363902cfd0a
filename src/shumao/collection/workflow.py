"""Filings and their review: upload → submit → approve, or return with a reason → resubmit.

    (none) ──upload──▶ draft ──submit──▶ submitted ──approve──▶ approved
                         ▲                  │                      │
                         └──upload── returned ◀──return (reason)───┘ upload (a revision)

- Every upload is kept — accepted or rejected — with the file, its findings and its cells, so a
  clerk can come back to a rejected one. An upload never changes approved data.
- Submitting needs an upload without errors and a written explanation for every warning.
- Reviewers are the park of the enterprise and the city and province above it (and admins).
- Approval writes the filing's values as a new vintage of the form's dataflow (``ENT_DDS`` for
  the quarterly form) in the same transaction. Approving a resubmission after an approval is a
  revision: a new vintage, never an overwrite; cells dropped by the revision are stored as
  withdrawn (status M).
- Every step is a row of ``filing_transition`` (who, role, scope, when, why).
- Optimistic locking: each state change is ``UPDATE … WHERE version = <the version the actor
  saw>``; of two reviewers acting at once exactly one wins and the other gets a bilingual
  ``ConflictError``.

Service functions are keyword-only, take a ``Connection`` (the caller owns the transaction:
``with engine.begin() as conn``) and the acting ``Actor``; a web route only maps a request onto
one call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Connection, delete, insert, select, update

from shumao import output
from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.collection import registry
from shumao.collection.checks.engine import validate
from shumao.collection.checks.model import TOTAL, Context
from shumao.collection.checks.results import Checked, history_from_observations
from shumao.collection.forms import (
    Form,
    get_form,
    normalise_period,
    period_of,
    periods_of_year,
    previous_periods,
    shift,
)
from shumao.collection.limits import Limits
from shumao.collection.tables import (
    filing,
    filing_cell,
    filing_deadline,
    filing_explanation,
    filing_transition,
    filing_upload,
)
from shumao.collection.upload import Parsed, read_bytes, read_file, read_json
from shumao.config import get_settings
from shumao.errors import (
    ConflictError,
    ImportRejected,
    NotAllowed,
    NotVisible,
    StoreError,
    UnknownCode,
)
from shumao.storage import vintages
from shumao.storage.dataflows import get_dataflow
from shumao.storage.engine import insert_or_skip
from shumao.storage.tables import DIMENSIONS
from shumao.validation.findings import ROW, Finding, Report, Severity, finding

ApprovalHook = Callable[[Connection, "Filing"], None]
ContextProvider = Callable[[Connection, Form, "str | None", "str | None"], Any]
APPROVAL_HOOKS: dict[str, list[ApprovalHook]] = {}
CONTEXT_PROVIDERS: dict[str, ContextProvider] = {}
LOCAL = ZoneInfo("Asia/Shanghai")
HISTORY_PERIODS = 8
MIN_EXPLANATION = 2


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


STATUS_NAMES = {
    Status.DRAFT: ("草稿", "draft"),
    Status.SUBMITTED: ("已提交待审核", "submitted, awaiting review"),
    Status.APPROVED: ("已审核通过", "approved"),
    Status.RETURNED: ("已退回", "returned"),
}
CAN = {
    "upload": {Status.DRAFT, Status.RETURNED, Status.APPROVED},
    "submit": {Status.DRAFT, Status.RETURNED},
    "approve": {Status.SUBMITTED},
    "return": {Status.SUBMITTED},
}


@dataclass(frozen=True)
class Filing:
    id: int
    form_id: str
    form_version: int
    enterprise_id: int
    uscc: str
    period: str
    status: Status
    version: int
    revision: int
    current_upload_id: int | None
    approved_upload_id: int | None
    vintage_id: int | None
    first_submitted_at: datetime | None
    submitted_at: datetime | None
    submitted_by: str | None
    approved_at: datetime | None
    created_at: datetime
    created_by: str
    updated_at: datetime

    @property
    def status_text(self) -> str:
        zh, en = STATUS_NAMES[self.status]
        return f"{zh} / {en}"


@dataclass(frozen=True)
class Upload:
    id: int
    filing_id: int
    filename: str
    fmt: str
    size: int
    sha256: str
    status: str
    errors: int
    warnings: int
    cells: int
    uploaded_at: datetime
    uploaded_by: str
    report: Report

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


@dataclass
class UploadResult:
    filing: Filing
    upload: Upload
    checked: Checked | None

    @property
    def report(self) -> Report:
        return self.upload.report

    @property
    def accepted(self) -> bool:
        return self.upload.accepted


@dataclass(frozen=True)
class Transition:
    action: str
    from_status: str | None
    to_status: str
    filing_version: int
    actor: str
    role: str
    scope: str
    at: datetime
    reason: str
    upload_id: int | None
    vintage_id: int | None


@dataclass(frozen=True)
class PendingWarning:
    key: str
    finding: Finding
    explanation: str | None


# --- small helpers ----------------------------------------------------------------------------


_CLOCK: ContextVar[datetime | None] = ContextVar("shumao_workflow_clock", default=None)


def _now() -> datetime:
    return _CLOCK.get() or datetime.now(UTC)


@contextmanager
def happening_at(moment: datetime) -> Iterator[None]:
    """Record the steps taken inside as done at ``moment`` (an aware datetime): the demo
    replays past quarters at the days a clerk and a reviewer would have acted."""
    token = _CLOCK.set(moment)
    try:
        yield
    finally:
        _CLOCK.reset(token)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything is stored in UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_time(value: datetime | None) -> datetime | None:
    """A stored moment (UTC, naive from SQLite) as Beijing time."""
    aware_value = aware(value)
    return aware_value.astimezone(LOCAL) if aware_value else None


def local_date(value: datetime) -> date:
    moment = local_time(value)
    assert moment is not None
    return moment.date()


def _filing_row(row: Any) -> Filing:
    data = dict(row._mapping)
    for k in ("first_submitted_at", "submitted_at", "approved_at", "created_at", "updated_at"):
        data[k] = aware(data[k])
    data["status"] = Status(data["status"])
    names = {f.name for f in fields(Filing)}
    return Filing(**{k: v for k, v in data.items() if k in names})


def _load(conn: Connection, filing_id: int) -> Filing:
    row = conn.execute(select(filing).where(filing.c.id == filing_id)).first()
    if row is None:
        raise NotVisible("填报", "filing")
    return _filing_row(row)


def _enterprise(conn: Connection, uscc: str) -> registry.Enterprise:
    ent = registry.find(conn, uscc)
    if ent is None:
        raise UnknownCode("企业信息库 enterprise database", uscc)
    return ent


def finding_key(item: Finding) -> str:
    """A stable name for a finding of an upload, used to attach an explanation."""
    where = item.cell or (f"R{item.row}" if item.row is not None else "")
    column = "" if item.cell or not item.column else f"#{item.column}"
    return f"{item.code}@{where}{column}"


def report_from_json(doc: Mapping[str, Any], source: str = "") -> Report:
    report = Report(source=source)
    for d in doc.get("findings", []):
        report.findings.append(Finding(**{**d, "severity": Severity(d["severity"])}))
    for s in doc.get("suppressed", []):
        report.suppressed[(s["code"], s["column"])] = s["more"]
    return report


def _report_json(report: Report) -> dict[str, Any]:
    more = [{"code": c, "column": col, "more": n} for (c, col), n in report.suppressed.items()]
    return {"ok": report.ok, "findings": report.flat(), "suppressed": more}


# --- filings -----------------------------------------------------------------------------------


def find_filing(conn: Connection, *, actor: Actor, form_id: str, uscc: str,
                period: str) -> Filing | None:
    ent = _enterprise(conn, uscc)
    permissions.require_see(actor, ent)
    row = conn.execute(select(filing).where(
        filing.c.form_id == get_form(form_id).id, filing.c.uscc == ent.uscc,
        filing.c.period == period)).first()
    return _filing_row(row) if row else None


def get_filing(conn: Connection, *, actor: Actor, filing_id: int) -> Filing:
    found = _load(conn, filing_id)
    permissions.require_see(actor, _enterprise(conn, found.uscc))
    return found


def list_filings(conn: Connection, *, actor: Actor, form_id: str | None = None,
                 period: str | None = None, status: str | None = None) -> list[Filing]:
    visible = {e.uscc for e in registry.list_enterprises(conn, actor=actor, include_inactive=True)}
    stmt = select(filing).order_by(filing.c.period, filing.c.uscc, filing.c.form_id)
    if form_id:
        stmt = stmt.where(filing.c.form_id == get_form(form_id).id)
    if period:
        stmt = stmt.where(filing.c.period == period)
    if status:
        stmt = stmt.where(filing.c.status == Status(status).value)
    return [_filing_row(r) for r in conn.execute(stmt) if r.uscc in visible]


def open_filing(conn: Connection, *, actor: Actor, form_id: str, uscc: str,
                period: str) -> Filing:
    """The filing of ``form_id`` for ``uscc`` and ``period``, created as a draft if new."""
    form = get_form(form_id)
    ent, existing = _filer(conn, actor, form, uscc, period)
    if existing is not None:
        return existing
    now = _now()
    new_id = conn.execute(insert_or_skip(conn, filing).values(
        form_id=form.id, form_version=form.version, enterprise_id=ent.id, uscc=ent.uscc,
        period=period, status=Status.DRAFT.value, version=1, revision=0, created_at=now,
        created_by=actor.name, updated_at=now,
    ).returning(filing.c.id)).scalar()
    if new_id is None:  # created by a concurrent upload a moment ago
        made = find_filing(conn, actor=actor, form_id=form.id, uscc=ent.uscc, period=period)
        assert made is not None
        return made
    _record(conn, new_id, "create", None, Status.DRAFT, 1, actor, now)
    return _load(conn, new_id)


def _check_period(form: Form, period: str) -> None:
    if normalise_period(period, form.frequency) != period:
        raise NotAllowed(f"报告期“{period}”不是{form.title_zh}的报告期格式 / {period!r} is not a "
                         f"{form.frequency} period (e.g. 2024-Q3 or 2024)")


# --- uploads ----------------------------------------------------------------------------------


def upload_file(
    conn: Connection, *, actor: Actor, form_id: str, uscc: str, period: str,
    path: Path | None = None, data: bytes | None = None, filename: str = "",
    max_bytes: int | None = None, hb: bool = True,
) -> UploadResult:
    """Upload a filled template, CSV or JSON file (from ``path`` or ``data``) to the filing.

    The upload is kept whatever its findings; an accepted upload (no errors) becomes the
    filing's current content, ready to submit. A rejected one is kept for the clerk to read,
    with its findings and the file, not its cells. ``max_bytes`` defaults to the
    ``upload_max_bytes`` setting. (The web does the two halves in two transactions:
    ``prepare_upload`` reads, ``store_upload`` writes.)
    """
    prepared = prepare_upload(conn, actor=actor, form_id=form_id, uscc=uscc, period=period,
                              path=path, data=data, filename=filename, max_bytes=max_bytes, hb=hb)
    return store_upload(conn, actor=actor, prepared=prepared)


def upload_json(conn: Connection, *, actor: Actor, form_id: str, uscc: str, period: str,
                payload: Mapping[str, Any], hb: bool = True) -> UploadResult:
    """The same as ``upload_file`` for a filing sent as JSON (``upload.json_sheet``)."""
    form = get_form(form_id)
    ent = _may_upload(conn, actor, form, uscc, period)
    parsed = read_json(payload, form=form)
    _refuse_non_reporter(form, ent, parsed)
    checked = check_parsed(conn, form, parsed, uscc=ent.uscc, period=period, hb=hb)
    return store_upload(conn, actor=actor, prepared=Prepared(form, ent.uscc, period, parsed,
                                                             checked))


@dataclass
class Prepared:
    """An upload read and checked, not yet stored (``prepare_upload`` → ``store_upload``)."""

    form: Form
    uscc: str
    period: str
    parsed: Parsed
    checked: Checked | None


def prepare_upload(
    conn: Connection, *, actor: Actor, form_id: str, uscc: str, period: str,
    path: Path | None = None, data: bytes | None = None, filename: str = "",
    max_bytes: int | None = None, hb: bool = True, limits: Limits | None = None,
) -> Prepared:
    """Everything an upload needs before it is stored, with reads only: who may file, the
    file parsed within the limits (``collection.limits``) and checked against the store's
    history. The slow part of an upload, done outside any write transaction."""
    if max_bytes is None:
        max_bytes = get_settings().upload_max_bytes
    form = get_form(form_id)
    ent = _may_upload(conn, actor, form, uscc, period)
    if path is not None:
        parsed = read_file(Path(path), form=form, max_bytes=max_bytes, filename=filename or None,
                           limits=limits)
    elif data is not None:
        parsed = read_bytes(data, form=form, filename=filename or "upload", max_bytes=max_bytes,
                            limits=limits)
    else:
        raise ValueError("upload_file needs path or data")
    _refuse_non_reporter(form, ent, parsed)
    checked = check_parsed(conn, form, parsed, uscc=ent.uscc, period=period, hb=hb)
    return Prepared(form, ent.uscc, period, parsed, checked)


def store_upload(conn: Connection, *, actor: Actor, prepared: Prepared) -> UploadResult:
    """Store a prepared upload: the filing (created if new) is locked, its state checked
    again, the upload, its cells (accepted uploads only) and the step written. Run it in a
    short write transaction (``storage.engine.write_transaction``)."""
    target = _upload_target(conn, actor, prepared.form, prepared.uscc, prepared.period)
    return _store(conn, actor, target, prepared)


def _filer(conn: Connection, actor: Actor, form: Form, uscc: str,
           period: str) -> tuple[registry.Enterprise, Filing | None]:
    """The enterprise the actor may file for, and its filing of the period if there is one."""
    _check_period(form, period)
    ent = _enterprise(conn, uscc)
    permissions.require_file(actor, ent)
    return ent, find_filing(conn, actor=actor, form_id=form.id, uscc=ent.uscc, period=period)


def _may_upload(conn: Connection, actor: Actor, form: Form, uscc: str,
                period: str) -> registry.Enterprise:
    ent, existing = _filer(conn, actor, form, uscc, period)
    if existing is not None:
        _uploadable(existing)
    return ent


def _refuse_non_reporter(form: Form, ent: registry.Enterprise, parsed: Parsed) -> None:
    """A form owed by the enterprises with a flag (``reporters``: 跨境电商直报 for 数贸季2表) is
    refused from any other, located at the file's credit code."""
    if not form.reporters or getattr(ent, form.reporters, False):
        return
    sheet = parsed.sheet
    row, col = (sheet.positions.get("uscc") if sheet else None) or (None, None)
    if row is None and sheet is not None and sheet.frame.height:
        row = int(sheet.frame.select(pl.col(ROW).min()).item())
    parsed.report.add(finding(
        "upload-not-reporter", file=parsed.received.filename, sheet=sheet.sheet if sheet else "",
        row=row, col_index=col, column="统一社会信用代码 / credit code", value=ent.uscc,
        name=ent.name, flag=registry.FLAG_NAMES[form.reporters],
        form=f"{form.code}（{form.title_zh}）"))


def _upload_target(conn: Connection, actor: Actor, form: Form, uscc: str, period: str) -> Filing:
    found = open_filing(conn, actor=actor, form_id=form.id, uscc=uscc, period=period)
    locked = conn.execute(select(filing).where(filing.c.id == found.id).with_for_update()).one()
    return _uploadable(_filing_row(locked))


def _uploadable(target: Filing) -> Filing:
    if target.status not in CAN["upload"]:
        raise NotAllowed(
            f"填报 #{target.id} 正在审核中（{target.status_text}），不能再上传；如需修改请联系审核人退回 / "
            f"filing #{target.id} is under review; ask the reviewer to return it before uploading")
    return target


def check_parsed(conn: Connection, form: Form, parsed: Parsed, *, uscc: str | None,
                 period: str | None, hb: bool = True) -> Checked | None:
    """Run the form's checks on a parsed upload with the context read from the store."""
    if parsed.sheet is None:
        return None
    context = build_context(conn, form, uscc=uscc, period=period, hb=hb)
    return validate(parsed.sheet, form, context=context, report=parsed.report)


def _store(conn: Connection, actor: Actor, target: Filing, prepared: Prepared) -> UploadResult:
    parsed, checked = prepared.parsed, prepared.checked
    report = parsed.report
    accepted = checked is not None and report.ok
    cells = checked.cells() if checked is not None and accepted else None
    now = _now()
    upload_id = conn.execute(insert(filing_upload).values(
        filing_id=target.id, filename=parsed.received.filename[:300], fmt=parsed.received.fmt,
        size=parsed.received.size, sha256=parsed.received.sha256, content=parsed.received.data,
        status="accepted" if accepted else "rejected", errors=len(report.errors),
        warnings=len(report.warnings), cells=0 if cells is None else cells.height,
        report=_report_json(report), uploaded_at=now, uploaded_by=actor.name,
    ).returning(filing_upload.c.id)).scalar_one()
    if cells is not None and cells.height and checked is not None:
        _insert_cells(conn, upload_id, cells, checked.sheet)
    to = Status.DRAFT if target.status is Status.APPROVED else target.status
    values: dict[str, Any] = {"current_upload_id": upload_id} if accepted else {}
    updated = _transition(conn, target, action="upload" if accepted else "upload-rejected",
                          to=to, actor=actor, expected_version=None, values=values, now=now,
                          upload_id=upload_id)
    return UploadResult(updated, get_upload(conn, actor=actor, upload_id=upload_id), checked)


def _insert_cells(conn: Connection, upload_id: int, cells: pl.DataFrame, sheet: str) -> None:
    frame = cells.with_row_index("seq", offset=1).select(
        pl.lit(upload_id).alias("upload_id"), pl.col("seq").cast(pl.Int64), "line", "field",
        pl.lit(sheet[:64]).alias("sheet"), "row", "cell", "total_line",
        (pl.col("product") if "product" in cells.columns else pl.lit(None, pl.String))
        .fill_null("").alias("product"),
        (pl.col("counterpart_area") if "counterpart_area" in cells.columns
         else pl.lit(None, pl.String)).fill_null("").alias("counterpart_area"),
        "value", "text")
    for start in range(0, frame.height, 20_000):
        conn.execute(insert(filing_cell), frame.slice(start, 20_000).to_dicts())


def get_upload(conn: Connection, *, actor: Actor, upload_id: int) -> Upload:
    row = conn.execute(select(filing_upload).where(filing_upload.c.id == upload_id)).first()
    if row is None:
        raise NotVisible("上传", "upload")
    get_filing(conn, actor=actor, filing_id=row.filing_id)
    data = row._mapping
    return Upload(
        id=data["id"], filing_id=data["filing_id"], filename=data["filename"], fmt=data["fmt"],
        size=data["size"], sha256=data["sha256"], status=data["status"], errors=data["errors"],
        warnings=data["warnings"], cells=data["cells"], uploaded_at=aware(data["uploaded_at"]),  # type: ignore[arg-type]
        uploaded_by=data["uploaded_by"], report=report_from_json(data["report"], data["filename"]),
    )


def list_uploads(conn: Connection, *, actor: Actor, filing_id: int) -> list[Upload]:
    get_filing(conn, actor=actor, filing_id=filing_id)
    ids = conn.execute(select(filing_upload.c.id).where(filing_upload.c.filing_id == filing_id)
                       .order_by(filing_upload.c.id)).scalars()
    return [get_upload(conn, actor=actor, upload_id=i) for i in ids]


def filing_cells(conn: Connection, *, actor: Actor, filing_id: int,
                 upload_id: int | None = None) -> pl.DataFrame:
    """The cells of an upload (default: the filing's current one), text exactly as written."""
    found = get_filing(conn, actor=actor, filing_id=filing_id)
    uid = upload_id or found.current_upload_id
    schema = {"line": pl.Int64, "field": pl.String, "sheet": pl.String, "row": pl.Int64,
              "cell": pl.String, "total_line": pl.Boolean, "product": pl.String,
              "counterpart_area": pl.String, "value": pl.Float64, "text": pl.String}
    if uid is None:
        return pl.DataFrame(schema=schema)
    rows = conn.execute(select(*(filing_cell.c[k] for k in schema))
                        .where(filing_cell.c.upload_id == uid).order_by(filing_cell.c.seq)).all()
    return pl.DataFrame(rows, schema=schema, orient="row")


# --- explanations and submission ------------------------------------------------------------


def pending_warnings(conn: Connection, *, actor: Actor, filing_id: int) -> list[PendingWarning]:
    """The warnings of the current upload, each with its explanation if one was written."""
    found = get_filing(conn, actor=actor, filing_id=filing_id)
    if found.current_upload_id is None:
        return []
    up = get_upload(conn, actor=actor, upload_id=found.current_upload_id)
    written = dict(conn.execute(
        select(filing_explanation.c.finding_key, filing_explanation.c.text)
        .where(filing_explanation.c.upload_id == up.id)).all())
    return [PendingWarning(finding_key(f), f, written.get(finding_key(f)))
            for f in up.report.warnings]


def explain(conn: Connection, *, actor: Actor, filing_id: int,
            explanations: Mapping[str, str]) -> list[PendingWarning]:
    """Attach written explanations (finding key → text) to warnings of the current upload."""
    found = get_filing(conn, actor=actor, filing_id=filing_id)
    permissions.require_file(actor, _enterprise(conn, found.uscc), "为此填报写说明",
                             "explain this filing")
    pending = {p.key: p for p in pending_warnings(conn, actor=actor, filing_id=filing_id)}
    unknown = sorted(set(explanations) - set(pending))
    if unknown:
        raise NotAllowed(f"没有这些警告：{'、'.join(unknown)}（可说明：{'、'.join(pending)}） / "
                         f"no such warnings: {', '.join(unknown)}")
    now = _now()
    for key, text in explanations.items():
        conn.execute(delete(filing_explanation).where(
            filing_explanation.c.upload_id == found.current_upload_id,
            filing_explanation.c.finding_key == key))
        conn.execute(insert(filing_explanation).values(
            upload_id=found.current_upload_id, finding_key=key, code=pending[key].finding.code,
            text=text.strip(), explained_by=actor.name, explained_at=now))
    return pending_warnings(conn, actor=actor, filing_id=filing_id)


def submit(conn: Connection, *, actor: Actor, filing_id: int, expected_version: int | None = None,
           explanations: Mapping[str, str] | None = None) -> Filing:
    """Submit the current upload for review (warnings need written explanations)."""
    found = _current(conn, actor, filing_id, expected_version)
    ent = _enterprise(conn, found.uscc)
    permissions.require_file(actor, ent, f"提交企业 {ent.uscc} 的填报", f"submit for {ent.uscc}")
    _require(found, "submit")
    if found.current_upload_id is None:
        raise NotAllowed(f"填报 #{found.id} 还没有通过校验的上传 / filing #{found.id} has no "
                         "accepted upload to submit")
    if explanations:
        explain(conn, actor=actor, filing_id=found.id, explanations=explanations)
    _require_explanations(conn, actor, found)
    now = _now()
    action = "resubmit" if found.status is Status.RETURNED or found.revision else "submit"
    return _transition(conn, found, action=action, to=Status.SUBMITTED, actor=actor,
                       expected_version=expected_version, now=now,
                       upload_id=found.current_upload_id,
                       values={"submitted_at": now, "submitted_by": actor.name,
                               "first_submitted_at": found.first_submitted_at or now})


def _require_explanations(conn: Connection, actor: Actor, found: Filing) -> None:
    missing = [p for p in pending_warnings(conn, actor=actor, filing_id=found.id)
               if not p.explanation or len(p.explanation) < MIN_EXPLANATION]
    if not missing:
        return
    report = Report(source=f"filing #{found.id}")
    for p in missing:
        f = p.finding
        report.add(finding("explanation-missing", file=f.file, sheet=f.sheet, row=f.row,
                           column=f.column, value=p.key))
    raise ImportRejected(report)


# --- review -----------------------------------------------------------------------------------


def approve(conn: Connection, *, actor: Actor, filing_id: int, expected_version: int | None = None,
            note: str = "") -> Filing:
    """Approve a submitted filing: its values become a new vintage of the form's dataflow."""
    found = _current(conn, actor, filing_id, expected_version)
    permissions.require_approve(actor, _enterprise(conn, found.uscc))
    _require(found, "approve")
    now = _now()
    claimed = _transition(conn, found, action="approve", to=Status.APPROVED, actor=actor,
                          expected_version=expected_version, now=now, reason=note,
                          upload_id=found.current_upload_id,
                          values={"approved_at": now, "revision": found.revision + 1,
                                  "approved_upload_id": found.current_upload_id})
    if get_form(found.form_id).stores_observations:
        vintage_id = _write_vintage(conn, actor, claimed, note)
        conn.execute(update(filing).where(filing.c.id == found.id).values(vintage_id=vintage_id))
        conn.execute(update(filing_transition).where(
            filing_transition.c.filing_id == found.id, filing_transition.c.action == "approve",
            filing_transition.c.filing_version == claimed.version).values(vintage_id=vintage_id))
    for hook in APPROVAL_HOOKS.get(found.form_id, ()):
        hook(conn, claimed)
    return _load(conn, found.id)


def on_approve(form_id: str, hook: ApprovalHook) -> None:
    """Run ``hook(conn, approved filing)`` in the approving transaction (a domain's records)."""
    hooks = APPROVAL_HOOKS.setdefault(form_id, [])
    if hook not in hooks:
        hooks.append(hook)


def context_provider(kind: str, provider: ContextProvider) -> None:
    """What a rule kind needs from the store: ``provider(conn, form, uscc, period)`` goes to
    ``Context.extra[kind]`` before the checks run."""
    CONTEXT_PROVIDERS[kind] = provider


def return_filing(conn: Connection, *, actor: Actor, filing_id: int, reason: str,
                  expected_version: int | None = None) -> Filing:
    """Return a submitted filing to the enterprise with a reason (required)."""
    if not reason or not reason.strip():
        raise NotAllowed("退回必须写明原因 / a return needs a reason")
    found = _current(conn, actor, filing_id, expected_version)
    permissions.require_review(actor, _enterprise(conn, found.uscc))
    _require(found, "return")
    return _transition(conn, found, action="return", to=Status.RETURNED, actor=actor,
                       expected_version=expected_version, now=_now(), reason=reason.strip(),
                       upload_id=found.current_upload_id)


def _require(found: Filing, action: str) -> None:
    if found.status not in CAN[action]:
        raise NotAllowed(f"填报 #{found.id} 当前状态为“{found.status_text}”，不能执行“{action}” / "
                         f"filing #{found.id} is {found.status.value}; cannot {action}")


def _current(conn: Connection, actor: Actor, filing_id: int,
             expected_version: int | None) -> Filing:
    """The filing as it is now, if the actor may see it, at the version the actor saw."""
    found = _load(conn, filing_id)
    permissions.require_see(actor, _enterprise(conn, found.uscc))
    if expected_version is not None and expected_version != found.version:
        raise ConflictError(_conflict_text(found, expected_version))
    return found


def _conflict_text(now: Filing, seen: int) -> str:
    return (f"填报 #{now.id} 已被他人处理（当前状态：{STATUS_NAMES[now.status][0]}，版本 {now.version}；"
            f"您看到的是版本 {seen}），未做任何修改，请刷新后再操作 / filing #{now.id} was changed by "
            f"someone else (now {now.status.value}, version {now.version}; you saw version "
            f"{seen}); nothing was changed, reload and try again")


def _transition(conn: Connection, found: Filing, *, action: str, to: Status, actor: Actor,
                expected_version: int | None, now: datetime, values: Mapping[str, Any] | None = None,
                reason: str = "", upload_id: int | None = None) -> Filing:
    """Move the filing to ``to`` if nobody changed it since ``expected_version``; record it."""
    seen = expected_version if expected_version is not None else found.version
    done = conn.execute(update(filing).where(filing.c.id == found.id, filing.c.version == seen)
                        .values(status=to.value, version=seen + 1, updated_at=now,
                                **(values or {})))
    if done.rowcount != 1:
        raise ConflictError(_conflict_text(_load(conn, found.id), seen))
    _record(conn, found.id, action, found.status, to, seen + 1, actor, now, reason, upload_id)
    return _load(conn, found.id)


def _record(conn: Connection, filing_id: int, action: str, frm: Status | None, to: Status,
            version: int, actor: Actor, now: datetime, reason: str = "",
            upload_id: int | None = None, vintage_id: int | None = None) -> None:
    conn.execute(insert(filing_transition).values(
        filing_id=filing_id, action=action, from_status=frm.value if frm else None,
        to_status=to.value, filing_version=version, actor=actor.name, role=actor.role.value,
        scope=actor.scope, at=now, reason=reason, upload_id=upload_id, vintage_id=vintage_id))


def history(conn: Connection, *, actor: Actor, filing_id: int) -> list[Transition]:
    get_filing(conn, actor=actor, filing_id=filing_id)
    rows = conn.execute(select(filing_transition).where(filing_transition.c.filing_id == filing_id)
                        .order_by(filing_transition.c.id))
    names = {f.name for f in fields(Transition)}
    out = []
    for r in rows:
        data: dict[str, Any] = {k: v for k, v in r._mapping.items() if k in names}
        data["at"] = aware(data["at"])
        out.append(Transition(**data))
    return out


# --- vintages ---------------------------------------------------------------------------------


def _write_vintage(conn: Connection, actor: Actor, approved: Filing, note: str) -> int:
    form = get_form(approved.form_id)
    try:
        flow = get_dataflow(form.dataflow)
    except UnknownCode:
        raise StoreError(f"数据流 {form.dataflow} 未定义，无法保存 {form.id} 的审核结果 / dataflow "
                         f"{form.dataflow} is not defined; cannot store {form.id}") from None
    obs = _approved_observations(conn, form, approved)
    up = conn.execute(select(filing_upload.c.filename, filing_upload.c.sha256)
                      .where(filing_upload.c.id == approved.current_upload_id)).one()
    return vintages.write_vintage(
        conn, dataflow_id=flow.id, frame=obs, kind="filing",
        label=vintage_label(form, approved.period, approved.revision)[:300],
        source_file=up.filename, source_sha256=up.sha256, created_by=actor.label[:100], note=note)


def vintage_label(form: Form, period: str, revision: int) -> str:
    """The label of an approved filing's vintage: form, period and revision, never who filed
    (every logged-in role lists the vintages; who filed is read within scope only)."""
    return (f"{form.code} {form.title_zh} {period} 企业直报审核通过 第{revision}版 / approved "
            f"enterprise filings, revision {revision}")


def _approved_observations(conn: Connection, form: Form, approved: Filing) -> pl.DataFrame:
    """The upload's values plus, for a revision, the earlier values it no longer reports."""
    cells = conn.execute(select(filing_cell).where(
        filing_cell.c.upload_id == approved.current_upload_id)).mappings().all()
    numeric = {f.id for f in form.numeric_fields}
    wide: dict[int, dict[str, Any]] = {}
    for c in cells:
        line = wide.setdefault(c["line"], {ROW: c["row"], TOTAL: c["total_line"],
                                           "product": c["product"] or None,
                                           "counterpart_area": c["counterpart_area"] or None})
        if c["field"] in numeric:
            line[c["field"]] = c["value"]
    lines = pl.DataFrame(
        [{**v, "uscc": approved.uscc, "period": approved.period} for v in wide.values()],
        schema={ROW: pl.Int64, TOTAL: pl.Boolean, "product": pl.String,
                "counterpart_area": pl.String, "uscc": pl.String, "period": pl.String,
                **{f.id: pl.Float64 for f in form.numeric_fields}})
    obs = Checked(form, lines, Report()).observations()
    attrs = json.dumps({"filing": approved.id, "upload": approved.current_upload_id,
                        "revision": approved.revision})
    obs = obs.with_columns(pl.lit(attrs).alias("attrs"))
    return pl.concat([obs, _withdrawn(conn, form, approved, obs, attrs)], how="vertical_relaxed")


def _withdrawn(conn: Connection, form: Form, approved: Filing, obs: pl.DataFrame,
               attrs: str) -> pl.DataFrame:
    before = vintages.read(conn, form.dataflow, where={"ref_area": [approved.uscc]},
                           start=approved.period, end=approved.period)
    before = before.filter((pl.col("time_period") == approved.period)
                           & pl.col("value").is_not_null())
    keys = [*DIMENSIONS, "time_period"]
    gone = before.join(obs.select(keys), on=keys, how="anti")
    return gone.drop("vintage_id").with_columns(
        pl.lit(None, pl.Float64).alias("value"), pl.lit("M").alias("obs_status"),
        pl.lit(attrs).alias("attrs")).select(obs.columns)


# --- context for the checks -------------------------------------------------------------------


def build_context(conn: Connection, form: Form, *, uscc: str | None, period: str | None,
                  usccs: list[str] | None = None, hb: bool = True) -> Context:
    """Earlier approved values for the HB and cross-form checks, read from the store.

    ``uscc`` and ``period`` are what the upload must be for; ``usccs`` (default ``[uscc]``)
    are the enterprises whose own history is read (a batch file may hold several).
    """
    ctx = Context(expected_uscc=uscc, expected_period=period, hb=hb)
    for kind in {spec.kind for spec in form.rules} & set(CONTEXT_PROVIDERS):
        ctx.extra[kind] = CONTEXT_PROVIDERS[kind](conn, form, uscc, period)
    own_ids = usccs if usccs is not None else ([uscc] if uscc else [])
    if period is None or not own_ids or not form.stores_observations:
        return ctx
    window = previous_periods(period, HISTORY_PERIODS)
    year = periods_of_year(int(period[:4]), form.frequency)
    own = _read(conn, form, own_ids, min(window[0], year[0]), max(period, year[-1]))
    peers = _read(conn, form, None, shift(period, -1), period)
    ctx.history = pl.concat([own, peers], how="vertical_relaxed").unique()
    for spec in form.rules_of("cross-form"):
        other = get_form(spec.params["other_form"])
        years = periods_of_year(int(period[:4]), other.frequency)
        ctx.other_forms[other.id] = _read(conn, other, own_ids, years[0], years[-1])
    return ctx


def _read(conn: Connection, form: Form, usccs: list[str] | None, start: str,
          end: str) -> pl.DataFrame:
    where = {"ref_area": usccs} if usccs else {}
    obs = vintages.read(conn, form.dataflow, where=where, start=start, end=end)
    obs = obs.filter(pl.col("freq") == form.frequency)
    return history_from_observations(form, obs)


# --- deadlines (who responded: response.py) ---------------------------------------------------------------


def due_date(conn: Connection, *, form_id: str, period: str) -> date:
    form = get_form(form_id)
    row = conn.execute(select(filing_deadline.c.due).where(
        filing_deadline.c.form_id == form.id, filing_deadline.c.period == period)).first()
    return row.due if row else form.due_date(period)


def set_deadline(conn: Connection, *, actor: Actor, form_id: str, period: str, due: date) -> None:
    permissions.require_set_deadlines(actor)
    form = get_form(form_id)
    _check_period(form, period)
    conn.execute(delete(filing_deadline).where(filing_deadline.c.form_id == form.id,
                                               filing_deadline.c.period == period))
    conn.execute(insert(filing_deadline).values(form_id=form.id, period=period, due=due,
                                                set_by=actor.name, set_at=_now()))


def last_due_period(conn: Connection, *, form_id: str, today: date | None = None) -> str:
    """The latest period of ``form_id`` whose deadline has passed (the one 漏报 is about)."""
    form = get_form(form_id)
    today = today or datetime.now(LOCAL).date()
    period = period_of(today, form.frequency)
    while due_date(conn, form_id=form.id, period=period) >= today:
        period = shift(period, -1)
    return period


# --- export -----------------------------------------------------------------------------------


def export_filing(conn: Connection, *, actor: Actor, filing_id: int, path: Path,
                  fmt: str = "csv", upload_id: int | None = None) -> Path:
    """Write the filing's cells (text as written, formula-like text escaped) to CSV/XLSX/JSON."""

    form = get_form(get_filing(conn, actor=actor, filing_id=filing_id).form_id)
    cells = filing_cells(conn, actor=actor, filing_id=filing_id, upload_id=upload_id)
    labels = {f.id: f.label for f in form.fields}
    frame = cells.select(
        pl.col("cell").alias("单元格 cell"),
        pl.col("field").replace_strict(labels, default=pl.col("field")).alias("项目 field"),
        pl.col("product").alias("服务类别 product"),
        pl.col("counterpart_area").alias("伙伴 partner"),
        pl.col("value").alias("数值 value"),
        pl.col("text").alias("原文 as written"),
    )
    return output.write(frame, Path(path), fmt)
