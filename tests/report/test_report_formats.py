"""The four formats of the 2022 report: what a reader, the report team and Word would check."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from bs4 import BeautifulSoup

from report.conftest import Built, request_for
from shumao.report.build import build
from shumao.storage.engine import make_engine

NO_START = "，。、；：？！"
NO_END = "（《“"


def _soup(built: Built) -> BeautifulSoup:
    return BeautifulSoup(built.path("html").read_text(encoding="utf-8"), "lxml")


# --------------------------------------------------------------------------- HTML


def test_html_is_one_self_contained_file_readable_on_a_phone(built: Built) -> None:
    soup = _soup(built)
    assert soup.find("meta", attrs={"name": "viewport"})["content"].startswith("width=device-width")
    assert not soup.find_all("script") and not soup.find_all("link", rel="stylesheet")
    assert not [i for i in soup.find_all("img") if not i["src"].startswith("data:")]
    assert len(soup.find_all("svg")) == 6  # 图1–图5 and 图6 (跨境电商, 数字订购贸易篇) drawn inline
    assert (
        next(c.get_text() for c in soup.find_all("figcaption"))
        == "图1 2012—2022年全球可数字化服务出口规模及增速"
    )
    assert [c.get_text() for c in soup.find_all("caption")][:2] == [
        "表1 2022年全球主要经济体可数字化服务贸易规模及增速",
        "表2 2022年12个基地所在省市可数字化交付服务贸易情况",
    ]
    assert all(
        p.get_text().startswith(("数据来源", "资料来源"))
        for p in soup.select(".tablewrap p.source, figure p.source")
    )


def test_every_number_links_to_the_explorer_for_exactly_that_figure(built: Built) -> None:
    soup = _soup(built)
    link = next(a for a in soup.select("a.n") if a.get_text() == "3727.1")
    query = parse_qs(urlsplit(link["href"]).query)
    assert link["href"].startswith("http://h/explorer?")
    assert query["dataflow"] == ["MOFCOM_REPORT"] and query["ref_area"] == ["CHN"]
    assert query["flow"] == ["T"] and query["start"] == query["end"] == ["2022"]
    assert query["as_of"] == [
        str(built.result.document.figures[link["data-figure"]].lineage.vintage)
    ]
    share = next(a for a in soup.select("p a.n") if a.get_text() == "91.1")
    fig = built.result.document.figures[share["data-figure"]]
    assert fig.lineage.indicator == "SHARE_PARENT"
    assert {s.key[0] for s in fig.lineage.stored()} == {"EAST", "CHN"}
    row = soup.find(id=share["data-figure"]).get_text(" ")
    assert "占上级比重" in row and "东部地区·进出口·2022年 ÷ 中国·进出口·2022年 × 100" in row


def test_a_rebuild_from_the_same_vintages_gives_the_same_bytes(
    built: Built, tmp_path: Path
) -> None:
    engine = make_engine(url=built.engine_url)
    try:
        again = build(engine, request_for(tmp_path / "again", cache_dir=tmp_path / "nocache"))
    finally:
        engine.dispose()
    for fmt in ("html", "xlsx", "docx"):
        assert again.files[fmt].read_bytes() == built.path(fmt).read_bytes(), fmt
    assert _pdf_text(again.files["pdf"]) == _pdf_text(built.path("pdf"))


# --------------------------------------------------------------------------- PDF


@functools.cache
def _pdf_text(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


@functools.cache
def _pdf_lines(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextBox, LTTextLine

    lines = []
    for page in extract_pages(str(path)):
        for box in page:
            if isinstance(box, LTTextBox):
                lines += [ln.get_text().strip() for ln in box if isinstance(ln, LTTextLine)]
    return [ln for ln in lines if ln]


def _squash(text: str) -> str:
    text = re.sub(r"-\s*\d+\s*-", "", text)  # page numbers in the footer
    return re.sub(r"\s+", "", text)


def test_pdf_text_equals_the_html_text_of_every_paragraph(built: Built) -> None:
    pdf = _squash(_pdf_text(built.path("pdf")))
    paragraphs = [_squash(p.get_text()) for p in _soup(built).select("main p[data-origin]")]
    assert len(paragraphs) > 30
    missing = [p[:40] for p in paragraphs if p not in pdf]
    assert not missing, missing


def test_pdf_breaks_chinese_lines_by_the_rules(built: Built) -> None:
    lines = [ln for ln in _pdf_lines(built.path("pdf")) if re.search(r"[\u4e00-\u9fff]", ln)]
    assert len(lines) > 300
    assert [ln for ln in lines if ln[0] in NO_START] == []
    assert [ln for ln in lines if ln[-1] in NO_END] == []


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs poppler-utils (scripts/setup)")
def test_pdf_embeds_subset_cjk_fonts(built: Built) -> None:
    out = subprocess.run(
        ["pdffonts", str(built.path("pdf"))], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert out and all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in out), out
    assert any("Noto-Serif-CJK-SC" in row for row in out)
    assert all(re.match(r"[A-Z]{6}\+", row) for row in out)


def test_pdf_has_contents_with_page_numbers_and_numbered_pages(built: Built) -> None:
    from pdfminer.high_level import extract_text

    contents = extract_text(str(built.path("pdf")), page_numbers=[1])
    entries = re.findall(r"(\S+)\s+\.{5,}\s+(\d+)", contents)
    assert entries[:2] == [("前言", "3"), ("综述篇——全球和中国数字贸易发展情况", "4")]
    assert entries[-1][0] == "数据说明" and "附录　数据说明" in contents
    page_4 = extract_text(str(built.path("pdf")), page_numbers=[3])
    assert "综述篇——全球和中国数字贸易发展情况" in page_4 and "- 4 -" in page_4


# --------------------------------------------------------------------------- DOCX


def test_docx_uses_word_styles_fonts_and_real_tables(built: Built) -> None:
    import docx
    from docx.oxml.ns import qn

    word = docx.Document(str(built.path("docx")))
    styles = {p.style.name for p in word.paragraphs}
    assert {"Heading 1", "Heading 2", "Heading 3", "Normal", "Caption", "Title"} <= styles
    fonts = {
        name: word.styles[name].element.rPr.rFonts.get(qn("w:eastAsia"))
        for name in ("Heading 1", "Normal", "Caption")
    }
    assert fonts == {"Heading 1": "黑体", "Normal": "宋体", "Caption": "仿宋"}
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == [
        "综述篇——全球和中国数字贸易发展情况",
        "实践篇——国家数字服务出口基地发展实践",
    ]
    assert len(word.tables) == 7  # 表1–表5, 表6 (跨境电商, 数字订购贸易篇) and the annex
    t2 = word.tables[1]
    assert [c.text for c in t2.rows[0].cells][:3] == ["省市", "进出口额", "增速"]
    assert [c.text for c in t2.rows[-2].cells][:2] == ["12省市合计", "3545.23"]
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert "表2 2022年12个基地所在省市可数字化交付服务贸易情况" in captions
    with zipfile.ZipFile(built.path("docx")) as z:
        notes = z.read("word/footnotes.xml").decode("utf-8")
        body = z.read("word/document.xml").decode("utf-8")
        footers = [
            z.read(n).decode("utf-8") for n in z.namelist() if "footer" in n and n.endswith(".xml")
        ]
    assert "EBOPS 2010" in notes and body.count("<w:footnoteReference") == 3
    assert 'TOC \\o "1-3"' in body and any(" PAGE " in f for f in footers)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (scripts/setup)")
def test_docx_opens_in_libreoffice(built: Built, tmp_path: Path) -> None:
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "txt:Text",
            "--outdir",
            str(tmp_path),
            str(built.path("docx")),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / built.path("docx").with_suffix(".txt").name).read_text(encoding="utf-8-sig")
    assert "中国可数字化交付的服务进出口额为3727.1亿美元" in text
    assert "附录　数据说明" in text


# --------------------------------------------------------------------------- XLSX


def test_xlsx_has_a_sheet_per_table_and_chart_with_units_sources_and_lineage(built: Built) -> None:
    book = openpyxl.load_workbook(built.path("xlsx"))
    assert book.sheetnames == [
        "图1",
        "表1",
        "图2",
        "图3",
        "图4",
        "图5",
        "表2",
        "表3",
        "表4",
        "表5",
        "图6",
        "表6",
        "数据说明",
    ]
    t2 = book["表2"]
    assert t2["A1"].value.startswith("表2 ") and t2["A2"].value == "单位：亿美元；%"
    rows = {r[0]: r for r in t2.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["12省市合计"][1] == 3545.23 and rows["上海"][7] == 26.45
    assert any(str(c.value).startswith("数据来源：商务部") for c in t2["A"] if c.value)
    notes = book["数据说明"]
    assert notes.max_row - 3 == len(built.result.document.figures)  # header, rows, gap, stamp
    header = [c.value for c in notes[1]]
    assert header[:3] == ["编号", "数字", "数值"] and "数据版本" in header
