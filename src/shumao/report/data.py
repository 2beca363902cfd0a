"""报告数据 / the data a report is built from: rows of figures read from the store.

``Reader`` reads observations for one build (every read capped at the same ``as_of``) and turns
each into a ``Figure`` with its lineage. A data source (``sources``) returns ``Rows``: ordered
rows (an economy, a province, a base, a year), each a name, a code, a period and figures by
field. What a field *means* (``Field``: the flow it measures and the kind of claim — a level, a
growth rate, a share, a rank) is declared with the rows, so that the fact-check can match a
sentence's claim ("上海……全国占比 26.45%") to the figure that supports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Engine

from shumao.query import select
from shumao.reference import names
from shumao.report.figures import Figure, Lineage
from shumao.storage.tables import DIMENSIONS

KINDS = ("level", "growth", "share", "share_world", "rank", "growth_total", "cagr", "change")


@dataclass(frozen=True)
class Field:
    """What a column of rows measures: ``flow`` (T/X/M/B/OUTPUT) and ``kind`` (``KINDS``)."""

    name: str
    flow: str
    kind: str
    unit: str
    digits: int = 2
    since: str = ""
    """For growth over a span and CAGR: the first period (the row's period is the last)."""


@dataclass
class Row:
    code: str
    name: str
    period: str
    figures: dict[str, Figure] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Figure:
        try:
            return self.__dict__["figures"][name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str) -> Figure | None:
        return self.figures.get(name)


@dataclass
class Rows:
    """A data source's answer: rows in display order and the meaning of their fields."""

    name: str
    rows: list[Row]
    fields: dict[str, Field]
    source_zh: str = ""
    source_en: str = ""
    topic: str = "dd"
    """What the figures are about, for the fact-check (``claims.TOPICS``)."""

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getattr__(self, code: str) -> Row:
        """``table2.上海`` or ``china.CHN``: a row by code or name (for sentence templates)."""
        if code.startswith("_"):
            raise AttributeError(code)
        found = self.row(code)
        if found is None:
            raise AttributeError(code)
        return found

    def __getitem__(self, code: str) -> Row:
        found = self.row(code)
        if found is None:
            raise KeyError(code)
        return found

    def row(self, code: str, period: str | None = None) -> Row | None:
        return next(
            (
                r
                for r in self.rows
                if code in (r.code, r.name) and (period is None or r.period == period)
            ),
            None,
        )

    def at(self, period: object) -> Row | None:
        """The row of a period (series rows)."""
        return next((r for r in self.rows if r.period == str(period)), None)

    def top(self, n: int, by: str, codes: Sequence[str] | None = None) -> list[Row]:
        """The ``n`` rows with the largest ``by`` (only ``codes`` when given)."""
        pool = [
            r
            for r in self.rows
            if r.get(by) is not None
            and not r.figures[by].missing
            and (codes is None or r.code in codes)
        ]
        return sorted(pool, key=lambda r: -(r.figures[by].value or 0.0))[:n]

    def only(self, codes: Sequence[str]) -> list[Row]:
        return [r for code in codes for r in self.rows if r.code == code]


def area_name(code: str, lang: str = "zh") -> str:
    """A code's name as the report prints it (上海, 美国, 东部地区, 齐鲁软件园)."""
    zh, en = _names(code)
    return en if lang == "en" else zh


def _names(code: str) -> tuple[str, str]:
    return names.area_names(code, short=True) or (code, code)


def decimals(value: float) -> int:
    """Decimals of a value as written (0.1 → 1, 2105.37 → 2), at most 6."""
    text = repr(float(value))
    if "e" in text:
        return 6
    return min(len(text.split(".")[1].rstrip("0")), 6)


FLOW_WORDS = {
    "T": ("进出口", "total trade"),
    "X": ("出口", "exports"),
    "M": ("进口", "imports"),
    "B": ("顺差", "balance"),
    "OUTPUT": ("产值", "output"),
}


class Reader:
    """Reads the store for one build; every read is capped at ``as_of`` (a vintage or a date)."""

    def __init__(
        self, engine: Engine, *, as_of: int | datetime | None = None, lang: str = "zh"
    ) -> None:
        self.engine = engine
        self.as_of = as_of
        self.lang = lang
        self._frames: dict[tuple[Any, ...], pl.DataFrame] = {}

    def frame(
        self,
        dataflow: str,
        *,
        where: Mapping[str, Sequence[str]] | None = None,
        start: str | None = None,
        end: str | None = None,
        unit: str | None = None,
    ) -> pl.DataFrame:
        key = (
            dataflow,
            tuple(sorted((k, tuple(v)) for k, v in (where or {}).items())),
            start,
            end,
            unit,
        )
        if key not in self._frames:
            self._frames[key] = select(
                self.engine,
                dataflow,
                where=where,
                start=start,
                end=end,
                as_of=self.as_of,
                unit=unit,
            )
        return self._frames[key]

    def figures(
        self, frame: pl.DataFrame, dataflow: str, unit: str, digits: int = 2
    ) -> dict[tuple[str, ...], Figure]:
        """Every row of ``frame`` as a figure, keyed by (ref_area, flow, indicator, period).

        A figure's published precision is the most decimals any value of the same load and
        column has (the float 10.6 was printed 10.60 beside 21.41 in 表3)."""
        out: dict[tuple[str, ...], Figure] = {}
        places: dict[tuple[object, object], int] = {}
        for row in frame.iter_rows(named=True):
            if row["value"] is not None:
                load = (row.get("vintage_id"), row.get("attrs"))
                places[load] = max(places.get(load, 0), decimals(float(row["value"])))
        for row in frame.iter_rows(named=True):
            codes = tuple(str(row[d]) for d in DIMENSIONS)
            lineage = Lineage(dataflow, codes, row["time_period"], row.get("vintage_id"))
            label = self.label(row["ref_area"], row["flow"], row["time_period"], row["indicator"])
            value = row["value"]
            out[(row["ref_area"], row["flow"], row["indicator"], row["time_period"])] = Figure(
                None if value is None else float(value),
                unit,
                lineage,
                digits,
                label,
                decimals=places.get((row.get("vintage_id"), row.get("attrs")), -1),
            )
        return out

    def label(self, code: str, flow: str, period: str, indicator: str = "VALUE") -> str:
        what = FLOW_WORDS.get(flow, (flow, flow))[self.lang == "en"]
        rate = {"GROWTH_YOY": ("增速", "growth"), "SHARE": ("占比", "share")}.get(indicator)
        if rate:
            what += rate[self.lang == "en"]
        year = f"{period}年" if self.lang != "en" else period
        return f"{area_name(code, self.lang)}·{what}·{year}"
