"""The regulatory tracker: host-economy digital rules read from a YAML file into the policy
library as foreign rules (``shumao.policy.foreign``), every entry checked first.

An entry: ``key``, ``economy`` (ISO 3166 alpha-3 or name, or a grouping such as EU27),
``type`` (``data/risk.yaml`` rule types), ``effective_from``, ``effective_to`` (empty while in
force), ``source`` (http(s) address, required), ``authority``, ``title_zh``/``title_en``,
``summary_zh``/``summary_en``. A file with any bad entry is refused whole: findings name the
entry (its row in the file is its position) and nothing is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection

from shumao.errors import ImportRejected, UnknownCode
from shumao.outbound import risk, risk_rules
from shumao.policy.foreign import ForeignRule, put
from shumao.reference import countries, groupings
from shumao.validation.findings import Report, finding

REQUIRED = (
    "key",
    "economy",
    "type",
    "effective_from",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
)


def economy_code(value: str) -> str | None:
    """ISO alpha-3 of a country, or the code of a grouping (EU27); None if unknown."""
    try:
        return countries.lookup(value).iso3 if value.upper() not in ("EU", "EU27") else "EU27"
    except UnknownCode:
        pass
    try:
        return groupings.lookup_group(value).code
    except UnknownCode:
        return None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _entry(raw: dict[str, Any], n: int, file: str, report: Report) -> ForeignRule | None:
    name = str(raw.get("key") or f"#{n}")
    where: dict[str, Any] = {"file": file, "row": n}
    before = len(report.errors)
    for column in REQUIRED:
        if not str(raw.get(column) or "").strip():
            report.add(finding("outbound-tracker-missing", column=column, value=name, **where))
    source = str(raw.get("source") or "").strip()
    if not source.startswith(("http://", "https://")):
        report.add(finding("outbound-tracker-source", column="source", value=name, **where))
    economy = economy_code(str(raw.get("economy") or "")) if raw.get("economy") else None
    if raw.get("economy") and economy is None:
        report.add(
            finding("outbound-tracker-economy", column="economy", value=raw["economy"], **where)
        )
    kinds = risk_rules.rule_types()
    if raw.get("type") and raw["type"] not in kinds:
        report.add(
            finding(
                "outbound-tracker-type",
                column="type",
                value=raw["type"],
                expected="、".join(kinds),
                **where,
            )
        )
    start, end = _date(raw.get("effective_from")), _date(raw.get("effective_to"))
    for column, value, parsed in (
        ("effective_from", raw.get("effective_from"), start),
        ("effective_to", raw.get("effective_to"), end),
    ):
        if value not in (None, "") and parsed is None:
            report.add(finding("outbound-tracker-date", column=column, value=value, **where))
    if start and end and end < start:
        report.add(finding("outbound-tracker-date", column="effective_to", value=end, **where))
    if len(report.errors) > before or start is None or economy is None:
        return None
    return ForeignRule(
        name,
        economy,
        str(raw["type"]),
        start,
        end,
        source,
        str(raw["title_zh"]),
        str(raw["title_en"]),
        str(raw["summary_zh"]),
        str(raw["summary_en"]),
        str(raw.get("authority") or ""),
    )


def read(path: Path) -> list[ForeignRule]:
    """Every entry of the file, or ``ImportRejected`` with a finding per problem."""
    report = Report(source=path.name)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = raw.get("entries", []) if isinstance(raw, dict) else []
    found = [_entry(item, n, path.name, report) for n, item in enumerate(items, start=1)]
    keys = [str(item.get("key") or "") for item in items]
    for key in sorted({k for k in keys if k and keys.count(k) > 1}):
        rows = [n for n, k in enumerate(keys, start=1) if k == key]
        report.add(
            finding(
                "key-duplicate",
                file=path.name,
                row=rows[0],
                value=key,
                rows="、".join(map(str, rows)),
            )
        )
    if not report.ok:
        raise ImportRejected(report)
    return [r for r in found if r is not None]


def load(conn: Connection, path: Path) -> list[ForeignRule]:
    """Check the file, write every entry and recompute the levels (the caller's transaction:
    all or nothing)."""

    rules = read(path)
    for rule in rules:
        put(conn, rule)
    risk.recompute(conn)
    return rules
