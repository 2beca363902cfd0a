"""模板 + 数据 → 文档 / resolve the template against the data into a ``Document``.

Sentences are rendered (a sentence whose number is missing is left out and recorded in
``Document.omitted``), tables and charts are numbered in order of appearance (表1…, 图1…),
hand-written passages are placed where the body says, footnotes are numbered at first use.
Pure: the store has been read already (``data``) and charts come from ``charts.draw``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shumao.reference import geo
from shumao.report import charts as charting
from shumao.report import sentences as sn
from shumao.report.data import Row, Rows
from shumao.report.document import (
    Cell,
    Chart,
    Document,
    Heading,
    Num,
    Paragraph,
    Run,
    Table,
    Text,
)
from shumao.report.passages import Passage, note_ref
from shumao.report.template import Template

log = logging.getLogger(__name__)


@dataclass
class Context:
    template: Template
    data: dict[str, Rows]
    year: int
    lang: str
    passages: dict[str, Passage] = field(default_factory=dict)
    draw: Callable[..., tuple[str, bytes]] = charting.draw
    note_numbers: dict[str, int] = field(default_factory=dict)

    def text(self, node: Any) -> str:
        y = self.year
        return self.template.text(node, self.lang, year=y, year_1=y - 1, year_2=y - 2)


def assemble(ctx: Context) -> Document:
    t = ctx.template
    doc = Document(ctx.text(t.raw["title"]), ctx.text(t.raw.get("subtitle", "")), ctx.lang)
    renderer = sn.Renderer(ctx.data, year=ctx.year, lang=ctx.lang)
    for block in t.raw["body"]:
        kind = next(iter(block))
        if kind == "heading":
            n = len(doc.headings()) + 1
            doc.blocks.append(
                Heading(int(block.get("level", 2)), ctx.text(block["heading"]), f"h{n}")
            )
        elif kind == "paragraph":
            ids = (
                block["paragraph"] if isinstance(block["paragraph"], list) else [block["paragraph"]]
            )
            _paragraph(ctx, doc, renderer, ids)
        elif kind == "table":
            doc.blocks.append(table(ctx, doc, block["table"]))
        elif kind == "chart":
            doc.blocks.append(chart(ctx, doc, block["chart"]))
        elif kind in ("passage", "text_table"):
            doc.blocks.extend(ctx.passages[_passage_key(block)].blocks(doc, ctx))
    return doc


def _passage_key(block: dict[str, Any]) -> str:
    return str(block.get("passage") or block.get("text_table"))


def _paragraph(ctx: Context, doc: Document, renderer: sn.Renderer, ids: list[str]) -> None:
    runs: list[Run] = []
    sentences = ctx.template.section("sentences")
    for sid in ids:
        source = ctx.text(sentences[sid])
        try:
            text, scope = renderer.render(source)
        except sn.Missing as exc:
            doc.omitted.append((sid, str(exc)))
            log.warning("sentence %s left out: %s", sid, exc)
            continue
        if runs and ctx.lang == "en":
            runs.append(Text(" "))
        runs += runs_of(text, scope, doc, ctx)
    if runs:
        doc.blocks.append(Paragraph(tuple(runs), "sentence:" + ",".join(ids)))


def runs_of(text: str, scope: sn.Scope, doc: Document, ctx: Context) -> list[Run]:
    """Split a rendered sentence into text, numbers (registered as F1…) and note references."""
    runs: list[Run] = []
    at = 0
    for m in sn.RUN.finditer(text):
        if m.start() > at:
            runs.append(Text(text[at : m.start()]))
        if m.group(3):
            runs.append(note_ref(ctx, doc, m.group(3)))
        else:
            runs.append(Num(m.group(2), doc.add_figure(scope.figures[m.group(1)])))
        at = m.end()
    if at < len(text):
        runs.append(Text(text[at:]))
    return runs


# --------------------------------------------------------------------------- tables


def _cell(doc: Document, row: Row, name: str, digits: int | None) -> Cell:
    if name == "name":
        return Cell(row.name)
    fig = row.get(name)
    if fig is None or fig.missing:
        return Cell("—", numeric=True)
    d = fig.digits if digits is None else digits
    return Cell(sn.fmt(fig.value, d), doc.add_figure(fig), True)  # type: ignore[arg-type]


def table(ctx: Context, doc: Document, key: str) -> Table:
    spec = ctx.template.section("tables")[key]
    rows = ctx.data[spec["data"]]
    columns = spec["columns"]
    chosen = _rows(rows, spec)
    body = tuple(tuple(_cell(doc, r, c["field"], c.get("digits")) for c in columns) for r in chosen)
    y, first = ctx.year, chosen[0].period if chosen else str(ctx.year)
    title = ctx.template.text(
        spec["title"], ctx.lang, year=y, year_1=y - 1, year_2=y - 2, first=first
    )
    return Table(
        len(doc.tables()) + 1,
        key,
        title,
        ctx.text(spec.get("unit", "")),
        tuple(
            ctx.text({"zh": c.get("zh", c["field"]), "en": c.get("en", c["field"])})
            for c in columns
        ),
        body,
        ctx.text(spec.get("source", "")),
        tuple("" if c["field"] == "name" else c["field"] for c in columns),
    )


def _rows(rows: Rows, spec: dict[str, Any]) -> list[Row]:
    codes = spec.get("rows")
    chosen = rows.only(codes) if codes else list(rows)
    region = spec.get("region")
    if region:
        members = {
            p
            for r in ([region] if isinstance(region, str) else region)
            for p in geo.lookup_region(r).provinces
        }
        chosen = [r for r in chosen if r.code in members]
    return chosen


# --------------------------------------------------------------------------- charts


def chart(ctx: Context, doc: Document, key: str) -> Chart:
    spec = ctx.template.section("charts")[key]
    rows = _rows(ctx.data[spec["data"]], spec)
    bars = spec.get("bar") or []
    bars = [bars] if isinstance(bars, str) else list(bars)
    lines = [spec["line"]] if spec.get("line") else []
    fields = ctx.data[spec["data"]].fields
    first = rows[0].period if rows else str(ctx.year)
    title = ctx.template.text(spec["title"], ctx.lang, year=ctx.year, first=first)
    names = [ctx.text({"zh": _FLOW_ZH.get(fields[b].flow, b), "en": fields[b].flow}) for b in bars]
    plot = charting.Plot(
        kind=spec.get("kind", "bar"),
        categories=[r.name for r in rows],
        bars=[[_value(r, b) for r in rows] for b in bars],
        bar_names=names,
        line=[_value(r, lines[0]) for r in rows] if lines else [],
        bar_label=ctx.text(spec.get("bar_label", "")),
        line_label=ctx.text(spec.get("line_label", "")),
        lang=ctx.lang,
    )
    svg, png = ctx.draw(plot)
    header = (
        ctx.text({"zh": "类别", "en": "Category"}),
        *names,
        *([ctx.text(spec.get("line_label", ""))] if lines else []),
    )
    body = tuple((Cell(r.name), *(_cell(doc, r, f, None) for f in [*bars, *lines])) for r in rows)
    return Chart(
        len(doc.charts()) + 1,
        key,
        title,
        ctx.text(spec.get("source", "")),
        svg,
        png,
        header,
        body,
        ctx.text(spec.get("bar_label", "")),
    )


_FLOW_ZH = {"T": "进出口", "X": "出口", "M": "进口", "B": "顺差", "OUTPUT": "产值"}


def _value(row: Row, name: str) -> float | None:
    fig = row.get(name)
    return None if fig is None or fig.missing else fig.value
