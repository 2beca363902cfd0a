"""The framework of an index as data: indicators and aggregates, any number of levels.

A framework is read from a YAML file (``frameworks/*.yaml``: sections ``indicators`` and
``aggregates``, plus the build settings) or from a COINr ``iMeta`` table (CSV or XLSX with the
columns ``Level, iCode, iName, Direction, Weight, Unit, Target, Denominator, Parent, Type``).
Every problem is a located finding; a framework with an error is rejected whole.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from shumao.errors import ImportRejected
from shumao.index import register_findings
from shumao.validation.findings import Report, finding

register_findings()


class FrameworkRejected(ImportRejected):
    def __init__(self, report: Report) -> None:
        super().__init__(report)
        n = len(report.errors)
        self.args = (
            f"指数框架或数据被拒绝：{n} 个错误，未计算、未发布任何结果 / the index "
            f"framework or data were rejected: {n} error(s), nothing computed or published",
        )


@dataclass(frozen=True)
class Node:
    """One indicator (level 1) or aggregate (level ≥ 2)."""

    code: str
    level: int
    parent: str | None
    name_zh: str = ""
    name_en: str = ""
    weight: float = 1.0
    direction: int = 1
    unit: str = ""
    denominator: str | None = None
    target: float | None = None
    source: Mapping[str, Any] | None = None
    note_zh: str = ""
    note_en: str = ""

    @property
    def is_indicator(self) -> bool:
        return self.level == 1

    def name(self, lang: str = "zh") -> str:
        return (
            (self.name_zh or self.name_en or self.code)
            if lang == "zh"
            else (self.name_en or self.name_zh or self.code)
        )


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    nodes: tuple[Node, ...]
    name_zh: str = ""
    name_en: str = ""
    dataflow: str = ""
    unit_kind: str = ""
    period: str = ""
    level_names: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    build: tuple[Mapping[str, Any], ...] = ()
    units: Mapping[str, Any] = field(default_factory=dict)
    averages: tuple[str, ...] = ()
    """Dated country groupings whose average scores the results show (economies)."""
    text: str = ""
    """The file's text as read: stored with every run so the run can be rebuilt."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.nodes}

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes if n.level == 1)

    @property
    def max_level(self) -> int:
        return max(n.level for n in self.nodes)

    @property
    def root(self) -> str:
        return next(n.code for n in self.nodes if n.level == self.max_level)

    def level(self, lev: int) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes if n.level == lev)

    def children(self, code: str) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes if n.parent == code)

    def weights(self) -> dict[str, float]:
        return {n.code: n.weight for n in self.nodes}

    def directions(self) -> dict[str, int]:
        return {n.code: n.direction for n in self.nodes if n.level == 1}

    def ancestor(self, code: str, level: int) -> str:
        node = self.by_code[code]
        while node.level < level and node.parent:
            node = self.by_code[node.parent]
        return node.code

    def name(self, code: str, lang: str = "zh") -> str:
        node = self.by_code.get(code)
        return node.name(lang) if node else code

    def with_weights(self, weights: Mapping[str, float]) -> Framework:
        nodes = tuple(replace(n, weight=float(weights.get(n.code, n.weight))) for n in self.nodes)
        return replace(self, nodes=nodes)


# --------------------------------------------------------------------------- reading


def load_framework(path: str | Path) -> Framework:
    """Read and check a framework file; raise ``FrameworkRejected`` with every finding."""
    path = Path(path)
    report = Report(source=str(path))
    if not path.is_file():
        report.add(finding("file-not-found", file=str(path)))
        raise FrameworkRejected(report)
    if path.suffix.lower() in (".yaml", ".yml"):
        fw = _from_yaml(path.read_text(encoding="utf-8"), path.name, report)
    elif path.suffix.lower() in (".csv", ".xlsx"):
        fw = _from_imeta(path, report)
    else:
        report.add(
            finding(
                "index-framework-unreadable",
                file=path.name,
                detail=f"unsupported file type {path.suffix}",
            )
        )
        fw = None
    if fw is not None:
        check(fw, report, file=path.name)
    if fw is None or not report.ok:
        raise FrameworkRejected(report)
    return fw


def parse_framework(text: str, *, file: str = "framework.yaml") -> Framework:
    """A framework from YAML text (e.g. the text stored with a run)."""
    report = Report(source=file)
    fw = _from_yaml(text, file, report)
    if fw is not None:
        check(fw, report, file=file)
    if fw is None or not report.ok:
        raise FrameworkRejected(report)
    return fw


def _from_yaml(text: str, file: str, report: Report) -> Framework | None:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        report.add(finding("index-framework-unreadable", file=file, detail=str(exc)[:200]))
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        report.add(
            finding("index-framework-unreadable", file=file, detail="no list under 'indicators'")
        )
        return None
    items: list[tuple[str, int, Any, int | None]] = [
        ("indicators", i, item, 1) for i, item in enumerate(raw["indicators"])
    ]
    items += [("aggregates", i, item, None) for i, item in enumerate(raw.get("aggregates") or [])]
    nodes = [
        n for n in (_node(sec, i, item, lev, file, report) for sec, i, item, lev in items) if n
    ]
    return Framework(
        id=str(raw.get("id", Path(file).stem)),
        version=str(raw.get("version", "")),
        nodes=tuple(nodes),
        name_zh=raw.get("name_zh", ""),
        name_en=raw.get("name_en", ""),
        dataflow=raw.get("dataflow", ""),
        unit_kind=raw.get("unit_kind", ""),
        period=str(raw.get("period", "")),
        level_names=tuple(raw.get("level_names") or ()),
        groups=tuple(raw.get("groups") or ()),
        build=tuple(raw.get("build") or ()),
        units=raw.get("units") or {},
        averages=tuple(raw.get("regional_averages") or ()),
        text=text,
    )


def _node(
    section: str, i: int, item: Any, level: int | None, file: str, report: Report
) -> Node | None:
    where: dict[str, Any] = {"file": file, "sheet": section, "row": i + 1}
    if not isinstance(item, dict) or not item.get("code"):
        report.add(
            finding("index-framework-unreadable", **where, detail=f"{section}[{i}] needs a 'code'")
        )
        return None
    code = str(item["code"])
    weight = _weight(item.get("weight", 1), code, where, report)
    direction = _direction(item.get("direction", 1), code, where, report)
    lev = level if level is not None else _int(item.get("level"), code, where, report)
    target = item.get("target")
    return Node(
        code=code,
        level=lev,
        parent=item.get("parent") or None,
        name_zh=str(item.get("name_zh", "")),
        name_en=str(item.get("name_en", "")),
        weight=weight,
        direction=direction,
        unit=str(item.get("unit", "")),
        denominator=item.get("denominator") or None,
        target=float(target) if isinstance(target, int | float) else None,
        source=item.get("source"),
        note_zh=str(item.get("note_zh", "")),
        note_en=str(item.get("note_en", "")),
    )


def _weight(value: Any, code: str, where: dict[str, Any], report: Report) -> float:
    try:
        w = float(value)
        if isinstance(value, bool) or not math.isfinite(w) or w < 0:
            raise ValueError
        return w
    except (TypeError, ValueError):
        report.add(
            finding("index-weight-not-number", **where, column="weight", item=code, value=value)
        )
        return 1.0


def _direction(value: Any, code: str, where: dict[str, Any], report: Report) -> int:
    try:
        d = int(float(value))
        if d in (1, -1):
            return d
    except (TypeError, ValueError):
        pass
    report.add(
        finding("index-direction-invalid", **where, column="direction", item=code, value=value)
    )
    return 1


def _int(value: Any, code: str, where: dict[str, Any], report: Report) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        report.add(
            finding(
                "index-framework-unreadable",
                **where,
                column="level",
                detail=f"{code}: level {value!r} is not an integer",
            )
        )
        return 2


def _from_imeta(path: Path, report: Report) -> Framework | None:
    """A COINr ``iMeta`` table: rows of Type Indicator/Aggregate; Group rows name groups."""

    try:
        frame = (
            pl.read_csv(path, infer_schema_length=0)
            if path.suffix.lower() == ".csv"
            else pl.read_excel(path, infer_schema_length=0)
        )
    except Exception as exc:  # any reader error is the user's file, reported as a finding
        report.add(finding("index-framework-unreadable", file=path.name, detail=str(exc)[:200]))
        return None
    nodes, groups = [], []
    for i, row in enumerate(frame.iter_rows(named=True)):
        kind = (row.get("Type") or "").strip()
        if kind == "Group":
            groups.append(row["iCode"])
        if kind not in ("Indicator", "Aggregate"):
            continue
        item = {
            "code": row["iCode"],
            "name_en": row.get("iName") or "",
            "weight": row.get("Weight"),
            "direction": row.get("Direction") or 1,
            "unit": row.get("Unit") or "",
            "denominator": row.get("Denominator"),
            "target": _float(row.get("Target")),
            "parent": row.get("Parent"),
            "level": row.get("Level"),
        }
        node = _node("iMeta", i + 1, item, None, path.name, report)
        if node:
            nodes.append(node)
    text = path.read_text(encoding="utf-8") if path.suffix.lower() == ".csv" else ""
    return Framework(id=path.stem, version="", nodes=tuple(nodes), groups=tuple(groups), text=text)


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- checking


def check(fw: Framework, report: Report, *, file: str = "") -> None:
    """Structural checks: unique codes, known parents, levels, no cycle, one root, children."""
    seen: set[str] = set()
    for n in fw.nodes:
        if n.code in seen:
            report.add(finding("index-duplicate-code", file=file, value=n.code))
        seen.add(n.code)
    by = fw.by_code
    for n in fw.nodes:
        _check_parent(n, by, report, file)
    _check_cycles(fw.nodes, by, report, file)
    roots = [n.code for n in fw.nodes if n.parent is None]
    if len(roots) != 1:
        report.add(finding("index-no-root", file=file, detail=", ".join(roots) or "—"))
    for n in fw.nodes:
        if n.level > 1 and not fw.children(n.code):
            report.add(finding("index-no-children", file=file, item=n.code, level=n.level))


def _check_parent(n: Node, by: Mapping[str, Node], report: Report, file: str) -> None:
    if n.parent is None:
        return
    parent = by.get(n.parent)
    if parent is None:
        report.add(finding("index-unknown-parent", file=file, item=n.code, value=n.parent))
    elif parent.level != n.level + 1 and parent.code != n.code:
        report.add(
            finding(
                "index-level-mismatch",
                file=file,
                item=n.code,
                level=n.level,
                value=parent.code,
                parent_level=parent.level,
                expected=n.level + 1,
            )
        )


def _check_cycles(nodes: Iterable[Node], by: Mapping[str, Node], report: Report, file: str) -> None:
    reported: set[frozenset[str]] = set()
    for n in nodes:
        chain = [n.code]
        cur = n
        while cur.parent and cur.parent in by:
            if cur.parent in chain:
                loop = [*chain[chain.index(cur.parent) :], cur.parent]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    report.add(finding("index-cycle", file=file, detail=" → ".join(loop)))
                break
            chain.append(cur.parent)
            cur = by[cur.parent]
