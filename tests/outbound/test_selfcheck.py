"""The 2024 rules (国家网信办令第16号) decide the route; each case names the article it rests on."""

from __future__ import annotations

from datetime import date

import pytest

from shumao.errors import ImportRejected
from shumao.outbound import selfcheck

ON = date(2025, 6, 30)
BASE = {
    "ciio": "否",
    "important_data": "否",
    "persons_pi": 0,
    "persons_sensitive": 0,
    "scenario": "none",
}


def route(**answers: object) -> tuple[str, str]:
    got = selfcheck.evaluate({**BASE, **answers}, on=ON)
    return got.route, got.article


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # 第七条第（一）项: a CIIO providing any personal information → security assessment
        ({"ciio": "是", "persons_pi": 500}, ("assessment", "第七条第（一）项")),
        # 第七条第（二）项: > 1 million persons' personal information since 1 January
        ({"persons_pi": 1_200_000}, ("assessment", "第七条第（二）项")),
        ({"persons_pi": 1_000_000}, ("assessment", "第七条第（二）项")),
        # … or 10,000 persons' sensitive personal information
        ({"persons_sensitive": 10_000}, ("assessment", "第七条第（二）项")),
        # 第八条: 100k–1M persons, or fewer than 10,000 sensitive → contract or certification
        ({"persons_pi": 100_000}, ("contract_or_certification", "第八条")),
        ({"persons_pi": 999_999}, ("contract_or_certification", "第八条")),
        (
            {"persons_pi": 3_000, "persons_sensitive": 9_999},
            ("contract_or_certification", "第八条"),
        ),
        ({"persons_sensitive": 1}, ("contract_or_certification", "第八条")),
        # 第五条第（四）项: a non-CIIO, fewer than 100,000 persons, nothing sensitive → exempt
        ({"persons_pi": 99_999}, ("exempt", "第五条第（四）项")),
        # important data → assessment, whoever sends it and whatever the purpose (第五条 last para.)
        ({"important_data": "是", "persons_pi": 10}, ("assessment", "第七条第（一）（二）项")),
        (
            {"important_data": "是", "scenario": "hr", "persons_pi": 10},
            ("assessment", "第七条第（一）（二）项"),
        ),
        # the other exemptions of 第五条 apply to CIIOs and large volumes too
        ({"persons_pi": 5_000_000, "scenario": "contract"}, ("exempt", "第五条第（一）项")),
        ({"ciio": "是", "persons_pi": 80_000, "scenario": "hr"}, ("exempt", "第五条第（二）项")),
        ({"persons_sensitive": 20_000, "scenario": "emergency"}, ("exempt", "第五条第（三）项")),
        # 第四条: collected abroad, processed in China, sent back
        ({"persons_pi": 2_000_000, "scenario": "collected_abroad"}, ("exempt", "第四条")),
        # 第三条: no personal information, no important data
        ({}, ("exempt", "第三条")),
    ],
)
def test_route_of_the_2024_rules(answers: dict[str, object], expected: tuple[str, str]) -> None:
    assert route(**answers) == expected


def test_every_answer_states_its_rule_set_and_effective_date() -> None:
    got = selfcheck.evaluate({**BASE, "persons_pi": "150,000"}, on=ON)
    assert (got.rule_set, got.effective) == ("CAC-2024-16", date(2024, 3, 22))
    assert got.title_zh == "促进和规范数据跨境流动规定（国家互联网信息办公室令第16号）"
    assert got.route_zh == "订立个人信息出境标准合同或通过个人信息保护认证"
    assert got.answers["persons_pi"] == 150_000
    assert got.as_json()["effective"] == "2024-03-22"


def test_no_rule_set_before_2024_03_22() -> None:
    with pytest.raises(ImportRejected) as err:
        selfcheck.evaluate(BASE, on=date(2024, 3, 21))
    item = err.value.report.findings[0]
    assert item.code == "outbound-selfcheck-date"
    assert "2024-03-21" in item.message_zh and "CAC-2024-16（2024-03-22）" in item.message_zh


def test_bad_answers_are_findings_naming_the_question() -> None:
    with pytest.raises(ImportRejected) as err:
        selfcheck.evaluate({**BASE, "ciio": "maybe", "persons_pi": -5, "scenario": ""}, on=ON)
    found = [(f.code, f.value) for f in err.value.report.findings]
    assert found == [
        ("outbound-selfcheck-answer", "maybe"),
        ("outbound-selfcheck-answer", "-5"),
        ("outbound-selfcheck-answer", ""),
    ]
    assert "关键信息基础设施运营者" in err.value.report.findings[0].column
    assert "yes or no" in err.value.report.findings[0].message_en


@pytest.mark.parametrize(
    ("answers", "on", "expected"),
    [
        # 第六条: data outside a pilot FTZ's negative list leaves without assessment, contract or
        # certification, whatever the number of persons
        (
            {"ftz": "tianjin", "ftz_on_list": "unlisted", "persons_pi": 2_000_000},
            ON,
            ("exempt", "第六条"),
        ),
        (
            {
                "ftz": "天津自贸试验区（负面清单2024版，2024年5月8日印发）",
                "ftz_on_list": "未列入负面清单",
                "ciio": "是",
                "persons_sensitive": 50_000,
            },
            ON,
            ("exempt", "第六条"),
        ),
        # on the list: the thresholds of 第七条 decide as everywhere else
        (
            {"ftz": "tianjin", "ftz_on_list": "listed", "persons_pi": 2_000_000},
            ON,
            ("assessment", "第七条第（二）项"),
        ),
        # Tianjin's list was issued on 2024-05-08: the day before, Art. 6 does not apply yet
        (
            {"ftz": "tianjin", "ftz_on_list": "unlisted", "persons_pi": 2_000_000},
            date(2024, 5, 7),
            ("assessment", "第七条第（二）项"),
        ),
        (
            {"ftz": "tianjin", "ftz_on_list": "unlisted", "persons_pi": 2_000_000},
            date(2024, 5, 8),
            ("exempt", "第六条"),
        ),
        # Beijing's was published in August 2024 (no day in the sources): from 2024-08-31
        (
            {"ftz": "beijing", "ftz_on_list": "unlisted", "persons_pi": 150_000},
            date(2024, 8, 30),
            ("contract_or_certification", "第八条"),
        ),
        (
            {"ftz": "beijing", "ftz_on_list": "unlisted", "persons_pi": 150_000},
            date(2024, 8, 31),
            ("exempt", "第六条"),
        ),
        # another zone whose list the enterprise confirms is in force
        (
            {"ftz": "other", "ftz_on_list": "unlisted", "persons_pi": 150_000},
            ON,
            ("exempt", "第六条"),
        ),
        # important data counts as listed: assessment
        (
            {"ftz": "tianjin", "ftz_on_list": "unlisted", "important_data": "是", "persons_pi": 10},
            ON,
            ("assessment", "第七条第（一）（二）项"),
        ),
    ],
)
def test_free_trade_zone_negative_lists_article_6(
    answers: dict[str, object], on: date, expected: tuple[str, str]
) -> None:
    got = selfcheck.evaluate({**BASE, **answers}, on=on)
    assert (got.route, got.article) == expected


def test_a_zone_without_the_list_answer_is_a_finding() -> None:
    with pytest.raises(ImportRejected) as err:
        selfcheck.evaluate({**BASE, "ftz": "tianjin", "persons_pi": 10}, on=ON)
    item = err.value.report.findings[0]
    assert item.code == "outbound-selfcheck-answer"
    assert "负面清单" in item.column and "negative list" in item.message_en


def test_answers_without_the_zone_questions_keep_their_route() -> None:
    assert "ftz" not in BASE
    got = selfcheck.evaluate({**BASE, "persons_pi": 150_000}, on=ON)
    assert (got.route, got.article, got.answers["ftz"]) == (
        "contract_or_certification",
        "第八条",
        "none",
    )
