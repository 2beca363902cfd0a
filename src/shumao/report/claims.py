"""数字 → 论断 / the numbers in prose, each with the claim it makes.

A ``Claim`` is what a sentence says a number is: a level (3727.1亿美元), a growth rate (同比增长
3.4%), a share (全国占比 91.1%, 在全球的占比 16.1%), a rank (居全球第5位), a change (比上年增长
175.4亿美元), growth over a span (由21.41亿美元增长至53.93亿美元，增长151.9%), a list of the
top N (排名前五位的省市为上海、广东……) or a group's members (12家……基地分别是……). Its subject,
flow and period come from the words around it: the entities named in the sentence (countries,
provinces, regions, bases, 全国, 全球), the flow words (进出口, 出口, 进口, 顺差, 产值) and the
year (2022年, 2020—2022年), carried over from earlier sentences of the paragraph when absent.
"分别为" lists are paired with the entities named before them, in order.

The rules are deliberately plain: a number whose subject or meaning cannot be read is still a
claim (``kind`` "unknown" or an empty subject) so that the check lists it instead of dropping it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from shumao.reference import geo
from shumao.report.entities import entities, flow_of, name_of, to_int

SENTENCE_END = re.compile(r"(?<=[。！？!?])")
CLAUSE = re.compile(r"[，；,;：:]")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:(?:[—–\-－~至到]+\s*)?((?:19|20)\d{2}))?\s*年")
NUMBER = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s*(万亿|亿|万)?\s*(美元|元人民币|元|%|％|个百分点)"
    r"|第\s*(\d+|[一二三四五六七八九十]{1,3})\s*(?:位|名)"
    r"|排名(第?[一二三四五六七八九十]{1,2})(?![十\d])"
)
TOPICS = (
    (
        "dd",
        ("可数字化", "数字服务出口", "数字服务贸易", "数字化服务", "数字交付", "数字服务进出口"),
    ),
    ("ict", ("电信、计算机和信息服务",)),
    ("output", ("产值",)),
    (
        "other",
        (
            "跨境电商",
            "电子商务",
            "离岸服务外包",
            "外包",
            "外资",
            "市值",
            "利润",
            "独角兽",
            "服务器",
            "算力",
            "专利",
            "光缆",
            "基站",
            "网购",
            "零售额",
            "游戏",
            "云计算",
            "数据产量",
            "数据存储",
            "研发投入",
            "知识产权",
            "ICT服务",
            "服务出口总额",
            "服务出口年均",
            "人民币跨境",
            "交易额",
            "执行额",
        ),
    ),
)
"""What a number is about: a claim is matched only to data of the same topic (a source's
``Rows.topic``); 2.11万亿元 of 跨境电商 is never compared with digitally deliverable services."""
TOP = re.compile(
    r"(?:排名前|最大的|前)\s*(\d+|[一二三四五六七八九十]{1,2})\s*(?:位|个|家)?的?"
    r"(?:省市|省份|经济体|国家|基地)?(?:分别)?(?:为|是)[:：]?"
)
MEMBERS = re.compile(r"(\d+)\s*[家个]国家数字服务出口基地[^。]{0,12}?分别(?:是|为)")
REGION_MEMBERS = re.compile(r"(东部|中部|西部|东北)地区(?:包括|包含|含|由)(?:[^。：:]{0,6}[：:])?")


@dataclass(frozen=True)
class Claim:
    kind: str
    """level, growth, share, share_world, rank, change, growth_total, top, members, pp, unknown."""
    subject: str
    flow: str
    period: str
    since: str
    value: float | None
    printed: str
    unit: str
    scale: float
    """What one printed unit is in 亿 (万亿 → 10000) or 1 for rates."""
    text: str
    sentence: str
    names: tuple[str, ...] = ()
    topic: str = ""

    @property
    def tolerance(self) -> float:
        """Half a unit of the last printed digit, in the store's unit."""
        decimals = len(self.printed.split(".")[1]) if "." in self.printed else 0
        return 0.5 * 10**-decimals * self.scale


@dataclass
class _Context:
    year: str = ""
    since: str = ""
    subject: str = ""
    flow: str = ""
    topic: str = ""
    listed: tuple[str, ...] = ()
    """The entities of the last list (for 上述5个省市……分别为)."""


def topic_of(text: str) -> str:
    """The topic of the last topic word in ``text`` ("" when none)."""
    best, at = "", -1
    for topic, words in TOPICS:
        for word in words:
            i = text.rfind(word)
            if i > at:
                best, at = topic, i
    return best


def extract(text: str) -> list[Claim]:
    """Every number in ``text`` (simplified Chinese, one paragraph a line) with its claim."""
    out: list[Claim] = []
    for paragraph in text.split("\n"):
        ctx = _Context()
        for sentence in SENTENCE_END.split(paragraph.strip()):
            if sentence.strip():
                out += _sentence(sentence.strip(), ctx)
    return out


def _sentence(sentence: str, ctx: _Context) -> list[Claim]:
    years = YEAR.findall(sentence)
    if years:
        first, last = years[0]
        ctx.year, ctx.since = (last, first) if last else (first, "")
    named = [e for e in entities(sentence)]
    claims, covered = _lists(sentence, ctx, named)
    at = 0
    for clause in CLAUSE.split(sentence):
        start = sentence.find(clause, at)
        at = start + len(clause)
        before = [e for e in named if e[0] < start + len(clause)]
        if before:
            ctx.subject = before[-1][2]
        for m in NUMBER.finditer(clause):
            if start + m.start() in covered:
                continue
            ctx.flow = flow_of(sentence[: start + m.start()]) or ctx.flow
            ctx.topic = topic_of(sentence[: start + m.start()]) or ctx.topic
            claim = _number(m, clause, sentence, ctx)
            if claim is not None:
                claims.append(claim)
    return claims


def _number(m: re.Match[str], clause: str, sentence: str, ctx: _Context) -> Claim | None:
    head = clause[: m.start()]
    if m.group(4) or m.group(5):
        rank = to_int(m.group(4) or m.group(5))
        return Claim(
            "rank",
            ctx.subject,
            ctx.flow or "T",
            ctx.year,
            "",
            float(rank),
            str(rank),
            "位",
            1.0,
            clause,
            sentence,
            topic=ctx.topic,
        )
    printed, mult, unit = m.group(1), m.group(2) or "", m.group(3)
    if unit in ("元人民币", "元") and mult == "":
        return None
    value = float(printed)
    scale = {"万亿": 10_000.0, "亿": 1.0, "万": 0.0001}.get(mult, 1.0)
    unit_text = (mult + unit).replace("％", "%")
    if unit in ("%", "％", "个百分点"):
        kind = _rate_kind(head, unit, ctx)
        if re.search(r"下降|减少|回落", head[-6:]):
            value = -value
        return Claim(
            kind,
            ctx.subject,
            ctx.flow,
            ctx.year,
            ctx.since if kind == "growth_total" else "",
            value,
            printed,
            unit_text,
            1.0,
            clause,
            sentence,
            topic=ctx.topic,
        )
    kind = "change" if re.search(r"比上年(增长|增加|减少|下降)", head) else "level"
    if kind == "change" and re.search(r"减少|下降", head):
        value = -value
    period = ctx.since if re.search(r"由\s*$", head) and ctx.since else ctx.year
    return Claim(
        kind,
        ctx.subject,
        ctx.flow,
        period,
        "",
        value * scale,
        printed,
        unit_text.replace("元人民币", "元"),
        scale,
        clause,
        sentence,
        topic=ctx.topic,
    )


def _rate_kind(head: str, unit: str, ctx: _Context) -> str:
    if unit == "个百分点":
        return "pp"
    if re.search(r"(由|从|至)\s*$", head) or re.search(r"占|比重|占比|份额", head):
        return "share_world" if re.search(r"全球|世界", head) else "share"
    if re.search(r"增长|增速|下降|同比|增幅|提升|减少", head):
        if ctx.since and not re.search(r"同比", head):
            return "growth_total"
        return "growth"
    return "unknown"


def _lists(
    sentence: str, ctx: _Context, named: list[tuple[int, str, str]]
) -> tuple[list[Claim], set[int]]:
    """ "A、B和C……分别为x、y和z", "排名前五位的省市为……", "12家……基地分别是……"; with the
    positions of the numbers they cover."""
    out: list[Claim] = []
    members = MEMBERS.search(sentence)
    if members:
        listed = [e for e in named if e[0] >= members.end()]
        out.append(
            Claim(
                "members",
                "DSEB",
                "",
                ctx.year,
                "",
                float(members.group(1)),
                members.group(1),
                "家",
                1.0,
                sentence[members.start() :],
                sentence,
                tuple(e[2] for e in listed),
            )
        )
        return out, {members.start(1)}
    region = REGION_MEMBERS.search(sentence)
    if region:
        code = {"东部": "EAST", "中部": "CENTRAL", "西部": "WEST", "东北": "NORTHEAST"}[region[1]]
        end = sentence.find("。", region.end())
        listed = [e for e in named if region.end() <= e[0] < (end if end > 0 else len(sentence))]
        out.append(
            Claim(
                "members",
                code,
                "",
                ctx.year,
                "",
                float(len(listed)),
                str(len(listed)),
                "个",
                1.0,
                sentence[region.start() :],
                sentence,
                tuple(e[2] for e in listed),
            )
        )
        return out, set()
    covered: set[int] = set()
    top = TOP.search(sentence)
    if top:
        listed = [e for e in named if e[0] >= top.end()]
        seg_end = next(
            (m.start() for m in re.finditer(r"[，。；]", sentence) if m.start() > top.end()),
            len(sentence),
        )
        listed = [e for e in listed if e[0] < seg_end]
        scope = next(
            (
                e[2]
                for e in reversed(named)
                if e[0] < top.start() and e[2] in {r.code for r in geo.regions()}
            ),
            ctx.subject,
        )
        out.append(
            Claim(
                "top",
                scope if scope in {r.code for r in geo.regions()} else "",
                flow_of(sentence[: top.start()]) or "T",
                ctx.year,
                "",
                float(to_int(top.group(1))),
                top.group(1),
                "",
                1.0,
                sentence[top.start() : seg_end],
                sentence,
                tuple(e[2] for e in listed),
                topic_of(sentence[: top.start()]) or ctx.topic,
            )
        )
    if top:
        ctx.listed = out[-1].names
    at = sentence.find("分别")
    if at > 0:
        subjects = list(dict.fromkeys(e[2] for e in named if e[0] < at and e[2] != "WLD"))
        if "上述" in sentence[:at] and ctx.listed:
            subjects = list(ctx.listed)
        numbers = [m for m in NUMBER.finditer(sentence[at:]) if m.group(1)]
        if (len(numbers) == 1 and subjects) or (
            len(subjects) >= 2 and len(numbers) % len(subjects) == 0
        ):
            out += _paired(sentence, at, subjects, numbers, ctx)
            ctx.listed = tuple(subjects)
        elif numbers:  # a list whose members cannot be told: listed, not guessed
            out += [replace(c, subject="") for c in _paired(sentence, at, [""], numbers, ctx)]
        covered |= {at + m.start() for m in numbers}
    return out, covered


def _paired(
    sentence: str, at: int, subjects: list[str], numbers: list[re.Match[str]], ctx: _Context
) -> list[Claim]:
    out = []
    group = len(subjects)
    flow = flow_of(sentence[:at]) or ctx.flow
    for i, m in enumerate(numbers):
        subject = subjects[i % group]
        local = _Context(
            ctx.year, ctx.since, subject, flow, topic_of(sentence[: at + m.start()]) or ctx.topic
        )
        head_from = sentence.rfind("，", 0, at + m.start()) + 1
        clause = sentence[head_from : at + m.end()]
        claim = _number(m, clause[: len(clause) - len(m.group(0))] + m.group(0), sentence, local)
        if claim is not None:
            label = name_of(subject) if subject else "？"
            out.append(replace(claim, text=f"{label}：{m.group(0)}"))
    return out
