"""Policy library (行业政策库): Chinese policy texts, cleaned, described, searchable.

    readers      .txt / .pdf / .docx / .html → the text as extracted (bad input → findings)
    normalise    extraction debris removed, lines joined into paragraphs, punctuation made
                 consistent; the original script for display, simplified for search
    repair       mis-aligned GBK runs of scraped copies (国务院 “?qū)ν忾_放” → 对外开放)
    metadata     title, 文号, issuing bodies, date, level, type — or "not found", never guessed
    sections     the section tree (一、 / （一） / 1. / （1）) and each paragraph's place in it
    targets      quantitative targets (到2029年……提高到45%以上) as candidate records
    duplicates   near-duplicates across scripts and formats (MinHash + Jaccard)
    search       jieba search-mode tokens; SQLite FTS5 or PostgreSQL tsvector, same ranking
    prepared     a text made ready for the store (the pure, slow part, run in worker processes)
    writing      a prepared text written: new document, re-ingest, copy of a document
    editing      an editor's corrections, canonical links, target confirmations
    documents    a document with its fields, files, sections and targets; the lists
    library      the service functions: add files and texts (and the above, re-exported)
    tables       the tables of the policy branch of the store

Importing this package registers the ``policy-*`` finding codes.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from shumao.validation import findings as _findings

DATA = Path(__file__).with_name("data")


def _register_findings() -> None:
    codes = yaml.safe_load((DATA / "findings.yaml").read_text(encoding="utf-8"))
    missing = {k: v for k, v in codes.items() if k not in _findings.catalogue()}
    if missing:
        _findings.register(missing)


_register_findings()
