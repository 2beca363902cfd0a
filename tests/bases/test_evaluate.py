"""The application check: bounds, verdicts, the override and what-if (pure), then on the
2022 report's printed figures for the twelve first-batch bases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from shumao.auth.scope import Scope
from shumao.bases import assessment, evaluate, rereview, rules
from shumao.bases.evaluate import FAIL, MISSING, PASS, Check, Evidence


def ev(code: str, value: float, bound: str, year: str = "2022") -> Evidence:
    return Evidence(code, year, value, bound, "test", "test")


def accepted() -> list[Check]:
    return [Check(c.code, "accepted", 1) for c in rules.checklist()]


def exact_all(year: str = "2022", **values: float) -> list[Evidence]:
    base = {"OUTPUT": 300.0, "ICT_OUTPUT": 150.0, "SI_EXPORT": 80.0, "ENTERPRISES": 120.0}
    return [ev(k, v, "exact", year) for k, v in {**base, **values}.items()]


@pytest.mark.parametrize(
    ("bound", "value", "expected"),
    [
        ("exact", 200.0, PASS),
        ("exact", 199.99, FAIL),
        ("lower", 250.0, PASS),
        ("lower", 150.0, MISSING),
        ("upper", 150.0, FAIL),
        ("upper", 250.0, MISSING),
    ],
)
def test_a_bound_decides_only_what_it_proves(bound: str, value: float, expected: str) -> None:
    out = evaluate.decide_threshold("OUTPUT", "2022", 200.0, "亿元", [ev("OUTPUT", value, bound)])
    assert out.outcome == expected
    if expected != MISSING:
        assert out.margin == pytest.approx(value - 200.0)


def test_lower_and_upper_bounds_together_leave_the_interval() -> None:
    out = evaluate.decide_threshold(
        "SI_EXPORT",
        "2022",
        60.0,
        "亿元",
        [ev("SI_EXPORT", 10.0, "lower"), ev("SI_EXPORT", 165.66, "upper")],
    )
    assert (out.outcome, out.low, out.high) == (MISSING, 10.0, 165.66)
    assert "包含门槛 60.00" in out.reason_zh


def test_nothing_is_passed_without_a_reviewer_and_a_document() -> None:
    result = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=exact_all(),
        checks=[],
    )
    assert result.verdict == MISSING
    no_file = [Check(c.code, "accepted", 0) for c in rules.checklist()]
    result = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=exact_all(),
        checks=no_file,
    )
    assert result.verdict == MISSING
    result = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=exact_all(),
        checks=accepted(),
    )
    assert result.verdict == PASS and result.verdict_text() == "符合申报条件"


def test_thresholds_differ_by_region_group() -> None:
    low = exact_all(OUTPUT=150.0, ICT_OUTPUT=60.0, SI_EXPORT=25.0, ENTERPRISES=55.0)
    east = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=low,
        checks=accepted(),
    )
    west = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="CWNE",
        years=["2022"],
        evidence=low,
        checks=accepted(),
    )
    assert (east.verdict, west.verdict) == (FAIL, PASS)
    failed = {o.code: round(o.margin or 0, 2) for o in east.outcomes if o.outcome == FAIL}
    assert failed == {
        "OUTPUT": -50.0,
        "ICT_OUTPUT": -40.0,
        "SI_EXPORT": -35.0,
        "ENTERPRISES": -45.0,
    }


def test_special_potential_needs_a_reason_and_lowers_thresholds_only() -> None:
    low = exact_all(OUTPUT=150.0)
    plain = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=low,
        checks=accepted(),
    )
    assert plain.verdict == FAIL
    lowered = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=low,
        checks=accepted(),
        override_reason="西部唯一的离岸数据中心集群，潜力突出",
    )
    assert lowered.verdict == PASS and lowered.overridden
    assert lowered.verdict_text().endswith("（特殊潜力，适当降低条件）")
    rejected = [*accepted()[1:], Check("B1", "rejected", 1, "管理机构运营不足两年")]
    not_for_conditions = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=exact_all(),
        checks=rejected,
        override_reason="任何理由都不能放宽基本条件的审核",
    )
    assert not_for_conditions.verdict == FAIL and not not_for_conditions.overridden


def test_what_if_names_the_gap_and_the_verdict_if_fixed() -> None:
    result = evaluate.evaluate(
        kind="application",
        base_code="X",
        group="EAST",
        years=["2022"],
        evidence=exact_all(OUTPUT=180.0),
        checks=accepted(),
    )
    hints = evaluate.what_if(result)
    assert [(h.code, h.outcome, h.verdict_if_fixed) for h in hints] == [("OUTPUT", FAIL, PASS)]
    assert "还差 20.00 亿元" in hints[0].needed_zh


def test_rereview_needs_the_threshold_in_every_year() -> None:
    evidence = [*exact_all("2022"), *exact_all("2023", SI_EXPORT=59.0)]
    result = evaluate.evaluate(
        kind="rereview",
        base_code="X",
        group="EAST",
        years=["2022", "2023"],
        evidence=evidence,
        checks=accepted(),
    )
    assert result.verdict == FAIL and result.verdict_text() == "复审不合格"


# --------------------------------------------------------------------------- real figures


def test_every_first_batch_base_gets_a_verdict_per_criterion(
    report_store: Engine, ministry: Scope
) -> None:
    with report_store.connect() as conn:
        results = {
            b: assessment.assess(
                conn, scope=ministry, base_code=b, kind="application", years=["2022"]
            )
            for b in [f"DSEB{i:02d}" for i in range(1, 13)]
        }
    for result in results.values():
        assert len(result.outcomes) == len(rules.checklist()) + len(rules.thresholds())
        assert result.verdict == MISSING  # no reviewed conditions, no ICT-output figure anywhere
    outcome = {b: {o.code: o for o in r.outcomes} for b, r in results.items()}
    # 表4: 杭州滨江 1627 亿元 of digital-industry output ≥ 200 (东部): proves the park output
    assert (outcome["DSEB06"]["OUTPUT"].outcome, outcome["DSEB06"]["OUTPUT"].value) == (
        PASS,
        1627.0,
    )
    # 合肥高新区 (中部 → 中西部和东北): 998 ≥ 100
    assert results["DSEB07"].group == "CWNE" and outcome["DSEB07"]["OUTPUT"].margin == 898.0
    # 表3: 杭州滨江 exports 24.63 亿美元 × 6.7261 = 165.66 亿元, an upper bound of SI exports
    si = outcome["DSEB06"]["SI_EXPORT"]
    assert (si.outcome, round(si.high or 0, 2)) == (MISSING, 165.66)
    assert si.evidence[0].rate == 6.7261 and "6.7261" in si.evidence[0].rate_note
    assert si.evidence[0].dataflow == "MOFCOM_REPORT" and si.evidence[0].vintage_id
    # bases the report prints nothing for: every figure is 待补材料, never a pass
    assert {o.outcome for o in results["DSEB02"].outcomes} == {MISSING}


def test_qilu_2020_exports_prove_a_failed_threshold(report_store: Engine, ministry: Scope) -> None:
    with report_store.connect() as conn:
        rr = rereview.run(conn, scope=ministry, base_code="DSEB09", cycle=2022)
    assert rr.years == ("2020", "2021") and rr.due.isoformat() == "2022-04-01"
    si = {o.year: o for o in rr.evaluation.outcomes if o.code == "SI_EXPORT"}
    # 0.99 亿美元 × 6.8976 (2020) = 6.83 亿元 < 60: at most that much ICT-services exports
    assert si["2020"].outcome == FAIL and round(si["2020"].value or 0, 2) == 6.83
    assert rr.evaluation.verdict == FAIL and rr.evaluation.verdict_text() == "复审不合格"
    assert [(t.year, t.target.key, t.reached) for t in rr.targets] == [
        ("2020", "BASE_DS_SHARE_2022", None),
        ("2020", "BASE_ICT_SHARE_2022", None),
        ("2021", "BASE_DS_SHARE_2022", None),
        ("2021", "BASE_ICT_SHARE_2022", None),
    ]
    assert "缺外贸出口额" in rr.targets[0].note_zh
