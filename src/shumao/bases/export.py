"""The evaluation of a base as the scorecard's lines, a Word document and a workbook, in
Chinese (the documents ready to attach to a 函) or, for the English view, in English, like the
project's other downloads: the verdict, every criterion with its value, threshold, outcome,
margin and evidence (source, dataflow, vintage, exchange rate), what would change the verdict,
the override and its reason, and for a re-review the targets and the due date. A text an
official typed (a reviewer's note, a declared figure's statement) stays as typed."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

import xlsxwriter
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from shumao.bases import evaluate, registry, rules
from shumao.bases.evaluate import Evaluation, Outcome
from shumao.bases.targets import TargetCheck
from shumao.labels import pick

FONT = "Noto Sans CJK SC"
HEAD = ("项目", "年度", "数值", "门槛", "结论", "差额", "依据")
HEAD_EN = ("Criterion", "Year", "Value", "Threshold", "Outcome", "Margin", "Evidence")
EVIDENCE_HEAD = (
    "项目",
    "年度",
    "数值",
    "界",
    "来源",
    "数据流",
    "序列",
    "版本",
    "原值",
    "汇率",
    "说明",
)
EVIDENCE_HEAD_EN = (
    "Criterion",
    "Year",
    "Value",
    "Bound",
    "Source",
    "Dataflow",
    "Series",
    "Vintage",
    "As stored",
    "Rate",
    "Note",
)
KIND_TEXT = {
    "application": ("申报条件审核表", "application check"),
    "rereview": ("复审说明表", "re-review sheet"),
}
REACHED = {
    True: ("达到", "reached"),
    False: ("未达到", "not reached"),
    None: ("无法判断", "cannot tell"),
}
SOURCES = (
    "数据来源：商务部《中国数字贸易发展报告2022》、企业直报、服务外包统计名录、申报材料。",
    "Sources: MOFCOM, China Digital Trade Development Report 2022; enterprise direct reporting; "
    "the service-outsourcing statistics roster; application materials.",
)


def criterion_name(code: str, lang: str = "zh") -> str:
    for c in rules.checklist():
        if c.code == code:
            return f"{rules.section_name(c.section, lang)} {c.text(lang)}"
    t = rules.threshold(code)
    if lang == "en":
        return f"{rules.section_name(t.section, lang)} {t.en} ({rules.unit_name(t.unit, lang)})"
    return f"{t.section} {t.zh}（{t.unit}）"


DECISION_TEXT = {
    "accepted": ("已认可", "accepted"),
    "rejected": ("不认可", "not accepted"),
    "pending": ("待评审", "pending review"),
}


def decision_text(decision: str, lang: str = "zh") -> str:
    """A reviewer's decision on a checklist item; anything but accepted or rejected waits."""
    return pick(*DECISION_TEXT.get(decision, DECISION_TEXT["pending"]), lang)


def _num(value: float | None, unit: str = "", lang: str = "zh") -> str:
    unit = rules.unit_name(unit, lang)
    return "—" if value is None else f"{value:,.2f}{(' ' + unit) if unit else ''}"


def rows(ev: Evaluation, lang: str = "zh") -> list[tuple[str, ...]]:
    """One line per criterion, as the table shows it, in ``lang``."""
    out: list[tuple[str, ...]] = []
    for o in ev.outcomes:
        basis = pick("；", "; ", lang).join(_evidence_text(e, lang) for e in o.evidence) or (
            f"{pick('评审', 'review', lang)}{pick('：', ': ', lang)}{decision_text(o.decision, lang)}"
            if o.kind == "checklist"
            else pick("无", "none", lang)
        )
        reason = pick(o.reason_zh, o.reason_en, lang)
        out.append(
            (
                criterion_name(o.code, lang),
                o.year or "—",
                _value_text(o, lang),
                _num(o.threshold, o.unit, lang),
                pick(*evaluate.OUTCOME_TEXT[o.outcome], lang),
                _num(o.margin),
                basis + (f"{pick('；', '; ', lang)}{reason}" if reason else ""),
            )
        )
    return out


def _value_text(o: Outcome, lang: str = "zh") -> str:
    if o.kind == "checklist":
        return decision_text(o.decision, lang)
    prefix = {"lower": "≥", "upper": "≤"}.get(o.bound, "")
    if o.value is None and (o.low is not None or o.high is not None):
        return f"[{_num(o.low)}, {_num(o.high)}]"
    return prefix + _num(o.value)


def original_text(original: str, lang: str = "zh") -> str:
    """A figure as stored or declared ("24.63 亿美元") with its unit in ``lang``."""
    figure, _, unit = original.rpartition(" ")
    return f"{figure} {rules.unit_name(unit, lang)}" if figure else original


def evidence_shown(e: evaluate.Evidence, lang: str = "zh") -> dict[str, str]:
    """A piece of evidence's texts in ``lang``, for the page (a statement an official typed
    stays as typed)."""
    return {
        "source": pick(e.source_zh, e.source_en, lang),
        "original": original_text(e.original, lang),
        "rate_note": pick(e.rate_note, e.rate_note_en, lang),
        "note": pick(e.note_zh, e.note_en, lang),
    }


def _evidence_text(e: evaluate.Evidence, lang: str = "zh") -> str:
    shown = evidence_shown(e, lang)
    parts = [shown["source"]]
    if e.dataflow:
        parts.append(
            pick(
                f"数据流 {e.dataflow} 序列 {e.series} 版本 {e.vintage_id}",
                f"dataflow {e.dataflow} series {e.series} vintage {e.vintage_id}",
                lang,
            )
        )
    if e.original:
        parts.append(pick(f"原值 {e.original}", f"as stored {shown['original']}", lang))
    if e.rate_note:
        parts.append(pick(f"按{e.rate_note}折算", f"converted at {shown['rate_note']}", lang))
    if shown["note"]:
        parts.append(shown["note"])
    return pick("，", ", ", lang).join(parts)


def _heads(zh: tuple[str, ...], en: tuple[str, ...], lang: str) -> tuple[str, ...]:
    return en if lang == "en" else zh


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
    lang: str = "zh",
) -> bytes:
    doc = Document()
    _font(doc)
    zh, en = KIND_TEXT.get(ev.kind, KIND_TEXT["application"])
    doc.add_heading(
        pick(f"国家数字服务出口基地{zh}", f"National digital service export base: {en}", lang),
        level=1,
    )
    doc.add_paragraph(
        pick(
            f"基地：{base.name_zh}（{base.code}）　地区：{rules.group_name(ev.group)}　"
            f"年度：{'、'.join(ev.years)}",
            f"Base: {base.name_en} ({base.code})   Region: {rules.group_name(ev.group, lang)}   "
            f"Years: {', '.join(ev.years)}",
            lang,
        )
    )
    doc.add_paragraph(
        pick(
            f"依据：{rules.notice_number()}（条件版本 {ev.criteria_version}）",
            f"Under {rules.notice_cited(lang)} (criteria version {ev.criteria_version})",
            lang,
        )
    )
    if due:
        doc.add_paragraph(
            pick(
                f"复审日期：{due.isoformat()}（遇法定节假日顺延至下一个工作日）",
                f"Re-review date: {due.isoformat()} (an official holiday moves it to the next "
                "working day)",
                lang,
            )
        )
    doc.add_paragraph(pick(f"结论：{ev.verdict_text()}", f"Verdict: {ev.verdict_text(lang)}", lang))
    if ev.overridden:
        section = rules.special_potential()["section"]
        doc.add_paragraph(
            pick(
                f"适用{section}特殊潜力条款，理由：{ev.override_reason}",
                f"The special-potential clause {rules.section_name(section, lang)} applied; "
                f"reason: {ev.override_reason}",
                lang,
            )
        )
    head = _heads(HEAD, HEAD_EN, lang)
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
    for line in rows(ev, lang):
        for cell, text in zip(table.add_row().cells, line, strict=True):
            cell.text = text
    if what_if:
        doc.add_heading(pick("改变结论所需", "What would change the verdict", lang), level=2)
        for w in what_if:
            verdict = pick(*evaluate.VERDICT_TEXT[ev.kind][w.verdict_if_fixed], lang)
            doc.add_paragraph(
                pick(
                    f"{criterion_name(w.code)} {w.year}：{w.needed_zh}；仅此项达标时结论为"
                    f"“{verdict}”",
                    f"{criterion_name(w.code, lang)}{f' {w.year}' if w.year else ''}: "
                    f"{w.needed_en}; were this alone met, the verdict would be “{verdict}”",
                    lang,
                ),
                style="List Bullet",
            )
    if targets:
        doc.add_heading(pick("发展目标", "Targets", lang), level=2)
        for t in targets:
            doc.add_paragraph(
                pick(
                    f"{t.year} 年 {t.target.name_zh}：{t.note_zh}",
                    f"{t.year} {t.target.name_en}: {t.note_en}",
                    lang,
                ),
                style="List Bullet",
            )
    doc.add_paragraph(pick(*SOURCES, lang))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def xlsx(
    ev: Evaluation,
    base: registry.Base,
    *,
    what_if: Sequence[evaluate.WhatIf] = (),
    targets: Sequence[TargetCheck] = (),
    lang: str = "zh",
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "font_name": FONT})
    text = book.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(pick("评审结果", "Evaluation", lang))
    sheet.write_row(
        0,
        0,
        [
            pick(f"{base.name_zh}（{base.code}）", f"{base.name_en} ({base.code})", lang),
            ev.verdict_text(lang),
            rules.notice_number(lang),
        ],
        bold,
    )
    sheet.write_row(2, 0, _heads(HEAD, HEAD_EN, lang), bold)
    for i, line in enumerate(rows(ev, lang), start=3):
        sheet.write_row(i, 0, line, text)
    sheet.set_column(0, 0, 44)
    sheet.set_column(6, 6, 90)
    _table_sheet(
        book,
        pick("依据", "Evidence", lang),
        _heads(EVIDENCE_HEAD, EVIDENCE_HEAD_EN, lang),
        _evidence_lines(ev, lang),
        bold,
        text,
    )
    if what_if:
        _table_sheet(
            book,
            pick("推演", "What-if", lang),
            _heads(
                ("项目", "年度", "现状", "所需", "仅此项达标时结论"),
                ("Criterion", "Year", "Now", "Needed", "Verdict were this alone met"),
                lang,
            ),
            [
                (
                    w.code,
                    w.year,
                    pick(*evaluate.OUTCOME_TEXT[w.outcome], lang),
                    pick(w.needed_zh, w.needed_en, lang),
                    pick(*evaluate.VERDICT_TEXT[ev.kind][w.verdict_if_fixed], lang),
                )
                for w in what_if
            ],
            bold,
            text,
        )
    if targets:
        _table_sheet(
            book,
            pick("发展目标", "Targets", lang),
            _heads(
                ("年度", "目标", "比重(%)", "是否达到", "说明"),
                ("Year", "Target", "Share (%)", "Reached", "Note"),
                lang,
            ),
            [
                (
                    t.year,
                    t.target.name(lang),
                    t.share if t.share is not None else "—",
                    pick(*REACHED[t.reached], lang),
                    pick(t.note_zh, t.note_en, lang),
                )
                for t in targets
            ],
            bold,
            text,
        )
    book.close()
    return buffer.getvalue()


def _table_sheet(
    book: xlsxwriter.Workbook,
    name: str,
    heads: Sequence[object],
    lines: Iterable[Sequence[object]],
    bold: object,
    text: object,
) -> None:
    """A worksheet ``name``: ``heads`` in bold on its first row, one row per line below."""
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, heads, bold)
    for i, line in enumerate(lines, start=1):
        sheet.write_row(i, 0, line, text)


def _evidence_lines(ev: Evaluation, lang: str) -> Iterator[tuple[object, ...]]:
    """One line per piece of evidence of every criterion, in the view's language."""
    for o in ev.outcomes:
        for e in o.evidence:
            shown = evidence_shown(e, lang)
            yield (
                o.code,
                e.year,
                e.value,
                e.bound,
                shown["source"],
                e.dataflow,
                e.series,
                e.vintage_id or "",
                shown["original"],
                e.rate or "",
                shown["note"],
            )
