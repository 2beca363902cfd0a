"""Reading a filing sent as text: CSV (UTF-8 with or without BOM, GB18030, UTF-16) and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from shumao.collection.checks.model import Position, Sheet
from shumao.collection.forms import Form
from shumao.collection.headers import (
    HEADER_SCAN_ROWS,
    IDENTITY_NAMES,
    header_units,
    identity_unit,
    is_header,
    match_header,
    merge_units,
    name_index,
    norm,
)
from shumao.collection.limits import (
    Limits,
    cells_within,
    over,
)
from shumao.collection.upload_xlsx import apply_identity
from shumao.validation.findings import ROW, Report, finding


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
        report.add(
            finding(
                "encoding-undecodable",
                file=file,
                row=row,
                detail="含 NUL 字节（UTF-16 无 BOM？）/ NUL bytes (UTF-16 without BOM?)",
            )
        )
        return None
    return text


def _gb18030(data: bytes, utf8_error: UnicodeDecodeError, report: Report, file: str) -> str | None:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        row = data.count(b"\n", 0, utf8_error.start) + 1
        snippet = data[utf8_error.start : utf8_error.start + 8].hex(" ")
        report.add(finding("encoding-undecodable", file=file, row=row, detail=f"bytes {snippet}"))
        return None
    report.add(finding("encoding-gb18030", file=file))
    return text


def read_csv(data: bytes, form: Form, report: Report, file: str, limits: Limits) -> Sheet | None:
    text = decode(data, report, file)
    if text is None:
        return None
    try:
        return _csv_text(text, form, report, file, limits)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        report.add(
            finding("csv-unreadable", file=file, row=_csv_error_line(exc), detail=str(exc)[:200])
        )
        return None


def _csv_error_line(exc: csv.Error) -> int | None:
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def _csv_text(text: str, form: Form, report: Report, file: str, limits: Limits) -> Sheet | None:
    delimiter = "\t" if text[:2000].count("\t") > text[:2000].count(",") else ","
    lines = text.splitlines()
    head = [
        (i + 1, row) for i, row in enumerate(_lines_reader(lines[:HEADER_SCAN_ROWS], delimiter))
    ]
    index = name_index(form)
    for at, (_line, cells) in enumerate(head):
        found = match_header(cells, index)
        if is_header(found, form):
            if not cells_within(len(lines) - at - 1, len(cells), limits, report, file):
                return None
            body = _fast_body(lines, at, len(cells), delimiter)
            if body is None:  # quoted line breaks or ragged rows: read row by row
                records = _records(text, delimiter)
                return _csv_body(records[: at + 1], records[at + 1 :], found, form, report, file)
            return _csv_sheet(head[: at + 1], body, found, form, report, file)
    report.add(
        finding(
            "header-not-found",
            file=file,
            sheet="CSV",
            expected="、".join(f.label_zh for f in form.fields[:4]),
        )
    )
    return None


def _lines_reader(lines: list[str], delimiter: str) -> Iterable[list[str]]:
    """The csv module over ``lines``; a cell over its field limit raises ``csv.Error`` naming
    the line (``read_csv`` turns it into a finding)."""
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


def _fast_body(lines: list[str], header_at: int, width: int, delimiter: str) -> pl.DataFrame | None:
    """The rows below the header, read by polars; None when they need the careful reader.

    Blank rows are dropped and every row keeps its physical line number. A quoted cell that
    spans lines makes polars return fewer rows than lines given: then the csv module reads
    the file, so that line numbers stay right."""
    rows = pl.Series(lines[header_at + 1 :], dtype=pl.String)
    schema = {f"c{i}": pl.String for i in range(width)}
    blank = rows.str.strip_chars(" \t" + delimiter) == ""
    keep = (~blank).arg_true()
    if len(keep) < len(rows):
        rows = rows.gather(keep)
    if rows.is_empty():
        return pl.DataFrame(schema={**schema, ROW: pl.Int64})
    text = rows.str.join("\n").item().encode()
    try:
        frame = pl.read_csv(
            text,
            has_header=False,
            schema=schema,
            separator=delimiter,
            truncate_ragged_lines=False,
            quote_char='"',
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != len(keep):
        return None
    return frame.with_columns((keep.cast(pl.Int64) + header_at + 2).alias(ROW))


def _csv_sheet(
    head: list[tuple[int, list[str]]],
    body: pl.DataFrame,
    columns: dict[str, int],
    form: Form,
    report: Report,
    file: str,
) -> Sheet:
    header = head[-1][1]
    picked = [
        pl.col(f"c{c}").str.strip_chars().replace("", None).alias(k) for k, c in columns.items()
    ]
    frame = body.select(ROW, *picked)
    frame = frame.filter(~pl.all_horizontal([pl.col(k).is_null() for k in columns]))
    return _csv_finish(frame, head[:-1], header, columns, form, report, file)


def _csv_body(
    head: list[tuple[int, list[str]]],
    records: list[tuple[int, list[str]]],
    columns: dict[str, int],
    form: Form,
    report: Report,
    file: str,
) -> Sheet:
    header = head[-1][1]
    width = len(header)
    rows: list[int] = []
    data: dict[str, list[str | None]] = {k: [] for k in columns}
    for line, cells in records:
        if len(cells) > width:  # shifted cells: refuse the row rather than guess
            report.add(
                finding(
                    "row-ragged", file=file, row=line, width=width, value=",".join(cells[width:])
                )
            )
            continue
        picked = {k: _csv_cell(cells, c) for k, c in columns.items()}
        if all(v is None for v in picked.values()):
            continue
        rows.append(line)
        for k, v in picked.items():
            data[k].append(v)
    frame = pl.DataFrame(
        {ROW: rows, **data}, schema={ROW: pl.Int64, **dict.fromkeys(columns, pl.String)}
    )
    return _csv_finish(frame, head[:-1], header, columns, form, report, file)


def _csv_finish(
    frame: pl.DataFrame,
    above: list[tuple[int, list[str]]],
    header: list[str],
    columns: dict[str, int],
    form: Form,
    report: Report,
    file: str,
) -> Sheet:
    ident, ident_pos = _identity_rows(above)
    positions: dict[str, Position] = {k: (None, c) for k, c in columns.items()}
    frame, positions = apply_identity(frame, positions, ident, ident_pos)
    found_units = merge_units(
        identity_unit(ident.get("unit"), form),
        header_units({k: header[c] for k, c in columns.items()}, form),
        form,
        report,
        file,
        "",
    )
    return Sheet(frame=frame, positions=positions, file=file, sheet="", units=found_units)


def _csv_cell(cells: list[str], col: int) -> str | None:
    if col >= len(cells):
        return None
    text = cells[col].strip()
    return text or None


def _identity_rows(
    records: Iterable[tuple[int, list[str]]],
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


def read_json_text(
    data: bytes, form: Form, report: Report, file: str, limits: Limits
) -> Sheet | None:
    text = decode(data, report, file)
    if text is None:
        return None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        report.add(finding("json-invalid", file=file, row=exc.lineno, detail=exc.msg))
        return None
    return json_sheet(payload, form, report, file, limits)


def json_sheet(
    payload: Any, form: Form, report: Report, file: str, limits: Limits | None = None
) -> Sheet | None:
    """A filing as JSON::

        {"form": "DDS_Q", "uscc": "9132…", "period": "2024-Q3", "unit": "万美元",
         "lines": [{"product": "SI2", "counterpart_area": "USA", "X": 120.5, "M": 3}],
         "totals": {"X": 120.5, "M": 3, "T": 123.5}}
        {"form": "BASIC_A", "uscc": "9132…", "period": "2024",
         "values": {"revenue": 5200, "employees": 130, …}}

    Keys may be field ids or their Chinese or English labels. Line ``n`` is "row" ``n``.
    """
    if not isinstance(payload, Mapping):
        report.add(
            finding("json-invalid", file=file, detail="顶层应为对象 / top level must be an object")
        )
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
    frame = pl.DataFrame(
        {ROW: list(range(1, len(lines) + 1)), **{k: [line.get(k) for line in lines] for k in keys}},
        schema={ROW: pl.Int64, **dict.fromkeys(keys, pl.String)},
    )
    ident = {k: _json_scalar(payload.get(k)) for k in ("uscc", "period")}
    frame = frame.with_columns(
        pl.lit(ident["uscc"], pl.String).alias("uscc"),
        pl.lit(ident["period"], pl.String).alias("period"),
    )
    if payload.get("form") and str(payload["form"]).upper() != form.id:
        report.add(finding("upload-wrong-form", file=file, value=payload["form"], expected=form.id))
    unit = identity_unit(_json_scalar(payload.get("unit")), form)
    return Sheet(frame=frame, positions={}, file=file, sheet="json", units=unit)


def _json_lines(
    payload: Mapping[str, Any], form: Form, index: dict[str, str], report: Report, file: str
) -> list[dict[str, str | None]] | None:
    if form.layout == "fields":
        values = payload.get("values")
        if not isinstance(values, Mapping):
            report.add(
                finding("json-invalid", file=file, detail='缺少 values 对象 / no "values" object')
            )
            return None
        return [_json_line(values, index)]
    body = payload.get("lines")
    if not isinstance(body, list) or not all(isinstance(x, Mapping) for x in body):
        report.add(
            finding(
                "json-invalid",
                file=file,
                detail='lines 应为对象数组 / "lines" must be a list of objects',
            )
        )
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
