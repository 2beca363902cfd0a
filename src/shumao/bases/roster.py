"""The service-outsourcing roster (服务外包统计系统名录): import, checks, storage.

One row per enterprise and year: 企业名称, 统一社会信用代码 (where present), 地址, 所属基地,
年度 and the contract/execution amounts of offshore ITO, BPO and KPO (万美元 unless a header
names another unit). Read like every other source (CSV in UTF-8 or GB18030, XLSX; row numbers
as a person sees them) and checked completely before anything is written:

    missing columns (企业名称, 年度) · undecodable bytes · a blank name · a year that is not
    four digits · an invalid credit code (check character, GB 32100) · a name in traditional
    script · the same enterprise and year twice · a base that is not registered · amounts that
    are not numbers

Any error rejects the whole file (``ImportRejected`` with every finding located by file,
sheet, row, column and cell), nothing is written and nothing stored is touched. A row without
offshore ITO amounts is kept but does not count (an info finding says so). A load is one
``so_roster_load`` (file, SHA-256, who, when) with its rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert

from shumao.auth.scope import Scope
from shumao.bases import access, names, register_findings, registry
from shumao.bases.tables import so_roster_load, so_roster_row
from shumao.errors import ImportRejected, UnknownCode
from shumao.ingest.readers import ROW, Table, read_table
from shumao.reference import parks, units
from shumao.validation import uscc
from shumao.validation.findings import Report, finding
from shumao.validation.numbers import parse_numbers

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "单位名称", "名称", "name"),
    "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "uscc"),
    "address": ("地址", "注册地址", "企业地址", "通讯地址", "address"),
    "base": ("所属基地", "基地", "园区", "base"),
    "year": ("年度", "报告期", "年份", "year"),
}
AMOUNTS = ("ito_contract", "ito_exec", "bpo_contract", "bpo_exec", "kpo_contract", "kpo_exec")
AMOUNT_HEADERS = {
    "ito_contract": ("离岸ITO合同额", "离岸信息技术外包合同额", "ITO合同额"),
    "ito_exec": ("离岸ITO执行额", "离岸信息技术外包执行额", "ITO执行额"),
    "bpo_contract": ("离岸BPO合同额", "离岸业务流程外包合同额", "BPO合同额"),
    "bpo_exec": ("离岸BPO执行额", "离岸业务流程外包执行额", "BPO执行额"),
    "kpo_contract": ("离岸KPO合同额", "离岸知识流程外包合同额", "KPO合同额"),
    "kpo_exec": ("离岸KPO执行额", "离岸知识流程外包执行额", "KPO执行额"),
}
REQUIRED = ("name", "year")
DEFAULT_UNIT = "万美元"


@dataclass
class RosterLoad:
    load_id: int | None
    rows: int
    counted: int
    report: Report


def _key(text: str) -> str:
    return text.strip().upper().replace(" ", "").replace("（", "(").replace("）", ")")


def _columns(table: Table, report: Report, file: str) -> dict[str, str]:
    index = {_key(c.split("（")[0].split("(")[0]): c for c in table.columns}
    found = {}
    for key, aliases in [*COLUMNS.items(), *AMOUNT_HEADERS.items()]:
        hit = next((index[_key(a)] for a in aliases if _key(a) in index), None)
        if hit is not None:
            found[key] = hit
    for key in REQUIRED:
        if key not in found:
            report.add(
                finding(
                    "column-missing",
                    file=file,
                    sheet=table.sheet,
                    column=COLUMNS[key][0],
                    present="、".join(table.columns),
                )
            )
    return found


def read_roster(
    path: Path,
    report: Report,
    *,
    base: str | None = None,
    known_bases: dict[str, str] | None = None,
    file: str = "",
) -> pl.DataFrame | None:
    """The roster as a frame (name, uscc, address, base_code, year, amounts in 万美元, _row),
    with every problem in ``report``; None when the file cannot be read at all."""
    register_findings()
    file = file or path.name
    table = read_table(path, report, file=file)
    if table is None:
        return None
    cols = _columns(table, report, file)
    if not report.ok:
        return None
    frame = table.frame
    out = pl.DataFrame(
        {
            ROW: frame[ROW],
            "name": frame[cols["name"]].str.strip_chars(),
            "uscc": _text(frame, cols.get("uscc")),
            "address": _text(frame, cols.get("address")),
            "base_raw": _text(frame, cols.get("base")),
            "year_raw": frame[cols["year"]].str.strip_chars(),
        }
    )
    ctx = _Ctx(report, file, table, cols)
    out = out.with_columns(_years(out, ctx), _bases(out, ctx, base, known_bases or {}))
    out = out.with_columns(_amounts(frame, ctx))
    _check_names(out, ctx)
    _check_codes(out, ctx)
    _check_duplicates(out, ctx)
    return out.drop("base_raw", "year_raw")


@dataclass
class _Ctx:
    report: Report
    file: str
    table: Table
    cols: dict[str, str]

    def at(self, key: str, row: int) -> dict[str, Any]:
        header = self.cols.get(key, "")
        index = self.table.columns.index(header) if header in self.table.columns else None
        return {
            "file": self.file,
            "sheet": self.table.sheet,
            "row": row,
            "column": header,
            "col_index": index,
        }


def _text(frame: pl.DataFrame, column: str | None) -> pl.Series:
    if column is None:
        return pl.Series([None] * frame.height, dtype=pl.String)
    cleaned = frame[column].str.strip_chars()
    return cleaned.replace("", None)


def _years(out: pl.DataFrame, ctx: _Ctx) -> pl.Series:
    year = out["year_raw"].str.replace(r"年$", "").str.extract(r"^(\d{4})$", 1)
    for row, raw in out.filter(year.is_null()).select(ROW, "year_raw").head(100).iter_rows():
        ctx.report.add(finding("roster-year-invalid", value=raw or "", **ctx.at("year", row)))
    return year.alias("year")


def _bases(out: pl.DataFrame, ctx: _Ctx, base: str | None, known: dict[str, str]) -> pl.Series:
    if base is not None:
        return pl.Series("base_code", [base] * out.height, dtype=pl.String)
    if "base" not in ctx.cols:
        ctx.report.add(finding("roster-base-missing", file=ctx.file, sheet=ctx.table.sheet))
        return pl.Series("base_code", [None] * out.height, dtype=pl.String)
    codes = []
    for row, raw in out.select(ROW, "base_raw").iter_rows():
        code = known.get(_key(raw)) if raw else None
        if raw and code is None:
            ctx.report.add(finding("roster-base-unknown", value=raw, **ctx.at("base", row)))
        codes.append(code)
    return pl.Series("base_code", codes, dtype=pl.String)


def _amounts(frame: pl.DataFrame, ctx: _Ctx) -> list[pl.Series]:
    out = []
    target = units.parse(DEFAULT_UNIT)
    for key in AMOUNTS:
        header = ctx.cols.get(key)
        if header is None:
            out.append(pl.Series(key, [None] * frame.height, dtype=pl.Float64))
            continue
        values, _ = parse_numbers(
            frame,
            header,
            ctx.report,
            file=ctx.file,
            sheet=ctx.table.sheet,
            col_index=ctx.table.columns.index(header),
        )
        unit = units.find_in_header(header) or target
        out.append((values * units.factor(unit, target)).alias(key))
    return out


def _check_names(out: pl.DataFrame, ctx: _Ctx) -> None:
    for row in out.filter(pl.col("name").fill_null("") == "")[ROW].head(100):
        ctx.report.add(finding("roster-name-missing", **ctx.at("name", row)))
    written = out["name"].to_list()
    for row, name, trad in zip(out[ROW], written, names.has_traditional(written), strict=True):
        if trad:
            changed = "".join(
                a
                for a, b in zip(name, names.to_simplified([name])[0] or "", strict=False)
                if a != b
            )
            ctx.report.add(
                finding(
                    "roster-traditional-name", value=name, detail=changed, **ctx.at("name", row)
                )
            )


def _check_codes(out: pl.DataFrame, ctx: _Ctx) -> None:
    for row, code in out.filter(pl.col("uscc").is_not_null()).select(ROW, "uscc").iter_rows():
        if uscc.problem(code.upper()):
            texts = uscc.problem_texts(code.upper())
            ctx.report.add(finding("uscc-invalid", value=code, **texts, **ctx.at("uscc", row)))


def _check_duplicates(out: pl.DataFrame, ctx: _Ctx) -> None:
    keyed = names.normalise_names(out.select(ROW, "name", "uscc", "year"))
    dups = (
        keyed.group_by("name_norm", "uscc", "year", maintain_order=True)
        .agg(pl.col(ROW).sort().alias("rows"), pl.col("name").first())
        .filter(pl.col("rows").list.len() > 1)
    )
    for record in dups.head(100).iter_rows(named=True):
        rows = record["rows"]
        ctx.report.add(
            finding(
                "roster-duplicate-row",
                rows="、".join(map(str, rows[:10])),
                value=f"{record['name']} {record['year']}",
                **ctx.at("name", rows[1]),
            )
        )


def record_keys(frame: pl.DataFrame) -> pl.Series:
    """A roster record's identity across loads: normalised name and credit code."""
    keyed = names.normalise_names(frame.select("name", "uscc"))
    text = keyed.select(
        pl.concat_str(
            pl.col("name_norm").fill_null(""),
            pl.col("uscc").fill_null("").str.to_uppercase(),
            separator="|",
        )
    )
    return pl.Series(
        "record_key", [hashlib.sha256(t.encode()).hexdigest()[:32] for t in text.to_series()]
    )


def import_roster(
    conn: Connection, *, scope: Scope, path: Path, base: str | None = None, label: str = ""
) -> RosterLoad:
    """Check and store a roster, all or nothing (see the module docstring)."""
    report = Report(source=str(path))
    known = _known_bases(conn)
    if base is not None:
        base = registry.get(conn, base).code
    frame = read_roster(Path(path), report, base=base, known_bases=known)
    if frame is None or not report.ok or frame.is_empty():
        if report.ok:
            report.add(finding("file-empty", file=Path(path).name))
        raise ImportRejected(report)
    for code in frame["base_code"].drop_nulls().unique().to_list():
        found = registry.get(conn, code)
        access.require_link(conn, scope, found.code, found.city_code)
    frame = frame.with_columns(record_keys(frame))
    counted = frame.filter(pl.any_horizontal(pl.col("ito_contract", "ito_exec").fill_null(0) > 0))
    for row in frame.filter(~pl.col(ROW).is_in(counted[ROW].implode()))[ROW].head(100):
        report.add(finding("roster-no-ito", file=Path(path).name, row=row))
    load_id = _store(conn, scope, Path(path), frame, label)
    access.record(
        conn, scope, "base.roster", Path(path).name, {"load": load_id, "rows": frame.height}
    )
    return RosterLoad(load_id, frame.height, counted.height, report)


def _known_bases(conn: Connection) -> dict[str, str]:
    out = {}
    for b in registry.bases(conn):
        for text in (b.code, b.name_zh, b.name_en):
            if text:
                out[_key(text)] = b.code

    for p in parks.parks():
        for alias in p.aliases:
            out.setdefault(_key(alias), p.code)
    return out


def _store(conn: Connection, scope: Scope, path: Path, frame: pl.DataFrame, label: str) -> int:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    load_id = conn.execute(
        insert(so_roster_load).values(
            file=path.name,
            sha256=digest,
            rows=frame.height,
            label=label[:200],
            created_by=scope.username or scope.role,
            created_at=datetime.now(UTC),
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    rows = frame.select(
        pl.lit(load_id).alias("load_id"),
        pl.col(ROW).alias("row_no"),
        "name",
        pl.col("uscc").str.to_uppercase(),
        "address",
        "base_code",
        "year",
        "record_key",
        *AMOUNTS,
    )
    conn.execute(insert(so_roster_row), rows.to_dicts())
    return int(load_id)


def is_known(conn: Connection, code: str) -> bool:
    try:
        registry.get(conn, code)
    except UnknownCode:
        return False
    return True
