"""Read user files into frames of strings, whatever the encoding or spreadsheet quirks.

Every reader returns text cells (``pl.String``) and a ``_row`` column holding the row number a
person sees in the file (header = row ``header_row``), so findings can point at the cell.
Numbers are parsed later by ``shumao.ingest.numbers`` so that a bad cell becomes a finding.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from shumao.validation.findings import Report, finding

UTF8_BOM = b"\xef\xbb\xbf"
ROW = "_row"


@dataclass
class Table:
    frame: pl.DataFrame
    """String cells plus ``_row``; blank rows removed."""
    columns: list[str]
    """Header cells as written (stripped), in order."""
    sheet: str = ""


def decode(data: bytes, report: Report, file: str) -> str | None:
    """Decode CSV bytes: UTF-8 (with or without BOM), then GB18030. None if neither works."""
    if data.startswith(UTF8_BOM):
        report.add(finding("encoding-bom", file=file))
        data = data[len(UTF8_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        row = data.count(b"\n", 0, utf8_error.start) + 1
        snippet = data[utf8_error.start : utf8_error.start + 8].hex(" ")
        report.add(finding("encoding-undecodable", file=file, row=row, detail=f"bytes {snippet}"))
        return None
    report.add(finding("encoding-gb18030", file=file))
    return text


def read_csv(path: Path, report: Report, *, skip_rows: int = 0, file: str = "") -> Table | None:
    file = file or path.name
    data = path.read_bytes()
    if not data.strip():
        report.add(finding("file-empty", file=file))
        return None
    if data.startswith(b"PK\x03\x04") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        report.add(finding("file-format", file=file, detail="这是 Excel 文件而不是 CSV / an Excel file, not CSV"))
        return None
    text = decode(data, report, file)
    if text is None:
        return None
    if text.startswith("\ufeff"):  # a BOM that survived a GB18030 decode
        text = text[1:]
    return _csv_table(text, report, file, skip_rows)


def _csv_table(text: str, report: Report, file: str, skip_rows: int) -> Table | None:
    raw = text.encode("utf-8")
    try:
        frame = pl.read_csv(
            io.BytesIO(raw), infer_schema=False, skip_rows=skip_rows, truncate_ragged_lines=True,
            missing_utf8_is_empty_string=False,
        )
    except pl.exceptions.NoDataError:
        report.add(finding("file-empty", file=file))
        return None
    except pl.exceptions.ComputeError as exc:
        report.add(finding("file-format", file=file, detail=str(exc).splitlines()[0][:200]))
        return None
    header = _header_names(frame.columns)
    return _table(frame, header, report, file, first_row=skip_rows + 2)


def read_xlsx(
    path: Path, report: Report, *, sheet: str | None = None, skip_rows: int = 0, file: str = ""
) -> Table | None:
    from python_calamine import CalamineWorkbook

    file = file or path.name
    if not zipfile.is_zipfile(path):
        report.add(finding("file-format", file=file, detail="不是有效的 XLSX / not a valid XLSX"))
        return None
    book = CalamineWorkbook.from_path(str(path))
    names = book.sheet_names
    name = sheet or names[0]
    if name not in names:
        report.add(finding("sheet-missing", file=file, value=name, present="、".join(names)))
        return None
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)[skip_rows:]
    if not rows:
        report.add(finding("file-empty", file=file, sheet=name))
        return None
    header = _header_names([_cell_text(c) or "" for c in rows[0]])
    width = len(header)
    body = [[_cell_text(c) for c in (r + [None] * width)[:width]] for r in rows[1:]]
    frame = pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")
    return _table(frame, header, report, file, first_row=skip_rows + 2, sheet=name)


def _cell_text(cell: Any) -> str | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return str(cell).upper()
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else repr(cell)
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell)


def _header_names(names: list[str]) -> list[str]:
    """Strip header cells; name blank ones ``column_N``; keep duplicates distinct for now."""
    out: list[str] = []
    for i, name in enumerate(names):
        clean = (name or "").strip() or f"column_{i + 1}"
        while clean in out:
            clean += "\u0000dup"
        out.append(clean)
    return out


def _table(
    frame: pl.DataFrame, header: list[str], report: Report, file: str, *, first_row: int,
    sheet: str = "",
) -> Table | None:
    for name in header:
        if name.endswith("\u0000dup"):
            report.add(finding("column-duplicate", file=file, sheet=sheet,
                               column=name.replace("\u0000dup", "")))
    frame.columns = header
    frame = frame.with_columns(pl.all().str.strip_chars()).with_row_index(ROW, offset=first_row)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    cells = [c for c in header]
    blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == "") for c in cells])
    frame = frame.filter(~blank)
    if frame.height == 0:
        report.add(finding("file-empty", file=file, sheet=sheet))
        return None
    header = [h.replace("\u0000dup", "") for h in header]
    return Table(frame=frame, columns=header, sheet=sheet)


def read_table(
    path: Path, report: Report, *, sheet: str | None = None, skip_rows: int = 0, file: str = ""
) -> Table | None:
    """CSV or XLSX by content, whatever the file is called."""
    file = file or path.name
    if not path.exists():
        report.add(finding("file-not-found", file=str(path)))
        return None
    head = path.read_bytes()[:8]
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, report, sheet=sheet, skip_rows=skip_rows, file=file)
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        report.add(finding(
            "file-format", file=file,
            detail="旧版 .xls 或加密的工作簿，请另存为 .xlsx / legacy .xls or encrypted workbook: "
                   "save it as .xlsx",
        ))
        return None
    return read_csv(path, report, skip_rows=skip_rows, file=file)
