"""Record linkage of a service-outsourcing roster to the direct-reporting enterprises.

Two steps, as the notice's "不重复计算" needs them:

1. **Credit code** (统一社会信用代码): a roster row whose valid code is an enterprise's code is
   that enterprise (method ``code``).
2. **Probabilistic linkage** of every other row with Splink (Fellegi–Sunter) on DuckDB. The
   comparisons: the trade name (字号: exact, Jaro–Winkler ≥ 0.9, else), the industry words
   (exact, ≥ 0.8, else), the location as one comparison with nested levels (same building,
   road, district, city, else — they are not independent) and the legal form. u comes from
   random sampling (seeded), m from the pairs the credit code already links (labels for
   free: no person labels anything), the prior from "same name core in the same city" at an
   assumed recall of 0.8. A roster with fewer than ``MIN_LABELS`` code links uses the model
   shipped in ``data/linkage_model.json`` (trained the same way on the synthetic set) with its
   own prior. Candidate pairs are blocked on the name core, the trade name, city + the first
   or last two characters of the core, and the building.

Each roster row keeps its best candidate. It is **linked** when the evidence (the match
weight without the prior) reaches ``accept_weight`` and the runner-up is at least ``margin``
below; it goes to the **review queue** when the evidence lies between ``review_weight`` and
``accept_weight`` (or the two best are too close); below, it is **unlinked**. Decisions already
taken in the review queue (``decisions``: pair key → accept/reject) are applied first and are
kept across runs.

Splink was chosen over recordlinkage (pandas, slow past 10⁵ rows, unmaintained since 2023)
and plain rapidfuzz (fast scoring, but no model, weights or blocking): it gives per-comparison
match weights a reviewer can read, trains without labels and runs unchanged on Spark when a
ministry outgrows one machine.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from shumao.bases import names
from shumao.bases.linkage_model import (
    DEFAULT,
    LinkSettings,
    Progress,
    empty_scores,
    level_weights,
    score,
)
from shumao.validation import uscc

log = logging.getLogger(__name__)
COMPARED = ("trade", "industry", "location", "legal_form")
ROAD = r"^(.*?(?:大道|大街|路|街|道|巷|弄|里))"
MUNICIPALITIES = ("110000", "120000", "310000", "500000")
LINKED, REVIEW, UNLINKED = "linked", "review", "unlinked"


@dataclass(frozen=True)
class LinkResult:
    links: pl.DataFrame
    """One row per roster row: right_uid, left_uid (or null), status, method, match_weight,
    match_probability, the per-comparison weights ``mw_*`` and the runner-up's weight."""
    parameters: dict[str, Any]
    """The trained model (Splink settings with m and u) for the record."""


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """uid, uscc, name, address → the columns the comparisons use."""
    typed = frame.with_columns(
        pl.col(c).cast(pl.String) for c in ("uid", "uscc", "name", "address")
    )
    work = names.normalise_addresses(names.normalise_names(typed, "name"), "address")
    code = pl.col("uscc").str.strip_chars().str.to_uppercase()
    written = work.select(code.unique().drop_nulls())["uscc"].to_list()
    valid = [c for c in written if uscc.is_valid(c)]
    return work.with_columns(
        pl.coalesce(pl.col("addr_city"), _city_only(pl.col("name_city"))).alias("city"),
        pl.when(code.is_in(valid)).then(code).otherwise(None).alias("code"),
        pl.col("name_core").str.slice(0, 2).alias("core_head"),
        pl.col("name_core").str.slice(-2, 2).alias("core_tail"),
        pl.col("street").str.extract(ROAD, 1).alias("road"),
        pl.col("street").str.extract(ROAD + r"(\d+)", 2).alias("house"),
    ).select(
        "uid",
        "code",
        "name_core",
        "trade",
        "industry",
        "city",
        "district",
        "road",
        "house",
        "legal_form",
        "core_head",
        "core_tail",
    )


def _city_only(code: pl.Expr) -> pl.Expr:
    """A province named in a name (吉林…) says nothing about the city, a municipality does."""
    province = code.str.ends_with("0000") & ~code.is_in(list(MUNICIPALITIES))
    return pl.when(province).then(None).otherwise(code)


def link(
    left: pl.DataFrame,
    right: pl.DataFrame,
    *,
    settings: LinkSettings = DEFAULT,
    decisions: Mapping[tuple[str, str], str] | None = None,
    progress: Progress | None = None,
) -> LinkResult:
    """Link ``right`` (roster rows) to ``left`` (enterprises); both have uid, uscc, name,
    address. ``decisions`` maps (right uid, left uid) to ``accept`` or ``reject``."""
    step = progress or (lambda stage, done, total: None)
    step("normalise", 0, 2)
    lhs, rhs = prepare(left), prepare(right)
    step("normalise", 2, 2)
    by_code = _by_code(lhs, rhs)
    rest = rhs.filter(~pl.col("uid").is_in(by_code["right_uid"].implode()))
    scored, params = (
        score(lhs, rhs, by_code, settings, step)
        if rest.height and lhs.height
        else (empty_scores(), {})
    )
    scored = scored.filter(pl.col("right_uid").is_in(rest["uid"].implode()))
    industry_else = level_weights(params, "industry")[-1] if params else 0.0
    prior = params.get("probability_two_random_records_match", 0.5) if params else 0.5
    scored = scored.with_columns(
        (pl.col("match_weight") - math.log2(prior / (1 - prior))).alias("evidence")
    )
    decided = _classify(scored, rest, settings, decisions or {}, industry_else)
    return LinkResult(
        pl.concat([by_code, decided], how="diagonal_relaxed").sort("right_uid"), params
    )


def _by_code(lhs: pl.DataFrame, rhs: pl.DataFrame) -> pl.DataFrame:
    hits = rhs.filter(pl.col("code").is_not_null()).join(
        lhs.filter(pl.col("code").is_not_null()).select("uid", "code"), on="code", suffix="_left"
    )
    return hits.select(
        pl.col("uid").alias("right_uid"),
        pl.col("uid_left").alias("left_uid"),
        pl.lit(LINKED).alias("status"),
        pl.lit("code").alias("method"),
    )


def _classify(
    scored: pl.DataFrame,
    rest: pl.DataFrame,
    settings: LinkSettings,
    decisions: Mapping[tuple[str, str], str],
    industry_else: float,
) -> pl.DataFrame:
    decided = _apply_decisions(scored, decisions)
    ranked = decided.sort(["right_uid", "rank_key", "evidence"], descending=[False, True, True])
    best = ranked.group_by("right_uid", maintain_order=True).agg(
        pl.all().first(), pl.col("evidence").slice(1, 1).first().alias("runner_up")
    )
    best = best.with_columns(_status(settings, industry_else))
    alone = rest.select(pl.col("uid").alias("right_uid")).join(best, on="right_uid", how="anti")
    best = best.with_columns(
        pl.when(pl.col("status") != LINKED)
        .then(None)
        .otherwise(pl.col("left_uid"))
        .alias("left_uid"),
        pl.col("left_uid").alias("candidate_uid"),
    )
    return pl.concat(
        [
            best.drop("rank_key", "decision"),
            alone.with_columns(pl.lit(UNLINKED).alias("status"), pl.lit("none").alias("method")),
        ],
        how="diagonal_relaxed",
    )


def _apply_decisions(
    scored: pl.DataFrame, decisions: Mapping[tuple[str, str], str]
) -> pl.DataFrame:
    table = pl.DataFrame(
        [(r, lft, d) for (r, lft), d in decisions.items()],
        schema={"right_uid": pl.String, "left_uid": pl.String, "decision": pl.String},
        orient="row",
    )
    out = scored.join(table, on=["right_uid", "left_uid"], how="left")
    out = out.filter(pl.col("decision").fill_null("") != "reject")
    return out.with_columns(
        pl.when(pl.col("decision") == "accept").then(1).otherwise(0).alias("rank_key")
    )


def _status(settings: LinkSettings, industry_else: float) -> list[pl.Expr]:
    """Linked: the evidence reaches ``accept_weight``, the runner-up is ``margin`` below, the
    trade names speak for the match and the industry words do not speak against it — an
    address alone, or a shared trade name with other trade words (a group's sister company),
    never links by itself. Review: the trade names agree and the evidence reaches
    ``review_weight``. A person's decision overrides both."""
    weight, runner = pl.col("evidence"), pl.col("runner_up")
    trade_agrees = pl.col("mw_trade") > 0
    # industry words agree or differ by a typo (any level but "else": the level's weight)
    industry = pl.col("mw_industry")
    names_agree = trade_agrees & (industry.is_null() | ((industry - industry_else).abs() > 1e-9))
    clear = (runner.is_null() | (weight - runner >= settings.margin)) & names_agree
    accepted = pl.col("decision") == "accept"
    auto = (weight >= settings.accept_weight) & clear
    queued = trade_agrees & (weight >= settings.review_weight)
    status = (
        pl.when(accepted)
        .then(pl.lit(LINKED))
        .when(auto)
        .then(pl.lit(LINKED))
        .when(queued)
        .then(pl.lit(REVIEW))
        .otherwise(pl.lit(UNLINKED))
    )
    method = (
        pl.when(accepted)
        .then(pl.lit("review"))
        .when(auto)
        .then(pl.lit("probabilistic"))
        .when(queued)
        .then(pl.lit("pending"))
        .otherwise(pl.lit("none"))
    )
    return [status.alias("status"), method.alias("method")]
