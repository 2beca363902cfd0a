"""The probabilistic part of the linkage: Splink comparisons and blocking on DuckDB, m estimated
from credit-code pairs, the shipped model; the settings of a linkage run."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

Progress = Callable[[str, int, int], None]


M_FLOOR = 0.001
MIN_LABELS = 50
"""Credit-code links needed to train on the data; fewer: the shipped model."""
MODEL = Path(__file__).with_name("data") / "linkage_model.json"


@dataclass(frozen=True)
class LinkSettings:
    accept_weight: float = 21.0
    """The evidence of the comparisons (log2 Bayes factor, the sum of the ``mw_*`` weights,
    without the prior) at or above which a pair is a link. The prior is left out because it
    shrinks with the size of the data (one match among more pairs) while "same trade name,
    trade words and city" means the same in a roster of 50 rows and of 200,000."""
    review_weight: float = 15.0
    """From here up to ``accept_weight`` a pair goes to the review queue."""
    margin: float = 3.0
    """The runner-up must be this far below the best candidate, or the row needs review."""
    seed: int = 17
    u_pairs: float = 2e6


DEFAULT = LinkSettings()


def _orient(frame: pl.DataFrame) -> pl.DataFrame:
    """Predictions with the roster row as ``right_uid`` whichever side Splink put it."""
    left_is_roster = pl.col("source_dataset_l") == "roster"
    keep = [
        "match_weight",
        "match_probability",
        *[c for c in frame.columns if c.startswith(("mw_", "gamma_"))],
    ]
    return frame.select(
        pl.when(left_is_roster).then(pl.col("uid_l")).otherwise(pl.col("uid_r")).alias("right_uid"),
        pl.when(left_is_roster).then(pl.col("uid_r")).otherwise(pl.col("uid_l")).alias("left_uid"),
        *keep,
    )


def _comparisons() -> list[object]:
    """Trade name, industry words, location (one comparison with nested levels, because
    building ⊂ road ⊂ district ⊂ city are not independent), legal form."""
    # deferred: splink loads duckdb and its comparison library (~0.7 s); only linkage runs need it
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    same = [cll.ExactMatchLevel(c) for c in ("city", "district", "road", "house")]
    location = cl.CustomComparison(
        output_column_name="location",
        comparison_levels=[
            cll.NullLevel("city"),
            cll.And(*same),
            cll.And(*same[:3]),
            cll.And(*same[:2]),
            same[0],
            cll.ElseLevel(),
        ],
        comparison_description="所在地：同楼、同路、同区县、同城市 / location: building, road, "
        "district, city",
    )
    return [
        cl.JaroWinklerAtThresholds("trade", [0.9]),
        cl.JaroWinklerAtThresholds("industry", [0.8]),
        location,
        cl.ExactMatch("legal_form"),
    ]


def _blocking() -> list[object]:
    # deferred: splink loads duckdb and its comparison library (~0.7 s); only linkage runs need it
    from splink import block_on

    return [
        block_on("name_core"),
        block_on("trade"),
        block_on("city", "core_head"),
        block_on("city", "core_tail"),
        block_on("city", "district", "road", "house"),
    ]


def score(
    lhs: pl.DataFrame,
    rhs: pl.DataFrame,
    by_code: pl.DataFrame,
    settings: LinkSettings,
    step: Progress,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    # deferred: duckdb is loaded only for a linkage run
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect(":memory:")
    try:
        db_api = DuckDBAPI(con)
        inputs = [
            db_api.register(lhs.to_arrow(), dataset_display_name="enterprises"),
            db_api.register(rhs.to_arrow(), dataset_display_name="roster"),
        ]
        creator = SettingsCreator(
            link_type="link_only",
            unique_id_column_name="uid",
            comparisons=_comparisons(),  # type: ignore[arg-type]
            blocking_rules_to_generate_predictions=_blocking(),  # type: ignore[arg-type]
            retain_intermediate_calculation_columns=True,
            retain_matching_columns=False,
        )
        linker = Linker(inputs, creator, log_level=None)
        step("train", 0, 3)
        if by_code.height >= MIN_LABELS:
            linker.training.estimate_probability_two_random_records_match(
                [block_on("name_core", "city")], recall=0.8
            )
            step("train", 1, 3)
            linker.training.estimate_u_using_random_sampling(
                max_pairs=settings.u_pairs, seed=settings.seed
            )
        step("train", 2, 3)
        if by_code.height >= MIN_LABELS:
            _estimate_m(linker, db_api, by_code)
            params = _floor_m(linker.misc.save_model_to_json())
        else:
            params = shipped_model(lhs, rhs)
        step("train", 3, 3)
        step("predict", 0, 1)
        trained = Linker(inputs, params, log_level=None)
        prior = params["probability_two_random_records_match"]
        floor = settings.review_weight - 4 + math.log2(prior / (1 - prior))
        found = trained.inference.predict(threshold_match_weight=floor)
        frame = pl.from_arrow(found.as_duckdbpyrelation().arrow())
        step("predict", 1, 1)
    finally:
        con.close()
    assert isinstance(frame, pl.DataFrame)
    return _orient(frame), params


def _floor_m(params: dict[str, Any]) -> dict[str, Any]:
    """A level no credit-code pair showed (e.g. same district, other road) gets m = ``M_FLOOR``
    instead of no estimate: rare among matches, never impossible."""
    for comparison in params["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level.get("m_probability") is None:
                level["m_probability"] = M_FLOOR
    return params


def level_weights(params: dict[str, Any], column: str) -> list[float]:
    """The match weight (log2 m/u) of each non-null level of a comparison, best first."""
    comparison = next(c for c in params["comparisons"] if c["output_column_name"] == column)
    return [
        math.log2(lv["m_probability"] / lv["u_probability"])
        for lv in comparison["comparison_levels"]
        if not lv.get("is_null_level")
    ]


def _estimate_m(linker: object, db_api: object, by_code: pl.DataFrame) -> None:
    """m probabilities from the pairs the credit code already links: labels for free."""
    labels = by_code.select(
        pl.lit("enterprises").alias("source_dataset_l"),
        pl.col("left_uid").alias("uid_l"),
        pl.lit("roster").alias("source_dataset_r"),
        pl.col("right_uid").alias("uid_r"),
    )
    table = db_api.register(labels.to_arrow(), table_name="code_links")  # type: ignore
    linker.training.estimate_m_from_pairwise_labels(table)  # type: ignore[attr-defined]


def shipped_model(lhs: pl.DataFrame, rhs: pl.DataFrame) -> dict[str, Any]:
    """For a roster too small to train on (fewer than ``MIN_LABELS`` credit-code links): the m
    and u of ``data/linkage_model.json`` (trained on the synthetic set, ``synthetic.py``) with
    this data's own prior — the pairs sharing name core and city, over every pair, at an
    assumed recall of 0.8 (at least one pair)."""
    params: dict[str, Any] = json.loads(MODEL.read_text(encoding="utf-8"))
    same = (
        lhs.drop_nulls(["name_core", "city"])
        .join(rhs.drop_nulls(["name_core", "city"]), on=["name_core", "city"])
        .height
    )
    pairs = max(lhs.height * rhs.height, 1)
    params["probability_two_random_records_match"] = min(max(same, 1) / 0.8 / pairs, 0.5)
    return params


def empty_scores() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "right_uid": pl.String,
            "left_uid": pl.String,
            "match_weight": pl.Float64,
            "match_probability": pl.Float64,
            "mw_trade": pl.Float64,
            "mw_industry": pl.Float64,
        }
    )
