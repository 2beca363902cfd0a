"""The mapping file of a tidy import (see ``shumao.ingest.sources.generic``): reading it, and what is wrong with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shumao.errors import UnknownCode
from shumao.storage.dataflows import Dataflow, all_dataflows, get_dataflow
from shumao.storage.tables import DIMENSIONS
from shumao.validation.findings import Report, finding

FIELDS = (*DIMENSIONS, "time_period", "value", "unit", "obs_status", "conf_status")
MAPPING_KEYS = (
    "dataflow",
    "sheet",
    "skip_rows",
    "unit",
    "columns",
    "constants",
    "recode",
    "lookup",
    "nonnegative",
    "attributes",
)
LOOKUPS = ("country", "area", "geo", "ebops", "park")
NUMERIC_FIELDS = ("value",)


def load_mapping(path: Path | str | dict[str, Any], report: Report) -> dict[str, Any] | None:
    """The mapping as a dict, or None after ``mapping-invalid`` findings saying what is wrong."""
    file = "" if isinstance(path, dict) else Path(path).name
    if isinstance(path, dict):
        mapping: Any = path
    else:
        try:
            mapping = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            report.add(finding("mapping-invalid", file=file, detail=_read_problem(exc)))
            return None
    problems = mapping_problems(mapping)
    for detail in problems:
        report.add(finding("mapping-invalid", file=file, detail=detail))
    return None if problems else mapping


def _read_problem(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"无法读取映射文件 / cannot read the mapping file: {exc.strerror or exc}"
    if isinstance(exc, UnicodeDecodeError):
        return "映射文件应为 UTF-8 编码 / the mapping file must be UTF-8"
    mark = getattr(exc, "problem_mark", None)
    where = f"第 {mark.line + 1} 行 / line {mark.line + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"YAML 格式错误 / YAML syntax error, {where}{problem}"


def mapping_problems(mapping: Any) -> list[str]:
    """Bilingual descriptions of what is wrong with a mapping (empty if nothing)."""
    if not isinstance(mapping, dict):
        return ["顶层应为键值对 / the top level must be a mapping of keys to values"]
    problems = _shape_problems(mapping)
    if problems:
        return problems
    try:
        flow = get_dataflow(str(mapping.get("dataflow", "")))
    except UnknownCode:
        known = "、".join(f.id for f in all_dataflows())
        return [
            f"未知数据流 / unknown dataflow {mapping.get('dataflow')!r} (可选 / known: {known})"
        ]
    return _field_problems(mapping, flow)


def _shape_problems(mapping: dict[str, Any]) -> list[str]:
    problems = []
    unknown = sorted(set(map(str, mapping)) - set(MAPPING_KEYS))
    if unknown:
        problems.append(
            f"未知的键 / unknown keys: {', '.join(unknown)} "
            f"(可用 / allowed: {', '.join(MAPPING_KEYS)})"
        )
    for key in ("columns", "constants", "recode", "lookup", "attributes"):
        if not isinstance(mapping.get(key) or {}, dict):
            problems.append(f"{key} 应为键值对 / {key} must be a mapping")
    if not isinstance(mapping.get("nonnegative") or [], list):
        problems.append("nonnegative 应为列表 / nonnegative must be a list")
    skip = mapping.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        problems.append(f"skip_rows 应为非负整数 / skip_rows must be a whole number ≥ 0: {skip!r}")
    return problems


def _field_problems(mapping: dict[str, Any], flow: Dataflow) -> list[str]:
    columns, constants = mapping.get("columns") or {}, mapping.get("constants") or {}
    given = set(columns) | set(constants)
    problems = []
    unknown = sorted(set(map(str, given)) - set(FIELDS))
    if unknown:
        problems.append(
            f"未知字段 / unknown fields: {', '.join(unknown)} (可用 / fields: {', '.join(FIELDS)})"
        )
    needed = [d for d in flow.dimensions if d != "freq"] + ["time_period", "value"]
    problems += [
        f"缺少字段 {f} / field {f} is not mapped (数据流 dataflow {flow.id})"
        for f in needed
        if f not in given
    ]
    if "unit" not in columns and "unit" not in mapping:
        problems.append("缺少单位 / give `unit` or map a unit column")
    for key in ("recode", "lookup"):
        stray = sorted(set(map(str, mapping.get(key) or {})) - set(map(str, given)))
        if stray:
            problems.append(
                f"{key} 中的字段未映射 / {key} names fields not mapped: {', '.join(stray)}"
            )
    bad_kinds = sorted({str(k) for k in (mapping.get("lookup") or {}).values()} - set(LOOKUPS))
    if bad_kinds:
        problems.append(
            f"未知的 lookup 类型 / unknown lookup kinds: {', '.join(bad_kinds)} "
            f"(可用 / allowed: {', '.join(LOOKUPS)})"
        )
    if any(not isinstance(v, dict) for v in (mapping.get("recode") or {}).values()):
        problems.append(
            "recode 的每一项应为 原值: 代码 / each recode entry must map values to codes"
        )
    clash = sorted(set(map(str, mapping.get("attributes") or {})) & set(FIELDS))
    if clash:
        problems.append(
            f"attributes 不能使用字段名 / attributes may not be named as fields: {clash}"
        )
    bad_numeric = sorted(set(map(str, mapping.get("nonnegative") or [])) - set(NUMERIC_FIELDS))
    if bad_numeric:
        problems.append(
            f"nonnegative 只能包含 value / nonnegative may only name value: {bad_numeric}"
        )
    return problems
