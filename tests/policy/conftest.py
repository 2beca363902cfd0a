"""Fixtures of the policy-library tests: the five seed documents, prepared once per session.

Preparing a text (cleaning, metadata, jieba tokens, MinHash) is pure and the slow part, so it
runs once; storing the prepared seeds into each test's fresh store is quick.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.policy import writing
from shumao.policy.prepared import Prepared, prepare
from shumao.validation.findings import Report

SEEDS = Path(__file__).resolve().parents[2] / "demo" / "policy"
SPECIMENS = Path(__file__).resolve().parents[1] / "specimens" / "policy"
SEED_FILES = {
    "000": "000_f3ac8a4ec1b1470d.txt",
    "001": "001_2ff3b056fc41c968.txt",
    "002": "002_9ec19b890da6c5c4.txt",
    "003": "003_8d6488d23d7442a0.txt",
    "004": "004_d8569b85336205b1.txt",
}


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"seed documents not found at {SEEDS}")
    return SEEDS


@pytest.fixture(scope="session")
def prepared(seeds: Path) -> dict[str, Prepared]:
    """Each seed read and prepared (as ``policy add`` does before writing)."""
    out = {}
    for key, name in SEED_FILES.items():
        path = seeds / name
        text = path.read_text(encoding="utf-8")
        ready = prepare(text, name, "txt", f"sha-{key}", Report())
        assert ready is not None
        out[key] = ready
    return out


def store_seeds(
    engine: Engine, prepared: dict[str, Prepared], order: tuple[str, ...] = tuple(SEED_FILES)
) -> dict[str, writing.AddResult]:
    results = {}
    with engine.begin() as conn:
        for key in order:
            results[key] = writing.store(conn, copy.deepcopy(prepared[key]), Report(source=key))
    return results


@pytest.fixture
def library_ids(engine: Engine, prepared: dict[str, Prepared]) -> dict[str, int]:
    """All five seeds in this test's store; their document ids by seed number."""
    results = store_seeds(engine, prepared)
    return {key: r.document_id for key, r in results.items() if r.document_id is not None}
