"""数据说明 / the annex: one line per figure — where it comes from and how it was computed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from shumao.compute import indicators
from shumao.errors import UnknownCode
from shumao.report.document import Document
from shumao.report.figures import STORED, Figure, explorer_link
from shumao.report.sentences import fmt

OWN = Path(__file__).with_name("assets") / "computations.yaml"


@lru_cache(maxsize=1)
def _own() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(OWN.read_text(encoding="utf-8"))
    return data


def known(indicator: str) -> bool:
    if indicator == STORED or indicator in _own():
        return True
    try:
        indicators.definition(indicator)
    except UnknownCode:
        return False
    return True


def indicator_name(indicator: str, lang: str) -> str:
    if indicator == STORED:
        return "库中数值" if lang != "en" else "stored value"
    if indicator in _own():
        return _own()[indicator]["en" if lang == "en" else "zh"]
    spec = indicators.definition(indicator)
    return spec.name_en if lang == "en" else spec.name_zh


@dataclass(frozen=True)
class Line:
    id: str
    label: str
    value: str
    unit: str
    dataflow: str
    series: str
    period: str
    vintage: str
    computation: str
    inputs: str
    link: str


def lines(doc: Document) -> list[Line]:
    ids = {id(f): k for k, f in doc.figures.items()}
    out = []
    for key, fig in doc.figures.items():
        out.append(line(key, fig, doc.lang, ids))
    return out


def line(key: str, fig: Figure, lang: str, ids: dict[int, str] | None = None) -> Line:
    lin = fig.lineage
    stored = lin.stored()
    value = "—" if fig.missing else fmt(fig.value, max(fig.digits, 2))  # type: ignore[arg-type]
    computation = indicator_name(lin.indicator, lang)
    if lin.indicator != STORED:
        computation += (
            f"（{lin.indicator}）：{fig.formula}"
            if lang != "en"
            else f" ({lin.indicator}): {fig.formula}"
        )
    inputs = "；".join(
        f"{i.label} = {fmt(i.value, 2) if not i.missing else '—'}"  # type: ignore[arg-type]
        for i in lin.inputs
    )
    return Line(
        key,
        fig.label,
        value,
        fig.unit,
        "、".join(dict.fromkeys(s.dataflow for s in stored)),
        "；".join(dict.fromkeys(s.series_key for s in stored)),
        "、".join(sorted({s.period for s in stored})),
        "、".join(str(v) for v in sorted({s.vintage for s in stored if s.vintage})),
        computation,
        inputs,
        explorer_link(lin),
    )
