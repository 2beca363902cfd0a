"""Importing a roster of enterprises (企业名录, XLSX or CSV) into the enterprise database, all
or nothing: every row is read and checked (credit code, park, county, industry code, flags)
before any is saved, each error located at its row and column."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.collection.registry import FLAGS, EnterpriseRecord, locate, save_enterprise
from shumao.errors import ImportRejected, UnknownCode
from shumao.ingest.readers import read_table
from shumao.reference import geo, parks
from shumao.reference._data import AmbiguousName
from shumao.validation import codelists
from shumao.validation import uscc as uscc_check
from shumao.validation.findings import Report, finding

INDUSTRY = re.compile(r"^[A-T](\d{2}|\d{3}|\d{4})?$")
YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无", ""}

ROSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "uscc", "credit code"),
    "name": ("企业名称", "单位名称", "名称", "name"),
    "park": ("所属基地", "基地", "所在基地", "园区", "park"),
    "county": ("所在区县", "区县", "区县代码", "行政区划代码", "行政区划", "county"),
    "industry": ("行业代码", "国民经济行业代码", "行业分类代码", "industry"),
    "high_tech": ("高新技术企业", "高新技术", "high-tech"),
    "specialized": ("专精特新", "专精特新企业", "specialized"),
    "outsourcing_reporter": ("服务外包报送", "服务外包", "服务外包企业", "outsourcing"),
    "trade_reporter": ("服贸直报", "服务贸易直报", "直报企业", "trade reporter"),
    "cbec_reporter": (
        "跨境电商直报",
        "跨境电商企业",
        "跨境电商",
        "跨境电商报送",
        "cbec reporter",
        "cross-border e-commerce",
    ),
    "active": ("有效", "是否有效", "在册", "active"),
}


@dataclass
class RosterResult:
    created: int
    updated: int
    unchanged: int
    report: Report


def import_roster(conn: Connection, *, actor: Actor, path: Path) -> RosterResult:
    """Read a roster (XLSX or CSV) and save every enterprise in it, all or nothing.

    Raises ``ImportRejected`` (nothing written) when any row has an error, e.g. a credit code
    whose check character is wrong, an unknown park or county, or a bad industry code.
    """

    report = Report(source=str(path))
    table = read_table(Path(path), report)
    records = _roster_records(table, report, path.name) if table is not None else []
    if not report.ok or not records:
        if report.ok:
            report.add(finding("file-empty", file=path.name))
        raise ImportRejected(report)
    for rec in records:
        permissions.require_maintain(actor, locate(rec))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for rec in records:
        _, what = save_enterprise(conn, actor=actor, record=rec, source=f"roster {path.name}")
        counts[what] += 1
    return RosterResult(report=report, **counts)


def _roster_records(table: Any, report: Report, file: str) -> list[EnterpriseRecord]:
    names = _roster_columns(table.columns, report, file, table.sheet)
    if names is None:
        return []
    frame: pl.DataFrame = table.frame
    out: list[EnterpriseRecord] = []
    seen: dict[str, int] = {}
    for rec in frame.iter_rows(named=True):
        parsed = _roster_row(rec, names, report, file, table)
        if parsed is None:
            continue
        if parsed.uscc in seen:
            report.add(
                finding(
                    "key-duplicate",
                    file=file,
                    row=rec["_row"],
                    value=parsed.uscc,
                    rows=f"{seen[parsed.uscc]}、{rec['_row']}",
                )
            )
            continue
        seen[parsed.uscc] = rec["_row"]
        out.append(parsed)
    return out


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _roster_columns(
    columns: list[str], report: Report, file: str, sheet: str
) -> dict[str, str] | None:
    index = {_norm(c): c for c in columns}
    found: dict[str, str] = {}
    for key, aliases in ROSTER_COLUMNS.items():
        for alias in aliases:
            if _norm(alias) in index:
                found[key] = index[_norm(alias)]
                break
    for key in ("uscc", "name"):
        if key not in found:
            report.add(
                finding(
                    "column-missing",
                    file=file,
                    sheet=sheet,
                    column=ROSTER_COLUMNS[key][0],
                    present="、".join(columns),
                )
            )
    return found if {"uscc", "name"} <= set(found) else None


def _roster_row(
    rec: dict[str, Any], names: dict[str, str], report: Report, file: str, table: Any
) -> EnterpriseRecord | None:
    row = rec["_row"]
    cols = table.columns

    def at(key: str) -> dict[str, Any]:
        return {
            "file": file,
            "sheet": table.sheet,
            "row": row,
            "column": names[key],
            "col_index": cols.index(names[key]),
        }

    def cell(key: str) -> str:
        return (rec.get(names[key]) or "").strip() if key in names else ""

    before = len(report.errors)
    code = cell("uscc").upper()
    if not code:
        report.add(finding("value-missing", **at("uscc")))
    elif uscc_check.problem(code):
        report.add(
            finding("uscc-invalid", value=code, **uscc_check.problem_texts(code), **at("uscc"))
        )
    name = cell("name")
    if not name:
        report.add(finding("value-missing", **at("name")))
    park = _lookup_park(cell("park"), report, at) if cell("park") else None
    county = _lookup_county(cell("county"), report, at) if cell("county") else None
    industry = cell("industry").upper() or None
    if industry and not INDUSTRY.match(industry):
        report.add(finding("industry-invalid", value=industry, **at("industry")))
    flags: dict[str, Any] = {
        k: _flag(cell(k), k, report, at) for k in (*FLAGS, "active") if k in names
    }
    if "active" in flags and cell("active") == "":
        flags["active"] = True
    if len(report.errors) > before:
        return None
    return EnterpriseRecord(
        uscc=code, name=name, park_code=park, county_code=county, industry_code=industry, **flags
    )


def _lookup_park(value: str, report: Report, at: Any) -> str | None:
    try:
        return parks.lookup(value).code
    except UnknownCode as exc:
        report.add(finding("code-unknown", value=value, codelist=exc.codelist, **at("park")))
        return None


def _lookup_county(value: str, report: Report, at: Any) -> str | None:
    try:
        return geo.lookup(value).code
    except AmbiguousName as exc:
        report.add(codelists.ambiguous(exc, geo.CODELIST, **at("county")))
        return None
    except UnknownCode as exc:
        report.add(finding("code-unknown", value=value, codelist=exc.codelist, **at("county")))
        return None


def _flag(value: str, key: str, report: Report, at: Any) -> bool:
    v = value.strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    report.add(finding("flag-invalid", value=value, **at(key)))
    return False
