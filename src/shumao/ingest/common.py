"""Helpers shared by source parsers: name→code resolution, units, column matching."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.readers import ROW, Table
from shumao.reference import countries, units
from shumao.reference.names import resolver
from shumao.validation.findings import Report, finding

if TYPE_CHECKING:
    from shumao.ingest.registry import ImportContext


def resolve(frame: pl.DataFrame, column: str, kind: str) -> tuple[pl.DataFrame, list[str]]:
    """Replace names or codes in ``column`` by canonical codes; return the values not resolved.

    Unresolved values are kept as written, so the shared code check reports them with rows.
    """
    resolve_one = resolver(kind)
    mapping: dict[str, str] = {}
    unresolved: list[str] = []
    for value in frame[column].drop_nulls().unique().to_list():
        try:
            mapping[value] = resolve_one(value)
        except UnknownCode:
            unresolved.append(value)
    frame = frame.with_columns(pl.col(column).replace(mapping))
    return frame, unresolved


UNIT_IN_HEADER = re.compile(r"^(?P<name>.*?)\s*[（(](?P<unit>[^（）()]+)[)）]\s*$")


def match_column(
    table: Table, wanted: str, report: Report, *, file: str, declared_unit: units.Unit | None = None
) -> str | None:
    """The header in ``table`` that is ``wanted``, allowing a unit in brackets after the name.

    A unit written in the header must agree with ``declared_unit`` (finding ``unit-conflict``).
    """
    for header in table.columns:
        if header == wanted:
            return header
    for header in table.columns:
        found = UNIT_IN_HEADER.match(header)
        if found and found["name"].strip() == wanted:
            header_unit = units.find_in_header(header)
            if (
                declared_unit
                and header_unit
                and (header_unit.code, header_unit.mult) != (declared_unit.code, declared_unit.mult)
            ):
                report.add(
                    finding(
                        "unit-conflict",
                        file=file,
                        sheet=table.sheet,
                        row=table.header_row,
                        column=header,
                        col_index=table.columns.index(header),
                        header_unit=header_unit.name_zh,
                        mapping_unit=declared_unit.name_zh,
                    )
                )
            return header
    report.add(
        finding(
            "column-missing",
            file=file,
            sheet=table.sheet,
            column=wanted,
            present="、".join(table.columns),
        )
    )
    return None


# --- helpers shared by the country-level importers (UNCTAD, WTO, World Bank) --------------------------------


def require_columns(table: Table, columns: Iterable[str], report: Report, file: str) -> bool:
    """True if ``table`` has every column; else one ``column-missing`` error per absent one."""
    absent = [c for c in columns if c not in table.columns]
    for column in absent:
        report.add(
            finding(
                "column-missing",
                file=file,
                sheet=table.sheet,
                column=column,
                present="、".join(table.columns),
            )
        )
    return not absent


def check_dataflow(ctx: ImportContext, allowed: tuple[str, ...], source: str) -> str | None:
    """The dataflow this import loads (``--dataflow`` or the first allowed); None if not allowed."""
    wanted = str(ctx.options.get("dataflow") or allowed[0]).upper()
    if wanted not in allowed:
        ctx.report.add(
            finding(
                "dataflow-unsupported",
                file=ctx.file,
                value=wanted,
                source=source,
                expected="、".join(allowed),
            )
        )
        return None
    ctx.options["dataflow"] = wanted
    return wanted


def world_code() -> str:
    """The code list's code for the world (WTO writes ``W00``, the World Bank ``WLD``)."""
    return countries.lookup("W00").iso3


def country_code(code: str | None, name: str | None = None) -> str | None:
    """ISO3 (or aggregate) code for a source's code, else for its name; None if neither maps."""
    for value in (code, name):
        found = countries.match_name(value) if value else None
        if found is not None:
            return found.iso3
    return None


def map_countries(
    frame: pl.DataFrame,
    column: str,
    report: Report,
    *,
    file: str,
    name_column: str | None = None,
    keep: Iterable[str] = (),
) -> pl.DataFrame:
    """Replace the codes (or names) in ``column`` by country codes; skip rows that do not map.

    Codes in ``keep`` stay as written. Each unmapped value gives one ``name-unmapped`` warning
    at its first row (with its row count); its rows are dropped. Empty cells are left for the
    pipeline's ``value-missing`` check.
    """
    kept = set(keep)
    names = pl.col(name_column if name_column in frame.columns else column).first()
    pairs = frame.filter(pl.col(column).is_not_null()).group_by(column).agg(names.alias("_name"))
    codes = {c: c if c in kept else country_code(c, n) for c, n in pairs.iter_rows()}
    unmapped = sorted(c for c, iso in codes.items() if iso is None)
    _warn_unmapped(frame, column, unmapped, report, file)
    known = {c: iso for c, iso in codes.items() if iso is not None}
    return frame.filter(~pl.col(column).is_in(unmapped)).with_columns(
        pl.col(column).replace_strict(known, default=None)
    )


def _warn_unmapped(
    frame: pl.DataFrame, column: str, unmapped: list[str], report: Report, file: str
) -> None:
    if not unmapped:
        return
    first = (
        frame.filter(pl.col(column).is_in(unmapped))
        .group_by(column)
        .agg(pl.col(ROW).min(), pl.len().alias("n"))
        .sort(ROW)
    )
    for code, row, n in first.iter_rows():
        report.add(
            finding(
                "name-unmapped",
                file=file,
                row=row,
                column=column,
                value=code,
                codelist=countries.CODELIST,
                rows=n,
            )
        )


def status_expr(missing: pl.Series) -> pl.Expr:
    return pl.when(pl.lit(missing)).then(pl.lit("M")).otherwise(pl.lit("A"))
