"""How much one upload may hold, checked while the file is streamed and before it is parsed.

A workbook is a zip of XML parts. Its worksheets are inflated chunk by chunk and counted —
rows (``<row>``), cells (``<c>``), inflated bytes — and reading stops at the first limit
passed, with a finding that names the limit and the setting that raises it. Only a file within
every limit is handed to the workbook reader, so a million-row sheet costs a few seconds of
counting, not gigabytes of cells (the audit saw 3.7 GB and 2,096,630 stored cells for one
rejected 10.8 MB upload). CSV rows are counted on the bytes, JSON lines on the parsed list.

The limits are settings (``SHUMAO_UPLOAD_MAX_ROWS`` …); a form may lower them in its YAML
(``limits: {rows: 2000}``): an annual form of twenty fields has no business with 50,000 rows.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, replace
from typing import Any

from shumao.config import get_settings
from shumao.validation.findings import Report, finding

CHUNK = 1 << 20
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class Limits:
    """The most one upload may hold; ``of(form)`` applies the settings and the form's own."""

    rows: int = 50_000
    cells: int = 500_000
    sheets: int = 20
    unpacked_bytes: int = 100 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Any = None) -> Limits:
        if settings is None:
            settings = get_settings()
        return cls(
            rows=settings.upload_max_rows,
            cells=settings.upload_max_cells,
            sheets=settings.upload_max_sheets,
            unpacked_bytes=settings.upload_max_unpacked_bytes,
        )

    def for_form(self, form: Any) -> Limits:
        """These limits, lowered where the form sets its own."""
        own = dict(getattr(form, "limits", None) or ())
        return replace(self, **{k: min(int(v), getattr(self, k)) for k, v in own.items()})


SETTING = {
    "rows": "SHUMAO_UPLOAD_MAX_ROWS",
    "cells": "SHUMAO_UPLOAD_MAX_CELLS",
    "sheets": "SHUMAO_UPLOAD_MAX_SHEETS",
    "unpacked_bytes": "SHUMAO_UPLOAD_MAX_UNPACKED_BYTES",
}


def over(
    report: Report,
    *,
    limit: str,
    value: int,
    allowed: int,
    file: str,
    sheet: str | None = None,
    row: int | None = None,
) -> None:
    """Add the finding that ``value`` passed the ``limit`` (rows, cells, sheets, bytes)."""
    report.add(
        finding(
            f"upload-limit-{limit.replace('_', '-')}",
            file=file,
            sheet=sheet or "",
            row=row,
            value=f"{value:,}",
            limit=f"{allowed:,}",
            setting=SETTING[limit],
        )
    )


# --- workbooks -------------------------------------------------------------------------------


def scan_workbook(archive: zipfile.ZipFile, limits: Limits, report: Report, file: str) -> bool:
    """Count the workbook's sheets, then stream every worksheet; False at the first limit."""
    sheets = _sheet_parts(archive)
    if len(sheets) > limits.sheets:
        over(report, limit="sheets", value=len(sheets), allowed=limits.sheets, file=file)
        return False
    budget = _Budget(limits, report, file)
    return all(budget.sheet(archive, part, name) for part, name in sheets)


def has_macros(archive: zipfile.ZipFile) -> bool:
    """A VBA project inside (``.xlsm``): the macros are never run, only reported."""
    return any(m.filename.lower().rsplit("/", 1)[-1] in MACRO_PARTS for m in archive.infolist())


class _Budget:
    def __init__(self, limits: Limits, report: Report, file: str) -> None:
        self.limits, self.report, self.file = limits, report, file
        self.cells = 0
        self.unpacked = 0

    def sheet(self, archive: zipfile.ZipFile, part: str, name: str) -> bool:
        rows = 0
        carry = b""
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                self.unpacked += len(chunk)
                if self.unpacked > self.limits.unpacked_bytes:
                    return self._over(
                        "unpacked_bytes", self.unpacked, self.limits.unpacked_bytes, name
                    )
                text = carry + chunk
                cut = text.rfind(b"<")  # a tag is never split between two chunks
                text, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
                rows += len(ROW_TAG.findall(text))
                self.cells += len(CELL_TAG.findall(text))
                if rows > self.limits.rows:
                    return self._over("rows", rows, self.limits.rows, name)
                if self.cells > self.limits.cells:
                    return self._over("cells", self.cells, self.limits.cells, name)
        return True

    def _over(self, limit: str, value: int, allowed: int, sheet: str) -> bool:
        over(self.report, limit=limit, value=value, allowed=allowed, file=self.file, sheet=sheet)
        return False


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(zip member, sheet name) of every worksheet, in the workbook's order."""
    names = set(archive.namelist())
    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return [
            (n, n.rsplit("/", 1)[-1])
            for n in sorted(names)
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        ]
    target = {r.get("Id"): str(r.get("Target", "")) for r in rels}
    out = []
    for sheet in book.iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        path = target.get(sheet.get(REL_NS), "").lstrip("/")
        path = path if path.startswith("xl/") else f"xl/{path}"
        if path in names:
            out.append((path, str(sheet.get("name", ""))))
    return out


# --- text files ------------------------------------------------------------------------------


def lines_within(data: bytes, limits: Limits, report: Report, file: str) -> bool:
    """A CSV's physical lines against the row limit (counted on the bytes, before decoding)."""
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines > limits.rows:
        over(report, limit="rows", value=lines, allowed=limits.rows, file=file)
        return False
    return True


def cells_within(rows: int, width: int, limits: Limits, report: Report, file: str) -> bool:
    """Rows below the header × its width against the cell limit."""
    if rows * width > limits.cells:
        over(report, limit="cells", value=rows * width, allowed=limits.cells, file=file)
        return False
    return True
