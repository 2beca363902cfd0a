"""Uploading a filled template, CSV or JSON file to a filing: who may, reading and checking it
(``prepare_upload``, reads only), storing it with its cells and, when accepted, its
observations (``store_upload``, a short write transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select

from shumao.auth.actors import Actor
from shumao.collection import registry
from shumao.collection.checks.results import Checked
from shumao.collection.forms import Form, get_form
from shumao.collection.limits import Limits
from shumao.collection.tables import filing, filing_cell, filing_upload
from shumao.collection.templates import IDENTITY_LABELS
from shumao.collection.upload import Parsed, read_bytes, read_file, read_json
from shumao.collection.workflow import accepted as accepted_obs
from shumao.collection.workflow import clock
from shumao.collection.workflow.contents import Upload, get_upload, report_json
from shumao.collection.workflow.context import check_parsed
from shumao.collection.workflow.filings import (
    CAN,
    Filing,
    Status,
    filer,
    filing_row,
    open_filing,
    transition,
)
from shumao.config import get_settings
from shumao.errors import NotAllowed
from shumao.storage import bulk
from shumao.validation.findings import ROW, Report, finding


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


@dataclass
class Prepared:
    """An upload read and checked, not yet stored (``prepare_upload`` → ``store_upload``)."""

    form: Form
    uscc: str
    period: str
    parsed: Parsed
    checked: Checked | None


def upload_file(
    conn: Connection,
    *,
    actor: Actor,
    form_id: str,
    uscc: str,
    period: str,
    path: Path | None = None,
    data: bytes | None = None,
    filename: str = "",
    max_bytes: int | None = None,
    hb: bool = True,
) -> UploadResult:
    """Upload a filled template, CSV or JSON file (from ``path`` or ``data``) to the filing.

    The upload is kept whatever its findings; an accepted upload (no errors) becomes the
    filing's current content, ready to submit. A rejected one is kept for the clerk to read,
    with its findings and the file, not its cells. ``max_bytes`` defaults to the
    ``upload_max_bytes`` setting. (The web does the two halves in two transactions:
    ``prepare_upload`` reads, ``store_upload`` writes.)
    """
    prepared = prepare_upload(
        conn,
        actor=actor,
        form_id=form_id,
        uscc=uscc,
        period=period,
        path=path,
        data=data,
        filename=filename,
        max_bytes=max_bytes,
        hb=hb,
    )
    return store_upload(conn, actor=actor, prepared=prepared)


def upload_json(
    conn: Connection,
    *,
    actor: Actor,
    form_id: str,
    uscc: str,
    period: str,
    payload: Mapping[str, Any],
    hb: bool = True,
) -> UploadResult:
    """The same as ``upload_file`` for a filing sent as JSON (``upload.json_sheet``)."""
    form = get_form(form_id)
    ent = _may_upload(conn, actor, form, uscc, period)
    parsed = read_json(payload, form=form)
    _refuse_non_reporter(form, ent, parsed)
    checked = check_parsed(conn, form, parsed, uscc=ent.uscc, period=period, hb=hb)
    return store_upload(
        conn, actor=actor, prepared=Prepared(form, ent.uscc, period, parsed, checked)
    )


def prepare_upload(
    conn: Connection,
    *,
    actor: Actor,
    form_id: str,
    uscc: str,
    period: str,
    path: Path | None = None,
    data: bytes | None = None,
    filename: str = "",
    max_bytes: int | None = None,
    hb: bool = True,
    limits: Limits | None = None,
) -> Prepared:
    """Everything an upload needs before it is stored, with reads only: who may file, the
    file parsed within the limits (``collection.limits``) and checked against the store's
    history. The slow part of an upload, done outside any write transaction."""
    if max_bytes is None:
        max_bytes = get_settings().upload_max_bytes
    form = get_form(form_id)
    ent = _may_upload(conn, actor, form, uscc, period)
    if path is not None:
        parsed = read_file(
            Path(path), form=form, max_bytes=max_bytes, filename=filename or None, limits=limits
        )
    elif data is not None:
        parsed = read_bytes(
            data, form=form, filename=filename or "upload", max_bytes=max_bytes, limits=limits
        )
    else:
        raise ValueError("upload_file needs path or data")
    _refuse_non_reporter(form, ent, parsed)
    checked = check_parsed(conn, form, parsed, uscc=ent.uscc, period=period, hb=hb)
    return Prepared(form, ent.uscc, period, parsed, checked)


def store_upload(conn: Connection, *, actor: Actor, prepared: Prepared) -> UploadResult:
    """Store a prepared upload: the filing (created if new) is locked, its state checked
    again, the upload, its cells and observations (accepted uploads only) and the step
    written. Run it in a short write transaction (``storage.engine.write_transaction``)."""
    target = _upload_target(conn, actor, prepared.form, prepared.uscc, prepared.period)
    return _store(conn, actor, target, prepared)


def _may_upload(
    conn: Connection, actor: Actor, form: Form, uscc: str, period: str
) -> registry.Enterprise:
    ent, existing = filer(conn, actor, form, uscc, period)
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
    parsed.report.add(
        finding(
            "upload-not-reporter",
            file=parsed.received.filename,
            sheet=sheet.sheet if sheet else "",
            row=row,
            col_index=col,
            column=IDENTITY_LABELS["uscc"],
            value=ent.uscc,
            name=ent.name,
            flag=registry.FLAG_NAMES[form.reporters],
            form=f"{form.code}（{form.title_zh}）",
        )
    )


def _upload_target(conn: Connection, actor: Actor, form: Form, uscc: str, period: str) -> Filing:
    found = open_filing(conn, actor=actor, form_id=form.id, uscc=uscc, period=period)
    locked = conn.execute(select(filing).where(filing.c.id == found.id).with_for_update()).one()
    return _uploadable(filing_row(locked))


def _uploadable(target: Filing) -> Filing:
    if target.status not in CAN["upload"]:
        raise NotAllowed(
            f"填报 #{target.id} 正在审核中（{target.status_text}），不能再上传；如需修改请联系审核人退回 / "
            f"filing #{target.id} is under review; ask the reviewer to return it before uploading"
        )
    return target


def _store(conn: Connection, actor: Actor, target: Filing, prepared: Prepared) -> UploadResult:
    parsed, checked = prepared.parsed, prepared.checked
    report = parsed.report
    ok = checked is not None and report.ok
    cells = checked.cells() if checked is not None and ok else None
    now = clock.now()
    upload_id = conn.execute(
        insert(filing_upload)
        .values(
            filing_id=target.id,
            filename=parsed.received.filename[:300],
            fmt=parsed.received.fmt,
            size=parsed.received.size,
            sha256=parsed.received.sha256,
            content=parsed.received.data,
            status="accepted" if ok else "rejected",
            errors=len(report.errors),
            warnings=len(report.warnings),
            cells=0 if cells is None else cells.height,
            report=report_json(report),
            uploaded_at=now,
            uploaded_by=actor.name,
        )
        .returning(filing_upload.c.id)
    ).scalar_one()
    if cells is not None and cells.height and checked is not None:
        _insert_cells(conn, upload_id, cells, checked.sheet)
    if ok and checked is not None and prepared.form.stores_observations:
        accepted_obs.store(conn, upload_id, accepted_obs.observations(checked))
    to = Status.DRAFT if target.status is Status.APPROVED else target.status
    values: dict[str, Any] = {"current_upload_id": upload_id} if ok else {}
    updated = transition(
        conn,
        target,
        action="upload" if ok else "upload-rejected",
        to=to,
        actor=actor,
        expected_version=None,
        values=values,
        now=now,
        upload_id=upload_id,
    )
    return UploadResult(updated, get_upload(conn, actor=actor, upload_id=upload_id), checked)


def _insert_cells(conn: Connection, upload_id: int, cells: pl.DataFrame, sheet: str) -> None:
    frame = cells.with_row_index("seq", offset=1).select(
        pl.lit(upload_id).alias("upload_id"),
        pl.col("seq").cast(pl.Int64),
        "line",
        "field",
        pl.lit(sheet[:64]).alias("sheet"),
        "row",
        "cell",
        "total_line",
        (pl.col("product") if "product" in cells.columns else pl.lit(None, pl.String))
        .fill_null("")
        .alias("product"),
        (
            pl.col("counterpart_area")
            if "counterpart_area" in cells.columns
            else pl.lit(None, pl.String)
        )
        .fill_null("")
        .alias("counterpart_area"),
        "value",
        "text",
    )
    bulk.insert_rows(conn, filing_cell.name, frame)  # COPY / multi-row INSERT
