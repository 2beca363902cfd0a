"""The application check and the re-review as pure computations: evidence in, outcomes out.

A threshold criterion is decided from its **evidence** for a year, each piece a value in the
criterion's unit with a bound:

    exact   the figure itself (a declared figure a reviewer accepted, a linkage count)
    lower   the figure is at least this (digital-industry output ⊂ park output; the sum of
            the enterprises that reported ⊂ the base's exports)
    upper   the figure is at most this (digitally deliverable exports ⊃ ICT-services exports)

    pass     an exact value ≥ threshold, or a lower bound ≥ threshold
    fail     an exact value < threshold, or an upper bound < threshold
    missing  (待补材料) no evidence, or bounds that leave the threshold inside the interval

A checklist item (the six basic conditions, the leaders item) passes only when a reviewer
accepted it on evidence; a rejected item fails; anything else is missing — nothing is passed
automatically. The verdict: any failing checklist item or threshold → 不符合 (fail), unless the
failures are thresholds only and a reviewer applied the special-potential clause (三(三)4) with
a written reason; else anything missing → 待补材料; else 符合 (pass). A re-review applies the
same criteria to each of its years: a threshold must be met in every year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from shumao.bases import rules

PASS, FAIL, MISSING = "pass", "fail", "missing"
VERDICT_TEXT = {
    "application": {
        PASS: ("符合申报条件", "meets the conditions"),
        FAIL: ("不符合申报条件", "does not meet the conditions"),
        MISSING: ("待补材料", "materials missing"),
    },
    "rereview": {
        PASS: ("复审合格", "re-review passed"),
        FAIL: ("复审不合格", "re-review failed"),
        MISSING: ("待补材料", "materials missing"),
    },
}
OUTCOME_TEXT = {PASS: ("达标", "pass"), FAIL: ("未达标", "fail"), MISSING: ("待补材料", "missing")}


@dataclass(frozen=True)
class Evidence:
    criterion: str
    year: str
    value: float
    bound: str  # exact | lower | upper
    source_zh: str
    source_en: str
    dataflow: str = ""
    series: str = ""
    vintage_id: int | None = None
    original: str = ""
    """The figure as stored or declared, e.g. "24.63 亿美元"."""
    rate: float | None = None
    rate_note: str = ""
    note_zh: str = ""
    note_en: str = ""
    link: str = ""
    rate_note_en: str = ""
    """``rate_note`` in English (the rate, its year and source)."""


@dataclass(frozen=True)
class Check:
    """A reviewer's decision on a checklist item: accepted | rejected | pending."""

    code: str
    decision: str
    evidence_files: int = 0
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    code: str
    kind: str  # threshold | checklist
    year: str
    outcome: str
    threshold: float | None = None
    unit: str = ""
    value: float | None = None
    bound: str = ""
    margin: float | None = None
    low: float | None = None
    high: float | None = None
    evidence: tuple[Evidence, ...] = ()
    decision: str = ""
    reason_zh: str = ""
    reason_en: str = ""


@dataclass(frozen=True)
class Evaluation:
    kind: str  # application | rereview
    base_code: str
    group: str
    years: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    verdict: str
    overridden: bool = False
    override_reason: str = ""
    criteria_version: str = field(default_factory=rules.version)

    def verdict_text(self, lang: str = "zh") -> str:
        zh, en = VERDICT_TEXT[self.kind][self.verdict]
        if self.overridden:
            zh, en = (
                zh + "（特殊潜力，适当降低条件）",
                en + " (special potential, lowered thresholds)",
            )
        return en if lang == "en" else zh


def decide_threshold(
    code: str, year: str, minimum: float, unit: str, evidence: Sequence[Evidence]
) -> Outcome:
    mine = tuple(e for e in evidence if e.criterion == code and e.year == year)
    base = Outcome(code, "threshold", year, MISSING, minimum, unit, evidence=mine)
    exact = [e for e in mine if e.bound == "exact"]
    if exact:
        v = exact[0].value
        return replace(
            base,
            outcome=PASS if v >= minimum else FAIL,
            value=v,
            bound="exact",
            margin=v - minimum,
            low=v,
            high=v,
        )
    low = max((e.value for e in mine if e.bound == "lower"), default=None)
    high = min((e.value for e in mine if e.bound == "upper"), default=None)
    base = replace(base, low=low, high=high)
    if low is not None and low >= minimum:
        return replace(base, outcome=PASS, value=low, bound="lower", margin=low - minimum)
    if high is not None and high < minimum:
        return replace(base, outcome=FAIL, value=high, bound="upper", margin=high - minimum)
    zh, en = _missing_reason(low, high, minimum, unit)
    return replace(base, reason_zh=zh, reason_en=en)


def _missing_reason(
    low: float | None, high: float | None, minimum: float, unit: str
) -> tuple[str, str]:
    if low is None and high is None:
        return "没有任何公开数据或申报材料", "no published figure or declared material"
    known = f"[{'—' if low is None else f'{low:,.2f}'}, {'—' if high is None else f'{high:,.2f}'}]"
    return (
        f"已知区间 {known} {unit} 包含门槛 {minimum:,.2f}，无法判定",
        f"the known interval {known} {rules.unit_name(unit, 'en')} contains the threshold "
        f"{minimum:,.2f}",
    )


def decide_check(code: str, check: Check | None) -> Outcome:
    decision = check.decision if check else "pending"
    outcome = {"accepted": PASS, "rejected": FAIL}.get(decision, MISSING)
    if outcome == PASS and check is not None and check.evidence_files == 0:
        outcome = MISSING  # an accepted item without a document is not evidence
    return Outcome(
        code,
        "checklist",
        "",
        outcome,
        decision=decision,
        reason_zh=check.note if check else "",
        reason_en=check.note if check else "",
    )


def evaluate(
    *,
    kind: str,
    base_code: str,
    group: str,
    years: Sequence[str],
    evidence: Sequence[Evidence],
    checks: Sequence[Check],
    override_reason: str = "",
) -> Evaluation:
    """The outcome of every criterion and the verdict (see the module docstring)."""
    by_code = {c.code: c for c in checks}
    outcomes = [decide_check(c.code, by_code.get(c.code)) for c in rules.checklist()]
    for t in rules.thresholds():
        outcomes += [decide_threshold(t.code, y, t.minimum[group], t.unit, evidence) for y in years]
    verdict, overridden = verdict_of(outcomes, override_reason)
    return Evaluation(
        kind,
        base_code,
        group,
        tuple(years),
        tuple(outcomes),
        verdict,
        overridden,
        override_reason.strip() if overridden else "",
    )


def verdict_of(outcomes: Sequence[Outcome], override_reason: str = "") -> tuple[str, bool]:
    failed = [o for o in outcomes if o.outcome == FAIL]
    only_thresholds = bool(failed) and all(o.kind == "threshold" for o in failed)
    overridden = only_thresholds and bool(override_reason.strip())
    if failed and not overridden:
        return FAIL, False
    if any(o.outcome == MISSING for o in outcomes):
        return MISSING, overridden
    return PASS, overridden


@dataclass(frozen=True)
class WhatIf:
    code: str
    year: str
    outcome: str
    needed_zh: str
    needed_en: str
    verdict_if_fixed: str
    """The verdict if this criterion alone passed."""


def what_if(evaluation: Evaluation) -> list[WhatIf]:
    """For every criterion that does not pass: what it lacks and the verdict if it alone
    passed (all of them passing gives ``pass`` by construction)."""
    out = []
    for i, o in enumerate(evaluation.outcomes):
        if o.outcome == PASS:
            continue
        fixed = [*evaluation.outcomes[:i], replace(o, outcome=PASS), *evaluation.outcomes[i + 1 :]]
        verdict, _ = verdict_of(fixed, evaluation.override_reason)
        zh, en = _needed(o)
        out.append(WhatIf(o.code, o.year, o.outcome, zh, en, verdict))
    return out


def _needed(o: Outcome) -> tuple[str, str]:
    if o.kind == "checklist":
        return "上传证明材料并由评审人员确认", "upload evidence for a reviewer to accept"
    assert o.threshold is not None
    unit_en = rules.unit_name(o.unit, "en")
    if o.outcome == FAIL and o.margin is not None:
        gap = -o.margin
        return (
            f"还差 {gap:,.2f} {o.unit}（{'至多' if o.bound == 'upper' else ''}"
            f"{o.value:,.2f} / 门槛 {o.threshold:,.2f}）；或评审适用特殊潜力条款",
            f"short by {gap:,.2f} {unit_en} ({'at most ' if o.bound == 'upper' else ''}"
            f"{o.value:,.2f} of {o.threshold:,.2f}); or the special-potential clause",
        )
    return (
        f"提供 {o.year} 年的确切数值及证明材料（门槛 {o.threshold:,.2f} {o.unit}）",
        f"declare the {o.year} figure with evidence (threshold {o.threshold:,.2f} {unit_en})",
    )
