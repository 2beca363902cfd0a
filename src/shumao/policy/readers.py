"""Read a policy file — .txt, .pdf, .docx or .html — into the text as extracted.

The format is told by the file's first bytes, not only its name (a PDF saved as .txt is read
as a PDF). What cannot be read becomes an error finding and no text: an empty file, binary
data, a PDF without a text layer (a scan), a damaged PDF or DOCX, bytes that are neither
UTF-8, UTF-16 nor GB18030.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from bs4 import BeautifulSoup, NavigableString
from docx.table import Table
from docx.text.paragraph import Paragraph
from pdfminer.high_level import extract_text
from pdfminer.pdfpage import PDFPage

from shumao.encodings import decode_bytes
from shumao.validation.findings import Report, finding

SUFFIXES = (".txt", ".pdf", ".docx", ".html", ".htm")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = (
    (b"\x89PNG", "PNG 图片 / PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片 / JPEG image"),
    (b"GIF8", "GIF 图片 / GIF image"),
    (b"\x1f\x8b", "gzip 压缩包 / gzip archive"),
    (b"Rar!", "RAR 压缩包 / RAR archive"),
    (b"7z\xbc\xaf", "7z 压缩包 / 7z archive"),
    (OLE_MAGIC, "旧版 Office 文件（.doc/.xls）/ legacy Office file (.doc/.xls)"),
)
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<meta|<div|<p>)", re.I)
_BLOCKS = (
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
)
_DROP = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "button",
    "select",
    "svg",
)
_MAIN_HINT = re.compile(r"content|article|main|zoom|trs_editor|text|detail|正文", re.I)


@dataclass
class Extracted:
    text: str
    format: str
    """txt, pdf, docx or html."""
    sha256: str
    pages: int | None = None


def read(path: Path, report: Report) -> Extracted | None:
    """The text of ``path``; ``None`` (with an error finding in ``report``) when there is none."""
    file = path.name
    if not path.is_file():
        report.add(finding("policy-file-not-found", file=str(path)))
        return None
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        report.add(finding("policy-file-empty", file=file))
        return None
    fmt = sniff(data, path.suffix.lower())
    reader = {"pdf": read_pdf, "docx": read_docx, "html": read_html, "txt": read_txt}.get(fmt)
    if reader is None:
        report.add(finding("policy-format-unknown", file=file, detail=fmt))
        return None
    result = reader(data, report, file)
    if result is None:
        return None
    text, pages = result
    if not text.strip():
        report.add(finding("policy-file-empty", file=file))
        return None
    return Extracted(text, fmt, sha, pages)


def sniff(data: bytes, suffix: str) -> str:
    """The format of ``data``: pdf, docx, html, txt, or a description of what else it is."""
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        names = _zip_names(data)
        if "word/document.xml" in names:
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "Excel 工作簿 / Excel workbook (.xlsx)"
        return "ZIP 压缩包 / ZIP archive"
    if suffix == ".docx":
        return "docx"
    if suffix in (".html", ".htm") or _HTML_START.match(data[:500]):
        return "html"
    if suffix in ("", ".txt", ".text", ".md") or _looks_textual(data):
        return "txt"
    return f"“{suffix}”"


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except zipfile.BadZipFile:
        return []


def _looks_textual(data: bytes) -> bool:
    return _binary_kind(data[:4096]) is None


def _binary_kind(data: bytes) -> str | None:
    """What binary data this is, or None when it may be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    sample = data[:4096]
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    if b"\x00" in sample or controls > 0.05 * len(sample):
        return "含控制字节 / contains control bytes"
    return None


def read_txt(data: bytes, report: Report, file: str) -> tuple[str, int | None] | None:
    kind = _binary_kind(data)
    if kind:
        report.add(finding("policy-binary", file=file, detail=kind))
        return None
    text = decode(data, report, file)
    return (text, None) if text is not None else None


def decode(data: bytes, report: Report, file: str) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, then GB18030."""
    done = decode_bytes(data, utf16=True)
    if done.text is None:
        report.add(
            finding(
                "policy-undecodable", file=file, row=done.bad_row, detail=f"bytes {done.bad_bytes}"
            )
        )
    elif done.encoding == "gb18030":
        report.add(finding("policy-encoding-gb18030", file=file))
    return done.text


def read_pdf(data: bytes, report: Report, file: str) -> tuple[str, int | None] | None:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        pages = sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))
        text = extract_text(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        report.add(
            finding("policy-pdf-unreadable", file=file, detail=f"{type(exc).__name__}: {exc}"[:200])
        )
        return None
    if not text.replace("\f", "").strip():
        report.add(finding("policy-pdf-no-text", file=file, pages=pages))
        return None
    return text, pages


def read_docx(data: bytes, report: Report, file: str) -> tuple[str, int | None] | None:
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, BadZipFile …
        report.add(
            finding(
                "policy-docx-unreadable", file=file, detail=f"{type(exc).__name__}: {exc}"[:200]
            )
        )
        return None
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(element, document).text)
        elif tag == "tbl":
            table = Table(element, document)
            lines += [" ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
    return "\n".join(lines), None


def read_html(data: bytes, report: Report, file: str) -> tuple[str, int | None] | None:
    soup = BeautifulSoup(data, "lxml")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    heading = soup.find("h1")
    title = heading.get_text(" ", strip=True) if heading else ""
    main = _main_element(soup)
    if main is None:
        report.add(finding("policy-file-empty", file=file))
        return None
    for br in main.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for block in main.find_all(_BLOCKS):
        block.insert_after(NavigableString("\n"))
    body = main.get_text("")
    if title and title not in body[:500]:
        body = title + "\n" + body
    return body, None


def _main_element(soup: Any) -> Any:
    """The element holding the article: the innermost with the most <p> text (a content-like
    id or class breaks near ties)."""
    body = soup.body or soup
    best, best_len = None, 0
    for tag in body.find_all(["div", "article", "section", "td", "main"]):
        hints = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        text_len = sum(len(p.get_text(strip=True)) for p in tag.find_all("p", recursive=True))
        score = text_len + (50 if _MAIN_HINT.search(hints) else 0)
        if score >= best_len and text_len:
            best, best_len = tag, score
    return best or body
