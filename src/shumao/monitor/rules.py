"""Warning rules as data (``rules.yaml``): read, check, keep every version, activate.

A rule file is checked as a whole before it replaces the rules in force; every problem is a
finding located at its line (``row``) and field (``column``): YAML error, missing field,
duplicate code, unknown kind, unknown dataflow, unknown level, a threshold that is not a
positive number. A rejected file raises ``RulesRejected`` and changes nothing. Accepted files
are kept in ``monitor_ruleset`` with who and when (and the audit log); the newest active
version is in force. An empty table means the packaged ``rules.yaml`` (version 1).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, func, insert, select, update

from shumao.auth import audit
from shumao.errors import RulesRejected
from shumao.monitor import changes
from shumao.monitor import tables as t
from shumao.storage.dataflows import all_dataflows
from shumao.validation.findings import Report, finding, register

PACKAGED = Path(__file__).with_name("rules.yaml")
LEVELS = {"red": ("红色", 4), "orange": ("橙色", 3), "yellow": ("黄色", 2), "blue": ("蓝色", 1)}
"""Level → Chinese name and rank (the worst is the highest)."""
KINDS: dict[str, tuple[str, ...]] = {
    "target": (),
    "decline": ("threshold_pct",),
    "consecutive": ("n",),
    "concentration": ("hhi",),
    "balance": (),
    "share_falling": ("n",),
    "outlier": ("peer_t",),
    "cusum": ("k", "h"),
    "stl": ("t",),
    "non_response": ("rate_pct",),
    "source_diff": ("threshold_pct",),
    "revision": ("threshold_pct",),
    "base": ("bases",),
    "outbound_risk": (),
}
"""Detector kinds and the parameters each must have (numbers > 0, except ``bases``)."""
REQUIRED = ("code", "kind", "name_zh", "name_en", "levels", "message_zh", "message_en")

register(
    {
        "rule-yaml": {
            "severity": "error",
            "zh": "规则文件不是有效的 YAML：{detail}",
            "en": "the rule file is not valid YAML: {detail}",
            "fix_zh": "按报错的行列修正缩进、冒号或引号。",
            "fix_en": "Fix the indentation, colon or quote at the line given.",
        },
        "rule-field-missing": {
            "severity": "error",
            "zh": "规则缺少字段“{column}”",
            "en": 'the rule lacks the field "{column}"',
            "fix_zh": "补上该字段（见 rules.yaml 的示例）。",
            "fix_en": "Add the field (see the examples in rules.yaml).",
        },
        "rule-code-duplicate": {
            "severity": "error",
            "zh": "规则代码“{value}”重复（第 {rows} 行已使用）",
            "en": 'rule code "{value}" is used twice (already on line {rows})',
            "fix_zh": "每条规则的代码必须唯一；代码一经使用不得改作他用。",
            "fix_en": "Every rule needs its own code; a code once used is never reused.",
        },
        "rule-kind-unknown": {
            "severity": "error",
            "zh": "未知的规则类型“{value}”（可用：{expected}）",
            "en": 'unknown rule kind "{value}" (use {expected})',
            "fix_zh": "改用列出的类型之一。",
            "fix_en": "Use one of the kinds listed.",
        },
        "rule-dataflow-unknown": {
            "severity": "error",
            "zh": "未知的数据流（指标）“{value}”",
            "en": 'unknown dataflow (indicator) "{value}"',
            "fix_zh": "运行 shumao sources 或 shumao indicators list 查看可用数据流。",
            "fix_en": "See shumao sources for the dataflows.",
        },
        "rule-level-unknown": {
            "severity": "error",
            "zh": "未知的预警等级“{value}”（可用：red、orange、yellow、blue）",
            "en": 'unknown warning level "{value}" (use red, orange, yellow, blue)',
            "fix_zh": "等级只能是红、橙、黄、蓝四级之一。",
            "fix_en": "Use one of the four levels.",
        },
        "rule-threshold-invalid": {
            "severity": "error",
            "zh": "阈值“{column}”应为正数，实际为“{value}”",
            "en": 'threshold "{column}" must be a positive number, found "{value}"',
            "fix_zh": "填写大于 0 的数字。",
            "fix_en": "Give a number above 0.",
        },
    }
)


@dataclass(frozen=True)
class Level:
    level: str
    min: float


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    name_zh: str
    name_en: str
    message_zh: str
    message_en: str
    levels: tuple[Level, ...]
    dataflows: tuple[str, ...] = ()
    where: dict[str, list[str]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    pending: int = 1
    public: bool = False

    def level_of(self, measure: float) -> str | None:
        """The first level whose ``min`` the measure reaches (levels are worst first)."""
        return next((lv.level for lv in self.levels if measure >= lv.min), None)


@dataclass(frozen=True)
class Ruleset:
    version: int
    rules: tuple[Rule, ...]
    sha256: str

    def get(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)

    def watching(self, dataflows: set[str] | None) -> list[Rule]:
        """The rules that read any of ``dataflows`` (all rules for ``None``); a rule that names
        no dataflow runs on every evaluation."""
        if dataflows is None:
            return list(self.rules)
        return [r for r in self.rules if not r.dataflows or set(r.dataflows) & dataflows]


# --------------------------------------------------------------------------- checking


def parse(text: str, *, file: str = "rules.yaml", version: int = 0) -> Ruleset:
    """The rules of ``text``; ``RulesRejected`` with located findings when anything is wrong."""
    report = Report(source=file)
    try:
        doc = yaml.safe_load(text)
        lines = _rule_lines(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        report.add(
            finding(
                "rule-yaml",
                file=file,
                row=mark.line + 1 if mark else None,
                detail=str(err).splitlines()[0],
            )
        )
        raise RulesRejected(report) from None
    items = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        report.add(finding("rule-field-missing", file=file, column="rules"))
        raise RulesRejected(report)
    rules = [
        _rule(item, lines[i] if i < len(lines) else None, file, report)
        for i, item in enumerate(items)
    ]
    _duplicates(items, lines, file, report)
    if not report.ok:
        raise RulesRejected(report)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Ruleset(version or int(doc.get("version", 1)), tuple(r for r in rules if r), digest)


def _rule_lines(text: str) -> list[int]:
    node = yaml.compose(text)
    if node is None or not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "rules" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _rule(item: Any, line: int | None, file: str, report: Report) -> Rule | None:
    if not isinstance(item, dict):
        report.add(finding("rule-field-missing", file=file, row=line, column="code"))
        return None
    before = len(report.errors)
    for name in REQUIRED:
        if item.get(name) in (None, "", []):
            report.add(
                finding(
                    "rule-field-missing",
                    file=file,
                    row=line,
                    column=name,
                    value=item.get("code", ""),
                )
            )
    kind = item.get("kind")
    if kind and kind not in KINDS:
        report.add(
            finding(
                "rule-kind-unknown",
                file=file,
                row=line,
                column="kind",
                value=kind,
                expected="、".join(KINDS),
            )
        )
    known = {d.id for d in all_dataflows()}
    for flow in item.get("dataflows") or []:
        if flow not in known:
            report.add(
                finding(
                    "rule-dataflow-unknown", file=file, row=line, column="dataflows", value=flow
                )
            )
    levels = _levels(item.get("levels") or [], line, file, report)
    params = item.get("params") or {}
    for name in KINDS.get(kind or "", ()):
        _positive(params, name, line, file, report)
    if len(report.errors) > before:
        return None
    return Rule(
        code=str(item["code"]),
        kind=str(kind),
        name_zh=item["name_zh"],
        name_en=item["name_en"],
        message_zh=item["message_zh"],
        message_en=item["message_en"],
        levels=levels,
        dataflows=tuple(item.get("dataflows") or ()),
        where={k: [str(v) for v in vs] for k, vs in (item.get("where") or {}).items()},
        params=params,
        pending=int(item.get("pending", 1)),
        public=bool(item.get("public", False)),
    )


def _levels(items: list[Any], line: int | None, file: str, report: Report) -> tuple[Level, ...]:
    out = []
    for item in items:
        name = item.get("level") if isinstance(item, dict) else item
        if name not in LEVELS:
            report.add(
                finding("rule-level-unknown", file=file, row=line, column="levels", value=name)
            )
            continue
        bound = item.get("min", 0)
        if not isinstance(bound, int | float) or isinstance(bound, bool):
            report.add(
                finding(
                    "rule-threshold-invalid",
                    file=file,
                    row=line,
                    column=f"levels.{name}.min",
                    value=bound,
                )
            )
            continue
        out.append(Level(name, float(bound)))
    return tuple(sorted(out, key=lambda lv: -LEVELS[lv.level][1]))


def _positive(
    params: dict[str, Any], name: str, line: int | None, file: str, report: Report
) -> None:
    value = params.get(name)
    if name == "bases":
        if not value:
            report.add(finding("rule-field-missing", file=file, row=line, column=f"params.{name}"))
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        report.add(
            finding(
                "rule-threshold-invalid",
                file=file,
                row=line,
                column=f"params.{name}",
                value="" if value is None else value,
            )
        )


def _duplicates(items: list[Any], lines: list[int], file: str, report: Report) -> None:
    seen: dict[str, int | None] = {}
    for i, item in enumerate(items):
        code = item.get("code") if isinstance(item, dict) else None
        line = lines[i] if i < len(lines) else None
        if code in seen:
            report.add(
                finding(
                    "rule-code-duplicate",
                    file=file,
                    row=line,
                    column="code",
                    value=code,
                    rows=seen[code],
                )
            )
        elif code:
            seen[code] = line


# --------------------------------------------------------------------------- versions


@lru_cache(maxsize=1)
def packaged() -> Ruleset:
    return parse(PACKAGED.read_text(encoding="utf-8"), file=PACKAGED.name, version=1)


def active(conn: Connection) -> Ruleset:
    """The rules in force: the newest active version stored, else the packaged file."""
    row = conn.execute(
        select(t.ruleset.c.version, t.ruleset.c.content)
        .where(t.ruleset.c.active)
        .order_by(t.ruleset.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return packaged()
    return _cached(row.version, row.content)


@lru_cache(maxsize=8)
def _cached(version: int, content: str) -> Ruleset:
    return parse(content, version=version)


def load(
    conn: Connection,
    text: str,
    *,
    username: str,
    role: str = "",
    file: str = "rules.yaml",
    note: str = "",
) -> Ruleset:
    """Check ``text`` and make it the rules in force (a new version, audited)."""
    checked = parse(text, file=file)
    last = conn.execute(select(func.max(t.ruleset.c.version))).scalar()
    version = max(int(last or 1), 1) + 1
    now = datetime.now(UTC)
    conn.execute(update(t.ruleset).values(active=False))
    conn.execute(
        insert(t.ruleset).values(
            version=version,
            content=text,
            sha256=checked.sha256,
            active=True,
            created_by=username,
            created_at=now,
            note=note,
        )
    )
    changes.bump(conn)  # the lists name the rules
    audit.record(
        conn,
        action="monitor.rules",
        username=username,
        role=role,
        target=f"ruleset v{version}",
        detail={"sha256": checked.sha256, "file": file, "rules": len(checked.rules)},
    )
    return Ruleset(version, checked.rules, checked.sha256)


def versions(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            t.ruleset.c.version,
            t.ruleset.c.sha256,
            t.ruleset.c.active,
            t.ruleset.c.created_by,
            t.ruleset.c.created_at,
            t.ruleset.c.note,
        ).order_by(t.ruleset.c.version)
    )
    return [dict(r._mapping) for r in rows]
