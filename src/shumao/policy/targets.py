"""Quantitative targets stated by a policy text, as candidate records for monitoring.

A target is a value a text commits to for a future year::

    到2029年，可数字化交付的服务贸易规模稳中有增，占我国服务贸易总额的比重提高到45%以上
    └ year ┘  └──────────── subject ───────────┘    └──── indicator ────┘└verb┘└value┘└cmp┘

Rules: a clause opens with a year marker (到/至 2029年, 力争到2025年, 2029年底前) — so not
截至 2022年 (a past figure) nor 2017年至2022年 (a period) — in a sentence that is not a
forecast (预计/预测/有望); each value after the marker with a verb of
attainment (提高到, 达到, 超过, 不低于 …) or a qualifier (以上, 左右 …) is one target. The subject
and indicator are the words between the marker (or the previous target) and the verb: an
indicator written as 占……比重 is split from its subject; a subject left empty (the second
target of 到2035年……) is taken from the previous target of the same document.

Comparators: ``≥`` (以上, 不低于, 超过, 突破, 至少), ``≤`` (以下, 不超过, 以内, 控制在), ``about``
(左右, 约, 上下), ``=`` otherwise.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

_YEAR = re.compile(
    r"(?:^|(?<=[，,；：:]))\s*(?:力争|争取|计划)?\s*(?:"
    r"(?:到|至)\s*((?:19|20)\d{2})\s*年(?:底|末)?(?:前)?"
    r"|((?:19|20)\d{2})\s*年(?:底|末)?前)[，,：:]?"
)
_FORECAST = re.compile("预计|预测|有望|估计")
_VERBS = (
    "提高到",
    "提高至",
    "提升到",
    "提升至",
    "增长到",
    "增加到",
    "增至",
    "扩大到",
    "达到",
    "达",
    "超过",
    "突破",
    "不低于",
    "不少于",
    "至少",
    "不超过",
    "低于",
    "控制在",
    "降低到",
    "降至",
    "下降到",
    "保持在",
    "稳定在",
)
_UNITS = (
    "个百分点",
    "万亿美元",
    "亿美元",
    "万美元",
    "万亿元",
    "亿元",
    "万元",
    "%",
    "％",
    "家",
    "个",
    "万人",
    "人",
    "项",
    "倍",
)
_VALUE = re.compile(
    rf"(?P<verb>{'|'.join(_VERBS)})?\s*(?P<approx>约|大约|近)?\s*(?P<value>\d+(?:\.\d+)?)\s*"
    rf"(?P<unit>{'|'.join(_UNITS)})(?P<qual>以上|以下|左右|以内|上下)?"
)
_GE = {"以上", "不低于", "不少于", "超过", "突破", "至少"}
_LE = {"以下", "不超过", "以内", "控制在", "低于"}
_ABOUT = {"左右", "约", "大约", "上下", "近"}
_PREDICATE = re.compile(
    r"(稳中有增|稳步增长|持续增长|不断扩大|进一步扩大|显著提升|大幅提升|明显提高|"
    r"保持稳定|稳定增长|快速增长|持续提升|显著增加)$"
)
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")


@dataclass
class Target:
    subject: str
    indicator: str
    target_year: int
    comparator: str
    value: float
    unit: str
    sentence: str
    paragraph: int
    """Index of the paragraph the sentence is in."""

    @property
    def key(self) -> str:
        """Stable identity across re-ingests (what, when, how much — not where)."""
        raw = "|".join(
            map(
                str,
                (
                    self.subject,
                    self.indicator,
                    self.target_year,
                    self.comparator,
                    self.value,
                    self.unit,
                ),
            )
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "key": self.key}


def comparator(verb: str | None, approx: str | None, qual: str | None) -> str:
    words = {w for w in (verb, approx, qual) if w}
    if words & _ABOUT:
        return "about"
    if words & _GE:
        return "≥"
    if words & _LE:
        return "≤"
    return "="


def _split_subject(span: str) -> tuple[str, str]:
    span = span.strip("，,、；： ")
    idx = span.rfind("占")
    if idx == -1:
        return span, span
    subject = _PREDICATE.sub("", span[:idx].strip("，,、； ")).strip("，,、； ")
    return subject, span[idx:]


def _targets_in(sentence: str, paragraph: int, previous: Target | None) -> list[Target]:
    out: list[Target] = []
    if _FORECAST.search(sentence):
        return out
    for marker in _YEAR.finditer(sentence):
        year = int(marker.group(1) or marker.group(2))
        nxt = _YEAR.search(sentence, marker.end())
        stop = nxt.start() if nxt else len(sentence)
        start = marker.end()
        for m in _VALUE.finditer(sentence, start, stop):
            if not (m.group("verb") or m.group("qual") or m.group("approx")):
                continue
            begin = max(start, sentence.rfind("；", start, m.start()) + 1)
            subject, indicator = _split_subject(sentence[begin : m.start()])
            if not subject and (out or previous):
                subject = (out[-1] if out else previous).subject  # type: ignore[union-attr]
            unit = "%" if m.group("unit") == "％" else m.group("unit")
            out.append(
                Target(
                    subject,
                    indicator,
                    year,
                    comparator(m.group("verb"), m.group("approx"), m.group("qual")),
                    float(m.group("value")),
                    unit,
                    sentence.strip(),
                    paragraph,
                )
            )
            start = m.end()
    return out


def extract(pars: list[str]) -> list[Target]:
    """Every target in the simplified paragraphs of one document, in text order."""
    found: list[Target] = []
    for i, par in enumerate(pars):
        for sentence in _SENTENCE.findall(par):
            found += _targets_in(sentence, i, found[-1] if found else None)
    return found
