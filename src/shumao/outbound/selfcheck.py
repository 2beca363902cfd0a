"""数据出境合规自查: which route a planned data export needs, from the enterprise's answers.

Rule sets are dated YAML files in ``data/selfcheck/`` (the 2024 rules replaced the 2022–2023
thresholds and will change again). ``rule_set(on=day)`` picks the set in force on a day; an
answer names the set, its effective date, the route and the article it rests on. Rules are
read in order and the first whose condition holds decides (the exemptions of Art. 3–6 before
the thresholds of Art. 7–8, as those articles say "属于本规定第三条、第四条、第五条、第六条
规定情形的，从其规定"). Art. 6 (a pilot free trade zone's negative list) is dated per zone
(``ftz_lists``): the derived answer ``ftz_list_in_force`` says whether the chosen zone's list
counts on the day of the check. Bad answers are findings, never a guessed route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from shumao.errors import ImportRejected
from shumao.outbound import DATA
from shumao.validation.findings import Report, finding

YES = {"是", "yes", "y", "true", "1", "有"}
NO = {"否", "no", "n", "false", "0", "无"}


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # bool | count | choice
    zh: str
    en: str
    choices: tuple[tuple[str, str, str], ...] = ()
    default: Any = None


@dataclass(frozen=True)
class Rule:
    when: dict[str, Any]
    route: str
    article: str
    zh: str
    en: str


@dataclass(frozen=True)
class RuleSet:
    id: str
    effective: date
    title_zh: str
    title_en: str
    source: str
    questions: tuple[Question, ...]
    routes: dict[str, tuple[str, str]]
    rules: tuple[Rule, ...]
    ftz_lists: dict[str, dict[str, Any]]

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)


@dataclass(frozen=True)
class Answer:
    rule_set: str
    effective: date
    title_zh: str
    title_en: str
    route: str
    route_zh: str
    route_en: str
    article: str
    reason_zh: str
    reason_en: str
    answers: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "effective": self.effective.isoformat()}


def _rule_set(raw: dict[str, Any]) -> RuleSet:
    questions = tuple(
        Question(
            q["id"],
            q["kind"],
            q["zh"],
            q["en"],
            tuple((k, v[0], v[1]) for k, v in (q.get("choices") or {}).items()),
            q.get("default"),
        )
        for q in raw["questions"]
    )
    return RuleSet(
        raw["id"],
        raw["effective"],
        raw["title_zh"],
        raw["title_en"],
        raw["source"],
        questions,
        {k: (v[0], v[1]) for k, v in raw["routes"].items()},
        tuple(Rule(**r) for r in raw["rules"]),
        raw.get("ftz_lists") or {},
    )


@lru_cache(maxsize=1)
def rule_sets() -> tuple[RuleSet, ...]:
    """Every rule set, oldest first."""
    found = [
        _rule_set(yaml.safe_load(p.read_text(encoding="utf-8")))
        for p in sorted((DATA / "selfcheck").glob("*.yaml"))
    ]
    return tuple(sorted(found, key=lambda s: s.effective))


def rule_set(*, on: date | None = None) -> RuleSet:
    """The rule set in force on ``on`` (default today)."""
    day = on or date.today()
    usable = [s for s in rule_sets() if s.effective <= day]
    if not usable:
        report = Report(source="selfcheck")
        report.add(
            finding(
                "outbound-selfcheck-date",
                value=day.isoformat(),
                expected="、".join(f"{s.id}（{s.effective}）" for s in rule_sets()),
            )
        )
        raise ImportRejected(report)
    return usable[-1]


# --- answers ------------------------------------------------------------------------------------


def _bad(report: Report, q: Question, value: Any, why: str, why_en: str) -> None:
    report.add(
        finding(
            "outbound-selfcheck-answer",
            column=f"{q.zh} / {q.en}",
            value=value,
            why=why,
            why_en=why_en,
        )
    )


def _bool(q: Question, value: Any, report: Report) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES or text in NO:
        return text in YES
    _bad(report, q, value, "应回答“是”或“否”", "answer yes or no")
    return None


def _count(q: Question, value: Any, report: Report) -> int | None:
    text = str(value).replace(",", "").replace("，", "").strip()
    if isinstance(value, bool) or not text.isdigit():
        _bad(
            report,
            q,
            value,
            "应为 0 或正整数（人数）",
            "must be a whole number of persons, 0 or more",
        )
        return None
    return int(text)


def _choice(q: Question, value: Any, report: Report) -> str | None:
    text = str(value).strip()
    for code, zh, en in q.choices:
        if text in (code, zh, en):
            return code
    _bad(
        report,
        q,
        value,
        "应为：" + "、".join(c for c, _, _ in q.choices),
        "one of: " + ", ".join(c for c, _, _ in q.choices),
    )
    return None


_PARSE = {"bool": _bool, "count": _count, "choice": _choice}


def parse_answers(rules: RuleSet, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed answers, or ``ImportRejected`` naming every missing or unreadable one."""
    report = Report(source="selfcheck")
    out: dict[str, Any] = {}
    for q in rules.questions:
        value = raw.get(q.id)
        if (value is None or str(value).strip() == "") and q.default is not None:
            value = q.default
        if value is None or str(value).strip() == "":
            _bad(report, q, "", "未回答", "not answered")
            continue
        out[q.id] = _PARSE[q.kind](q, value, report)
    _zone_answered(rules, out, report)
    if not report.ok:
        raise ImportRejected(report)
    return out


def _zone_answered(rules: RuleSet, out: dict[str, Any], report: Report) -> None:
    """A zone chosen (第六条) needs the answer whether the data is on its list."""
    if out.get("ftz", "none") != "none" and out.get("ftz_on_list") == "none":
        q = rules.question("ftz_on_list")
        _bad(
            report,
            q,
            "",
            "已选择自贸试验区，请回答数据是否列入其负面清单",
            "a free trade zone is chosen: answer whether the data is on its negative list",
        )


def list_in_force(rules: RuleSet, zone: str, day: date) -> bool:
    """Whether ``zone``'s negative list counts on ``day`` (``other``: as the enterprise says)."""
    if zone == "other":
        return True
    listed = rules.ftz_lists.get(zone)
    return listed is not None and listed["from"] <= day


# --- rules --------------------------------------------------------------------------------------


def holds(cond: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """A condition of the YAML: {q, eq|gte|lt|in} or {all: [...]} / {any: [...]}."""
    if "all" in cond:
        return all(holds(c, answers) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, answers) for c in cond["any"])
    value = answers[cond["q"]]
    if "eq" in cond:
        return bool(value == cond["eq"])
    if "gte" in cond:
        return bool(value >= cond["gte"])
    if "lt" in cond:
        return bool(value < cond["lt"])
    if "in" in cond:
        return value in cond["in"]
    raise ValueError(f"self-check condition without an operator: {cond}")


def evaluate(raw: Mapping[str, Any], *, on: date | None = None) -> Answer:
    """The route for ``raw`` answers under the rule set in force on ``on``."""
    rules = rule_set(on=on)
    answers = parse_answers(rules, raw)
    facts = {
        **answers,
        "ftz_list_in_force": list_in_force(rules, answers.get("ftz", "none"), on or date.today()),
    }
    for rule in rules.rules:
        if holds(rule.when, facts):
            zh, en = rules.routes[rule.route]
            return Answer(
                rules.id,
                rules.effective,
                rules.title_zh,
                rules.title_en,
                rule.route,
                zh,
                en,
                rule.article,
                rule.zh,
                rule.en,
                answers,
            )
    raise ValueError(f"rule set {rules.id} decides nothing for {answers}")  # the YAML is incomplete
