"""What a sentence of the report names: areas, export bases and countries (longest name
first), flows, Chinese numerals."""

from __future__ import annotations

import re
from functools import lru_cache

from shumao.reference import countries, geo, parks
from shumao.report.data import area_name

FLOW = re.compile(r"进出口|贸易规模|贸易额|服务贸易|(?<!进)出口|(?<!出)进口|顺差|产值")
FLOW_CODES = {
    "进出口": "T",
    "贸易规模": "T",
    "贸易额": "T",
    "服务贸易": "T",
    "出口": "X",
    "进口": "M",
    "顺差": "B",
    "产值": "OUTPUT",
}
CN_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
SPECIAL = {
    "全国": "CHN",
    "我国": "CHN",
    "中国": "CHN",
    "全球": "WLD",
    "世界": "WLD",
    "发达经济体": "DEVELOPED",
    "发展中经济体": "DEVELOPING",
    "发展中国家": "DEVELOPING",
    "新兴经济体": "EMERGING",
    "欧盟": "EU27",
}
REFERENCE_ONLY = re.compile(r"^(全国|全球|世界)(?=的?(占比|比重|市场|第|首位|前列))")
"""全国/全球 as the denominator of a share or the field of a rank is not the claim's subject."""
TOTAL12 = re.compile(r"(?<![\d上述])(?:12|十二)\s*个?省市")


@lru_cache(maxsize=1)
def _entities() -> tuple[re.Pattern[str], dict[str, str]]:
    names: dict[str, str] = {}
    for c in countries.all_countries(aggregates=False):
        if c.name_zh and len(c.name_zh) >= 2 and not c.is_aggregate:
            names[c.name_zh] = c.iso3
    for area in geo.provinces():
        names[area.short_zh] = names[area.name_zh] = area.code
    for region in geo.regions():
        names[region.name_zh] = region.code
    for park in parks.parks():
        for n in (park.name_zh, *park.aliases):
            if n and re.search(r"[\u4e00-\u9fff]", n):
                names[n.replace("(", "（").replace(")", "）")] = park.code
    names.update(SPECIAL)
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in ordered)), names


def entities(text: str) -> list[tuple[int, str, str]]:
    """(position, name as written, code) of every entity, longest names first."""
    pattern, names = _entities()
    found = [
        (m.start(), m.group(0), names[m.group(0)])
        for m in pattern.finditer(text)
        if not reference_only(text, m.start(), m.group(0))
    ]
    found += [(m.start(), m.group(0), "TOTAL12") for m in TOTAL12.finditer(text)]
    return sorted(found)


def reference_only(text: str, at: int, name: str) -> bool:
    if name not in ("全国", "全球", "世界"):
        return False
    return bool(REFERENCE_ONLY.match(text[at : at + 8])) or text[at - 1 : at] in ("占", "居", "在")


def flow_of(text: str) -> str:
    """The flow of the last flow word (出口 inside 进出口 is not exports)."""
    found = list(FLOW.finditer(text))
    return FLOW_CODES[found[-1].group(0)] if found else ""


def to_int(text: str) -> int:
    text = text.lstrip("第")
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + CN_DIGITS.get(text[1:], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return CN_DIGITS[tens] * 10 + CN_DIGITS.get(ones, 0)
    return CN_DIGITS.get(text, 0)


def name_of(code: str) -> str:
    return area_name(code)
