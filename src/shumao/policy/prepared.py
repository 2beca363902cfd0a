"""A policy text made ready for the store (``Prepared``): cleaned, described, segmented.

The pure, slow part of adding a document — cleaning, metadata, sections, targets, jieba
segmentation, the MinHash signature and the ranking rows — touches no database, so that
``library.add_many`` can run it in worker processes (``pool``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from shumao.policy import duplicates, metadata, normalise, ranking, sections, segment, targets
from shumao.validation.findings import Report, finding

MIN_CHARS = 20


@dataclass
class Prepared:
    """Everything derived from one text before it touches the store."""

    source_file: str
    source_format: str
    source_sha256: str
    original: str
    cleaned: normalise.Cleaned
    meta: metadata.Metadata
    sections: list[sections.Section]
    owner: list[int | None]
    targets: list[targets.Target]
    tokens: list[list[str]]
    shingles: np.ndarray
    """Hashes of the character 5-grams (``duplicates.shingles``)."""
    minhash: np.ndarray
    bands: list[str]
    terms: list[tuple[str, float, int]]
    """The ranking index rows: (term, weight, index of the best passage)."""

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.cleaned.simplified_text.encode()).hexdigest()

    @property
    def quality(self) -> int:
        c = self.cleaned
        found = len(metadata.FIELDS) - len(self.meta.missing())
        return (
            found * 10
            + (5 if c.script == "simplified" else 0)
            - (5 if c.scraped else 0)
            - min(c.removed["repaired"] + c.removed["garbled"], 5)
        )


def prepare_item(item: tuple[str, str]) -> tuple[Prepared | None, Report]:
    name, text = item
    report = Report(source=name)
    sha = hashlib.sha256(text.encode()).hexdigest()
    return prepare(text, name, "txt", sha, report), report


@contextmanager
def pool(workers: int) -> Iterator[Callable[..., Iterator[Any]]]:
    if workers <= 1:
        yield map
        return
    with ProcessPoolExecutor(max_workers=workers) as executor:
        yield lambda fn, items: executor.map(fn, items, chunksize=16)


def prepare(
    text: str, source_file: str, source_format: str, sha: str, report: Report
) -> Prepared | None:
    cleaned = normalise.clean(text)
    chars = len(duplicates.fingerprint_text(cleaned.simplified_text))
    if chars < MIN_CHARS:
        report.add(finding("policy-too-short", file=source_file, value=chars))
        return None
    _cleaning_findings(cleaned, source_file, report)
    meta = metadata.extract(cleaned.text)
    secs, owner = sections.parse(cleaned.text)
    grams = duplicates.shingles(cleaned.simplified_text)
    signature = duplicates.signature(grams)
    tokens = [segment.index_tokens(p) for p in cleaned.text]
    return Prepared(
        source_file,
        source_format,
        sha,
        text,
        cleaned,
        meta,
        secs,
        owner,
        targets.extract(cleaned.text),
        tokens,
        grams,
        signature,
        duplicates.band_keys(signature),
        ranking.document_terms(tokens),
    )


def _cleaning_findings(cleaned: normalise.Cleaned, file: str, report: Report) -> None:
    codes = {
        "pinyin": "policy-pinyin-removed",
        "page_numbers": "policy-page-numbers-removed",
        "boilerplate": "policy-boilerplate-removed",
        "repaired": "policy-text-repaired",
    }
    if cleaned.script == "traditional":
        report.add(finding("policy-traditional", file=file))
    for kind, code in codes.items():
        if cleaned.removed[kind]:
            report.add(finding(code, file=file, value=cleaned.removed[kind]))
    if cleaned.garbled:
        report.add(
            finding(
                "policy-text-garbled",
                file=file,
                value=len(cleaned.garbled),
                detail="；".join(cleaned.garbled[:3]),
            )
        )
