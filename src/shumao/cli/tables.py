"""Tables of figures on the terminal (numbers are never cut) and the other output formats.

Rich shrinks the widest columns when a table is wider than the terminal and cuts what no
longer fits ("10,47…"). Here every number column is as wide as its widest number (its header
wraps instead), text columns wrap (fold) into what is left, and when even that does not fit
the columns are split over several tables, each repeating the leading text columns (the row
labels), as a printed report continues a wide table on the next page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.table import Table

from shumao.cli.common import console, err_console, fail

if TYPE_CHECKING:
    import polars as pl

MIN_TEXT = 6
"""Narrowest a text column is made (three Chinese characters) before the table is split."""
KEEP_WHOLE = 10
"""Text columns no wider than this (codes, periods, statuses) are not wrapped."""
MAX_KEYS = 2
"""Leading text columns repeated in every part of a split table."""


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    numeric: bool
    cells: list[str]

    @property
    def widest(self) -> int:
        return max((cell_len(c) for c in self.cells), default=1)

    @property
    def whole(self) -> bool:
        """Numbers, and short texts (codes, periods, statuses), are never wrapped."""
        return self.numeric or self.widest <= KEEP_WHOLE

    @property
    def width(self) -> int:
        """Kept whole: its widest cell (at least ``MIN_TEXT`` for the header to wrap into, or
        the header's width when shorter); text: ``MIN_TEXT`` (or less when all cells are)."""
        if self.whole:
            return max(self.widest, min(cell_len(self.header), MIN_TEXT))
        return min(self.widest, MIN_TEXT)


def cell_text(value: Any, digits: int = 2) -> str:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao import output

    if value is None:
        return "—"
    if isinstance(value, float):
        return output.fmt_number(None if value != value else value, digits)
    return str(value)


def frame_columns(
    frame: pl.DataFrame,
    columns: Sequence[tuple[str, str]] | None = None,
    *,
    digits: Mapping[str, int] | None = None,
    limit: int | None = None,
) -> list[Column]:
    """The cells of ``frame`` as text: (column, header) pairs, numbers with their decimals."""
    pairs = list(columns) if columns is not None else [(c, c) for c in frame.columns]
    rows = frame.head(limit) if limit else frame
    out = []
    for name, header in pairs:
        if name not in rows.columns:
            out.append(Column(name, header, False, ["—"] * rows.height))
            continue
        places = (digits or {}).get(name, 2)
        cells = [cell_text(v, places) for v in rows[name].to_list()]
        out.append(Column(name, header, rows.schema[name].is_numeric(), cells))
    return out


def show(columns: Sequence[Column], *, title: str = "", note: str = "") -> None:
    """Print the columns as one table, or as several when they cannot all fit."""
    width = console.width
    compact = _needed(columns, compact=False) > width
    parts = _parts(list(columns), width)
    for i, part in enumerate(parts):
        more = f"{title}（续 continued）" if title and i else title
        console.print(
            _table(part, title=more, note=note if i == len(parts) - 1 else "", compact=compact)
        )


def show_frame(
    frame: pl.DataFrame,
    *,
    title: str = "",
    note: str = "",
    columns: Sequence[tuple[str, str]] | None = None,
    digits: Mapping[str, int] | None = None,
    limit: int | None = None,
) -> None:
    show(frame_columns(frame, columns, digits=digits, limit=limit), title=title, note=note)


def emit(
    frame: pl.DataFrame, fmt: str, out: Path | None, show: Callable[[pl.DataFrame], None]
) -> None:
    """``--format table`` prints with ``show``; csv/json to the terminal or a file; xlsx to a
    file."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao import output

    if fmt == "table":
        show(frame)
        return
    if fmt not in ("csv", "json", "xlsx"):
        raise fail(f"未知格式 / unknown format: {fmt}")
    if out is None:
        if fmt == "xlsx":
            raise fail("xlsx 需要 --output / xlsx needs --output")
        text = (
            frame.write_csv().rstrip("\n")
            if fmt == "csv"
            else json.dumps(frame.to_dicts(), ensure_ascii=False, indent=1)
        )
        console.print(text, soft_wrap=True, markup=False, highlight=False)
        return
    output.write(frame, out, fmt)
    err_console.print(f"已写入 / written: {out} ({frame.height} 行 rows)")


def _needed(columns: Sequence[Column], *, compact: bool = True) -> int:
    """Width of a table of ``columns`` at their least widths. Boxed: padding 2 and one rule
    per column, plus the closing rule; compact: no outer edge, one space of padding and one
    separator between columns."""
    least = sum(c.width for c in columns)
    return least + (3 * len(columns) + 1 if not compact else 2 * (len(columns) - 1))


def _parts(columns: list[Column], width: int) -> list[list[Column]]:
    """The columns in as few tables as fit ``width`` (compact), each starting with the row
    labels: the leading columns up to and including the first text column."""
    if _needed(columns) <= width or len(columns) < 2:
        return [columns]
    keys: list[Column] = []
    for c in columns[:MAX_KEYS]:
        keys.append(c)
        if not c.numeric:
            break
    if all(c.numeric for c in keys):
        keys = []
    parts: list[list[Column]] = []
    current: list[Column] = []
    for c in columns[len(keys) :]:
        if current and _needed([*keys, *current, c]) > width:
            parts.append([*keys, *current])
            current = []
        current.append(c)
    parts.append([*keys, *current])
    return parts


def _table(columns: Sequence[Column], *, title: str, note: str, compact: bool) -> Table:
    style: dict[str, Any] = dict(box=box.HEAVY_HEAD)
    if compact:
        style = dict(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    table = Table(title=title or None, caption=note or None, caption_justify="left", **style)
    for c in columns:
        if c.whole:
            table.add_column(
                c.header, justify="right" if c.numeric else "left", width=c.width, overflow="fold"
            )
        else:
            table.add_column(c.header, justify="left", overflow="fold", min_width=c.width)
    for row in zip(*(c.cells for c in columns), strict=True):
        table.add_row(*row)
    return table
