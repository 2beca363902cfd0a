"""Which disclosure rules apply, and with which parameters: a named rule set from ``rules.yaml``.

A ``Rules`` value says what makes a cell sensitive (threshold, p%, pq, (n, k) dominance), how
much protection a sensitive cell needs when no rule derives it (``protection``, τ-ARGUS's
frequency/manual safety range) and how secondary suppression is done (``method`` optimal or
greedy, ``cost`` value or count, ``time_limit``). The setting ``SHUMAO_DISCLOSURE_RULES`` names
the rule set a release uses; ``record()`` is what the release stores with its cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from shumao.config import get_settings
from shumao.errors import ConfigError

RULES_FILE = Path(__file__).with_name("rules.yaml")
Method = Literal["optimal", "greedy"]
Cost = Literal["value", "count"]


@dataclass(frozen=True)
class Rules:
    """Primary rules, the protection they require and the secondary-suppression method."""

    threshold: int = 3
    """Fewer than this many contributors → sensitive (0 contributors: empty, not sensitive)."""
    dominance: tuple[tuple[int, float], ...] = ((1, 85.0), (2, 85.0))
    """(n, k): the n largest contributors exceed k % of the cell → sensitive."""
    p_percent: tuple[tuple[float, int], ...] = ()
    """(p, n): n intruders (the 2nd … (n+1)th largest) can estimate the largest contributor
    to within p % → sensitive (τ-ARGUS ``P(p,n)``, GaussSuppression ``pPercent``)."""
    pq: tuple[tuple[float, float], ...] = ()
    """(p, q): prior-posterior rule; the p% rule with p = p/q·100 (τ-ARGUS manual §2.2)."""
    protection: float = 10.0
    """% of a threshold-sensitive (or manually set) cell's value its interval must reach on
    each side; p% and (n, k) cells get the protection their rule derives."""
    method: Method = "optimal"
    cost: Cost = "value"
    """What secondary suppression minimises: the suppressed value or the number of cells."""
    time_limit: float = 30.0
    """Seconds the optimal method may take per table before the greedy method takes over."""
    name: str = ""
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for message in _problems(self):
            raise ConfigError(message)

    def record(self) -> dict[str, Any]:
        """What a release stores about the rules applied to it (JSON-ready)."""
        data = asdict(self)
        data.pop("description")
        return data

    def needed_tops(self) -> int:
        """How many of the largest contributions (``top1`` …) the rules read."""
        sizes = [n for n, _ in self.dominance] + [n + 1 for _, n in self.p_percent]
        sizes += [2 for _ in self.pq]
        return max(sizes, default=0)


def _problems(rules: Rules) -> list[str]:
    out = []
    if rules.threshold < 0:
        out.append(f"阈值规则的贡献者数不能为负 / threshold must be ≥ 0, got {rules.threshold}")
    for n, k in rules.dominance:
        if n < 1 or not 0 < k <= 100:
            out.append(
                f"优势规则 ({n},{k}) 无效：n ≥ 1，0 < k ≤ 100 / dominance ({n},{k}) "
                "needs n ≥ 1 and 0 < k ≤ 100"
            )
    for p, n in rules.p_percent:
        if n < 1 or not 0 < p < 100:
            out.append(
                f"p% 规则 ({p},{n}) 无效：0 < p < 100，n ≥ 1 / p% rule ({p},{n}) needs "
                "0 < p < 100 and n ≥ 1"
            )
    for p, q in rules.pq:
        if not 0 < p < q <= 100:
            out.append(
                f"pq 规则 ({p},{q}) 无效：0 < p < q ≤ 100 / pq rule ({p},{q}) needs 0 < p < q ≤ 100"
            )
    if rules.protection < 0:
        out.append(f"保护比例不能为负 / protection must be ≥ 0, got {rules.protection}")
    if rules.method not in ("optimal", "greedy"):
        out.append(
            f"次要抑制方法只能是 optimal 或 greedy / method must be optimal or greedy, "
            f"got {rules.method!r}"
        )
    if rules.cost not in ("value", "count"):
        out.append(
            f"次要抑制成本只能是 value 或 count / cost must be value or count, got {rules.cost!r}"
        )
    if rules.time_limit <= 0:
        out.append(f"时间限制必须为正 / time_limit must be > 0, got {rules.time_limit}")
    return out


@lru_cache(maxsize=1)
def _sets() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    sets: dict[str, dict[str, Any]] = data["sets"]
    return sets


def rule_set_names() -> list[str]:
    return sorted(_sets())


def load(name: str) -> Rules:
    """The rule set ``name`` of ``rules.yaml``; ``ConfigError`` names the known sets if absent."""
    spec = _sets().get(name)
    if spec is None:
        raise ConfigError(
            f"披露控制规则集 {name!r} 不存在（可选：{', '.join(rule_set_names())}）/ "
            f"no disclosure rule set {name!r} (known: {', '.join(rule_set_names())})"
        )
    secondary = spec.get("secondary", {})
    return Rules(
        threshold=int(spec.get("threshold", 0)),
        dominance=tuple((int(r["n"]), float(r["k"])) for r in spec.get("dominance", [])),
        p_percent=tuple((float(r["p"]), int(r.get("n", 1))) for r in spec.get("p_percent", [])),
        pq=tuple((float(r["p"]), float(r["q"])) for r in spec.get("pq", [])),
        protection=float(spec.get("protection", 10.0)),
        method=secondary.get("method", "optimal"),
        cost=secondary.get("cost", "value"),
        time_limit=float(secondary.get("time_limit", 30.0)),
        name=name,
        description=str(spec.get("description", "")),
    )


def configured() -> Rules:
    """The rule set the settings name (``SHUMAO_DISCLOSURE_RULES``)."""

    return load(get_settings().disclosure_rules)


def describe(record: Mapping[str, Any], lang: str = "zh") -> str:
    """A stored rule set (``Rules.record()``, as a release keeps it) in words, e.g. "规则集
    standard：阈值 3；p% 规则 p = 10；优势规则 (1, 85%)、(2, 85%)；保护 10%；最优次要抑制"."""
    zh = lang != "en"
    parts = []
    if record.get("threshold"):
        parts.append(f"阈值 {record['threshold']}" if zh else f"threshold {record['threshold']}")
    if record.get("p_percent"):
        rules = ", ".join(
            f"p = {p:g}" + (f", n = {n}" if n != 1 else "") for p, n in record["p_percent"]
        )
        parts.append(f"p% 规则 {rules}" if zh else f"p% rule {rules}")
    if record.get("pq"):
        rules = ", ".join(f"({p:g}, {q:g})" for p, q in record["pq"])
        parts.append(f"pq 规则 {rules}" if zh else f"pq rule {rules}")
    if record.get("dominance"):
        rules = "、".join(f"({n}, {k:g}%)" for n, k in record["dominance"])
        parts.append(f"优势规则 {rules}" if zh else f"dominance {rules.replace('、', ', ')}")
    parts.append(
        f"保护 {record.get('protection', 0):g}%"
        if zh
        else f"protection {record.get('protection', 0):g}%"
    )
    method = record.get("method", "optimal")
    parts.append(
        ("最优次要抑制" if method == "optimal" else "贪心次要抑制")
        if zh
        else f"{method} secondary suppression"
    )
    name = record.get("name") or "—"
    return (
        (f"规则集 {name}：" + "；".join(parts)) if zh else (f"rule set {name}: " + "; ".join(parts))
    )
