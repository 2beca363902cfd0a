"""XLSX：每张表、每幅图一个工作表 / one sheet per table and chart: the data, units and sources,
Chinese headers, and a 数据说明 sheet with the lineage of every figure. Reproducible
(xlsxwriter with fixed document properties)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import xlsxwriter

from shumao.report import lineage
from shumao.report.document import Cell, Chart, Document, Table
from shumao.report.render_html import LABELS

FIXED = datetime(2000, 1, 1)


def xlsx(doc: Document) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties(
        {"title": doc.title, "author": "shumao", "created": FIXED, "comments": doc.stamp}
    )
    head = book.add_format(
        {"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True, "valign": "top"}
    )
    num = book.add_format({"border": 1})
    text = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 12})
    small = book.add_format({"font_size": 9, "italic": True})
    labels = LABELS["en" if doc.lang == "en" else "zh"]
    for block in [b for b in doc.blocks if isinstance(b, Table | Chart)]:
        name = f"表{block.number}" if isinstance(block, Table) else f"图{block.number}"
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, block.caption, title)
        sheet.write(1, 0, block.unit if isinstance(block, Table) else f"单位：{block.unit}", small)
        sheet.write_row(2, 0, list(block.header), head)
        columns = [*block.header, labels["id"]]
        sheet.write(2, len(block.header), f"{labels['figure']}{labels['id']}", head)
        for r, row in enumerate(block.rows, start=3):
            for c, cell in enumerate(row):
                _write(sheet, r, c, cell, doc, num, text)
            sheet.write(r, len(row), " ".join(x.figure for x in row if x.figure), text)
        sheet.write(len(block.rows) + 4, 0, block.source, small)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(columns), 12)
        sheet.freeze_panes(3, 1)
    _annex(book, doc, labels, head, text)
    book.close()
    return out.getvalue()


def _write(sheet: Any, r: int, c: int, cell: Cell, doc: Document, num: Any, text: Any) -> None:
    if cell.figure:
        fig = doc.figures[cell.figure]
        digits = len(cell.text.split(".")[1]) if "." in cell.text else 0
        sheet.write_number(r, c, round(float(fig.value or 0.0), digits), num)
    else:
        sheet.write_string(r, c, cell.text, text)


def _annex(book: Any, doc: Document, labels: dict[str, str], head: Any, text: Any) -> None:
    sheet = book.add_worksheet("数据说明" if doc.lang != "en" else "Data notes")
    header = [
        labels["id"],
        labels["figure"],
        labels["value"],
        labels["unit"],
        labels["dataflow"],
        labels["series"],
        labels["period"],
        labels["vintage"],
        labels["computation"],
        labels["inputs"],
        "explorer",
    ]
    sheet.write_row(0, 0, header, head)
    for r, a in enumerate(lineage.lines(doc), start=1):
        sheet.write_row(
            r,
            0,
            [
                a.id,
                a.label,
                a.value,
                a.unit,
                a.dataflow,
                a.series,
                a.period,
                a.vintage,
                a.computation,
                a.inputs,
                a.link,
            ],
            text,
        )
    sheet.write(len(doc.figures) + 2, 0, f"{labels['stamp']}：{doc.stamp}")
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 28)
    sheet.set_column(4, 9, 18)
    sheet.freeze_panes(1, 1)
