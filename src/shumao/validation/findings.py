"""Findings: what is wrong (or was normalised) in an input, where, and how to fix it.

A finding is data with a stable ``code`` from ``catalogue.yaml``; its messages are rendered from
the catalogue's Chinese and English templates (the fix hints are templates too). A ``Report`` collects every finding of one
input (it never stops at the first) and caps repeats of one code in one column so a million
bad cells make a readable report.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
MAX_PER_CODE_AND_COLUMN = 50
ROW = "_row"
"""The column of a frame of text cells that holds the row a person sees in the file: what a
finding about a cell points at (readers, number parsing and the filing checks share it)."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return data


def register(codes: dict[str, dict[str, str]]) -> None:
    """Add finding codes of another module (e.g. form rules) to the catalogue."""
    clash = set(codes) & set(catalogue())
    if clash:
        raise ValueError(f"finding codes already defined: {sorted(clash)}")
    catalogue().update(codes)


def register_file(path: Path) -> None:
    """Add the finding codes of a package's YAML file once (a second call adds nothing)."""
    codes = yaml.safe_load(path.read_text(encoding="utf-8"))
    new = {k: v for k, v in codes.items() if k not in catalogue()}
    if new:
        register(new)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message_zh: str
    message_en: str
    fix_zh: str = ""
    fix_en: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    cell: str = ""
    value: str = ""
    plain_zh: str = ""
    """The message in plain words for a filer, where the catalogue has one (no method names,
    scores or bounds); empty where ``message_zh`` is plain already."""
    plain_en: str = ""

    @property
    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet) if p]
        if self.cell:
            parts.append(self.cell)
        elif self.row is not None:
            parts.append(f"第{self.row}行 row {self.row}")
        if self.column and not self.cell:
            parts.append(f"列 column “{self.column}”")
        elif self.column:
            parts.append(f"“{self.column}”")
        return " · ".join(parts)

    def text(self) -> str:
        where = f"[{self.location}] " if self.location else ""
        fix = f"\n    修改建议：{self.fix_zh} / How to fix: {self.fix_en}" if self.fix_zh else ""
        return (
            f"{self.severity.value.upper():7} {self.code}: {where}{self.message_zh}\n"
            f"        {self.message_en}{fix}"
        )


def finding(
    code: str,
    *,
    file: str = "",
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    col_index: int | None = None,
    value: Any = "",
    severity: Severity | None = None,
    **params: Any,
) -> Finding:
    """Build a finding from the catalogue entry ``code`` and its template parameters."""
    entry = catalogue()[code]
    values = {"file": file, "row": row, "column": column, "value": value, **params}
    cell = f"{column_letter(col_index)}{row}" if col_index is not None and row else ""
    return Finding(
        code=code,
        severity=severity or Severity(entry["severity"]),
        message_zh=entry["zh"].format(**values),
        message_en=entry["en"].format(**values),
        fix_zh=entry.get("fix_zh", "").format(**values),
        fix_en=entry.get("fix_en", "").format(**values),
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        cell=cell,
        value="" if value is None else str(value),
        plain_zh=entry.get("plain_zh", "").format(**values),
        plain_en=entry.get("plain_en", "").format(**values),
    )


@dataclass
class Report:
    """All findings of one input. ``ok`` is False when any finding is an error."""

    source: str = ""
    findings: list[Finding] = field(default_factory=list)
    suppressed: Counter[tuple[str, str]] = field(default_factory=Counter)
    _seen: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)

    def add(self, item: Finding) -> None:
        key = (item.code, item.column)
        self._seen[key] += 1
        if self._seen[key] > MAX_PER_CODE_AND_COLUMN:
            self.suppressed[key] += 1
        else:
            self.findings.append(item)

    def extend(self, items: list[Finding] | Report) -> None:
        for item in items.findings if isinstance(items, Report) else items:
            self.add(item)
        if isinstance(items, Report):
            self.suppressed.update(items.suppressed)

    def count(self, code: str) -> int:
        """How many findings of ``code`` there were, including those beyond the display cap."""
        return sum(n for (c, _), n in self._seen.items() if c == code)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors and not any(
            catalogue()[c].get("severity") == "error" for (c, _) in self.suppressed
        )

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def flat(self) -> list[dict[str, Any]]:
        return [{**asdict(f), "severity": f.severity.value} for f in self.findings]

    def to_json(self) -> str:
        more = [{"code": c, "column": col, "more": n} for (c, col), n in self.suppressed.items()]
        doc = {"source": self.source, "ok": self.ok, "findings": self.flat(), "suppressed": more}
        return json.dumps(doc, ensure_ascii=False, indent=2)

    def text(self) -> str:
        lines = [f.text() for f in self.findings]
        lines += [
            f'…… “{col}” 列另有 {n} 条 {code} / {n} more {code} in "{col}"'
            for (code, col), n in self.suppressed.items()
        ]
        e, w = len(self.errors), len(self.warnings)
        lines.append(f"合计：{e} 个错误，{w} 个警告 / total: {e} error(s), {w} warning(s)")
        return "\n".join(lines)
