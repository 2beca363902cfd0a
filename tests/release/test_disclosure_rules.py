"""Primary rules on the published examples of the packages that define them: sdcTable's
``primarySuppression`` tests (freq, nk, p, pq), the τ-ARGUS manual's p% example (§2.2 and its
holding example), GaussSuppression's ``DominanceRule`` test; and the rule sets as data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from shumao.errors import ConfigError
from shumao.release import disclosure as sdc

from .sdc_cases import cells_of


def _sdctable_cells(test_data: Path) -> pl.DataFrame:
    """sdcTable's ``testprob_a``: microdata1, region (Total, A–D) × gender (Total, male,
    female), contributions ``val`` per record."""
    micro = pl.read_csv(test_data / "sdc_examples" / "sdcTable_microdata1.csv")
    return cells_of(micro.rename({"val": "value"}), "region", "gender", total="Total")


def _sensitive(cells: pl.DataFrame, rules: sdc.Rules) -> set[tuple[str, str]]:
    marked = sdc.primary(cells, rules)
    return {(r, g) for r, g in marked.filter("primary").select("region", "gender").iter_rows()}


# sdcTable tests/testthat/test-primarySuppression.r: cells 6 and 14 of the 15 are A × female
# (records 11 and 9) and D × male (280, 11, 10, … — one enterprise dominates).
A_FEMALE, D_MALE = ("A", "female"), ("D", "male")
SDCTABLE = [
    ("freq, maxN = 2", sdc.Rules(threshold=3, dominance=()), {A_FEMALE}),
    ("nk, n = 2, k = 75", sdc.Rules(threshold=0, dominance=((2, 75.0),)), {A_FEMALE, D_MALE}),
    ("p, p = 70", sdc.Rules(threshold=0, dominance=(), p_percent=((70.0, 1),)), {A_FEMALE, D_MALE}),
    (
        "pq, pq = (60, 80)",
        sdc.Rules(threshold=0, dominance=(), pq=((60.0, 80.0),)),
        {A_FEMALE, D_MALE},
    ),
]


@pytest.mark.parametrize(("name", "rules", "expected"), SDCTABLE, ids=[s[0] for s in SDCTABLE])
def test_sdctable_primary_suppression_examples(
    test_data: Path, name: str, rules: sdc.Rules, expected: set[tuple[str, str]]
) -> None:
    cells = _sdctable_cells(test_data)
    assert cells.height == 15
    assert _sensitive(cells, rules) == expected


def test_p_percent_protection_level_and_reason(test_data: Path) -> None:
    """D × male: T = 366, x1 = 280, x2 = 11. p% (p = 70): the rest, 75, is below 0.7 · 280 =
    196, so the cell needs 196 − 75 = 121 of uncertainty on each side (τ-ARGUS, Loeve 2001)."""
    cells = _sdctable_cells(test_data)
    marked = sdc.primary(cells, sdc.Rules(threshold=0, dominance=(), p_percent=((70.0, 1),)))
    row = marked.filter((pl.col("region") == "D") & (pl.col("gender") == "male")).row(0, named=True)
    assert (row["value"], row["top1"], row["top2"]) == (366.0, 280.0, 11.0)
    assert row["reason"] == "p%(70)"
    assert row["upl"] == pytest.approx(121.0)
    assert row["lpl"] == pytest.approx(121.0)
    a_female = marked.filter((pl.col("region") == "A") & (pl.col("gender") == "female"))
    assert a_female["upl"].item() == pytest.approx(0.7 * 11)  # nothing beyond the two largest


def test_tau_argus_manual_p_percent_and_holdings() -> None:
    """Manual §2.2 / 4.4.4: contributions 700, 200, 60, 40, 10 with p = 10 and one intruder:
    60 + 40 + 10 = 110 ≥ 70, safe. The first two belong to one holding: 900, 60, 40, 10, and
    40 + 10 = 50 < 90, sensitive, needing 90 − 50 = 40."""
    cells = pl.DataFrame(
        {
            "unit": ["enterprises", "holdings"],
            "value": [1010.0, 1010.0],
            "n_contributors": [5, 4],
            "top1": [700.0, 900.0],
            "top2": [200.0, 60.0],
        }
    )
    marked = sdc.primary(cells, sdc.Rules(threshold=0, dominance=(), p_percent=((10.0, 1),)))
    assert marked["primary"].to_list() == [False, True]
    assert marked["upl"][1] == pytest.approx(40.0)


def test_p_percent_with_two_intruders_reads_the_third_largest() -> None:
    cells = pl.DataFrame(
        {"value": [100.0], "n_contributors": [5], "top1": [50.0], "top2": [30.0], "top3": [13.0]}
    )
    one = sdc.Rules(threshold=0, dominance=(), p_percent=((15.0, 1),))
    two = sdc.Rules(threshold=0, dominance=(), p_percent=((15.0, 2),))
    assert sdc.primary(cells, one)["primary"].to_list() == [False]  # 100 − 50 − 30 = 20 ≥ 7.5
    assert sdc.primary(cells, two)["primary"].to_list() == [True]  # 20 − 13 = 7 < 7.5
    with pytest.raises(ValueError, match="top3"):
        sdc.primary(cells.drop("top3"), two)


def test_gausssuppression_dominance_rule_test() -> None:
    """GaussSuppression tests/testthat/test-DominanceRule.R, unweighted, n = 2, k = 90."""
    contributions = {
        "v1": [100],
        "v2": [90, 10],
        "v3": [80, 20],
        "v4": [70, 30],
        "v5": [80, 10, 10],
        "v6": [70, 10, 10, 10],
        "v7": [60, 20, 10, 10],
    }
    cells = pl.DataFrame(
        [
            {
                "v": k,
                "value": float(sum(c)),
                "n_contributors": len(c),
                "top1": float(c[0]),
                "top2": float(c[1]) if len(c) > 1 else None,
            }
            for k, c in contributions.items()
        ]
    )
    marked = sdc.primary(cells, sdc.Rules(threshold=0, dominance=((2, 90.0),)))
    assert marked["primary"].to_list() == [True, True, True, True, False, False, False]


@pytest.mark.parametrize(
    "bad",
    [
        {"p_percent": ((0.0, 1),)},
        {"p_percent": ((100.0, 1),)},
        {"pq": ((85.0, 80.0),)},
        {"pq": ((85.0, 180.0),)},
        {"dominance": ((0, 80.0),)},
        {"method": "best"},
        {"cost": "weight"},
        {"time_limit": 0.0},
    ],
)
def test_invalid_parameters_are_refused(bad: dict[str, object]) -> None:
    """The parameter errors sdcTable's tests expect (p = 0 or 100, p > q, q > 100 …)."""
    with pytest.raises(ConfigError):
        sdc.Rules(**bad)  # type: ignore[arg-type]


def test_rule_sets_are_data_and_unknown_ones_are_named() -> None:
    standard = sdc.load("standard")
    assert (standard.threshold, standard.p_percent, standard.dominance) == (
        3,
        ((10.0, 1),),
        ((1, 85.0), (2, 85.0)),
    )
    assert (standard.method, standard.cost) == ("optimal", "value")
    assert standard.record()["name"] == "standard" and "description" not in standard.record()
    assert sdc.load("legacy-2026-11").method == "greedy"
    with pytest.raises(ConfigError, match="standard"):
        sdc.load("nonesuch")


def test_the_setting_chooses_the_rule_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from shumao.config import get_settings

    monkeypatch.setenv("SHUMAO_DISCLOSURE_RULES", "count")
    get_settings.cache_clear()
    try:
        assert sdc.configured().cost == "count"
    finally:
        get_settings.cache_clear()
