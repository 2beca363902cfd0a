"""Read user files into frames of strings, whatever the encoding or spreadsheet quirks.

Every reader returns text cells (``pl.String``) and a ``_row`` column holding the row number a
person sees in the file (header = row ``header_row``), so findings can point at the cell.
Numbers are parsed later by ``shumao.validation.numbers`` so that a bad cell becomes a finding.

What a reader refuses instead of guessing (an error finding): a CSV row with more cells than
the header (``row-ragged``: an unquoted ``1,234.5`` would otherwise lose its ``234.5``
silently), legacy ``.xls`` and bytes that are neither UTF-8 nor GB18030. Excel error values
(``#DIV/0!``, ``#N/A``) and formulas saved without a calculated value would read as empty
cells; they are read as the text a person sees (``#DIV/0!``, ``=G2*2``), so the checks of the
column report them (a number column: ``value-not-number``).
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from defusedxml import ElementTree
from python_calamine import CalamineError, CalamineWorkbook

from shumao.encodings import UTF8_BOM, decode_bytes
from shumao.validation.findings import ROW, Report, finding

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OVERFLOW = "\u0000overflow"
_DUP = "\u0000dup"
_SPACES = re.compile(r"\s+")
MAX_CELL_FINDINGS = 100


@dataclass
class Table:
    frame: pl.DataFrame
    """String cells plus ``_row``; blank rows removed."""
    columns: list[str]
    """Header cells as written (stripped), in order."""
    sheet: str = ""
    header_row: int = 1
    """Row number of the header as a person sees it in the file."""


def decode(data: bytes, report: Report, file: str) -> str | None:
    """Decode CSV bytes: UTF-8 (with or without BOM), then GB18030. None if neither works."""
    done = decode_bytes(data)
    if done.bom:
        report.add(finding("encoding-bom", file=file))
    if done.text is None:
        report.add(
            finding(
                "encoding-undecodable",
                file=file,
                row=done.bad_row,
                detail=f"bytes {done.bad_bytes}",
            )
        )
    elif done.encoding == "gb18030":
        report.add(finding("encoding-gb18030", file=file))
    return done.text


def read_csv(path: Path, report: Report, *, skip_rows: int = 0, file: str = "") -> Table | None:
    file = file or path.name
    data = path.read_bytes()
    if not data or data.isspace():
        report.add(finding("file-empty", file=file))
        return None
    if data.startswith(b"PK\x03\x04") or data[:8] == OLE_MAGIC:
        report.add(
            finding(
                "file-format",
                file=file,
                detail="这是 Excel 文件而不是 CSV / an Excel file, not CSV",
            )
        )
        return None
    raw = _utf8(data, report, file)
    if raw is None:
        return None
    if not raw or raw.isspace():
        report.add(finding("file-empty", file=file))
        return None
    return _csv_table(raw, report, file, skip_rows)


def _utf8(data: bytes, report: Report, file: str) -> bytes | None:
    """The file's bytes as UTF-8 for the CSV parser, read once: UTF-8 is checked where it
    lies (no text is made of it) and only a GB18030 file is decoded and encoded again."""
    body = data.removeprefix(UTF8_BOM)
    if _is_utf8(body):
        if len(body) < len(data):
            report.add(finding("encoding-bom", file=file))
        return body
    text = decode(data, report, file)
    if text is None:
        return None
    return text.removeprefix("\ufeff").encode("utf-8")  # a BOM that survived a GB18030 decode


def _is_utf8(data: bytes) -> bool:
    """Arrow's UTF-8 validation over the bytes where they lie (nothing copied or decoded).

    The offsets are packed by hand: ``pa.array`` from a list imports pandas on its first call
    (0.2–0.4 s of an import command's start, which nothing else there needs)."""
    offsets = pa.py_buffer(struct.pack("<2q", 0, len(data)))
    cells = pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data))
    try:
        cells.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _csv_table(raw: bytes, report: Report, file: str, skip_rows: int) -> Table | None:
    """Parse CSV bytes (UTF-8); one extra column catches rows with more cells than the header."""
    options: dict[str, Any] = {
        "has_header": False,
        "infer_schema": False,
        "skip_rows": skip_rows,
        "truncate_ragged_lines": True,
    }
    try:
        width = pl.read_csv(raw, n_rows=1, **options).width
        names = [f"c{i}" for i in range(width)] + [_OVERFLOW]
        frame = pl.read_csv(
            raw, schema=dict.fromkeys(names, pl.String), missing_columns="insert", **options
        )
    except pl.exceptions.NoDataError:
        report.add(finding("file-empty", file=file))
        return None
    except pl.exceptions.ComputeError as exc:
        report.add(finding("file-format", file=file, detail=str(exc).splitlines()[0][:200]))
        return None
    if frame.height == 0:
        report.add(finding("file-empty", file=file))
        return None
    header = _header_names([c or "" for c in frame.row(0)[:width]])
    header_row = skip_rows + 1
    body = frame.slice(1).with_row_index(ROW, offset=header_row + 1)
    _report_ragged(body, width, report, file)
    body = body.drop(_OVERFLOW, ROW)
    return _table(body, header, report, file, first_row=header_row + 1, header_row=header_row)


def _report_ragged(body: pl.DataFrame, width: int, report: Report, file: str) -> None:
    extra = pl.col(_OVERFLOW).str.strip_chars()
    ragged = body.filter(extra.is_not_null() & (extra != ""))
    for row, value in ragged.select(ROW, _OVERFLOW).head(MAX_CELL_FINDINGS).iter_rows():
        report.add(
            finding("row-ragged", file=file, row=row, col_index=width, value=value, width=width)
        )


def read_xlsx(
    path: Path, report: Report, *, sheet: str | None = None, skip_rows: int = 0, file: str = ""
) -> Table | None:
    file = file or path.name
    if not zipfile.is_zipfile(path):
        report.add(finding("file-format", file=file, detail="不是有效的 XLSX / not a valid XLSX"))
        return None
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError) as exc:
        report.add(finding("file-format", file=file, detail=str(exc)[:200]))
        return None
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
    header_row = skip_rows + 1
    for row, col, shown in _bad_cells(path, name):
        if row > header_row and row - header_row <= len(body) and col < width:
            body[row - header_row - 1][col] = shown
    frame = pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")
    return _table(
        frame, header, report, file, first_row=header_row + 1, sheet=name, header_row=header_row
    )


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


# --- Excel error values and uncalculated formulas (calamine reads both as empty cells) -----

_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_UNCACHED_FORMULA = re.compile(
    rb"<c\b([^>]*)>(<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)(?:<v\s*/>|<v></v>)?</c>"
)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CELL_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>([^<]*)</f>")


def _bad_cells(path: Path, sheet: str) -> list[tuple[int, int, str]]:
    """(row, 0-based column, shown value) of error cells and formulas without a value."""
    with zipfile.ZipFile(path) as book:
        member = _sheet_member(book, sheet)
        if member is None:
            return []
        data = book.read(member)
    found: list[tuple[int, int, str]] = []
    if b't="e"' in data:
        for attrs, body in _ERROR_CELL.findall(data):
            value = _CELL_VALUE.search(body)
            found += _located(attrs, value.group(1) if value else b"#ERROR")
    if b"<f" in data:
        for attrs, formula in _UNCACHED_FORMULA.findall(data):
            text = _FORMULA_TEXT.search(formula)
            found += _located(attrs, b"=" + (text.group(1) if text else b"..."))
    return found


def _located(attrs: bytes, value: bytes) -> list[tuple[int, int, str]]:
    ref = _CELL_REF.search(attrs)
    if ref is None:
        return []
    col = 0
    for ch in ref.group(1).decode():
        col = col * 26 + ord(ch) - 64
    return [(int(ref.group(2)), col - 1, value.decode("utf-8", "replace"))]


def _sheet_member(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet`` (via xl/workbook.xml and its relationships)."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    rid = next(
        (
            value
            for node in workbook.findall(".//{*}sheet")
            if node.get("name") == sheet
            for key, value in node.attrib.items()
            if key.endswith("}id")
        ),
        None,
    )
    target = next(
        (r.get("Target", "") for r in rels.findall("{*}Relationship") if r.get("Id") == rid), ""
    )
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


# --- shared -----------------------------------------------------------------------------------


def _header_names(names: list[str]) -> list[str]:
    """Tidy header cells (blank → ``column_N``, runs of spaces and line breaks → one space).

    Duplicates are kept distinct for now and reported by ``_table``.
    """
    out: list[str] = []
    for i, name in enumerate(names):
        clean = _SPACES.sub(" ", name or "").strip() or f"column_{i + 1}"
        while clean in out:
            clean += _DUP
        out.append(clean)
    return out


def _table(
    frame: pl.DataFrame,
    header: list[str],
    report: Report,
    file: str,
    *,
    first_row: int,
    sheet: str = "",
    header_row: int = 1,
) -> Table | None:
    for i, name in enumerate(header):
        if name.endswith(_DUP):
            report.add(
                finding(
                    "column-duplicate",
                    file=file,
                    sheet=sheet,
                    row=header_row,
                    col_index=i,
                    column=name.replace(_DUP, ""),
                )
            )
    frame.columns = header
    frame = frame.with_columns(pl.all().str.strip_chars()).with_row_index(ROW, offset=first_row)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == "") for c in header])
    frame = frame.filter(~blank)
    if frame.height == 0:
        report.add(finding("file-empty", file=file, sheet=sheet))
        return None
    header = [h.replace(_DUP, "") for h in header]
    return Table(frame=frame, columns=header, sheet=sheet, header_row=header_row)


def read_table(
    path: Path, report: Report, *, sheet: str | None = None, skip_rows: int = 0, file: str = ""
) -> Table | None:
    """CSV or XLSX by content, whatever the file is called."""
    file = file or path.name
    if not path.exists():
        report.add(finding("file-not-found", file=str(path)))
        return None
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, report, sheet=sheet, skip_rows=skip_rows, file=file)
    if head == OLE_MAGIC:
        report.add(
            finding(
                "file-format",
                file=file,
                detail="旧版 .xls 或加密的工作簿，请另存为 .xlsx / legacy .xls or encrypted workbook: "
                "save it as .xlsx",
            )
        )
        return None
    return read_csv(path, report, skip_rows=skip_rows, file=file)
