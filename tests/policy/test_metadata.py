"""Metadata of the seeds: what each text states, and "not found" for what it does not."""

from __future__ import annotations

from datetime import date

import pytest

from shumao.policy import metadata
from shumao.policy.prepared import Prepared

EXPECTED = {
    "000": dict(
        title="商务部 中央网信办 工业和信息化部关于印发《数字经济对外投资合作工作指引》的通知",
        doc_number="商合函〔2021〕355号",
        issuers=["商务部", "中央网信办", "工业和信息化部"],
        issue_date=date(2021, 7, 20),
        level="部委",
        doc_type="指引",
    ),
    "001": dict(
        title="中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见",
        doc_number=None,
        issuers=["中共中央办公厅", "国务院办公厅"],
        issue_date=date(2024, 8, 17),
        level="中央",
        doc_type="意见",
    ),
    "002": dict(
        title="商务部办公厅 中央网信办秘书局 工业和信息化部办公厅关于组织申报国家数字服务出口基地的通知",
        doc_number="商办服贸函〔2019〕245号",
        issuers=["商务部办公厅", "中央网信办秘书局", "工业和信息化部办公厅"],
        issue_date=None,
        level="部委",
        doc_type="通知",
    ),
    "003": dict(
        title="中国数字贸易发展报告2022",
        doc_number=None,
        issuers=["商务部服务贸易和商贸服务业司"],
        issue_date=None,
        level="部委",
        doc_type="报告",
    ),
    # the scraped copy: the cover ran together (中文标题 ENGLISH TITLE 中华人民共和国商务部 MINISTRY …)
    "004": dict(
        title="中国数字贸易发展报告（2022）",
        doc_number=None,
        issuers=["商务部"],
        issue_date=None,
        level="部委",
        doc_type="报告",
    ),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_seed_metadata(prepared: dict[str, Prepared], key: str) -> None:
    meta = prepared[key].meta
    got = {f: getattr(meta, f) for f in metadata.FIELDS}
    assert got == EXPECTED[key]
    assert meta.missing() == [f for f, v in EXPECTED[key].items() if v is None]


def test_not_found_is_not_guessed(prepared: dict[str, Prepared]) -> None:
    # 002 has a deadline "请于2019年8月31日前" and cites 国发〔2015〕8号 in its body: neither is
    # its date or its number; 000's "2021年7月21日印发" is the printing date, not the issue date
    notice = prepared["002"]
    assert "请于2019年8月31日前联合发函报商务部" in notice.cleaned.simplified_text
    assert notice.meta.issue_date is None
    assert prepared["000"].meta.issue_date == date(2021, 7, 20)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("商办服贸函[2019]245号", "商办服贸函〔2019〕245号"),
        ("商合函〔2021〕355号", "商合函〔2021〕355号"),
        ("国办发（2024）1号", "国办发〔2024〕1号"),
        ("商服贸函【2020】 12 号", "商服贸函〔2020〕12号"),
        ("no number here", None),
    ],
)
def test_document_numbers_normalised(written: str, normalised: str | None) -> None:
    assert metadata.normalise_doc_number(written) == normalised


def test_levels_and_types_from_names() -> None:
    assert metadata.level(["中共中央办公厅", "商务部"]) == "中央"
    assert metadata.level(["浙江省商务厅"]) == "地方"
    assert metadata.level(["工信部"]) == "部委"
    assert metadata.level(["某某研究会"]) is None
    assert metadata.doc_type("国务院关于印发《“十四五”数字经济发展规划》的通知") == "规划"
    assert metadata.doc_type("关于加快发展服务贸易的指导意见") == "意见"
    assert metadata.issue_date(["二〇二一年七月二十日"]) == date(2021, 7, 20)
    assert metadata.issue_date(["请于2019年8月31日前报送"]) is None
