"""Record linkage on the labelled synthetic set: precision and recall printed and checked;
name normalisation; review decisions reused."""

from __future__ import annotations

import polars as pl
import pytest

from shumao.bases import linkage, names, synthetic


@pytest.fixture(scope="module")
def labelled() -> synthetic.Synthetic:
    return synthetic.generate(4000, 8000, seed=17)


@pytest.fixture(scope="module")
def linked(labelled: synthetic.Synthetic) -> linkage.LinkResult:
    return linkage.link(labelled.enterprises, labelled.roster)


def found(result: linkage.LinkResult, status: str = linkage.LINKED) -> set[tuple[str, str]]:
    rows = result.links.filter(pl.col("status") == status)
    column = "left_uid" if status == linkage.LINKED else "candidate_uid"
    return {(a, b) for a, b in rows.select("right_uid", column).iter_rows()}


def test_precision_and_recall_on_the_labelled_set(
    labelled: synthetic.Synthetic, linked: linkage.LinkResult
) -> None:
    truth = synthetic.truth_pairs(labelled.roster)
    precision, recall = synthetic.precision_recall(found(linked), truth)
    queue = found(linked, linkage.REVIEW)
    print(
        f"\nlinkage on 4,000 × 8,000 labelled rows: precision {precision:.4f}, recall "
        f"{recall:.4f}; review queue {len(queue)} pairs, {len(queue & truth)} true"
    )
    assert precision >= 0.99
    assert recall >= 0.95
    assert len(queue) < 0.05 * labelled.roster.height


def test_the_synthetic_set_is_deterministic() -> None:
    a, b = synthetic.generate(50, 100, seed=3), synthetic.generate(50, 100, seed=3)
    assert a.roster.equals(b.roster) and a.enterprises.equals(b.enterprises)


def test_every_link_is_explained_by_its_weights(linked: linkage.LinkResult) -> None:
    probable = linked.links.filter(pl.col("method") == "probabilistic")
    parts = probable.select(
        pl.sum_horizontal(pl.col("^mw_.*$").fill_null(0)).alias("sum"), "match_weight"
    )
    prior = linked.parameters["probability_two_random_records_match"]
    import math

    offset = math.log2(prior / (1 - prior))
    assert (parts["sum"] + offset - parts["match_weight"]).abs().max() < 1e-6  # type: ignore[operator]


@pytest.mark.parametrize(
    ("written", "core", "city", "branch"),
    [
        ("华信软件技术（南京）有限责任公司", "华信软件技术", "320100", None),
        ("江苏南京华信软件技术有限公司雨花台分公司", "华信软件技术", "320100", "雨花台"),
        ("南京市 华信软件技术股份有限公司", "华信软件技术", "320100", None),
        ("ＡＢＣ網絡科技(杭州)有限公司", "ABC网络科技", "330100", None),
        ("南京示范软件科技有限公司（演示）", "示范软件科技", "320100", None),
    ],
)
def test_names_normalise(written: str, core: str, city: str, branch: str | None) -> None:
    row = names.normalise_names(pl.DataFrame({"name": [written]})).row(0, named=True)
    assert (row["name_core"], row["name_city"], row["branch"]) == (core, city, branch)


def test_decisions_are_applied(labelled: synthetic.Synthetic, linked: linkage.LinkResult) -> None:
    queued = sorted(found(linked, linkage.REVIEW))[:3]
    auto = sorted(
        p
        for p in found(linked)
        if p[0]
        in set(linked.links.filter(pl.col("method") == "probabilistic")["right_uid"].to_list())
    )[:2]
    decisions = {**dict.fromkeys(queued, "accept"), **dict.fromkeys(auto, "reject")}
    again = linkage.link(labelled.enterprises, labelled.roster, decisions=decisions)
    after = again.links.filter(pl.col("right_uid").is_in([r for r, _ in [*queued, *auto]]))
    state = {
        r: (s, m, lft)
        for r, s, m, lft in after.select("right_uid", "status", "method", "left_uid").iter_rows()
    }
    for right, left in queued:
        assert state[right] == (linkage.LINKED, "review", left)
    for right, left in auto:
        assert state[right][2] != left
