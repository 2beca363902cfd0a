"""DOCX：Word 文件 / the report as a Word document the team can restyle.

Real built-in styles (shown by Chinese Word and WPS as 标题 1–3, 正文, 题注, 标题), East Asian
fonts on the styles (黑体 headings, 宋体 body, 仿宋 captions by default; the template's
``fonts``), first-line indent of two characters, tables as Word tables with a repeated header
row, captions with SEQ fields (表1…, 图1…), footnotes as real Word footnotes, a TOC field on the
contents page, PAGE fields in the footer, and the annex 数据说明 listing every figure's source.
Charts are PNG (200 dpi). Reproducible: fixed document properties and zip timestamps.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt

from shumao.report import docx_parts as parts
from shumao.report import lineage
from shumao.report.document import Chart, Document, Heading, NoteRef, Paragraph, Table
from shumao.report.render_html import LABELS

FIXED = datetime(2000, 1, 1)


def docx(doc: Document, *, fonts: dict[str, str]) -> bytes:
    word = new_document()
    _styles(word, fonts)
    _page(word)
    labels = LABELS["en" if doc.lang == "en" else "zh"]
    _cover(word, doc)
    _contents(word, doc, labels)
    for block in doc.blocks:
        _block(word, doc, block)
    _annex(word, doc, labels)
    if doc.notes:
        parts.add_footnotes(word, doc.notes)
    props = word.core_properties
    props.title, props.author, props.last_modified_by = doc.title, "shumao", "shumao"
    props.created = props.modified = FIXED
    props.revision = 1
    props.comments = doc.stamp
    out = io.BytesIO()
    word.save(out)
    return parts.reproducible(out.getvalue())


def _styles(word: Any, fonts: dict[str, str]) -> None:
    latin = fonts.get("latin", "Times New Roman")
    styles = word.styles
    parts.set_fonts(styles["Normal"], fonts["body"], latin, 12)
    parts.first_line_indent(styles["Normal"])
    styles["Normal"].paragraph_format.line_spacing = 1.5
    for level, size in ((1, 18), (2, 16), (3, 14)):
        style = styles[f"Heading {level}"]
        parts.set_fonts(style, fonts["heading"], latin, size, bold=level < 3)
        style.font.color.rgb = None
        style.paragraph_format.first_line_indent = Cm(0)
        if level < 3:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts.set_fonts(styles["Caption"], fonts["caption"], latin, 10.5, bold=False)
    styles["Caption"].font.color.rgb = None
    styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts.set_fonts(styles["Title"], fonts["heading"], latin, 26, bold=True)
    for name in ("Title", "Caption", "Header", "Footer"):
        styles[name].paragraph_format.first_line_indent = Cm(0)


def _page(word: Any) -> None:
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("- ")
    parts.field(footer, "PAGE", "1")
    footer.add_run(" -")


def _cover(word: Any, doc: Document) -> None:
    for _ in range(6):
        word.add_paragraph()
    title = word.add_paragraph(doc.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.subtitle:
        sub = word.add_paragraph(doc.subtitle)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sub.paragraph_format.first_line_indent = Cm(0)
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(word: Any, doc: Document, labels: dict[str, str]) -> None:
    head = word.add_paragraph(labels["contents"], style="TOC Heading")
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par = word.add_paragraph()
    par.paragraph_format.first_line_indent = Cm(0)
    shown = "\n".join(("　" * (h.level - 1)) + h.text for h in doc.headings())
    parts.field(par, 'TOC \\o "1-3" \\h \\z \\u', shown)
    word.add_section(WD_SECTION.NEW_PAGE)


def _block(word: Any, doc: Document, block: Any) -> None:
    if isinstance(block, Heading):
        word.add_heading(block.text, level=block.level)
    elif isinstance(block, Paragraph):
        _paragraph(word, block)
    elif isinstance(block, Table):
        _table(word, block)
    elif isinstance(block, Chart):
        _chart(word, block)


def _paragraph(word: Any, block: Paragraph) -> None:
    par = word.add_paragraph()
    for run in block.runs:
        if isinstance(run, NoteRef):
            parts.footnote_ref(par, run.number)
        else:
            par.add_run(run.text)


def _caption(word: Any, kind: str, number: int, title: str) -> None:
    par = word.add_paragraph(style="Caption")
    par.add_run(kind)
    parts.field(par, f"SEQ {kind} \\* ARABIC", str(number))
    par.add_run(f" {title}")


def _table(word: Any, block: Table) -> None:
    _caption(word, "表", block.number, block.title)
    if block.unit:
        unit = word.add_paragraph(block.unit)
        unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        unit.paragraph_format.first_line_indent = Cm(0)
        unit.runs[0].font.size = Pt(9)
    grid = word.add_table(rows=1, cols=len(block.header), style="Table Grid")
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, block.header, strict=True):
        _cell(cell, text, bold=True)
    grid.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    for row in block.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _cell(cell, value.text, right=value.numeric)
    _source(word, block.source)


def _cell(cell: Any, text: str, bold: bool = False, right: bool = False) -> None:
    par = cell.paragraphs[0]
    par.paragraph_format.first_line_indent = Cm(0)
    par.paragraph_format.line_spacing = 1.0
    if right:
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = par.add_run(text)
    run.font.size = Pt(9)
    run.bold = bold or None


def _source(word: Any, text: str) -> None:
    if not text:
        return
    par = word.add_paragraph(text)
    par.paragraph_format.first_line_indent = Cm(0)
    par.runs[0].font.size = Pt(9)


def _chart(word: Any, block: Chart) -> None:
    par = word.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.first_line_indent = Cm(0)
    par.add_run().add_picture(io.BytesIO(block.png), width=Cm(15.5))
    _source(word, block.source)
    _caption(word, "图", block.number, block.title)


def _annex(word: Any, doc: Document, labels: dict[str, str]) -> None:
    word.add_page_break()
    word.add_heading(labels["annex"], level=1)
    intro = word.add_paragraph(labels["annex_intro"])
    intro.runs[0].font.size = Pt(10)
    _source(word, f"{labels['stamp']}：{doc.stamp}")
    header = (
        labels["id"],
        labels["figure"],
        labels["value"],
        labels["dataflow"],
        labels["series"],
        labels["period"],
        labels["vintage"],
        labels["computation"],
    )
    grid = word.add_table(rows=1, cols=len(header), style="Table Grid")
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True)
    for a in lineage.lines(doc):
        how = a.computation + (f"；{a.inputs}" if a.inputs else "")
        values = (
            a.id,
            a.label,
            f"{a.value}{a.unit if a.unit != '位' else ''}",
            a.dataflow,
            a.series,
            a.period,
            a.vintage,
            how,
        )
        for cell, text in zip(grid.add_row().cells, values, strict=True):
            _cell(cell, text)
    for title, items in (
        (labels["omitted"], [f"{s}：{w}" for s, w in doc.omitted]),
        (labels["overrides"], [f"{c}「{t}」：{r}" for c, t, r in doc.overrides]),
    ):
        if items:
            word.add_heading(title, level=3)
            for item in items:
                _source(word, item)
