"""What an upload holds, read back for the people who may see it: the upload with its
findings, the cells it supplied (text exactly as written) and their export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from shumao import output
from shumao.auth.actors import Actor
from shumao.collection.forms import get_form
from shumao.collection.tables import filing_cell, filing_upload
from shumao.collection.workflow import clock
from shumao.collection.workflow.filings import get_filing
from shumao.errors import NotVisible
from shumao.validation.findings import Finding, Report, Severity

CELL_SCHEMA = {
    "line": pl.Int64,
    "field": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "cell": pl.String,
    "total_line": pl.Boolean,
    "product": pl.String,
    "counterpart_area": pl.String,
    "value": pl.Float64,
    "text": pl.String,
}


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


def report_from_json(doc: Mapping[str, Any], source: str = "") -> Report:
    report = Report(source=source)
    for d in doc.get("findings", []):
        report.findings.append(Finding(**{**d, "severity": Severity(d["severity"])}))
    for s in doc.get("suppressed", []):
        report.suppressed[(s["code"], s["column"])] = s["more"]
    return report


def report_json(report: Report) -> dict[str, Any]:
    more = [{"code": c, "column": col, "more": n} for (c, col), n in report.suppressed.items()]
    return {"ok": report.ok, "findings": report.flat(), "suppressed": more}


def get_upload(conn: Connection, *, actor: Actor, upload_id: int) -> Upload:
    row = conn.execute(select(filing_upload).where(filing_upload.c.id == upload_id)).first()
    if row is None:
        raise NotVisible("上传", "upload")
    get_filing(conn, actor=actor, filing_id=row.filing_id)
    data = row._mapping
    uploaded_at = clock.aware(data["uploaded_at"])
    assert uploaded_at is not None
    return Upload(
        id=data["id"],
        filing_id=data["filing_id"],
        filename=data["filename"],
        fmt=data["fmt"],
        size=data["size"],
        sha256=data["sha256"],
        status=data["status"],
        errors=data["errors"],
        warnings=data["warnings"],
        cells=data["cells"],
        uploaded_at=uploaded_at,
        uploaded_by=data["uploaded_by"],
        report=report_from_json(data["report"], data["filename"]),
    )


def list_uploads(conn: Connection, *, actor: Actor, filing_id: int) -> list[Upload]:
    get_filing(conn, actor=actor, filing_id=filing_id)
    ids = conn.execute(
        select(filing_upload.c.id)
        .where(filing_upload.c.filing_id == filing_id)
        .order_by(filing_upload.c.id)
    ).scalars()
    return [get_upload(conn, actor=actor, upload_id=i) for i in ids]


def filing_cells(
    conn: Connection, *, actor: Actor, filing_id: int, upload_id: int | None = None
) -> pl.DataFrame:
    """The cells of an upload (default: the filing's current one), text exactly as written."""
    found = get_filing(conn, actor=actor, filing_id=filing_id)
    uid = upload_id or found.current_upload_id
    if uid is None:
        return pl.DataFrame(schema=CELL_SCHEMA)
    rows = conn.execute(
        select(*(filing_cell.c[k] for k in CELL_SCHEMA))
        .where(filing_cell.c.upload_id == uid)
        .order_by(filing_cell.c.seq)
    ).all()
    return pl.DataFrame(rows, schema=CELL_SCHEMA, orient="row")


def export_filing(
    conn: Connection,
    *,
    actor: Actor,
    filing_id: int,
    path: Path,
    fmt: str = "csv",
    upload_id: int | None = None,
) -> Path:
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
