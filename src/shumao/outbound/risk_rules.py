"""The risk scoreboard's rules, series and levels (``data/risk.yaml``), as data, checked on load.

``parse`` reads the file and refuses it whole (``RulesRejected``, findings located at the
rule's line and field) when a rule has an unknown source, series, measure or tracker type, a
threshold that is not a number, a template naming a figure its measure does not give, a
duplicate code, or when the levels do not rise. The packaged file is parsed once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from shumao.errors import RulesRejected
from shumao.outbound import DATA
from shumao.storage.dataflows import all_dataflows
from shumao.validation.findings import Report, finding

SOURCES = ("tracker", "store", "register")
MEASURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "growth": ("below_pct", ("period", "value", "drop", "growth")),
    "level": ("below_yi_usd", ("period", "value", "limit")),
    "share": ("above_pct", ("period", "share", "part", "whole", "limit")),
}
"""Measure of a store rule → (its threshold key, the figures its templates may name)."""
PLACEHOLDERS = {"tracker": ("count", "titles"), "register": ("share", "limit")}


@dataclass(frozen=True)
class Level:
    code: str
    zh: str
    en: str
    min: float
    colour: str

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RiskRule:
    code: str
    source: str  # tracker | store | register
    points: float
    zh: str
    en: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Series:
    """What a store rule reads: a dataflow's selection, in millions of USD."""

    code: str
    dataflow: str
    where: dict[str, list[str]]
    zh: str
    en: str
    by: str = "ref_area"
    of: str | None = None
    """For a share: the series of the whole (the part is this one)."""


@dataclass(frozen=True)
class Board:
    version: int
    rule_types: dict[str, tuple[str, str]]
    levels: tuple[Level, ...]
    rules: tuple[RiskRule, ...]
    series: dict[str, Series]
    missing: tuple[str, str]


def parse(text: str, *, file: str = "risk.yaml") -> Board:
    """The scoreboard of ``text``; ``RulesRejected`` naming every problem otherwise."""
    report = Report(source=file)
    doc = yaml.safe_load(text) or {}
    lines = _lines(text)
    kinds = {k: (v[0], v[1]) for k, v in (doc.get("rule_types") or {}).items()}
    series = _series(doc.get("series") or {}, file, report)
    levels = tuple(Level(**lv) for lv in doc.get("levels") or [])
    if not levels or [lv.min for lv in levels] != sorted({lv.min for lv in levels}):
        report.add(
            _problem(
                file,
                None,
                "levels",
                "levels",
                ("须按最低分升序且互不相同", "must rise by their minimum points"),
            )
        )
    rules: list[RiskRule] = []
    for i, item in enumerate(doc.get("rules") or []):
        line = lines[i] if i < len(lines) else None
        rule = _rule(item, line, file, report, kinds, series)
        if rule and rule.code in {r.code for r in rules}:
            report.add(_problem(file, line, rule.code, "code", ("重复", "a duplicate")))
        elif rule:
            rules.append(rule)
    missing = doc.get("missing") or {}
    if not (missing.get("zh") and missing.get("en")):
        report.add(
            _problem(
                file, None, "missing", "missing", ("缺少中英文模板", "needs zh and en templates")
            )
        )
    if not report.ok:
        raise RulesRejected(report)
    return Board(
        int(doc.get("version", 1)),
        kinds,
        levels,
        tuple(rules),
        series,
        (missing["zh"], missing["en"]),
    )


def _lines(text: str) -> list[int]:
    node = yaml.compose(text)
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        if key.value == "rules" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _problem(file: str, line: int | None, code: str, column: str, problem: tuple[str, str]) -> Any:
    zh, en = problem
    return finding(
        "outbound-risk-rule", file=file, row=line, column=column, value=code, zh=zh, en=en
    )


def _series(raw: dict[str, Any], file: str, report: Report) -> dict[str, Series]:
    known = {d.id for d in all_dataflows()}
    out = {}
    for code, spec in raw.items():
        if spec.get("dataflow") not in known:
            report.add(
                _problem(file, None, code, "dataflow", ("不是已知数据流", "not a known dataflow"))
            )
            continue
        out[code] = Series(
            code,
            spec["dataflow"],
            {k: [str(v) for v in vs] for k, vs in (spec.get("where") or {}).items()},
            spec.get("zh", code),
            spec.get("en", code),
            spec.get("by", "ref_area"),
            spec.get("of"),
        )
    for s in out.values():
        if s.of is not None and s.of not in out:
            report.add(
                _problem(file, None, s.code, "of", ("引用了不存在的序列", "names no series"))
            )
    return out


Problem = tuple[str, tuple[str, str]]
"""(field, (why in Chinese, why in English))."""


def _rule(
    item: dict[str, Any],
    line: int | None,
    file: str,
    report: Report,
    kinds: dict[str, tuple[str, str]],
    series: dict[str, Series],
) -> RiskRule | None:
    code = str(item.get("code") or f"#{line}")
    source = str(item.get("source"))
    problems = _common(item, kinds)
    names: tuple[str, ...] = PLACEHOLDERS.get(source, ())
    if source == "store":
        found, names = _store(item, series)
        problems += found
    problems += _templates(item, names)
    for column, why in problems:
        report.add(_problem(file, line, code, column, why))
    if problems:
        return None
    keys = {"code", "source", "points", "zh", "en"}
    params = {k: v for k, v in item.items() if k not in keys}
    return RiskRule(code, source, float(item["points"]), item["zh"], item["en"], params)


def _common(item: dict[str, Any], kinds: dict[str, tuple[str, str]]) -> list[Problem]:
    out: list[Problem] = [
        (column, ("缺失", "missing"))
        for column in ("code", "zh", "en")
        if not str(item.get(column) or "").strip()
    ]
    source = item.get("source")
    if source not in SOURCES:
        out.append(("source", (f"须为 {'、'.join(SOURCES)} 之一", f"one of {', '.join(SOURCES)}")))
    if not _number(item.get("points")):
        out.append(("points", ("须为不小于 0 的数", "a number of at least 0")))
    if source == "tracker" and not set(item.get("types") or []) <= set(kinds):
        out.append(("types", (f"须为 {'、'.join(kinds)} 中的类型", f"among {', '.join(kinds)}")))
    if source == "register" and not _number(item.get("share_pct")):
        out.append(("share_pct", ("须为数", "a number")))
    return out


def _store(
    item: dict[str, Any], series: dict[str, Series]
) -> tuple[list[Problem], tuple[str, ...]]:
    out: list[Problem] = []
    spec, measure = series.get(str(item.get("series"))), item.get("measure")
    if spec is None:
        out.append(("series", (f"须为 {'、'.join(series)} 之一", f"one of {', '.join(series)}")))
    if measure not in MEASURES:
        out.append(
            ("measure", (f"须为 {'、'.join(MEASURES)} 之一", f"one of {', '.join(MEASURES)}"))
        )
        return out, ()
    key, names = MEASURES[measure]
    if not _number(item.get(key)):
        out.append((key, ("阈值须为数", "a threshold must be a number")))
    if measure == "share" and spec is not None and spec.of is None:
        out.append(
            ("series", ("比重须读取有“of”（分母）的序列", 'a share needs a series with "of"'))
        )
    return out, names


def _templates(item: dict[str, Any], names: tuple[str, ...]) -> list[Problem]:
    out: list[Problem] = []
    for column in ("zh", "en"):
        try:
            str(item.get(column) or "").format(**dict.fromkeys(names, "1"))
        except (KeyError, IndexError, ValueError) as err:
            out.append(
                (
                    column,
                    (f"模板中的 {err} 不是该规则给出的数字", f"{err} is no figure of this rule"),
                )
            )
    return out


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


@lru_cache(maxsize=1)
def board() -> Board:
    return parse((DATA / "risk.yaml").read_text(encoding="utf-8"))


def rule_types() -> dict[str, tuple[str, str]]:
    return board().rule_types


def levels() -> tuple[Level, ...]:
    return board().levels


def level_of(score: float) -> Level:
    return [lv for lv in levels() if score >= lv.min][-1]


def level(code: str) -> Level:
    return next(lv for lv in levels() if lv.code == code)


def rules() -> tuple[RiskRule, ...]:
    return board().rules


def version() -> int:
    return board().version
