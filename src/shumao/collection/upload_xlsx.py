"""Reading the filled template (XLSX): the sheet found by its headers, merged cells, formulas
with their saved results, the identity block, table and fields layouts (``upload`` refuses
dangerous files before this opens one).
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl

from shumao.collection.checks.model import Position, Sheet
from shumao.collection.forms import Field, Form
from shumao.collection.headers import (
    HEADER_SCAN_ROWS,
    IDENTITY_NAMES,
    LABEL_NAMES,
    UNIT_NAMES,
    VALUE_NAMES,
    header_units,
    identity_unit,
    is_header,
    match_header,
    merge_units,
    name_index,
    norm,
)
from shumao.collection.templates import META_SHEET
from shumao.reference import units
from shumao.validation.findings import ROW, Report, column_letter, finding


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
            self.report.add(
                finding(
                    "formula-no-value",
                    file=self.file,
                    sheet=self.name,
                    row=row,
                    col_index=col - 1,
                    column=column_letter(col - 1),
                    value=ftext if str(ftext).startswith("=") else f"={ftext}",
                )
            )
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


def read_xlsx(
    data: bytes, form: Form, report: Report, file: str
) -> tuple[Sheet | None, dict[str, str]]:
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
        report.add(
            finding(
                "formula-cached",
                file=file,
                sheet=book.name,
                sheet_name=book.name,
                count=book.cached,
            )
        )
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
    index = name_index(form)
    for row in range(1, min(book.max_row, HEADER_SCAN_ROWS) + 1):
        found = match_header(book.row_values(row), index)
        if is_header(found, form):
            return row, found
    return None


def _fields_header(book: _Book) -> tuple[int, dict[str, int]] | None:
    wanted = {"label": LABEL_NAMES, "value": VALUE_NAMES, "unit": UNIT_NAMES}
    for row in range(1, min(book.max_row, HEADER_SCAN_ROWS) + 1):
        cells = [norm(v) if isinstance(v, str) else "" for v in book.row_values(row)]
        found = {
            k: cells.index(norm(n))
            for k, names in wanted.items()
            for n in names
            if norm(n) in cells
        }
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
        units_ = merge_units(
            identity_unit(ident.get("unit"), form), units_, form, book.report, book.file, book.name
        )
    frame, positions = apply_identity(frame, positions, ident, ident_pos)
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
                if (
                    book.merged.get((row, right), (row, right))[:2]
                    == book.merged.get((row, col), (row, col))[:2]
                ):
                    continue
                text = book.text(row, right)
                if text is not None:
                    values[key] = text
                    positions[key] = (row, right - 1)
                    break
    return values, positions


def _table_body(
    book: _Book, form: Form, header_row: int, columns: dict[str, int]
) -> tuple[pl.DataFrame, dict[str, Position], dict[str, units.Unit]]:
    kinds = {k: (form.field(k).kind if k not in ("uscc", "period") else "code") for k in columns}
    data: dict[str, list[str | None]] = {k: [] for k in columns}
    rows: list[int] = []
    _merged_rows(book, form, columns, header_row)
    for row in range(header_row + 1, book.max_row + 1):
        texts = {
            k: book.text(row, c + 1, kind=kinds[k])
            for k, c in columns.items()
            if not _covered_number(book, row, c + 1, kinds[k])
        }
        if all(v is None for v in texts.values()):
            continue
        rows.append(row)
        for k in columns:
            data[k].append(texts.get(k))
    frame = pl.DataFrame(
        {ROW: rows, **data}, schema={ROW: pl.Int64, **dict.fromkeys(columns, pl.String)}
    )
    headers = {k: str(book.raw(header_row, c + 1)[0]) for k, c in columns.items()}
    positions: dict[str, Position] = {k: (None, c) for k, c in columns.items()}
    return frame, positions, header_units(headers, form)


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
        book.report.add(
            finding(
                code,
                file=book.file,
                sheet=book.name,
                row=top,
                col_index=left - 1,
                column=_field_label(form, key),
                value=ref,
            )
        )


def _field_label(form: Form, key: str) -> str:
    return form.field(key).label if key not in ("uscc", "period") else key


def _fields_body(
    book: _Book, form: Form, header_row: int, columns: dict[str, int]
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
    frame = pl.DataFrame(
        {ROW: [header_row + 1], **{k: [v] for k, v in values.items()}},
        schema={ROW: pl.Int64, **dict.fromkeys(values, pl.String)},
    )
    return frame, positions, found_units


def _unit_of(text: Any, f: Field) -> units.Unit | None:
    if not f.unit or not isinstance(text, str) or not text.strip() or text.strip() == "—":
        return None
    try:
        return units.parse(text)
    except Exception:
        return None


def apply_identity(
    frame: pl.DataFrame,
    positions: dict[str, Position],
    ident: dict[str, str],
    ident_pos: dict[str, Position],
) -> tuple[pl.DataFrame, dict[str, Position]]:
    for key in ("uscc", "period"):
        if key in frame.columns:
            if key in ident:
                frame = frame.with_columns(pl.col(key).fill_null(ident[key]))
            continue
        frame = frame.with_columns(pl.lit(ident.get(key), pl.String).alias(key))
        if key in ident_pos:
            positions[key] = ident_pos[key]
    return frame, positions
