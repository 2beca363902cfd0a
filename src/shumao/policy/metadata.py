"""Metadata of a policy document, read from its (simplified, cleaned) paragraphs.

Every field is either what the text states or ``None`` ("not found"): nothing is guessed.

- title: the heading line with 关于…的通知/意见 (joined with its second line when the heading is
  printed on two), or the bare title line of a document without 关于 (…工作指引), or for a
  report the 《title》 its preface says was 编制/发布 by somebody, or the Chinese title of its
  cover when extraction ran the cover together (中文标题 ENGLISH TITLE 机关 ENGLISH NAME).
- 文号: a line that is only a document number (商合函〔2021〕355号), or a 发文字号 label;
  brackets are normalised to 〔〕 (``normalise_doc_number``), a number cited in the body
  (国发[2015]8号) is not the document's own.
- issuing bodies: the names before 关于 in the title (split at spaces and 、), else the body a
  report names as its author (由…委托/编制), else the letterhead lines; aliases are mapped to
  the short official names of ``data/issuers.csv``.
- date: a line that is only a date (2021年7月20日, （2024年8月17日）, 二〇二一年七月二十日) or a
  成文日期 label; a printing date (……印发) and dates inside sentences do not count.
- level: 中央 / 部委 / 地方 from the issuing bodies (the highest wins).
- type: the document kind the title ends with (通知, 意见, 指引, 报告 …); for 关于印发《X》的通知
  the kind of X (the notice only transmits it).
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from shumao.policy import DATA

FIELDS = ("title", "doc_number", "issuers", "issue_date", "level", "doc_type")
EDITABLE = (*FIELDS, "canonical")
"""What an editor may correct: the extracted fields and the link to a canonical record."""
LABELS = {
    "title": ("标题", "title"),
    "doc_number": ("文号", "document number"),
    "issuers": ("发文机关", "issuing bodies"),
    "issue_date": ("成文日期", "date of issue"),
    "level": ("层级", "level"),
    "doc_type": ("文种", "type"),
}
LEVELS = ("中央", "部委", "地方")
TYPES = (
    "指导意见",
    "实施意见",
    "通知",
    "意见",
    "指引",
    "报告",
    "决定",
    "办法",
    "规定",
    "方案",
    "规划",
    "纲要",
    "指南",
    "公告",
    "通告",
    "通报",
    "批复",
    "细则",
    "条例",
    "措施",
    "计划",
    "白皮书",
    "函",
)
_TYPE_ALIASES = {"指导意见": "意见", "实施意见": "意见"}
_TYPE_END = re.compile(f"({'|'.join(TYPES)})$")
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*(\d{1,5})\s*号"
)
_LABELLED_NUMBER = re.compile(r"^(?:发文字号|文号)[：:]\s*(.+)$")
_DATE = re.compile(r"^[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[）)]?$")
_DATE_ZH = re.compile(
    r"^[（(]?([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
    r"([一二三四五六七八九十]{1,3})日[）)]?$"
)
_LABELLED_DATE = re.compile(r"^成文日期[：:]\s*(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_REPORT = re.compile(
    r"《([^》]{4,60})》由([^，。]{2,40}?)(?:(?:委托|组织|牵头|主持)[^，。]{0,30}?)?"
    r"(?:编制|编写|发布|印发|撰写)"
)
_COVER = re.compile(
    r"^([\u4e00-\u9fff]{4,40}?(?:报告|白皮书|蓝皮书)(?:[（(]\d{4}[）)]|\d{4})?)\s*"
    r"[A-Z][A-Za-z ]{8,}?([\u4e00-\u9fff]{2,30}?)\s*[A-Z]{2}"
)
"""A report's cover run together by extraction: 中文标题 ENGLISH TITLE 中文机关 ENGLISH NAME."""
_ORG_END = re.compile(r"(部|厅|局|委|办|室|院|会|署|行|司|中心|政府|中央|党组)$")
_LOCAL = re.compile(r"^[\u4e00-\u9fff]{2,10}?(省|自治区|市|县|州|盟|区)")
_MINISTRY = re.compile(r"(部|委员会|总局|总署|署)$")
_DIGITS_ZH = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
HEAD = 15


@dataclass
class Metadata:
    """Extracted fields; ``None`` means the text does not state it."""

    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] | None = None
    issue_date: date | None = None
    level: str | None = None
    doc_type: str | None = None
    notes: list[str] = field(default_factory=list)

    def missing(self) -> list[str]:
        return [f for f in FIELDS if getattr(self, f) in (None, [])]

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k in FIELDS}
        data["issue_date"] = self.issue_date.isoformat() if self.issue_date else None
        return data


@dataclass(frozen=True)
class Issuer:
    name: str
    level: str
    aliases: tuple[str, ...]
    name_en: str = ""


@lru_cache(maxsize=1)
def issuers_table() -> dict[str, Issuer]:
    """Known issuing bodies by every name they go by (``data/issuers.csv``)."""
    table: dict[str, Issuer] = {}
    with (DATA / "issuers.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            aliases = tuple(a for a in (row["aliases"] or "").split("|") if a)
            issuer = Issuer(row["name"], row["level"], aliases, row.get("name_en") or "")
            for name in (issuer.name, *aliases):
                table[name] = issuer
    return table


def english_name(kind: str, value: str) -> str:
    """The English name of an issuer, a level or a document type (``data/labels.yaml``,
    ``data/issuers.csv``); the value itself when none is known."""
    if kind == "issuer":
        known = issuers_table().get(value)
        return known.name_en if known and known.name_en else value
    return str(_labels().get(f"{kind}s", {}).get(value, value))


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(
        (DATA / "labels.yaml").read_text(encoding="utf-8")
    )
    return data


def canonical_issuer(name: str) -> str:
    known = issuers_table().get(name)
    return known.name if known else name


def normalise_doc_number(text: str) -> str | None:
    """商办服贸函[2019]245号 → 商办服贸函〔2019〕245号; None when ``text`` holds no 文号."""
    m = _DOC_NUMBER.search(text)
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" if m else None


def extract(pars: list[str]) -> Metadata:
    """All fields from the simplified paragraphs of one document."""
    meta = Metadata()
    meta.title = title(pars)
    meta.doc_number = doc_number(pars)
    meta.issuers = issuers(pars, meta.title) or None
    meta.issue_date = issue_date(pars)
    meta.level = level(meta.issuers or [])
    meta.doc_type = doc_type(meta.title) if meta.title else None
    return meta


def title(pars: list[str]) -> str | None:
    head = pars[:HEAD]
    for i, par in enumerate(head):
        if "关于" in par and len(par) <= 100 and "。" not in par and not par.endswith("："):
            if not _TYPE_END.search(par) and i + 1 < len(head) and _title_line(head[i + 1]):
                par += head[i + 1]
            return _tidy_title(par)
    for par in pars[:40]:
        if m := _REPORT.search(par):
            return m.group(1).strip()
    if pars and (m := _COVER.match(pars[0])):
        return m.group(1)
    return next((_tidy_title(p) for p in head if _title_line(p)), None)


def _title_line(par: str) -> bool:
    return len(par) <= 60 and "。" not in par and bool(_TYPE_END.search(_strip_year(par)))


def _strip_year(text: str) -> str:
    return re.sub(r"\s*[（(]?\d{4}\s*年?度?[）)]?$", "", text)


def _tidy_title(text: str) -> str:
    """Spaces between Chinese characters after 关于 are line-break debris; before it they
    separate the issuing bodies and stay."""
    head, sep, rest = text.partition("关于")
    rest = re.sub(r"(?<=[\u4e00-\u9fff》“”]) +(?=[\u4e00-\u9fff《“”])", "", rest)
    return (head + sep + rest).strip()


def doc_number(pars: list[str]) -> str | None:
    for par in pars[:HEAD]:
        m = _DOC_NUMBER.fullmatch(par.strip())
        labelled = _LABELLED_NUMBER.match(par.strip())
        if m or labelled:
            return normalise_doc_number(labelled.group(1) if labelled else par)
    return None


def issuers(pars: list[str], doc_title: str | None) -> list[str]:
    if doc_title and "关于" in doc_title:
        names = [n for n in re.split(r"[\s、，]+", doc_title.split("关于")[0]) if _org_like(n)]
        if names:
            return _unique(canonical_issuer(n) for n in names)
    for par in pars[:40]:
        if (m := _REPORT.search(par)) and _org_like(m.group(2)):
            return [canonical_issuer(m.group(2))]
    if pars and (m := _COVER.match(pars[0])) and _org_like(m.group(2)):
        return [canonical_issuer(m.group(2))]
    letterhead = []
    for par in pars[:HEAD]:
        if _DOC_NUMBER.fullmatch(par.strip()) or "关于" in par:
            break
        letterhead += [n for n in par.split() if n in issuers_table()]
    return _unique(canonical_issuer(n) for n in letterhead)


def _org_like(name: str) -> bool:
    return 2 <= len(name) <= 30 and bool(_ORG_END.search(name)) and not re.search(r"\d", name)


def _unique(names: Any) -> list[str]:
    return list(dict.fromkeys(names))


def issue_date(pars: list[str]) -> date | None:
    for par in pars:
        text = par.strip()
        for pattern, convert in ((_DATE, int), (_LABELLED_DATE, int), (_DATE_ZH, _zh_number)):
            if m := pattern.match(text):
                try:
                    return date(*(convert(g) for g in m.groups()))
                except ValueError:
                    continue
    return None


def _zh_number(text: str) -> int:
    """二〇二一 → 2021, 十二 → 12, 二十 → 20, 七 → 7."""
    if "十" not in text:
        return int("".join(str(_DIGITS_ZH[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_DIGITS_ZH[tens] if tens else 1) * 10 + (_DIGITS_ZH[ones] if ones else 0)


def level_of(name: str) -> str | None:
    known = issuers_table().get(name)
    if known:
        return known.level
    for other, issuer in issuers_table().items():
        if name.startswith(other) and len(other) >= 2:
            return issuer.level
    if _LOCAL.match(name):
        return "地方"
    return "部委" if _MINISTRY.search(name) else None


def level(names: list[str]) -> str | None:
    found = {level_of(n) for n in names}
    return next((lv for lv in LEVELS if lv in found), None)


def doc_type(doc_title: str) -> str | None:
    m = re.search(r"印发《([^》]+)》的通知$", doc_title)
    inner = _TYPE_END.search(_strip_year(m.group(1))) if m else None
    found = inner or _TYPE_END.search(_strip_year(doc_title))
    return _TYPE_ALIASES.get(found.group(1), found.group(1)) if found else None
