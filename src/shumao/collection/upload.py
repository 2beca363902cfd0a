"""Read what clerks send — the filled template (XLSX), a plain CSV, or JSON — into a ``Sheet``.

Refused early and clearly, before the content is opened (each an error finding):
- a file over the size limit: its size is checked before a byte is read;
- OLE compound files (``D0 CF 11 E0``): a password-protected workbook (Office encrypts an xlsx
  into an OLE file with an ``EncryptionInfo`` stream) or a legacy ``.xls``;
- zip bombs: the archive's central directory (member count, declared sizes, compression
  ratios) is checked before anything is inflated; ``zipfile`` never inflates a member beyond its
  declared size, so the declared sizes bound the work;
- an archive that is not a workbook.

Handled the way clerks' files come (WPS or Excel): merged cells (a merged label fills the rows
it spans; a merged number is refused), formulas (their saved results are used; a formula
without one is refused; a formula in a text cell is kept as text, inert), hidden sheets,
numbers stored as text, thousands separators, full-width digits, trailing spaces, blank rows,
units written in headers or in the 计量单位 cell, headers found by their names wherever they are.
CSV may be UTF-8 (with or without BOM), GB18030 or UTF-16. Everything found is a finding.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from shumao.collection.checks.model import Position, Sheet
from shumao.collection.forms import Field, Form
from shumao.collection.limits import (
    Limits,
    cells_within,
    has_macros,
    lines_within,
    over,
    scan_workbook,
)
from shumao.collection.templates import FIELDS_HEADER, IDENTITY_LABELS, META_SHEET
from shumao.reference import units
from shumao.validation.findings import ROW, Report, column_letter, finding

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest upload accepted (a filled template is a few hundred KB)."""
MAX_RATIO = 200
MAX_MEMBERS = 5000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAMS = ("EncryptionInfo", "EncryptedPackage")
HEADER_SCAN_ROWS = 40

IDENTITY_NAMES: dict[str, tuple[str, ...]] = {
    "uscc": (IDENTITY_LABELS["uscc"], "社会信用代码", "信用代码", "uscc", "credit code"),
    "period": (IDENTITY_LABELS["period"], "报告期别", "报告期间", "期间", "period"),
    "unit": (IDENTITY_LABELS["unit"], "金额单位", "单位", "unit"),
}
VALUE_NAMES = (FIELDS_HEADER["value"], "数值", "本期数值", "填报数", "value")
LABEL_NAMES = (FIELDS_HEADER["label"], "指标名称", "项目", "indicator", "item")
UNIT_NAMES = (FIELDS_HEADER["unit"], "单位", "unit")
_BRACKET = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")


@dataclass
class Received:
    filename: str
    size: int
    sha256: str
    data: bytes | None
    """None when the file was refused without being read."""
    fmt: str = "unknown"


@dataclass
class Parsed:
    received: Received
    report: Report
    sheet: Sheet | None = None
    meta: dict[str, str] = field(default_factory=dict)


# --- entry points ----------------------------------------------------------------------------


def read_file(path: Path, *, form: Form, max_bytes: int = DEFAULT_MAX_BYTES,
              filename: str | None = None, limits: Limits | None = None) -> Parsed:
    """Read an uploaded file from disk; an oversized file is refused without being read."""
    name = filename or Path(path).name
    report = Report(source=name)
    if not Path(path).is_file():
        report.add(finding("file-not-found", file=str(path)))
        return Parsed(Received(name, 0, "", None), report)
    size = Path(path).stat().st_size
    if size > max_bytes:
        report.add(finding("file-too-large", file=name, size=size, limit=max_bytes))
        return Parsed(Received(name, size, "", None), report)
    return read_bytes(Path(path).read_bytes(), form=form, filename=name, max_bytes=max_bytes,
                      limits=limits)


def read_bytes(data: bytes, *, form: Form, filename: str,
               max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits | None = None) -> Parsed:
    """Read an upload held in memory (a web request body). ``limits`` default to the
    settings'; a form's own lower limits apply either way."""
    limits = (limits or Limits.from_settings()).for_form(form)
    report = Report(source=filename)
    received = Received(filename, len(data), hashlib.sha256(data).hexdigest(), data)
    if len(data) > max_bytes:
        report.add(finding("file-too-large", file=filename, size=len(data), limit=max_bytes))
        received.data = None
        return Parsed(received, report)
    if not data.strip():
        report.add(finding("file-empty", file=filename))
        return Parsed(received, report)
    received.fmt = sniff(data)
    parsed = Parsed(received, report)
    if received.fmt == "ole":
        _refuse_ole(data, report, filename)
    elif received.fmt == "xlsx":
        if _zip_ok(data, report, filename, limits):
            parsed.sheet, parsed.meta = _xlsx(data, form, report, filename)
    elif received.fmt == "json":
        parsed.sheet = _json_text(data, form, report, filename, limits)
    elif lines_within(data, limits, report, filename):
        parsed.sheet = _csv(data, form, report, filename, limits)
    _check_meta(parsed, form)
    return parsed


def read_json(payload: Mapping[str, Any], *, form: Form, filename: str = "api.json") -> Parsed:
    """Read a filing sent as JSON over the API (see ``json_sheet`` for the shape)."""
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    report = Report(source=filename)
    received = Received(filename, len(data), hashlib.sha256(data).hexdigest(), data, "json")
    return Parsed(received, report, json_sheet(payload, form, report, filename))


def sniff(data: bytes) -> str:
    """"ole", "xlsx", "json" or "csv", by content, whatever the file is called."""
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" if head.startswith((b"{", b"[")) else "csv"


# --- refusing early --------------------------------------------------------------------------


def is_encrypted_ole(data: bytes) -> bool:
    """True for an OLE compound file holding an encrypted Office package."""
    return any(name.encode("utf-16-le") in data for name in ENCRYPTED_STREAMS)


def _refuse_ole(data: bytes, report: Report, file: str) -> None:
    if is_encrypted_ole(data):
        report.add(finding("upload-encrypted", file=file))
    else:
        report.add(finding("upload-legacy-xls", file=file))


def _zip_ok(data: bytes, report: Report, file: str, limits: Limits) -> bool:
    """The archive's directory, then its worksheets streamed against the limits: True when
    the workbook may be opened."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _archive_ok(archive, report, file, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        report.add(finding("file-format", file=file, detail=f"损坏的 XLSX / broken XLSX: {exc}"))
        return False


def _archive_ok(archive: zipfile.ZipFile, report: Report, file: str, limits: Limits) -> bool:
    members = archive.infolist()
    problem = _zip_problem(members)
    if problem:
        report.add(finding("upload-zip-bomb", file=file, detail=problem))
        return False
    total = sum(m.file_size for m in members)
    if total > limits.unpacked_bytes:
        over(report, limit="unpacked_bytes", value=total, allowed=limits.unpacked_bytes,
             file=file)
        return False
    if any(m.flag_bits & 0x1 for m in members):
        report.add(finding("upload-encrypted", file=file))
        return False
    if "xl/workbook.xml" not in {m.filename for m in members}:
        report.add(finding("file-format", file=file,
                           detail="压缩包不是 Excel 工作簿 / the archive is not an Excel workbook"))
        return False
    if has_macros(archive):
        report.add(finding("upload-macros", file=file))
    return scan_workbook(archive, limits, report, file)


def _zip_problem(members: list[zipfile.ZipInfo]) -> str:
    if len(members) > MAX_MEMBERS:
        return f"{len(members)} 个成员 / members (上限 limit {MAX_MEMBERS})"
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if ratio > MAX_RATIO and m.file_size > 1024 * 1024:
            return f"{m.filename} 压缩比 ratio {ratio:,.0f}:1 (上限 limit {MAX_RATIO}:1)"
    return ""


def _check_meta(parsed: Parsed, form: Form) -> None:
    meta_form = parsed.meta.get("form")
    if meta_form and meta_form != form.id:
        parsed.report.add(finding("upload-wrong-form", file=parsed.received.filename,
                                  sheet=META_SHEET, value=meta_form, expected=form.id))
        return
    version = parsed.meta.get("form_version")
    if version is not None and version.strip() != str(form.version):
        parsed.report.add(finding("upload-wrong-form-version", file=parsed.received.filename,
                                  sheet=META_SHEET, value=version, expected=str(form.version),
                                  form=form.id))


# --- header and label matching ----------------------------------------------------------------


def norm(text: Any) -> str:
    """Compare labels: NFKC, no spaces or line breaks, no bracketed unit or colon, lower case."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = _BRACKET.sub("", s)
    return "".join(s.split()).rstrip(":").lower()


def _name_index(form: Form) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, names in IDENTITY_NAMES.items():
        if key != "unit":
            for n in names:
                index.setdefault(norm(n), key)
    for f in form.fields:
        for n in f.names:
            index[norm(n)] = f.id
    return index


def _match_header(cells: list[Any], index: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(cells):
        key = index.get(norm(value)) if isinstance(value, str) else None
        if key and key not in found:
            found[key] = col
    return found


def _is_header(found: dict[str, int], form: Form) -> bool:
    fields = [k for k in found if k not in ("uscc", "period")]
    need = 2 if len(form.fields) >= 2 else 1
    if form.layout == "table":
        return len(fields) >= need and any(f.id in found for f in form.code_fields)
    return len(fields) >= need


def _header_units(headers: dict[str, str], form: Form) -> dict[str, units.Unit]:
    """Units written in the header cells of numeric fields ("出口（美元）")."""
    out: dict[str, units.Unit] = {}
    for fid, text in headers.items():
        f = form.field(fid) if fid not in ("uscc", "period") else None
        if f is not None and f.numeric and f.unit:
            unit = units.find_in_header(text) or units.unreadable_in_header(text)
            if unit is not None:
                out[fid] = unit
    return out


def _identity_unit(text: str | None, form: Form) -> dict[str, units.Unit]:
    """The 计量单位 cell applies to every money field."""
    if not text:
        return {}
    try:
        unit = units.parse(text)
    except Exception:
        return {}
    return {f.id: unit for f in form.numeric_fields if f.kind == "money"}


def merge_units(cell: dict[str, units.Unit], headers: dict[str, units.Unit], form: Form,
                report: Report, file: str, sheet: str) -> dict[str, units.Unit]:
    """Units from the 计量单位 cell and from headers; when both name one and differ, refuse."""
    for fid in sorted(set(cell) & set(headers)):
        a, b = cell[fid], headers[fid]
        if (a.code, a.mult) != (b.code, b.mult):
            report.add(finding("unit-ambiguous", file=file, sheet=sheet,
                               column=form.field(fid).label, header_unit=b.name_zh,
                               cell_unit=a.name_zh))
    return {**cell, **headers}


# --- XLSX -------------------------------------------------------------------------------------


class _Book:
    """One worksheet read twice: formulas (data_only=False) and saved results (data_only=True)."""

    def __init__(self, ws_formula: Any, ws_value: Any, report: Report, file: str) -> None:
        self.f = ws_formula
        self.v = ws_value
        self.report = report
        self.file = file
        self.name: str = ws_formula.title
        self.max_row: int = ws_formula.max_row
        self.max_col: int = ws_formula.max_column
        self.merged = _merged_map(ws_formula)
        self.cached = 0

    def raw(self, row: int, col: int) -> tuple[Any, bool, Any]:
        """(saved value, is formula, formula text) of the cell, merged cells resolved."""
        r, c = self.merged.get((row, col), (row, col))[:2]
        cell = self.f.cell(row=r, column=c)
        if cell.data_type == "f":
            text = cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", "")
            return self.v.cell(row=r, column=c).value, True, text
        return cell.value, False, None

    def text(self, row: int, col: int, *, kind: str = "code") -> str | None:
        value, formula, ftext = self.raw(row, col)
        if formula and kind == "text":
            return _text(ftext if str(ftext).startswith("=") else f"={ftext}")
        if formula and value is None:
            self.report.add(finding("formula-no-value", file=self.file, sheet=self.name, row=row,
                                    col_index=col - 1, column=column_letter(col - 1),
                                    value=ftext if str(ftext).startswith("=") else f"={ftext}"))
            return None
        if formula:
            self.cached += 1
        return _text(value)

    def row_values(self, row: int) -> list[Any]:
        return [self.raw(row, c)[0] for c in range(1, self.max_col + 1)]


def _merged_map(ws: Any) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(row, col) → (top row, left col, rows spanned) for every cell of a merged range."""
    out: dict[tuple[int, int], tuple[int, int, int]] = {}
    for rng in ws.merged_cells.ranges:
        span = rng.max_row - rng.min_row + 1
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                out[(r, c)] = (rng.min_row, rng.min_col, span)
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value).strip()
    return text or None


def _xlsx(data: bytes, form: Form, report: Report, file: str) -> tuple[Sheet | None, dict[str, str]]:
    # deferred: openpyxl (~0.5 s) is needed only when an xlsx file is read or written
    from openpyxl import load_workbook

    try:
        wb_f = load_workbook(io.BytesIO(data), data_only=False)
        wb_v = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        report.add(finding("file-format", file=file, detail=f"{type(exc).__name__}: {exc}"[:200]))
        return None, {}
    meta = _meta(wb_f)
    book = _find_sheet(wb_f, wb_v, form, report, file)
    if book is None:
        return None, meta
    sheet = _read_book(book, form)
    if book.cached:
        report.add(finding("formula-cached", file=file, sheet=book.name, sheet_name=book.name,
                           count=book.cached))
    return sheet, meta


def _meta(wb: Any) -> dict[str, str]:
    if META_SHEET not in wb.sheetnames:
        return {}
    ws = wb[META_SHEET]
    return {str(r[0]): str(r[1]) for r in ws.iter_rows(values_only=True) if r and r[0] and r[1]}


def _find_sheet(wb_f: Any, wb_v: Any, form: Form, report: Report, file: str) -> _Book | None:
    names = [n for n in wb_f.sheetnames if n != META_SHEET]
    order = sorted(names, key=lambda n: (n != form.sheet, wb_f[n].sheet_state != "visible"))
    for name in order:
        book = _Book(wb_f[name], wb_v[name], report, file)
        if _header_row(book, form) is not None:
            if wb_f[name].sheet_state != "visible":
                report.add(finding("sheet-hidden", file=file, sheet=name, sheet_name=name))
            return book
    expected = "、".join(f.label_zh for f in form.fields[:4])
    report.add(finding("header-not-found", file=file, sheet=form.sheet, expected=expected))
    return None


def _header_row(book: _Book, form: Form) -> tuple[int, dict[str, int]] | None:
    if form.layout == "fields":
        return _fields_header(book)
    index = _name_index(form)
    for row in range(1, min(book.max_row, HEADER_SCAN_ROWS) + 1):
        found = _match_header(book.row_values(row), index)
        if _is_header(found, form):
            return row, found
    return None


def _fields_header(book: _Book) -> tuple[int, dict[str, int]] | None:
    wanted = {"label": LABEL_NAMES, "value": VALUE_NAMES, "unit": UNIT_NAMES}
    for row in range(1, min(book.max_row, HEADER_SCAN_ROWS) + 1):
        cells = [norm(v) if isinstance(v, str) else "" for v in book.row_values(row)]
        found = {k: cells.index(norm(n)) for k, names in wanted.items() for n in names
                 if norm(n) in cells}
        if "label" in found and "value" in found:
            return row, found
    return None


def _read_book(book: _Book, form: Form) -> Sheet:
    header = _header_row(book, form)
    assert header is not None
    header_row, columns = header
    ident, ident_pos = _identity_block(book, header_row)
    if form.layout == "fields":
        frame, positions, units_ = _fields_body(book, form, header_row, columns)
    else:
        frame, positions, units_ = _table_body(book, form, header_row, columns)
        units_ = merge_units(_identity_unit(ident.get("unit"), form), units_, form, book.report,
                             book.file, book.name)
    frame, positions = _apply_identity(frame, positions, ident, ident_pos)
    return Sheet(frame=frame, positions=positions, file=book.file, sheet=book.name, units=units_)


def _identity_block(book: _Book, header_row: int) -> tuple[dict[str, str], dict[str, Position]]:
    values: dict[str, str] = {}
    positions: dict[str, Position] = {}
    lookup = {norm(n): key for key, names in IDENTITY_NAMES.items() for n in names}
    for row in range(1, header_row):
        cells = book.row_values(row)
        for col, value in enumerate(cells, start=1):
            key = lookup.get(norm(value)) if isinstance(value, str) else None
            if key is None or key in values:
                continue
            for right in range(col + 1, len(cells) + 1):
                if book.merged.get((row, right), (row, right))[:2] == \
                        book.merged.get((row, col), (row, col))[:2]:
                    continue
                text = book.text(row, right)
                if text is not None:
                    values[key] = text
                    positions[key] = (row, right - 1)
                    break
    return values, positions


def _table_body(book: _Book, form: Form, header_row: int, columns: dict[str, int]
                ) -> tuple[pl.DataFrame, dict[str, Position], dict[str, units.Unit]]:
    kinds = {k: (form.field(k).kind if k not in ("uscc", "period") else "code") for k in columns}
    data: dict[str, list[str | None]] = {k: [] for k in columns}
    rows: list[int] = []
    _merged_rows(book, form, columns, header_row)
    for row in range(header_row + 1, book.max_row + 1):
        texts = {k: book.text(row, c + 1, kind=kinds[k]) for k, c in columns.items()
                 if not _covered_number(book, row, c + 1, kinds[k])}
        if all(v is None for v in texts.values()):
            continue
        rows.append(row)
        for k in columns:
            data[k].append(texts.get(k))
    frame = pl.DataFrame({ROW: rows, **data},
                         schema={ROW: pl.Int64, **dict.fromkeys(columns, pl.String)})
    headers = {k: str(book.raw(header_row, c + 1)[0]) for k, c in columns.items()}
    positions: dict[str, Position] = {k: (None, c) for k, c in columns.items()}
    return frame, positions, _header_units(headers, form)


def _covered_number(book: _Book, row: int, col: int, kind: str) -> bool:
    """A numeric cell below the top of a vertical merge holds no value of its own."""
    top = book.merged.get((row, col))
    return top is not None and kind != "text" and kind != "code" and top[0] != row


def _merged_rows(book: _Book, form: Form, columns: dict[str, int], header_row: int) -> None:
    """Report merges that span rows inside the table: labels fill down, numbers are refused."""
    by_col = {c + 1: k for k, c in columns.items()}
    seen: set[tuple[int, int]] = set()
    for (row, col), (top, left, span) in sorted(book.merged.items()):
        if span < 2 or row <= header_row or col not in by_col or (top, left) in seen:
            continue
        seen.add((top, left))
        key = by_col[col]
        ref = f"{column_letter(left - 1)}{top}:{column_letter(left - 1)}{top + span - 1}"
        numeric = key not in ("uscc", "period") and form.field(key).numeric
        code = "merged-number" if numeric else "merged-cells-filled"
        book.report.add(finding(code, file=book.file, sheet=book.name, row=top,
                                col_index=left - 1, column=_field_label(form, key), value=ref))


def _field_label(form: Form, key: str) -> str:
    return form.field(key).label if key not in ("uscc", "period") else key


def _fields_body(book: _Book, form: Form, header_row: int, columns: dict[str, int]
                 ) -> tuple[pl.DataFrame, dict[str, Position], dict[str, units.Unit]]:
    index = {norm(n): f for f in form.fields for n in f.names}
    values: dict[str, str | None] = {}
    positions: dict[str, Position] = {}
    found_units: dict[str, units.Unit] = {}
    for row in range(header_row + 1, book.max_row + 1):
        label = book.raw(row, columns["label"] + 1)[0]
        f = index.get(norm(label)) if isinstance(label, str) else None
        if f is None or f.id in values:
            continue
        values[f.id] = book.text(row, columns["value"] + 1, kind=f.kind)
        positions[f.id] = (row, columns["value"])
        if "unit" in columns:
            unit = _unit_of(book.raw(row, columns["unit"] + 1)[0], f)
            if unit is not None:
                found_units[f.id] = unit
    frame = pl.DataFrame({ROW: [header_row + 1], **{k: [v] for k, v in values.items()}},
                         schema={ROW: pl.Int64, **dict.fromkeys(values, pl.String)})
    return frame, positions, found_units


def _unit_of(text: Any, f: Field) -> units.Unit | None:
    if not f.unit or not isinstance(text, str) or not text.strip() or text.strip() == "—":
        return None
    try:
        return units.parse(text)
    except Exception:
        return None


def _apply_identity(frame: pl.DataFrame, positions: dict[str, Position], ident: dict[str, str],
                    ident_pos: dict[str, Position]) -> tuple[pl.DataFrame, dict[str, Position]]:
    for key in ("uscc", "period"):
        if key in frame.columns:
            if key in ident:
                frame = frame.with_columns(pl.col(key).fill_null(ident[key]))
            continue
        frame = frame.with_columns(pl.lit(ident.get(key), pl.String).alias(key))
        if key in ident_pos:
            positions[key] = ident_pos[key]
    return frame, positions


# --- CSV --------------------------------------------------------------------------------------


def decode(data: bytes, report: Report, file: str) -> str | None:
    """UTF-8 (BOM or not), UTF-16 (with BOM), then GB18030; None if none of them fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.add(finding("encoding-utf16", file=file))
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        report.add(finding("encoding-bom", file=file))
        data = data[3:]
    text: str | None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = _gb18030(data, exc, report, file)
    if text is not None and "\x00" in text:
        row = text.count("\n", 0, text.index("\x00")) + 1
        report.add(finding("encoding-undecodable", file=file, row=row,
                           detail="含 NUL 字节（UTF-16 无 BOM？）/ NUL bytes (UTF-16 without BOM?)"))
        return None
    return text


def _gb18030(data: bytes, utf8_error: UnicodeDecodeError, report: Report, file: str) -> str | None:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        row = data.count(b"\n", 0, utf8_error.start) + 1
        snippet = data[utf8_error.start: utf8_error.start + 8].hex(" ")
        report.add(finding("encoding-undecodable", file=file, row=row, detail=f"bytes {snippet}"))
        return None
    report.add(finding("encoding-gb18030", file=file))
    return text


def _csv(data: bytes, form: Form, report: Report, file: str, limits: Limits) -> Sheet | None:
    text = decode(data, report, file)
    if text is None:
        return None
    try:
        return _csv_text(text, form, report, file, limits)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        report.add(finding("csv-unreadable", file=file, row=_csv_error_line(exc),
                           detail=str(exc)[:200]))
        return None


def _csv_error_line(exc: csv.Error) -> int | None:
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def _csv_text(text: str, form: Form, report: Report, file: str, limits: Limits) -> Sheet | None:
    delimiter = "\t" if text[:2000].count("\t") > text[:2000].count(",") else ","
    lines = text.splitlines()
    head = [(i + 1, row) for i, row in enumerate(_lines_reader(lines[:HEADER_SCAN_ROWS],
                                                               delimiter))]
    index = _name_index(form)
    for at, (_line, cells) in enumerate(head):
        found = _match_header(cells, index)
        if _is_header(found, form):
            if not cells_within(len(lines) - at - 1, len(cells), limits, report, file):
                return None
            body = _fast_body(lines, at, len(cells), delimiter)
            if body is None:  # quoted line breaks or ragged rows: read row by row
                records = _records(text, delimiter)
                return _csv_body(records[:at + 1], records[at + 1:], found, form, report, file)
            return _csv_sheet(head[:at + 1], body, found, form, report, file)
    report.add(finding("header-not-found", file=file, sheet="CSV",
                       expected="、".join(f.label_zh for f in form.fields[:4])))
    return None


def _lines_reader(lines: list[str], delimiter: str) -> Iterable[list[str]]:
    """The csv module over ``lines``; a cell over its field limit raises ``csv.Error`` naming
    the line (``_csv`` turns it into a finding)."""
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise csv.Error(f"line {reader.line_num}: {exc}") from None


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return out
        except csv.Error as exc:
            raise csv.Error(f"line {reader.line_num}: {exc}") from None
        out.append((reader.line_num, row))


def _fast_body(lines: list[str], header_at: int, width: int,
               delimiter: str) -> pl.DataFrame | None:
    """The rows below the header, read by polars; None when they need the careful reader.

    Blank rows are dropped and every row keeps its physical line number. A quoted cell that
    spans lines makes polars return fewer rows than lines given: then the csv module reads
    the file, so that line numbers stay right."""
    rows = pl.Series(lines[header_at + 1:], dtype=pl.String)
    schema = {f"c{i}": pl.String for i in range(width)}
    blank = rows.str.strip_chars(" \t" + delimiter) == ""
    keep = (~blank).arg_true()
    if len(keep) < len(rows):
        rows = rows.gather(keep)
    if rows.is_empty():
        return pl.DataFrame(schema={**schema, ROW: pl.Int64})
    text = rows.str.join("\n").item().encode()
    try:
        frame = pl.read_csv(text, has_header=False, schema=schema, separator=delimiter,
                            truncate_ragged_lines=False, quote_char='"')
    except pl.exceptions.PolarsError:
        return None
    if frame.height != len(keep):
        return None
    return frame.with_columns((keep.cast(pl.Int64) + header_at + 2).alias(ROW))


def _csv_sheet(head: list[tuple[int, list[str]]], body: pl.DataFrame, columns: dict[str, int],
               form: Form, report: Report, file: str) -> Sheet:
    header = head[-1][1]
    picked = [pl.col(f"c{c}").str.strip_chars().replace("", None).alias(k)
              for k, c in columns.items()]
    frame = body.select(ROW, *picked)
    frame = frame.filter(~pl.all_horizontal([pl.col(k).is_null() for k in columns]))
    return _csv_finish(frame, head[:-1], header, columns, form, report, file)


def _csv_body(head: list[tuple[int, list[str]]], records: list[tuple[int, list[str]]],
              columns: dict[str, int], form: Form, report: Report, file: str) -> Sheet:
    header = head[-1][1]
    width = len(header)
    rows: list[int] = []
    data: dict[str, list[str | None]] = {k: [] for k in columns}
    for line, cells in records:
        if len(cells) > width:  # shifted cells: refuse the row rather than guess
            report.add(finding("row-ragged", file=file, row=line, width=width,
                               value=",".join(cells[width:])))
            continue
        picked = {k: _csv_cell(cells, c) for k, c in columns.items()}
        if all(v is None for v in picked.values()):
            continue
        rows.append(line)
        for k, v in picked.items():
            data[k].append(v)
    frame = pl.DataFrame({ROW: rows, **data},
                         schema={ROW: pl.Int64, **dict.fromkeys(columns, pl.String)})
    return _csv_finish(frame, head[:-1], header, columns, form, report, file)


def _csv_finish(frame: pl.DataFrame, above: list[tuple[int, list[str]]], header: list[str],
                columns: dict[str, int], form: Form, report: Report, file: str) -> Sheet:
    ident, ident_pos = _identity_rows(above)
    positions: dict[str, Position] = {k: (None, c) for k, c in columns.items()}
    frame, positions = _apply_identity(frame, positions, ident, ident_pos)
    found_units = merge_units(_identity_unit(ident.get("unit"), form),
                              _header_units({k: header[c] for k, c in columns.items()}, form),
                              form, report, file, "")
    return Sheet(frame=frame, positions=positions, file=file, sheet="", units=found_units)


def _csv_cell(cells: list[str], col: int) -> str | None:
    if col >= len(cells):
        return None
    text = cells[col].strip()
    return text or None


def _identity_rows(records: Iterable[tuple[int, list[str]]]
                   ) -> tuple[dict[str, str], dict[str, Position]]:
    lookup = {norm(n): key for key, names in IDENTITY_NAMES.items() for n in names}
    values: dict[str, str] = {}
    positions: dict[str, Position] = {}
    for line, cells in records:
        for col, cell in enumerate(cells):
            key = lookup.get(norm(cell))
            if key is None or key in values:
                continue
            following = [(j, c.strip()) for j, c in enumerate(cells) if j > col and c.strip()]
            if following:
                values[key], positions[key] = following[0][1], (line, following[0][0])
    return values, positions


# --- JSON -------------------------------------------------------------------------------------


def _json_text(data: bytes, form: Form, report: Report, file: str,
               limits: Limits) -> Sheet | None:
    text = decode(data, report, file)
    if text is None:
        return None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        report.add(finding("json-invalid", file=file, row=exc.lineno, detail=exc.msg))
        return None
    return json_sheet(payload, form, report, file, limits)


def json_sheet(payload: Any, form: Form, report: Report, file: str,
               limits: Limits | None = None) -> Sheet | None:
    """A filing as JSON::

        {"form": "DDS_Q", "uscc": "9132…", "period": "2024-Q3", "unit": "万美元",
         "lines": [{"product": "SI2", "counterpart_area": "USA", "X": 120.5, "M": 3}],
         "totals": {"X": 120.5, "M": 3, "T": 123.5}}
        {"form": "BASIC_A", "uscc": "9132…", "period": "2024",
         "values": {"revenue": 5200, "employees": 130, …}}

    Keys may be field ids or their Chinese or English labels. Line ``n`` is "row" ``n``.
    """
    if not isinstance(payload, Mapping):
        report.add(finding("json-invalid", file=file, detail="顶层应为对象 / top level must be an object"))
        return None
    index = {norm(n): f.id for f in form.fields for n in f.names}
    body = payload.get("lines")
    limits = (limits or Limits.from_settings()).for_form(form)
    if isinstance(body, list) and len(body) > limits.rows:
        over(report, limit="rows", value=len(body), allowed=limits.rows, file=file)
        return None
    lines = _json_lines(payload, form, index, report, file)
    if lines is None:
        return None
    keys = sorted({k for line in lines for k in line})
    frame = pl.DataFrame({ROW: list(range(1, len(lines) + 1)),
                          **{k: [line.get(k) for line in lines] for k in keys}},
                         schema={ROW: pl.Int64, **dict.fromkeys(keys, pl.String)})
    ident = {k: _json_scalar(payload.get(k)) for k in ("uscc", "period")}
    frame = frame.with_columns(pl.lit(ident["uscc"], pl.String).alias("uscc"),
                               pl.lit(ident["period"], pl.String).alias("period"))
    if payload.get("form") and str(payload["form"]).upper() != form.id:
        report.add(finding("upload-wrong-form", file=file, value=payload["form"], expected=form.id))
    unit = _identity_unit(_json_scalar(payload.get("unit")), form)
    return Sheet(frame=frame, positions={}, file=file, sheet="json", units=unit)


def _json_lines(payload: Mapping[str, Any], form: Form, index: dict[str, str], report: Report,
                file: str) -> list[dict[str, str | None]] | None:
    if form.layout == "fields":
        values = payload.get("values")
        if not isinstance(values, Mapping):
            report.add(finding("json-invalid", file=file, detail="缺少 values 对象 / no \"values\" object"))
            return None
        return [_json_line(values, index)]
    body = payload.get("lines")
    if not isinstance(body, list) or not all(isinstance(x, Mapping) for x in body):
        report.add(finding("json-invalid", file=file, detail="lines 应为对象数组 / \"lines\" must be a list of objects"))
        return None
    lines = [_json_line(x, index) for x in body]
    totals = payload.get("totals")
    if isinstance(totals, Mapping) and form.totals is not None:
        lines.insert(0, {**_json_line(totals, index), form.totals.field: form.totals.labels[0]})
    return lines


def _json_line(obj: Mapping[str, Any], index: dict[str, str]) -> dict[str, str | None]:
    return {index[norm(k)]: _json_scalar(v) for k, v in obj.items() if norm(k) in index}


def _json_scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value).strip() or None
