"""The evaluation of a base as a Word document and a workbook, in Chinese, ready to attach to
a 函: the verdict, every criterion with its value, threshold, outcome, margin and evidence
(source, dataflow, vintage, exchange rate), what would change the verdict, the override and
its reason, and for a re-review the targets and the due date."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import xlsxwriter
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from shumao.bases import evaluate, registry, rules
from shumao.bases.evaluate import Evaluation, Outcome
from shumao.bases.targets import TargetCheck

FONT = "Noto Sans CJK SC"
HEAD = ("项目", "年度", "数值", "门槛", "结论", "差额", "依据")


def criterion_name(code: str) -> str:
    for c in rules.checklist():
        if c.code == code:
            return f"{c.section} {c.zh}"
    t = rules.threshold(code)
    return f"{t.section} {t.zh}（{t.unit}）"


def _num(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:,.2f}{(' ' + unit) if unit else ''}"


def rows(ev: Evaluation) -> list[tuple[str, ...]]:
    """One line per criterion, as the table shows it."""
    out: list[tuple[str, ...]] = []
    for o in ev.outcomes:
        zh = evaluate.OUTCOME_TEXT[o.outcome][0]
        value = _value_text(o)
        basis = "；".join(_evidence_text(e) for e in o.evidence) or (
            f"评审：{o.decision}" if o.kind == "checklist" else "无"
        )
        out.append(
            (
                criterion_name(o.code),
                o.year or "—",
                value,
                _num(o.threshold, o.unit),
                zh,
                _num(o.margin),
                basis + (f"；{o.reason_zh}" if o.reason_zh else ""),
            )
        )
    return out


def _value_text(o: Outcome) -> str:
    if o.kind == "checklist":
        return {"accepted": "已认可", "rejected": "不认可"}.get(o.decision, "待评审")
    prefix = {"lower": "≥", "upper": "≤"}.get(o.bound, "")
    if o.value is None and (o.low is not None or o.high is not None):
        return f"[{_num(o.low)}, {_num(o.high)}]"
    return prefix + _num(o.value)


def _evidence_text(e: evaluate.Evidence) -> str:
    parts = [e.source_zh]
    if e.dataflow:
        parts.append(f"数据流 {e.dataflow} 序列 {e.series} 版本 {e.vintage_id}")
    if e.original:
        parts.append(f"原值 {e.original}")
    if e.rate_note:
        parts.append(f"按{e.rate_note}折算")
    if e.note_zh:
        parts.append(e.note_zh)
    return "，".join(parts)


def _font(doc: object) -> None:
    style = doc.styles["Normal"]  # type: ignore[attr-defined]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def docx(
    ev: Evaluation,
    base: registry.Base,
    *,
    what_if: Sequence[evaluate.WhatIf] = (),
    targets: Sequence[TargetCheck] = (),
    due: date | None = None,
) -> bytes:
    doc = Document()
    _font(doc)
    kind = "复审说明表" if ev.kind == "rereview" else "申报条件审核表"
    doc.add_heading(f"国家数字服务出口基地{kind}", level=1)
    doc.add_paragraph(
        f"基地：{base.name_zh}（{base.code}）　地区：{rules.group_name(ev.group)}　"
        f"年度：{'、'.join(ev.years)}"
    )
    doc.add_paragraph(f"依据：{rules.notice_number()}（条件版本 {ev.criteria_version}）")
    if due:
        doc.add_paragraph(f"复审日期：{due.isoformat()}（遇法定节假日顺延至下一个工作日）")
    doc.add_paragraph(f"结论：{ev.verdict_text()}")
    if ev.overridden:
        doc.add_paragraph(
            f"适用{rules.special_potential()['section']}特殊潜力条款，理由：{ev.override_reason}"
        )
    table = doc.add_table(rows=1, cols=len(HEAD))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEAD, strict=True):
        cell.text = text
    for line in rows(ev):
        for cell, text in zip(table.add_row().cells, line, strict=True):
            cell.text = text
    if what_if:
        doc.add_heading("改变结论所需", level=2)
        for w in what_if:
            doc.add_paragraph(
                f"{criterion_name(w.code)} {w.year}：{w.needed_zh}；仅此项达标时结论为"
                f"“{evaluate.VERDICT_TEXT[ev.kind][w.verdict_if_fixed][0]}”",
                style="List Bullet",
            )
    if targets:
        doc.add_heading("发展目标", level=2)
        for t in targets:
            doc.add_paragraph(f"{t.year} 年 {t.target.name_zh}：{t.note_zh}", style="List Bullet")
    doc.add_paragraph(
        "数据来源：商务部《中国数字贸易发展报告2022》、企业直报、服务外包统计名录、申报材料。"
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def xlsx(
    ev: Evaluation,
    base: registry.Base,
    *,
    what_if: Sequence[evaluate.WhatIf] = (),
    targets: Sequence[TargetCheck] = (),
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "font_name": FONT})
    text = book.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("评审结果")
    sheet.write_row(
        0, 0, [f"{base.name_zh}（{base.code}）", ev.verdict_text(), rules.notice_number()], bold
    )
    sheet.write_row(2, 0, HEAD, bold)
    for i, line in enumerate(rows(ev), start=3):
        sheet.write_row(i, 0, line, text)
    sheet.set_column(0, 0, 44)
    sheet.set_column(6, 6, 90)
    evidence = book.add_worksheet("依据")
    evidence.write_row(
        0,
        0,
        ("项目", "年度", "数值", "界", "来源", "数据流", "序列", "版本", "原值", "汇率", "说明"),
        bold,
    )
    at = 1
    for o in ev.outcomes:
        for e in o.evidence:
            evidence.write_row(
                at,
                0,
                (
                    o.code,
                    e.year,
                    e.value,
                    e.bound,
                    e.source_zh,
                    e.dataflow,
                    e.series,
                    e.vintage_id or "",
                    e.original,
                    e.rate or "",
                    e.note_zh,
                ),
                text,
            )
            at += 1
    if what_if:
        sheet2 = book.add_worksheet("推演")
        sheet2.write_row(0, 0, ("项目", "年度", "现状", "所需", "仅此项达标时结论"), bold)
        for i, w in enumerate(what_if, start=1):
            sheet2.write_row(
                i,
                0,
                (
                    w.code,
                    w.year,
                    evaluate.OUTCOME_TEXT[w.outcome][0],
                    w.needed_zh,
                    evaluate.VERDICT_TEXT[ev.kind][w.verdict_if_fixed][0],
                ),
                text,
            )
    if targets:
        sheet3 = book.add_worksheet("发展目标")
        sheet3.write_row(0, 0, ("年度", "目标", "比重(%)", "是否达到", "说明"), bold)
        for i, t in enumerate(targets, start=1):
            reached = {True: "达到", False: "未达到", None: "无法判断"}[t.reached]
            sheet3.write_row(
                i,
                0,
                (
                    t.year,
                    t.target.name_zh,
                    t.share if t.share is not None else "—",
                    reached,
                    t.note_zh,
                ),
                text,
            )
    book.close()
    return buffer.getvalue()
