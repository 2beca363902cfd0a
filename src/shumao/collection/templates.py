"""The Excel template of a form for one enterprise and period (openpyxl).

Sheets:
    填报表 (the form's ``sheet``)  identity pre-filled and locked (credit code, name, period,
                                  unit, due date); the input cells unlocked, everything else
                                  protected; drop-down lists (data validation) of codes with
                                  their Chinese names for the code columns
    填报说明                       instructions (Chinese, then English) and the code lists
    代码表 (hidden)                the lists the drop-downs read
    _meta (very hidden)            form id and version, credit code, period: the upload checks
                                  that a returned file is this form for this enterprise and period

The parser (``shumao.collection.upload``) finds everything by its labels, not by position, so a
clerk inserting a row or WPS merging a cell does not break the upload.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from shumao.collection.checks.codes import CODELISTS
from shumao.collection.forms import FREQ_NAMES, Field, Form
from shumao.reference import cbec_modes, countries, ebops

IDENTITY_LABELS = {
    "uscc": "统一社会信用代码",
    "name": "单位名称",
    "period": "报告期",
    "unit": "计量单位",
    "due": "报送截止日期",
}
SERIAL = "序号"
FIELDS_HEADER = {"label": "指标", "unit": "计量单位", "value": "本年数值", "note": "说明"}
META_SHEET = "_meta"
CODES_SHEET = "代码表"
HELP_SHEET = "填报说明"
IDENTITY_ROWS = (3, 4)
HEADER_ROW = 6

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_INPUT = PatternFill("solid", fgColor="FFF9E5")
_LOCKED = PatternFill("solid", fgColor="EDEDED")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_OPEN = Protection(locked=False)


@dataclass(frozen=True)
class Identity:
    uscc: str
    name: str
    period: str
    due: date | None = None


def code_choices(f: Field) -> list[tuple[str, str]]:
    """(code, Chinese name) pairs a code field offers, in the form's order."""
    if f.codelist in CODELISTS:
        return CODELISTS[f.codelist].choices()
    if f.codelist == "ebops":
        codes = list(f.allowed) or [i.code for i in ebops.all_items() if not i.is_aggregate]
        return [(c, ebops.item(c).name_zh) for c in codes if c not in f.exclude]
    if f.codelist == "cbec_mode":
        codes = list(f.allowed) or list(cbec_modes.MODES)
        return [(c, cbec_modes.lookup(c).name_zh) for c in codes if c not in f.exclude]
    if f.codelist == "country":
        found = [
            c
            for c in countries.all_countries(aggregates=False)
            if c.iso3 not in f.exclude and countries.validity(c.iso3)[1] is None
        ]
        if f.allowed:
            found = [c for c in found if c.iso3 in f.allowed]
        return [(c.iso3, c.name_zh) for c in found]
    raise ValueError(f"no choices for code list {f.codelist}")


def choice_label(code: str, name: str) -> str:
    """What a drop-down shows and the cell then holds: "SI2 计算机服务"."""
    return f"{code} {name}"


def build_template(form: Form, identity: Identity) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = form.sheet
    _title(sheet, form)
    _identity(sheet, form, identity)
    if form.layout == "table":
        lists = _codes_sheet(book, form)
        _table_body(sheet, form, lists)
    else:
        _fields_body(sheet, form)
    _help_sheet(book, form, identity)
    _meta_sheet(book, form, identity)
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatColumns = False
    book.active = 0
    return book


def write_template(form: Form, identity: Identity, path: Path) -> Path:
    build_template(form, identity).save(path)
    return path


def template_bytes(form: Form, identity: Identity) -> bytes:
    buf = io.BytesIO()
    build_template(form, identity).save(buf)
    return buf.getvalue()


def template_filename(form: Form, identity: Identity) -> str:
    return f"{form.id}_{identity.uscc}_{identity.period}.xlsx"


# --- the form sheet ----------------------------------------------------------------------------


def _width(form: Form) -> int:
    return len(form.fields) + 1 if form.layout == "table" else len(FIELDS_HEADER) + 1


def _title(ws: Worksheet, form: Form) -> None:
    last = get_column_letter(max(_width(form), 5))
    ws["A1"] = f"{form.code}  {form.title_zh}"
    ws["A1"].font = _TITLE
    ws.merge_cells(f"A1:{last}1")
    freq_zh, freq_en = FREQ_NAMES[form.frequency]
    ws["A2"] = (
        f"{form.title_en} · 表号 form {form.id} v{form.version} · {freq_zh}报 {freq_en} · "
        f"企业直报 enterprise direct reporting"
    )
    ws.merge_cells(f"A2:{last}2")
    ws["A1"].alignment = ws["A2"].alignment = Alignment(horizontal="center")


def _identity(ws: Worksheet, form: Form, ident: Identity) -> None:
    unit = next((f.unit for f in form.numeric_fields if f.unit), "")
    due = ident.due or form.due_date(ident.period)
    cells = [
        (IDENTITY_ROWS[0], 1, "uscc", ident.uscc),
        (IDENTITY_ROWS[0], 4, "name", ident.name),
        (IDENTITY_ROWS[1], 1, "period", ident.period),
        (
            IDENTITY_ROWS[1],
            4,
            "unit" if form.layout == "table" else "due",
            unit if form.layout == "table" else due.isoformat(),
        ),
    ]
    for row, col, key, value in cells:
        label = ws.cell(row=row, column=col, value=IDENTITY_LABELS[key])
        label.font = _BOLD
        cell = ws.cell(row=row, column=col + 1, value=value)
        cell.fill = _LOCKED
        cell.number_format = "@"
    ws.merge_cells(
        start_row=IDENTITY_ROWS[0],
        start_column=5,
        end_row=IDENTITY_ROWS[0],
        end_column=max(_width(form), 5),
    )
    if form.layout == "table":
        ws.cell(row=5, column=1, value=IDENTITY_LABELS["due"]).font = _BOLD
        ws.cell(row=5, column=2, value=due.isoformat()).fill = _LOCKED
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 24


def _header(ws: Worksheet, col: int, text: str, width: int) -> None:
    cell = ws.cell(row=HEADER_ROW, column=col, value=text)
    cell.font = _BOLD
    cell.border = _BOX
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    letter = get_column_letter(col)
    ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)


def _table_body(ws: Worksheet, form: Form, lists: dict[str, str]) -> None:
    _header(ws, 1, SERIAL, 8)
    for i, f in enumerate(form.fields, start=2):
        _header(ws, i, f.label, f.width)
    first = HEADER_ROW + 1
    inputs = first + 1 if form.totals else first
    last = inputs + form.input_rows - 1
    for row in range(first, last + 1):
        totals = form.totals is not None and row == first
        serial = ws.cell(row=row, column=1, value="—" if totals else row - inputs + 1)
        serial.border = _BOX
        for i, f in enumerate(form.fields, start=2):
            _input_cell(ws, row, i, f, totals=totals, form=form)
    for i, f in enumerate(form.fields, start=2):
        if f.id in lists:
            letter = get_column_letter(i)
            _dropdown(ws, lists[f.id], f, f"{letter}{inputs}:{letter}{last}")
    ws.freeze_panes = ws.cell(row=first, column=2)


def _input_cell(ws: Worksheet, row: int, col: int, f: Field, *, totals: bool, form: Form) -> None:
    cell = ws.cell(row=row, column=col)
    cell.border = _BOX
    if totals and form.totals and f.id == form.totals.field:
        cell.value = form.totals.labels[0]
        cell.font = _BOLD
        cell.fill = _LOCKED
        return
    if totals and f.kind == "code":
        cell.value = "—"
        cell.fill = _LOCKED
        return
    cell.protection = _OPEN
    cell.fill = _INPUT
    if f.numeric:
        cell.number_format = "#,##0.00" if f.kind == "money" else "0"
    elif f.kind == "text":
        cell.number_format = "@"


def _dropdown(ws: Worksheet, source: str, f: Field, ref: str) -> None:
    dv = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showDropDown=False,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="代码无效 / invalid code",
        error=f"请从下拉列表中选择{f.label_zh} / pick a {f.label_en} from the list",
        promptTitle=f.label_zh,
        prompt="从列表选择 / choose from the list",
    )
    ws.add_data_validation(dv)
    dv.add(ref)


def _fields_body(ws: Worksheet, form: Form) -> None:
    _header(ws, 1, SERIAL, 8)
    for col, (key, text) in enumerate(FIELDS_HEADER.items(), start=2):
        _header(ws, col, text, {"label": 24, "unit": 12, "value": 18, "note": 40}[key])
    for n, f in enumerate(form.fields, start=1):
        row = HEADER_ROW + n
        ws.cell(row=row, column=1, value=n).border = _BOX
        ws.cell(row=row, column=2, value=f.label_zh).border = _BOX
        ws.cell(row=row, column=3, value=f.unit or "—").border = _BOX
        value = ws.cell(row=row, column=4)
        value.border = _BOX
        value.protection = _OPEN
        value.fill = _INPUT
        if f.numeric:
            value.number_format = "#,##0.00" if f.kind == "money" else "0"
        else:
            value.number_format = "@"
        note = f"{'必填' if f.required else '选填'} · {f.label_en}"
        ws.cell(row=row, column=5, value=note).border = _BOX


# --- other sheets -----------------------------------------------------------------------------


def _codes_sheet(book: Workbook, form: Form) -> dict[str, str]:
    """Write every code list to the hidden sheet; return field id → list formula."""
    ws = book.create_sheet(CODES_SHEET)
    ws.sheet_state = "hidden"
    refs: dict[str, str] = {}
    for col, f in enumerate(form.code_fields, start=1):
        ws.cell(row=1, column=col, value=f.label_zh)
        choices = code_choices(f)
        for row, (code, name) in enumerate(choices, start=2):
            ws.cell(row=row, column=col, value=choice_label(code, name))
        letter = get_column_letter(col)
        refs[f.id] = f"'{CODES_SHEET}'!${letter}$2:${letter}${len(choices) + 1}"
    ws.protection.sheet = True
    return refs


def _help_sheet(book: Workbook, form: Form, ident: Identity) -> None:
    ws = book.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = 110
    lines: list[tuple[str, Font | None]] = [(f"{form.code} {form.title_zh} 填报说明", _TITLE)]
    lines += [(f"{i}. {text}", None) for i, text in enumerate(form.instructions_zh, start=1)]
    due = ident.due or form.due_date(ident.period)
    lines += [
        (f"本期（{ident.period}）报送截止日期：{due.isoformat()}", _BOLD),
        ("", None),
        (f"Instructions: {form.title_en}", _BOLD),
    ]
    lines += [(f"{i}. {text}", None) for i, text in enumerate(form.instructions_en, start=1)]
    lines += [(f"Due date for {ident.period}: {due.isoformat()}", None)]
    for f in form.code_fields:
        if f.codelist in ("ebops", "cbec_mode"):
            lines += [("", None), (f"{f.label_zh}代码 / {f.label_en} codes", _BOLD)]
            lines += [(choice_label(c, n), None) for c, n in code_choices(f)]
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font:
            cell.font = font
    ws.protection.sheet = True


def _meta_sheet(book: Workbook, form: Form, ident: Identity) -> None:
    ws = book.create_sheet(META_SHEET)
    ws.sheet_state = "veryHidden"
    for row, (key, value) in enumerate(
        [
            ("form", form.id),
            ("form_version", str(form.version)),
            ("uscc", ident.uscc),
            ("period", ident.period),
            ("generated", datetime.now(UTC).isoformat(timespec="seconds")),
        ],
        start=1,
    ):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
    ws.protection.sheet = True
