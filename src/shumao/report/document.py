"""文档模型 / the built report as data, before any format: what every renderer draws.

The builder resolves the template against the data into a ``Document``: a flat list of blocks
(headings, paragraphs of runs, numbered tables and charts, the contents, the annex). A run is
plain text, a number (``Num``: its text and the id of its figure, F1…) or a footnote reference.
HTML, PDF, DOCX and XLSX are each a function of this one object, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shumao.report.figures import Figure


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Num:
    text: str
    figure: str
    """The figure's id in ``Document.figures`` (F1, F2 …)."""


@dataclass(frozen=True)
class NoteRef:
    number: int


Run = Text | Num | NoteRef


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    origin: str = ""
    """``sentence:<id>…`` for generated text, ``passage:<id>`` for hand-written text."""

    @property
    def text(self) -> str:
        return "".join(r.text if not isinstance(r, NoteRef) else "" for r in self.runs)


@dataclass(frozen=True)
class Cell:
    text: str
    figure: str = ""
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    number: int
    key: str
    title: str
    unit: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    source: str
    fields: tuple[str, ...] = ()
    """The data field of each column ("" for a name column)."""

    @property
    def caption(self) -> str:
        return f"表{self.number} {self.title}"


@dataclass(frozen=True)
class Chart:
    number: int
    key: str
    title: str
    source: str
    svg: str
    png: bytes
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    unit: str

    @property
    def caption(self) -> str:
        return f"图{self.number} {self.title}"


Block = Heading | Paragraph | Table | Chart


@dataclass
class Document:
    title: str
    subtitle: str
    lang: str
    blocks: list[Block] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """Footnote texts; ``NoteRef(n)`` refers to ``notes[n - 1]``."""
    omitted: list[tuple[str, str]] = field(default_factory=list)
    """Sentences left out: (sentence id, why)."""
    overrides: list[tuple[str, str, str]] = field(default_factory=list)
    """Claims published despite failing the fact-check: (claim id, claim text, reason)."""
    stamp: str = ""
    """Template version and the vintages read: the same stamp means the same numbers."""

    def add_figure(self, fig: Figure) -> str:
        for key, known in self.figures.items():
            if known == fig:
                return key
        key = f"F{len(self.figures) + 1}"
        self.figures[key] = fig
        return key

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]
