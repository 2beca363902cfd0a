"""Finding a form's headers and labels in what clerks send (XLSX, CSV, JSON) and the units they
write in them: names matched after NFKC, spaces and brackets removed, in any order and place.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from shumao.collection.forms import Form
from shumao.collection.templates import FIELDS_HEADER, IDENTITY_LABELS
from shumao.reference import units
from shumao.validation.findings import Report, finding

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


def norm(text: Any) -> str:
    """Compare labels: NFKC, no spaces or line breaks, no bracketed unit or colon, lower case."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = _BRACKET.sub("", s)
    return "".join(s.split()).rstrip(":").lower()


def name_index(form: Form) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, names in IDENTITY_NAMES.items():
        if key != "unit":
            for n in names:
                index.setdefault(norm(n), key)
    for f in form.fields:
        for n in f.names:
            index[norm(n)] = f.id
    return index


def match_header(cells: list[Any], index: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(cells):
        key = index.get(norm(value)) if isinstance(value, str) else None
        if key and key not in found:
            found[key] = col
    return found


def is_header(found: dict[str, int], form: Form) -> bool:
    fields = [k for k in found if k not in ("uscc", "period")]
    need = 2 if len(form.fields) >= 2 else 1
    if form.layout == "table":
        return len(fields) >= need and any(f.id in found for f in form.code_fields)
    return len(fields) >= need


def header_units(headers: dict[str, str], form: Form) -> dict[str, units.Unit]:
    """Units written in the header cells of numeric fields ("出口（美元）")."""
    out: dict[str, units.Unit] = {}
    for fid, text in headers.items():
        f = form.field(fid) if fid not in ("uscc", "period") else None
        if f is not None and f.numeric and f.unit:
            unit = units.find_in_header(text) or units.unreadable_in_header(text)
            if unit is not None:
                out[fid] = unit
    return out


def identity_unit(text: str | None, form: Form) -> dict[str, units.Unit]:
    """The 计量单位 cell applies to every money field."""
    if not text:
        return {}
    try:
        unit = units.parse(text)
    except Exception:
        return {}
    return {f.id: unit for f in form.numeric_fields if f.kind == "money"}


def merge_units(
    cell: dict[str, units.Unit],
    headers: dict[str, units.Unit],
    form: Form,
    report: Report,
    file: str,
    sheet: str,
) -> dict[str, units.Unit]:
    """Units from the 计量单位 cell and from headers; when both name one and differ, refuse."""
    for fid in sorted(set(cell) & set(headers)):
        a, b = cell[fid], headers[fid]
        if (a.code, a.mult) != (b.code, b.mult):
            report.add(
                finding(
                    "unit-ambiguous",
                    file=file,
                    sheet=sheet,
                    column=form.field(fid).label,
                    header_unit=b.name_zh,
                    cell_unit=a.name_zh,
                )
            )
    return {**cell, **headers}
