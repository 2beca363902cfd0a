"""Reading real specimens (PDF with a text layer, DOCX, HTML page, GB18030 text) and refusing
broken ones with a clear finding while the library stays as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from shumao.policy import documents, library, readers
from shumao.policy import tables as t
from shumao.validation.findings import Report

from .conftest import SPECIMENS

BROKEN = [
    ("empty.txt", "policy-file-empty"),
    ("blank.txt", "policy-file-empty"),
    ("binary.txt", "policy-binary"),
    ("undecodable.txt", "policy-undecodable"),
    ("scanned.pdf", "policy-pdf-no-text"),
    ("damaged.pdf", "policy-pdf-unreadable"),
    ("damaged.docx", "policy-docx-unreadable"),
]


@pytest.mark.parametrize(("name", "code"), BROKEN)
def test_broken_files_get_one_clear_error(name: str, code: str) -> None:
    report = Report()
    assert readers.read(SPECIMENS / name, report) is None
    assert [f.code for f in report.findings] == [code]
    assert not report.ok
    item = report.findings[0]
    assert item.message_zh and item.message_en and item.fix_zh


def test_scanned_pdf_says_how_many_pages() -> None:
    report = Report()
    readers.read(SPECIMENS / "scanned.pdf", report)
    assert "共 1 页" in report.findings[0].message_zh
    assert "OCR" in report.findings[0].fix_en


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.document, t.passage, t.section, t.target, t.band, t.correction)
        }


@pytest.mark.parametrize(("name", "code"), BROKEN)
def test_bad_input_changes_nothing(
    engine: Engine, library_ids: dict[str, int], name: str, code: str
) -> None:
    before = _counts(engine)
    result = library.add_file(engine, SPECIMENS / name)
    assert result.status == "rejected" and result.document_id is None
    assert code in result.report.codes
    assert _counts(engine) == before


def test_pdf_with_a_text_layer(engine: Engine) -> None:
    result = library.add_file(engine, SPECIMENS / "000_guideline.pdf")
    assert result.status == "added"
    doc = documents.get(engine, result.document_id or 0)
    assert doc.source_format == "pdf"
    assert doc.fields == {
        "title": "商务部 中央网信办 工业和信息化部关于印发《数字经济对外投资合作工作指引》的通知",
        "doc_number": "商合函〔2021〕355号",
        "issuers": ["商务部", "中央网信办", "工业和信息化部"],
        "issue_date": "2021-07-20",
        "level": "部委",
        "doc_type": "指引",
    }
    # the page break fell inside a sentence: joined, and the page number is gone
    assert (
        "加快发展进程。鼓励民营企业走出去，培养一批小而美的数字经济企业，开展本土化经营。"
        in doc.text
    )
    assert "- 1 -" in doc.original_text and "- 1 -" not in doc.text and "- 2 -" not in doc.text
    assert "\u3000\u3000（一）" not in doc.display_text  # indentation is layout, not text


def test_docx_notice(engine: Engine) -> None:
    result = library.add_file(engine, SPECIMENS / "002_notice.docx")
    doc = documents.get(engine, result.document_id or 0)
    assert doc.source_format == "docx"
    assert doc.fields["doc_number"] == "商办服贸函〔2019〕245号"
    assert doc.fields["doc_type"] == "通知"
    assert [(r["target_year"], r["comparator"], r["value"]) for r in doc.targets] == [
        (2022, "≥", 40.0),
        (2022, "about", 60.0),
        (2025, "≥", 50.0),
        (2025, "≥", 70.0),
    ]


def test_html_page_without_site_boilerplate(engine: Engine) -> None:
    result = library.add_file(engine, SPECIMENS / "001_opinion.html")
    doc = documents.get(engine, result.document_id or 0)
    assert doc.source_format == "html"
    assert doc.fields["title"] == "中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见"
    assert doc.fields["issue_date"] == date(2024, 8, 17).isoformat()
    for debris in ("首页", "当前位置", "打印本页", "关闭窗口", "版权所有", "ICP备", "字号", "_hmt"):
        assert debris not in doc.text, debris
    assert [(r["target_year"], r["value"]) for r in doc.targets] == [(2029, 45.0), (2035, 50.0)]


def test_gb18030_text(engine: Engine) -> None:
    result = library.add_file(engine, SPECIMENS / "002_notice_gbk.txt")
    assert result.status == "added"
    assert "policy-encoding-gb18030" in result.report.codes
    assert (
        documents.get(engine, result.document_id or 0).fields["doc_number"]
        == "商办服贸函〔2019〕245号"
    )


def test_format_is_told_by_content(tmp_path: Path) -> None:
    disguised = tmp_path / "guideline.txt"
    disguised.write_bytes((SPECIMENS / "000_guideline.pdf").read_bytes())
    extracted = readers.read(disguised, Report())
    assert extracted is not None and extracted.format == "pdf" and extracted.pages == 3
