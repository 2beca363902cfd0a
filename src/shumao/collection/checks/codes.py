"""The code fields of a filing: each value resolved to its code list's code (EBOPS 2010, ISO
3166-1, customs supervision modes, or a code list a domain package registers), then checked:
required, known, among the form's allowed items.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from shumao.collection.checks.model import TOTAL, Run
from shumao.collection.forms import Field
from shumao.errors import UnknownCode
from shumao.reference import cbec_modes, countries, ebops
from shumao.validation.findings import ROW


def codes(run: Run) -> None:
    for f in run.form.code_fields:
        column = run.lines[f.id].str.strip_chars()
        mapping: dict[str, str | None] = {}
        for value in column.drop_nulls().unique().to_list():
            mapping[value] = _resolve(f, value)
        detail = ~pl.col(TOTAL)
        resolved = column.replace_strict(mapping, default=None, return_dtype=pl.String)
        run.lines = run.lines.with_columns(resolved.alias(f.id))
        _report_codes(run, f, mapping, detail)


def _report_codes(run: Run, f: Field, mapping: dict[str, str | None], detail: pl.Expr) -> None:
    raw = pl.col(f"raw_{f.id}").str.strip_chars()
    unknown = [v for v, code in mapping.items() if code is None]
    checks = {
        "value-missing": detail & (raw.is_null() | (raw == "")) if f.required else pl.lit(False),
        "code-unknown": detail & raw.is_in(unknown) if unknown else pl.lit(False),
        "code-not-allowed": detail & pl.col(f.id).is_not_null() & ~_allowed_expr(f)
        if f.allowed or f.exclude
        else pl.lit(False),
    }
    hits = run.lines.select(**{k: v.fill_null(False).any() for k, v in checks.items()}).row(0)
    params = {
        "code-unknown": {"codelist": _codelist_name(f)},
        "code-not-allowed": {"expected": _allowed_text(f)},
        "value-missing": {},
    }
    for (code, cond), hit in zip(checks.items(), hits, strict=True):
        if hit:
            rows = run.lines.filter(cond).select(ROW, raw.alias("_value"))
            run.emit(
                code, f.id, rows if code != "value-missing" else rows.select(ROW), **params[code]
            )


def _allowed_expr(f: Field) -> pl.Expr:
    ok = pl.col(f.id).is_in(list(f.allowed)) if f.allowed else pl.lit(True)
    return ok & ~pl.col(f.id).is_in(list(f.exclude))


def _allowed_text(f: Field) -> str:
    if f.allowed:
        return "、".join(f.allowed)
    return "除 " + "、".join(f.exclude) + " 以外 / all but " + ", ".join(f.exclude)


@dataclass(frozen=True)
class Codelist:
    """A code list a form field may use: its name for people, a lookup (name or code → code,
    ``UnknownCode`` otherwise) and the (code, Chinese name) choices its template offers."""

    name: str
    lookup: Callable[[str], str]
    choices: Callable[[], list[tuple[str, str]]]


CODELISTS: dict[str, Codelist] = {}


def register_codelist(key: str, codelist: Codelist) -> None:
    """A domain package's code list for form fields (``codelist: <key>`` in a form)."""
    CODELISTS[key] = codelist


def _codelist_name(f: Field) -> str:
    if f.codelist in CODELISTS:
        return CODELISTS[f.codelist].name
    return {
        "ebops": "EBOPS 2010",
        "country": "ISO 3166-1",
        "cbec_mode": "海关监管方式 customs supervision mode",
    }.get(f.codelist, f.codelist)


@lru_cache(maxsize=8192)
def _resolve_cached(codelist: str, value: str) -> str | None:
    lookup: Callable[[str], str] = (
        CODELISTS[codelist].lookup
        if codelist in CODELISTS
        else {
            "ebops": lambda v: ebops.lookup(v).code,
            "country": lambda v: countries.lookup(v).iso3,
            "cbec_mode": lambda v: cbec_modes.lookup(v).code,
        }[codelist]
    )
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    head, _, tail = text.partition(" ")
    for candidate in (text, head, tail):
        if not candidate:
            continue
        try:
            return lookup(candidate)
        except UnknownCode:
            continue
    return None


def resolve_code(codelist: str, value: str) -> str | None:
    """The code ``value`` names in ``codelist`` (as a filed cell is read), or None."""
    return _resolve_cached(codelist, value) if value else None


def _resolve(f: Field, value: str) -> str | None:
    """A code from "SI2", "si2", "SI2 计算机服务", "计算机服务", "USA 美国", "美国"."""
    return _resolve_cached(f.codelist, value) if value else None
