"""Build the policy-library specimens from the seed texts (run once; the outputs are committed).

    .venv/bin/python tests/specimens/policy/make_specimens.py

- ``000_guideline.pdf``: seed 000's first pages as a real PDF with a text layer — Chinese text
  in the standard Adobe-GB1 font STSong-Light through the predefined CMap UniGB-UCS2-H (no
  font embedded: every PDF reader and pdfminer know it), wrapped at 26 characters a line,
  paragraphs indented with two ideographic spaces, a page number "- n -" at the foot of each
  page and a page break inside a sentence (鼓励民营企业|走出去).
- ``scanned.pdf``: one page holding only a grey image (a scan without a text layer).
- ``002_notice.docx``: seed 002's opening and targets, written with python-docx.
- ``001_opinion.html``: seed 001 as a government site page would show it — simplified script,
  navigation, breadcrumb, print/close links, footer with ICP number around the article.
- ``002_notice_gbk.txt``: seed 002's opening encoded as GB18030.
- broken: ``empty.txt`` (0 bytes), ``blank.txt`` (only whitespace), ``binary.txt`` (a PNG
  renamed), ``undecodable.txt`` (bytes that are neither UTF-8 nor GB18030), ``damaged.pdf``
  (a PDF header and nothing valid), ``damaged.docx`` (not a ZIP).
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).parent
SEEDS = HERE.parents[2] / "demo" / "policy"
WIDTH = 26
LINES_PER_PAGE = 40


def pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF: one content stream per page, each line shown with Tj then T*."""
    objects: dict[int, bytes] = {}
    count = 0

    def new() -> int:
        nonlocal count
        count += 1
        return count

    catalog, pages_id, descriptor, cidfont, font = new(), new(), new(), new(), new()
    objects[descriptor] = (
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 "
        b"/Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    objects[cidfont] = (
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor %d 0 R /DW 1000 >>" % descriptor
    )
    objects[font] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H "
        b"/Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] >>" % cidfont
    )
    kids = []
    for lines in pages:
        page, content = new(), new()
        ops = [b"BT /F1 15 Tf 22 TL 70 780 Td"]
        ops += [b"<%s> Tj T*" % line.encode("utf-16-be").hex().upper().encode() for line in lines]
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects[content] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objects[page] = (
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, font, content)
        )
        kids.append(page)
    objects[pages_id] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    objects[catalog] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    return _assemble(objects, catalog)


def _assemble(objects: dict[int, bytes], root: int) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def scanned_pdf() -> bytes:
    """One A4 page showing a 64×64 grey image and no text."""
    pixels = zlib.compress(bytes([200]) * 64 * 64)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"
        ),
        4: (
            b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
            % (len(pixels), pixels)
        ),
    }
    draw = b"q 500 0 0 760 48 40 cm /Im1 Do Q"
    objects[5] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw)
    return _assemble(objects, 1)


def wrap(paragraph: str, indent: bool) -> list[str]:
    text = ("\u3000\u3000" if indent else "") + paragraph
    return [text[i : i + WIDTH] for i in range(0, len(text), WIDTH)]


def guideline_pages() -> list[list[str]]:
    """Seed 000 up to its section 三（七）, laid out on pages with page numbers."""
    seed = (SEEDS / "000_f3ac8a4ec1b1470d.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in seed.split("\n") if p.strip()]
    # the seed's own page breaks split paragraphs: put them back together first
    text = "\n".join(paragraphs)
    for cut in ("坚\n持", "智能物\n流", "等园\n区", "推动我\n国", "认识到数字\n经济"):
        text = text.replace(cut, cut.replace("\n", ""))
    paragraphs = text.split("\n")
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("(八)"))
    lines: list[str] = []
    for p in paragraphs[:end]:
        body = len(p) > 30 or p.startswith("(")
        lines += wrap(p, indent=body) if body else [p]
    pages, number = [], 1
    while lines:
        page, lines = lines[:LINES_PER_PAGE], lines[LINES_PER_PAGE:]
        pages.append([*page, "", f"- {number} -"])
        number += 1
    return pages


def docx_notice(path: Path) -> None:
    import docx

    seed = (SEEDS / "002_9ec19b890da6c5c4.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in seed.split("\n") if p.strip()]
    paragraphs = "\n".join(paragraphs).replace("加快形成国\n际竞争", "加快形成国际竞争").split("\n")
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("(二)基地主要任务"))
    document = docx.Document()
    document.core_properties.author = "shumao specimens"
    for p in paragraphs[:end]:
        if re.match(r"^[一二三四五六七八九十]、", p):
            document.add_heading(p, level=2)
        else:
            document.add_paragraph(p)
    document.save(str(path))


def html_opinion() -> str:
    import opencc

    seed = (SEEDS / "001_2ff3b056fc41c968.txt").read_text(encoding="utf-8")
    seed = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)", "", seed)
    seed = seed.replace("?qū)ν忾_", "對外開").replace("?qū)ν赓Q", "對外貿")
    simplified = opencc.OpenCC("t2s").convert(seed)
    paragraphs = [p.strip() for p in simplified.split("\n") if p.strip()]
    title, body = paragraphs[0], paragraphs[1:]
    article = "\n".join(f'<p style="text-indent:2em">{p}</p>' for p in body)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<title>{title}_中国政府网</title>
<script>var _hmt = _hmt || [];</script><style>.nav{{color:red}}</style></head>
<body>
<header><div class="top">中国政府网 | 首页 | 简 | 繁 | EN | 登录</div></header>
<nav class="nav"><a href="/">首页</a> <a href="/zhengce/">政策</a> <a href="/hudong/">互动</a></nav>
<div class="BreadcrumbNav">当前位置：首页 &gt; 政策 &gt; 最新</div>
<div class="article oneColumn pub_border">
  <h1 id="ti">{title}</h1>
  <div class="pages-date">2024-08-29 17:00 来源：新华社 <span class="font">字号：大 中 小</span></div>
  <div class="pages_content" id="UCAP-CONTENT">
{article}
  </div>
  <div class="editor">【我要纠错】 责任编辑：某某</div>
  <div class="print">【打印本页】【关闭窗口】</div>
</div>
<footer><p>主办单位：国务院办公厅 运行维护单位：中国政府网运行中心</p>
<p>版权所有：中国政府网 | 中文域名：中国政府网.政务</p>
<p>网站标识码bm01000001 京ICP备05070218号 京公网安备11010202000001号</p></footer>
</body></html>
"""


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    (HERE / "000_guideline.pdf").write_bytes(pdf(guideline_pages()))
    (HERE / "scanned.pdf").write_bytes(scanned_pdf())
    docx_notice(HERE / "002_notice.docx")
    (HERE / "001_opinion.html").write_text(html_opinion(), encoding="utf-8")
    seed = (SEEDS / "002_9ec19b890da6c5c4.txt").read_text(encoding="utf-8")
    (HERE / "002_notice_gbk.txt").write_bytes(seed[:1200].encode("gb18030"))
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "blank.txt").write_bytes(b"  \n\n\t \r\n")
    (HERE / "binary.txt").write_bytes(png())
    (HERE / "undecodable.txt").write_bytes("政策文件".encode() + b"\x80\xff\x80\xff 2021\n")
    (HERE / "damaged.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\ngarbage\n")
    (HERE / "damaged.docx").write_bytes(b"this is not a word document\n")


if __name__ == "__main__":
    main()
