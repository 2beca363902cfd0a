"""Clean extracted policy text: debris out, paragraphs whole, punctuation consistent.

``clean(text)`` runs the steps in order and returns the paragraphs twice — in the original
script for display and converted to simplified (OpenCC t2s) for search, metadata and targets —
with counts of what was removed:

1. Unicode NFC, line ends, page breaks (``\\f``), zero-width characters, full-width letters and
   digits made half-width.
2. Scraped copies: numbered chunk markers (``1、 2、 …`` opening every chunk), the character a
   site cut a chunk with (``�``), site boilerplate lines and a table of contents run into
   the text (patterns in ``data/boilerplate.yaml``); bold headings a site printed twice.
3. Pinyin annotations after characters (國務(wù)院 → 國務院), then mis-aligned GBK runs
   (``shumao.policy.repair``).
4. Page numbers: lines such as ``- 9 -``, ``第 9 页``, and ``-9-`` run into a scraped text.
5. Spacing: letter-spaced headings (``前 言``), spaces between Chinese and digits or Latin.
6. Lines into paragraphs: a visual line break inside a sentence is joined, a real paragraph
   break is kept (see ``paragraphs``).
7. Punctuation: in Chinese text, ASCII ``, ; : ( ) ! ?`` become full-width (not inside
   numbers, times or web addresses), ``...`` becomes ``……``, the brackets of a 文号 become
   〔〕 (国发[2015]8号 → 国发〔2015〕8号).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from shumao.policy import DATA
from shumao.policy.chinese import to_simplified
from shumao.policy.repair import repair

CJK = "\u3400-\u9fff"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_FULL_ALNUM = {
    c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_PINYIN = re.compile(
    rf"(?<=[{CJK}])[(（](?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{{1,7}}[)）]"
)
_CHUNK = re.compile(r"^(\d{1,4})、")
_PAGE_LINE = re.compile(
    r"^(?:[-－—–]\s*\d{1,4}\s*[-－—–]|第\s*\d{1,4}\s*页(?:\s*[，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[-－—–]?\s*[ivxlcIVXLC]{1,6}\s*[-－—–]?)$"
)
_PAGE_INLINE = re.compile(
    rf"(?<=[{CJK}，。、；：”）.])-\s?\d{{1,3}}\s?-|(?<![0-9A-Za-z.\-])-\s?\d{{1,3}}\s?-(?=[^\d.%]|$)"
)
_LETTER_SPACED = re.compile(rf"(?<![{CJK}])[{CJK}](?: [{CJK}](?![{CJK}]))+")
_CJK_PUNCT = f"{CJK}，。、；：？！“”‘’（）《》〔〕【】—…"
_SPACE_BEFORE = re.compile(rf"(?<=[{_CJK_PUNCT}]) +(?=[0-9A-Za-z%])")
_SPACE_AFTER = re.compile(rf"(?<=[0-9A-Za-z%.]) +(?=[{_CJK_PUNCT}])")
_DOUBLED = re.compile(rf"([{CJK}“”、：:（）()]{{4,40}}?)\1")
_DOUBLED_CAPTION = re.compile(r"([表图圖])\1\s*(?=\d)")
SENTENCE_END = "。！？；：!?;:"
_CLOSERS = "》）」』”’，。、；：！？,.;:)!?"
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?!\d)"
    r"|[（(]\d{1,2}[）)]|第[一二三四五六七八九十百\d]{1,4}[章节条部分篇]|专栏\s*\d|專欄\s*\d"
    r"|附件|附表|抄送|抄報|抄报|[图表圖]\s*\d|数据来源|資料來源|数據來源|數據來源|注[：:])"
)
_DOC_TYPE_END = re.compile(
    r"(通知|意见|意見|指引|报告|報告|决定|決定|办法|辦法|方案|规划|規劃|"
    r"纲要|綱要|指南|公告|通告|批复|批復|细则|細則|条例|條例|措施|计划|計劃|规定|規定)$"
)
_DOC_NUMBER_LINE = re.compile(
    r"^[\u4e00-\u9fff]{1,12}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,5}\s*号$"
)
_DOC_NUMBER_ANY = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[\[［【(（〔]\s*((?:19|20)\d{2})\s*[\]］】)）〕]\s*(\d{1,5})\s*号"
)
_INLINE_HEADING = re.compile(
    r"(?<=[。；！？])(?=[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])"
)


@dataclass
class Cleaned:
    """Paragraphs of one text in the original script and in simplified, with what was removed."""

    display: list[str]
    text: list[str]
    script: str
    """``simplified`` or ``traditional`` (the script of the original)."""
    removed: Counter[str] = field(default_factory=Counter)
    """Counts by kind: pinyin, page_numbers, boilerplate, repaired, garbled."""
    garbled: list[str] = field(default_factory=list)
    scraped: bool = False

    @property
    def display_text(self) -> str:
        return "\n".join(self.display)

    @property
    def simplified_text(self) -> str:
        return "\n".join(self.text)


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[list[re.Pattern[str]], re.Pattern[str]]:
    data = yaml.safe_load((DATA / "boilerplate.yaml").read_text(encoding="utf-8"))
    return [re.compile(p) for p in data["lines"]], re.compile(data["toc"])


def basic(text: str) -> str:
    """NFC, ``\\n`` line ends, page breaks as blank lines, no zero-width characters."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).translate(_FULL_ALNUM)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    return text.replace("\t", " ").replace("\u00a0", " ")


def strip_chunk_markers(lines: list[str]) -> tuple[list[str], int]:
    """Remove ``1、 2、 3、…`` opening the chunks of a scraped copy (and the cut character)."""
    numbered = [(i, int(m.group(1))) for i, line in enumerate(lines) if (m := _CHUNK.match(line))]
    body = [line for line in lines if line.strip()]
    in_order = [n for _, n in numbered] == list(range(1, len(numbered) + 1))
    if len(numbered) < 3 or not in_order or len(numbered) < 0.6 * len(body):
        return lines, 0
    out = list(lines)
    for i, _ in numbered:
        out[i] = _CHUNK.sub("", out[i]).rstrip("\ufffd")
    return out, len(numbered)


def strip_boilerplate(lines: list[str]) -> tuple[list[str], int]:
    """Drop boilerplate lines; cut a table of contents out of a line (matched in simplified)."""
    patterns, toc = _boilerplate()
    out: list[str] = []
    removed = 0
    for line in lines:
        simple = to_simplified(line)
        if line.strip() and any(p.search(simple) for p in patterns):
            removed += 1
            continue
        match = toc.search(simple) if len(simple) == len(line) else None
        if match:
            line = line[: match.start()] + line[match.end() :]
            removed += 1
        out.append(line)
    return out, removed


def strip_pinyin(text: str) -> tuple[str, int]:
    return _PINYIN.subn("", text)


def strip_page_numbers(lines: list[str]) -> tuple[list[str], int]:
    out: list[str] = []
    removed = 0
    for line in lines:
        if _PAGE_LINE.match(line.strip()) and line.strip():
            removed += 1
            continue
        if re.search(f"[{CJK}]", line):
            line, n = _PAGE_INLINE.subn("", line)
            removed += n
        out.append(line)
    return out, removed


def undouble(line: str) -> str:
    """Bold text a site printed twice: 数据来源：数据来源： → 数据来源：, 表表 1 → 表 1."""
    return _DOUBLED_CAPTION.sub(r"\1 ", _DOUBLED.sub(r"\1", line))


def _tabular(line: str) -> bool:
    """A row of a table flattened to text: mostly numbers, few Chinese characters."""
    chars = line.replace(" ", "")
    if not chars:
        return False
    digits = sum(c.isdigit() or c in ".-%" for c in chars)
    han = len(re.findall(f"[{CJK}]", chars))
    return digits / len(chars) >= 0.4 and han / len(chars) < 0.3


def fix_spacing(line: str) -> str:
    line = re.sub(r" {2,}", " ", line.strip())
    line = _LETTER_SPACED.sub(lambda m: m.group().replace(" ", ""), line)
    if _tabular(line):
        return line
    return _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", line))


def display_width(text: str) -> int:
    """Width in half-width columns: a Chinese character or full-width sign counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _visual_width(widths: list[int]) -> int | None:
    """The width of a text broken into visual lines (003: one line per printed line)."""
    counts = Counter(w for w in widths if w >= 20)
    if not counts:
        return None
    width = max(counts, key=lambda n: (sum(counts[m] for m in range(n - 2, n + 1)), n))
    near = sum(counts[m] for m in range(width - 6, width + 3))
    return width if width <= 120 and near >= 0.35 * len(widths) else None


def _ends_sentence(line: str) -> bool:
    return line[-1] in SENTENCE_END or line[-2:] in ("。”", "！”", "？”", "。）")


def _heading_like(line: str) -> bool:
    if re.match(r"(专栏|專欄)\s*\d+[：:]", line) and len(line) <= 50:
        return True
    return bool(_HEADING.match(line)) and len(line) <= 30 and not re.search("[。，；,;]", line[:-1])


@dataclass(frozen=True)
class Line:
    """One visual line: its text, whether it was indented, its width as printed."""

    text: str
    indented: bool
    width: int


def _continues(prev: Line, line: Line, width: int | None) -> bool:
    """Whether ``line`` continues the paragraph that ``prev`` (its last visual line) is in."""
    if line.text[0] in _CLOSERS:
        return True
    if not _open_end(prev.text, line.text) or line.indented:
        return False
    if width is not None:
        return prev.width >= width - 8
    return len(prev.text) >= 20 and bool(re.search(f"[{CJK}，、“（《]$", prev.text))


def _open_end(prev: str, line: str) -> bool:
    """Whether ``prev`` ends mid-sentence and ``line`` does not start a block of its own."""
    if _ends_sentence(prev) or _HEADING.match(line) or _heading_like(prev):
        return False
    if _tabular(prev) or _tabular(line) or _DOC_NUMBER_LINE.match(line):
        return False
    return not (_DOC_TYPE_END.search(prev) and len(prev) < 80 and "。" not in prev)


def paragraphs(lines: list[Line]) -> list[str]:
    """Join visual lines into paragraphs (blank lines are not paragraph breaks: PDF extraction
    puts them everywhere). A line continues the paragraph when the previous line ends
    mid-sentence, fills the printed width (or, in a text of whole paragraphs, is not a short
    line such as a heading, an address or a signature) and neither is a heading, a caption or
    a table row."""
    width = _visual_width([line.width for line in lines])
    out: list[str] = []
    prev: Line | None = None
    for line in lines:
        if out and prev and _continues(prev, line, width):
            glue = (
                " "
                if re.match(r"[A-Za-z0-9]", line.text) and re.search(r"[A-Za-z]$", prev.text)
                else ""
            )
            out[-1] += glue + line.text
        else:
            out.append(line.text)
        prev = line
    return out


def _quotes(text: str) -> str:
    parts = text.split('"')
    if len(parts) % 2 == 0:
        return text
    return "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])) + parts[-1]


def punctuation(par: str) -> str:
    """Full-width punctuation in a Chinese paragraph (numbers, times and URLs untouched)."""
    if not re.search(f"[{CJK}]", par):
        return par
    par = _DOC_NUMBER_ANY.sub(r"\1〔\2〕\3号", par)
    par = re.sub(r"(?<!\d),|,(?!\d)", "，", par)
    par = par.replace(";", "；")
    par = re.sub(r"(?<!\d):(?!//)|:(?!\d|//)", "：", par)
    par = re.sub(rf"(?<=[{CJK}])!", "！", par)
    par = re.sub(rf"(?<=[{CJK}])\?(?=$|[”\s])", "？", par)
    par = re.sub(r"\.{3,}|。{3,}|…(?!…)", "……", par)
    par = re.sub(r"\(([^()]*)\)", _fullwidth_parens, par)
    return _quotes(par)


def _fullwidth_parens(match: re.Match[str]) -> str:
    inner = match.group(1)
    before = match.string[match.start() - 1] if match.start() else ""
    after = match.string[match.end()] if match.end() < len(match.string) else ""
    if re.fullmatch(r"[A-Za-z0-9]", before or " ") and re.fullmatch(r"[A-Za-z0-9]", after or " "):
        return match.group()
    return f"（{inner}）"


def _lines(raw_lines: list[str]) -> list[Line]:
    out = []
    for raw in raw_lines:
        stripped = raw.strip(" \u3000")
        if stripped:
            indent = raw[: len(raw) - len(raw.lstrip(" \u3000"))]
            out.append(
                Line(
                    fix_spacing(stripped),
                    "\u3000" in indent or len(indent) >= 2,
                    display_width(stripped),
                )
            )
    return out


def clean(text: str) -> Cleaned:
    """Run every step on an extracted text; see the module docstring."""
    removed: Counter[str] = Counter()
    lines = basic(text).split("\n")
    lines, chunks = strip_chunk_markers(lines)
    lines, removed["boilerplate"] = strip_boilerplate(lines)
    removed["boilerplate"] += chunks
    joined, removed["pinyin"] = strip_pinyin("\n".join(lines))
    fixed = repair(joined)
    joined, more = strip_pinyin(fixed.text)
    removed["pinyin"] += more
    removed["repaired"], removed["garbled"] = fixed.repaired, len(fixed.garbled)
    lines, removed["page_numbers"] = strip_page_numbers(joined.split("\n"))
    display = [punctuation(p) for p in paragraphs(_lines(lines))]
    if chunks:
        display = [part for p in display for part in _INLINE_HEADING.split(undouble(p)) if part]
    simplified = [to_simplified(p) for p in display]
    return Cleaned(
        display, simplified, _script(display, simplified), +removed, fixed.garbled, bool(chunks)
    )


def _script(display: list[str], simplified: list[str]) -> str:
    changed = sum(
        a != b for d, s in zip(display, simplified, strict=True) for a, b in zip(d, s, strict=False)
    )
    total = sum(len(re.findall(f"[{CJK}]", d)) for d in display)
    return "traditional" if total and changed / total > 0.03 else "simplified"
