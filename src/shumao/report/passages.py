"""手写段落 / hand-written passages the team supplies, placed where the template says.

A passage is a Markdown (``.md``/``.txt``) or Word (``.docx``) file in the passages folder:
paragraphs separated by blank lines, ``#``/``##`` headings (levels 2 and 3 of the report),
``[^note]`` for one of the template's footnotes. A ``text_table`` is a CSV (UTF-8) whose first
row is the header: a numbered table of words (表5 of the 2022 report). The builder never edits
a passage; it fact-checks every number in it (``check``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx

from shumao.report.document import (
    Block,
    Cell,
    Document,
    Heading,
    NoteRef,
    Paragraph,
    Run,
    Table,
    Text,
)

if TYPE_CHECKING:
    from shumao.report.assemble import Context

NOTE = re.compile(r"\[\^([A-Za-z0-9_\-]+)\]")
HEADING = re.compile(r"^(#{1,3})\s+(.*)$")


def note_ref(ctx: Context, doc: Document, key: str) -> NoteRef:
    """The template's footnote ``key`` as a reference, numbered in the order notes are first used
    (by a passage or a sentence)."""
    if key not in ctx.note_numbers:
        doc.notes.append(ctx.text(ctx.template.section("notes")[key]))
        ctx.note_numbers[key] = len(doc.notes)
    return NoteRef(ctx.note_numbers[key])


@dataclass
class Passage:
    key: str
    path: Path
    items: list[tuple[str, str]] = field(default_factory=list)
    """("p", text) or ("h2"/"h3", text)."""
    table: list[list[str]] | None = None
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[str]:
        return [text for kind, text in self.items if kind == "p"]

    def blocks(self, doc: Document, ctx: Context) -> list[Block]:
        if self.table is not None:
            return [self._table(doc, ctx)]
        out: list[Block] = []
        for kind, text in self.items:
            if kind == "p":
                out.append(Paragraph(tuple(_runs(text, doc, ctx)), f"passage:{self.key}"))
            else:
                n = len(doc.headings()) + sum(isinstance(b, Heading) for b in out) + 1
                out.append(Heading(int(kind[1]), text, f"h{n}"))
        return out

    def _table(self, doc: Document, ctx: Context) -> Table:
        rows = self.table or [[]]
        number = len(doc.tables()) + 1
        return Table(
            number,
            self.key,
            ctx.text(self.spec.get("title", "")),
            "",
            tuple(rows[0]),
            tuple(tuple(Cell(c) for c in r) for r in rows[1:]),
            ctx.text(self.spec.get("source", "")),
            tuple("" for _ in rows[0]),
        )


def _runs(text: str, doc: Document, ctx: Context) -> list[Run]:
    runs: list[Run] = []
    at = 0
    for m in NOTE.finditer(text):
        if m.start() > at:
            runs.append(Text(text[at : m.start()]))
        runs.append(note_ref(ctx, doc, m.group(1)))
        at = m.end()
    if at < len(text):
        runs.append(Text(text[at:]))
    return runs


def read(key: str, path: Path, spec: dict[str, Any] | None = None) -> Passage:
    """Read a passage file (Markdown, text, Word or, for a text table, CSV)."""
    if path.suffix.lower() == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
        return Passage(key, path, table=rows, spec=spec or {})
    if path.suffix.lower() == ".docx":
        return Passage(key, path, _docx_items(path), spec=spec or {})
    return Passage(
        key, path, _markdown_items(path.read_text(encoding="utf-8-sig")), spec=spec or {}
    )


def _markdown_items(text: str) -> list[tuple[str, str]]:
    items = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln.strip() for ln in chunk.strip().split("\n") if ln.strip()]
        if not lines:
            continue
        head = HEADING.match(lines[0])
        if head and len(lines) == 1:
            items.append((f"h{min(len(head[1]) + 1, 3)}", head[2].strip()))
        else:
            items.append(("p", "".join(lines)))
    return items


def _docx_items(path: Path) -> list[tuple[str, str]]:
    items = []
    for par in docx.Document(str(path)).paragraphs:
        text = par.text.strip()
        if not text:
            continue
        style = (par.style.name if par.style is not None else "").lower()
        level = re.search(r"(?:heading|标题)\s*(\d)", style)
        items.append((f"h{min(int(level[1]) + 1, 3)}", text) if level else ("p", text))
    return items
