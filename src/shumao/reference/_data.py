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
    """A name matches several entries of a code list; ``candidates`` lists them (in Chinese;
    ``candidates_en`` in English, the same when not given). ``example``: how to write the name
    so that it names one entry, where the code list can tell ("Suzhou (Jiangsu)")."""

    def __init__(
        self,
        codelist: str,
        value: object,
        candidates: Iterable[str],
        candidates_en: Iterable[str] | None = None,
        *,
        example: str = "",
    ) -> None:
        super().__init__(codelist, value)
        self.candidates = tuple(candidates)
        self.candidates_en = tuple(candidates_en) if candidates_en is not None else self.candidates
        self.example = example
        zh, en = "；".join(self.candidates), "; ".join(self.candidates_en)
        how_zh = f"，或在名称后写明所在地区（如“{example}”）" if example else ""
        how_en = f", or say where it lies: {example}" if example else ""
        self.args = (
            f"名称有歧义：{codelist} 中“{value}”对应多个条目（{zh}），请使用代码{how_zh}"
            f" / ambiguous name: {value!r} matches several entries of {codelist} ({en});"
            f" use a code{how_en}",
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
