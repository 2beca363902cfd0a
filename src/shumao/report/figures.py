"""数字与来源 / a figure and its lineage: every number the report prints is one of these.

A ``Figure`` is a value with its unit, its printed precision and its ``Lineage``: the dataflow,
the series key (the six dimension codes), the period, the vintage that holds it, and the
computation that made it (an indicator id from ``compute/indicators.yaml``, or ``VALUE`` for a
stored value) with the figures it was computed from. The HTML links each figure to the
explorer's permanent link for exactly that observation; DOCX/PDF list it in the annex 数据说明;
the XLSX carries it beside the data.

The arithmetic here (share, growth, difference, sum, CAGR) is the indicators' formulas applied
to single figures so that each result keeps its inputs; the formulas' text comes from the
indicator definitions, so the annex prints the same definition as ``shumao indicators list``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from shumao.storage.tables import DIMENSIONS, NOT_APPLICABLE

STORED = "VALUE"


@dataclass(frozen=True)
class Lineage:
    dataflow: str
    key: tuple[str, ...]
    """The six dimension codes in ``DIMENSIONS`` order."""
    period: str
    vintage: int | None
    indicator: str = STORED
    inputs: tuple[Figure, ...] = ()

    @property
    def series_key(self) -> str:
        return ".".join(self.key)

    def where(self) -> dict[str, str]:
        return {d: c for d, c in zip(DIMENSIONS, self.key, strict=True) if c != NOT_APPLICABLE}

    def stored(self) -> list[Lineage]:
        """The stored observations this figure rests on (itself when it is one)."""
        if self.indicator == STORED:
            return [self]
        out: list[Lineage] = []
        for fig in self.inputs:
            out += [s for s in fig.lineage.stored() if s not in out]
        return out


@dataclass(frozen=True)
class Figure:
    value: float | None
    unit: str
    """亿美元, 亿元, %, 个百分点, 位 …: the unit the report prints."""
    lineage: Lineage
    digits: int = 2
    label: str = ""
    """What the figure is, for the annex: 中国 · 进出口 · 2022."""
    formula: str = field(default="", compare=False)
    decimals: int = field(default=-1, compare=False)
    """Decimals the source published (10.60 → 2); -1 when unknown (read from the value)."""

    @property
    def missing(self) -> bool:
        return self.value is None or (isinstance(self.value, float) and math.isnan(self.value))

    def with_label(self, label: str) -> Figure:
        return replace(self, label=label)

    def computed(
        self,
        indicator: str,
        value: float | None,
        unit: str,
        *inputs: Figure,
        formula: str = "",
        label: str = "",
    ) -> Figure:
        return computed(indicator, value, unit, inputs, formula=formula, label=label or self.label)


def computed(
    indicator: str,
    value: float | None,
    unit: str,
    inputs: Sequence[Figure],
    *,
    formula: str = "",
    label: str = "",
    digits: int = 2,
) -> Figure:
    """A figure computed by ``indicator`` from ``inputs`` (its lineage lists them)."""
    first = inputs[0].lineage
    if any(f.missing for f in inputs):
        value = None
    lineage = Lineage(
        first.dataflow, first.key, first.period, first.vintage, indicator, tuple(inputs)
    )
    return Figure(value, unit, lineage, digits, label, formula)


def share(part: Figure, whole: Figure, indicator: str = "SHARE_PARENT", label: str = "") -> Figure:
    value = (
        None
        if part.missing or whole.missing or not whole.value
        else part.value / whole.value * 100.0  # type: ignore[operator]
    )
    return computed(
        indicator,
        value,
        "%",
        [part, whole],
        label=label or part.label,
        formula=f"{part.label} ÷ {whole.label} × 100",
    )


def growth(now: Figure, before: Figure, indicator: str = "GROWTH_YOY", label: str = "") -> Figure:
    value = (
        None
        if now.missing or before.missing or not before.value
        else (now.value / before.value - 1.0) * 100.0  # type: ignore[operator]
    )
    return computed(
        indicator,
        value,
        "%",
        [now, before],
        label=label or now.label,
        formula=f"({now.label} ÷ {before.label} − 1) × 100",
    )


def difference(a: Figure, b: Figure, indicator: str = "BALANCE", label: str = "") -> Figure:
    value = None if a.missing or b.missing else a.value - b.value  # type: ignore[operator]
    return computed(
        indicator, value, a.unit, [a, b], label=label or a.label, formula=f"{a.label} − {b.label}"
    )


def total(parts: Iterable[Figure], label: str, indicator: str = "SUM") -> Figure:
    items = list(parts)
    value = None if any(p.missing for p in items) else sum(p.value for p in items)  # type: ignore[misc]
    return computed(
        indicator,
        value,
        items[0].unit,
        items,
        label=label,
        formula=" + ".join(p.label for p in items),
    )


def cagr(last: Figure, first: Figure, years: int, label: str = "") -> Figure:
    ok = not (last.missing or first.missing) and first.value and years > 0
    value = ((last.value / first.value) ** (1.0 / years) - 1.0) * 100.0 if ok else None  # type: ignore[operator]
    return computed(
        "CAGR",
        value,
        "%",
        [last, first],
        label=label or last.label,
        formula=f"(({last.label} ÷ {first.label})^(1/{years}) − 1) × 100",
    )


def prior_from_growth(now: Figure, rate: Figure, label: str = "") -> Figure:
    """The previous-year value a published growth rate implies: x / (1 + g/100)."""
    value = None if now.missing or rate.missing else now.value / (1.0 + rate.value / 100.0)  # type: ignore[operator]
    return computed(
        "PRIOR_FROM_GROWTH",
        value,
        now.unit,
        [now, rate],
        label=label,
        formula=f"{now.label} ÷ (1 + {rate.label} ÷ 100)",
    )


def explorer_link(lineage: Lineage) -> str:
    """The explorer's permanent link for exactly the stored observations behind a figure."""
    stored = lineage.stored() or [lineage]
    first = stored[0]
    same = [s for s in stored if s.dataflow == first.dataflow]
    params: dict[str, str] = {"dataflow": first.dataflow}
    for i, dim in enumerate(DIMENSIONS):
        codes = sorted({s.key[i] for s in same} - {NOT_APPLICABLE})
        if codes:
            params[dim] = ",".join(codes)
    periods = sorted({s.period for s in same})
    params["start"], params["end"] = periods[0], periods[-1]
    vintages = [s.vintage for s in same if s.vintage is not None]
    if vintages:
        params["as_of"] = str(max(vintages))
    return "/explorer?" + "&".join(f"{k}={quote(v, safe=',')}" for k, v in params.items())
