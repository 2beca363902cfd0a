"""The scorecard's lines in either language (pure): the notice's sections, units, decisions,
outcomes and evidence in English for the English view; the Chinese lines as before, but the
decision in the evidence column, once its code ("评审：pending")."""

from __future__ import annotations

import re

from shumao.bases import evaluate, export, figures, rules
from shumao.bases.evaluate import Check, Evidence

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")


def test_the_notices_sections_and_number_in_english() -> None:
    assert [rules.section_name(s, "en") for s in ("三(二)1", "三(三)1、2", "三(三)4")] == [
        "III(2)1",
        "III(3)1, 2",
        "III(3)4",
    ]
    assert rules.section_name("三(二)1") == "三(二)1"
    assert rules.notice_number() == "商办服贸函〔2019〕245号"
    assert rules.notice_number("en") == "Shang Ban Fu Mao Han [2019] No. 245"
    assert rules.notice_cited("en").startswith(
        "the notice Shang Ban Fu Mao Han [2019] No. 245 of the General Office of MOFCOM"
    )


def test_the_units_in_english() -> None:
    assert [rules.unit_name(u, "en") for u in ("亿元", "亿美元", "家")] == [
        "100 million yuan",
        "100 million US dollars",
        "enterprises",
    ]
    assert rules.unit_name("亿元") == "亿元" and rules.unit_name("万台套", "en") == "万台套"


def _evaluation() -> evaluate.Evaluation:
    rate, note = figures.cny_rate("2022")
    evidence = [
        Evidence(
            "SI_EXPORT",
            "2022",
            24.63 * rate,
            "upper",
            "商务部报告表3",
            "MOFCOM report, table 3",
            original="24.63 亿美元",
            rate=rate,
            rate_note=note,
            rate_note_en=figures.cny_rate_en("2022"),
            note_zh="上限",
            note_en="an upper bound",
        )
    ]
    checks = [Check("B1", "accepted", 1), Check("B2", "rejected", 0, "盖章缺失")]
    return evaluate.evaluate(
        kind="application",
        base_code="DSEB06",
        group="EAST",
        years=["2022"],
        evidence=evidence,
        checks=checks,
    )


def test_the_english_lines_have_no_chinese_but_what_an_official_typed() -> None:
    lines = {line[0].split(" ")[0]: line for line in export.rows(_evaluation(), "en")}
    b1, b2, b3 = lines["III(2)1"], lines["III(2)2"], lines["III(2)3"]
    assert b1[2:5] == ("accepted", "—", "pass") and b1[6] == "review: accepted"
    assert b2[2] == "not accepted" and b2[6] == "review: not accepted; 盖章缺失"
    assert b3[2] == "pending review" and b3[4] == "missing"
    si = next(v for v in export.rows(_evaluation(), "en") if "telecommunications" in v[0])
    assert si[0] == (
        "III(3)1, 2 exports of telecommunications, computer and information services "
        "(100 million yuan)"
    )
    assert si[3] == "60.00 100 million yuan"
    assert si[6] == (
        "MOFCOM report, table 3, as stored 24.63 100 million US dollars, converted at the "
        "2022 average rate, 6.7261 yuan per US dollar (NBS, Statistical Communiqué on National "
        "Economic and Social Development / PBOC, annual average CNY/USD rate), an upper bound; "
        "the known interval [—, 165.66] 100 million yuan contains the threshold 60.00"
    )
    typed = [c for line in export.rows(_evaluation(), "en") for c in line if CJK.search(c)]
    assert typed == ["review: not accepted; 盖章缺失"]


def test_the_chinese_lines_are_as_before() -> None:
    lines = export.rows(_evaluation())
    assert lines[0] == (
        "三(二)1 园区管理机构具有独立法人资格且运营2年（含）以上，园区面积适中，适于管理。",
        "—",
        "已认可",
        "—",
        "达标",
        "—",
        "评审：已认可",  # was "评审：accepted"
    )
    si = next(v for v in lines if "电信" in v[0])
    assert si[:5] == (
        "三(三)1、2 电信、计算机和信息服务出口额（亿元）",
        "2022",
        "[—, 165.66]",
        "60.00 亿元",
        "待补材料",
    )
    assert si[6].startswith(
        "商务部报告表3，原值 24.63 亿美元，按2022 年人民币对美元年平均汇率 6.7261"
    )
