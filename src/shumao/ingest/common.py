"""Helpers shared by source parsers: name→code resolution, units, column matching."""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from shumao.errors import UnknownCode
from shumao.ingest.readers import ROW, Table
from shumao.reference import units
from shumao.validation.findings import Report, finding


def _resolver(kind: str) -> Callable[[str], str]:
    from shumao.reference import countries, ebops, geo, parks

    table: dict[str, Callable[[str], str]] = {
        "country": lambda v: countries.lookup(v).iso3,
        "geo": lambda v: geo.lookup(v).code,
        "ebops": lambda v: ebops.lookup(v).code,
        "park": lambda v: parks.lookup(v).code,
    }
    if kind == "area":
        order = [table["park"], table["geo"], table["country"]]

        def area(v: str) -> str:
            for fn in order:
                try:
                    return fn(v)
                except UnknownCode:
                    continue
            raise UnknownCode("area", v)

        return area
    return table[kind]


def resolve(frame: pl.DataFrame, column: str, kind: str) -> tuple[pl.DataFrame, list[str]]:
    """Replace names or codes in ``column`` by canonical codes; return the values not resolved.

    Unresolved values are kept as written, so the shared code check reports them with rows.
    """
    resolve_one = _resolver(kind)
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
            if declared_unit and header_unit and (header_unit.code, header_unit.mult) != (
                declared_unit.code, declared_unit.mult
            ):
                report.add(finding("unit-conflict", file=file, sheet=table.sheet, row=1,
                                   column=header, col_index=table.columns.index(header),
                                   header_unit=header_unit.name_zh,
                                   mapping_unit=declared_unit.name_zh))
            return header
    report.add(finding("column-missing", file=file, sheet=table.sheet, column=wanted,
                       present="、".join(table.columns)))
    return None


def first_rows(frame: pl.DataFrame, column: str, values: list[str]) -> dict[str, int]:
    rows = (
        frame.filter(pl.col(column).is_in(values))
        .group_by(column).agg(pl.col(ROW).min())
    )
    return dict(rows.iter_rows())
