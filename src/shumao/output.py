"""Writing tables for people and programs: CSV (UTF-8 with BOM for Excel), XLSX, JSON.

Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are written with a
leading apostrophe: stored data stays as entered, exports are inert.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            col = pl.col(name)
            risky = col.str.starts_with(FORMULA_START[0])
            for prefix in FORMULA_START[1:]:
                risky = risky | col.str.starts_with(prefix)
            # "-3.5" is a number written as text, not a formula
            risky = risky & col.cast(pl.Float64, strict=False).is_null()
            exprs.append(pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def write(frame: pl.DataFrame, path: Path, fmt: str) -> Path:
    safe = inert(frame)
    if fmt == "csv":
        path.write_bytes(b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8"))
    elif fmt == "xlsx":
        safe.write_excel(path, autofit=True)
    elif fmt == "json":
        path.write_text(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=1), "utf-8")
    else:
        raise ValueError(f"unknown format {fmt}")
    return path


def to_bytes(frame: pl.DataFrame, fmt: str, *, sheet: str = "data") -> bytes:
    """A download's body: CSV (UTF-8 with BOM) or XLSX, formula-like text made inert."""

    safe = inert(frame)
    if fmt == "csv":
        return b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8")
    if fmt == "xlsx":
        buf = io.BytesIO()
        safe.write_excel(buf, worksheet=sheet, autofit=True)
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt}")


def fmt_number(value: float | None, digits: int = 2) -> str:
    """Report convention: two decimals, thousands separators; missing as "—"."""
    return "—" if value is None else f"{value:,.{digits}f}"
