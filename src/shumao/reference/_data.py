"""Reading the shipped reference files: CSV rows, the manifest, name normalisation."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from shumao.errors import UnknownCode

Row = dict[str, str]


class AmbiguousName(UnknownCode):
    """A name matches several entries of a code list; ``candidates`` lists them."""

    def __init__(self, codelist: str, value: object, candidates: Iterable[str]) -> None:
        super().__init__(codelist, value)
        self.candidates = tuple(candidates)
        listing = "; ".join(self.candidates)
        self.args = (
            f"名称有歧义：{codelist} 中“{value}”对应多个条目（{listing}），请使用代码"
            f" / ambiguous name: {value!r} matches several entries of {codelist} ({listing});"
            " use a code",
        )


def _text(name: str) -> str:
    return (files("shumao.reference") / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=32)
def rows(name: str) -> tuple[Row, ...]:
    """All rows of a shipped CSV file, as read (strings)."""
    return tuple(csv.DictReader(io.StringIO(_text(name))))


@lru_cache(maxsize=1)
def manifest() -> tuple[dict[str, Any], ...]:
    entries = yaml.safe_load(_text("MANIFEST.yaml"))["files"]
    return tuple(entries)


def versions() -> list[dict[str, Any]]:
    """The manifest: one dict per data file (file, version, valid_from, source, license)."""
    return [dict(entry) for entry in manifest()]


def source_of(name: str) -> str:
    return next(str(e["source"]) for e in manifest() if e["file"] == name)


def norm(text: object) -> str:
    """Key for name matching: accents, case, full-width forms and all whitespace removed."""
    t = unicodedata.normalize("NFKD", str(text))
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = unicodedata.normalize("NFKC", t).casefold().replace("\u2019", "'")
    return "".join(t.split())


def split(value: str) -> list[str]:
    """A ``|``-separated cell as a list (empty cell: empty list)."""
    return [v for v in value.split("|") if v]


def opt_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def flag(value: str) -> bool:
    return value.strip().lower() in {"true", "yes", "1"}
