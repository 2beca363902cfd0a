"""修订政策 / revision policy: how long a published period stays open to revision.

The policy is data (``revision_policy.yaml``, versioned): per dataflow, or by frequency, the
number of later releases that may revise a period once it is published. ``outside`` takes a
release's revision table and says which revisions come later than that; releasing them needs a
reason, and the release notes flag them (``notes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

POLICY_FILE = Path(__file__).with_name("revision_policy.yaml")


@dataclass(frozen=True)
class Rule:
    releases: int
    zh: str
    en: str


@dataclass(frozen=True)
class Policy:
    version: str
    defaults: Mapping[str, Rule]
    dataflows: Mapping[str, Rule]

    def rule(self, flow_id: str, period: str) -> Rule:
        """The rule for ``period`` of ``flow_id``: the dataflow's own, else its frequency's."""
        return self.dataflows.get(flow_id) or self.defaults[frequency(period)]


@lru_cache(maxsize=1)
def policy() -> Policy:
    raw = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    return Policy(str(raw["version"]), _rules(raw["defaults"]), _rules(raw.get("dataflows")))


def _rules(items: dict[str, Any] | None) -> dict[str, Rule]:
    return {k: Rule(int(v["releases"]), v["zh"], v["en"]) for k, v in (items or {}).items()}


def frequency(period: str) -> str:
    """A (2024), Q (2024-Q3) or M (2024-01, and anything finer) from an SDMX period."""
    if len(period) == 4:
        return "A"
    return "Q" if "Q" in period else "M"


def releases_since(period: str, first_published: Mapping[str, int], history: Sequence[int]) -> int:
    """How many releases (``history``: release ids of the dataflow, oldest first, this one
    last) came after the one that first published ``period`` (``first_published``: period →
    release id; a period nobody recorded counts from the first release)."""
    first = first_published.get(period, history[0] if history else 0)
    return sum(1 for r in history if r > first)


def outside(
    flow_id: str, revised: pl.DataFrame, first_published: Mapping[str, int], history: Sequence[int]
) -> pl.DataFrame:
    """The rows of ``revised`` (a revision table's revisions) outside the policy, with
    ``releases_since`` and ``allowed`` (the rule's number of releases)."""
    if revised.is_empty():
        return revised.with_columns(pl.lit(0).alias("releases_since"), pl.lit(0).alias("allowed"))
    rules = policy()
    periods = revised["time_period"].unique().to_list()
    since = {p: releases_since(p, first_published, history) for p in periods}
    allowed = {p: rules.rule(flow_id, p).releases for p in periods}
    marked = revised.with_columns(
        pl.col("time_period").replace_strict(since, return_dtype=pl.Int64).alias("releases_since"),
        pl.col("time_period").replace_strict(allowed, return_dtype=pl.Int64).alias("allowed"),
    )
    return marked.filter(pl.col("releases_since") > pl.col("allowed"))
