"""The section tree of a policy document, so that search can answer with the section.

Headings, by level (a heading opens its section and closes any open section of the same or a
deeper level)::

    0  综述篇——…  实践篇——…  前言  附件…            parts of a report, the preface, annexes
    1  一、…                                       Chinese numeral with 、
    2  （一）…                                     Chinese numeral in brackets
    3  1. … / 1、…                                 Arabic numeral with a stop
    4  （1）…                                      Arabic numeral in brackets
    5  专栏 8：…                                   a box inside the current section

A heading is often the first sentence of its paragraph (（七）强化……监管。完善……): the heading
text is the paragraph up to its first 。 (at most 40 characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(r"^(?:[\u4e00-\u9fff]{2,4}篇)(?=——|—|\s|$)|^前言$|^附件(?=[：:\d]|$)")),
    (1, re.compile(r"^[一二三四五六七八九十百]{1,3}、")),
    (2, re.compile(r"^（[一二三四五六七八九十]{1,3}）")),
    (3, re.compile(r"^\d{1,2}(?:[.．](?!\d)|、)")),
    (4, re.compile(r"^（\d{1,2}）")),
    (5, re.compile(r"^专栏\s*\d{1,2}[：:]")),
)
MAX_HEADING = 40


@dataclass
class Section:
    ordinal: int
    level: int
    label: str
    """The numbering as printed: 三、 / （七） / 1. / 专栏8： (empty for a report part)."""
    heading: str
    parent: int | None
    first: int
    """Index of the heading paragraph."""
    last: int
    """Index of the last paragraph in the section (its subsections included)."""
    path: str = ""


def heading_level(par: str) -> tuple[int, str] | None:
    """(level, label) when ``par`` opens a section."""
    for level, pattern in _PATTERNS:
        if m := pattern.match(par):
            label = m.group() if level else ""
            if level == 3 and len(par) > 200:  # a numbered clause, not a heading
                return None
            return level, label
    return None


def _heading_text(par: str) -> str:
    first = re.split(r"(?<=。)", par, maxsplit=1)[0].rstrip("。")
    return first if len(first) <= MAX_HEADING else first[:MAX_HEADING] + "……"


def parse(pars: list[str]) -> tuple[list[Section], list[int | None]]:
    """The sections (in order) and, for each paragraph, the ordinal of its innermost section."""
    sections: list[Section] = []
    open_: list[Section] = []
    owner: list[int | None] = []
    for i, par in enumerate(pars):
        found = heading_level(par)
        if found:
            level, label = found
            while open_ and open_[-1].level >= level:
                open_.pop()
            parent = open_[-1].ordinal if open_ else None
            section = Section(len(sections), level, label, _heading_text(par), parent, i, i)
            section.path = " › ".join([*(s.heading for s in open_), section.heading])
            sections.append(section)
            open_.append(section)
        for section in open_:
            section.last = i
        owner.append(open_[-1].ordinal if open_ else None)
    return sections, owner


def tree_lines(sections: list[Section]) -> list[str]:
    """The tree as indented lines, for display."""
    depth: dict[int, int] = {}
    lines = []
    for s in sections:
        depth[s.ordinal] = depth[s.parent] + 1 if s.parent is not None else 0
        lines.append("  " * depth[s.ordinal] + s.heading)
    return lines
