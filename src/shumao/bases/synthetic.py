"""Deterministic synthetic enterprises and service-outsourcing rosters with a known truth.

Nothing here is real: the names are built from a pool of characters, the addresses from the
GB/T 2260 code list and a pool of street names, the credit codes carry a valid GB 32100 check
character. Every roster row knows the enterprise it belongs to (``true_uid``, null for an
enterprise that only the roster knows), so the linker's precision and recall can be measured.

How a roster writes a name the direct-reporting system also holds (each variant with its own
probability, several can apply at once, all from one seeded generator):

    legal form       有限公司 ↔ 有限责任公司, 股份有限公司 → 有限公司
    city             moved into brackets 华信软件技术（南京）有限公司, dropped, written 南京市,
                     preceded by the province 江苏南京…
    width, spacing   full-width letters, digits and brackets; a space inside the name
    branch           …有限公司雨花台分公司 with the branch's own credit code
    typo             one character of the trade words replaced by a homophone (技 → 计)
    address          province or city omitted, full-width digits, a floor added, or missing
    credit code      present (45 %), blank (45 %), the branch's own code (10 %)

Enterprises that only the roster has are made hard on purpose: 36 % share the trade name and
trade words of a direct-reporting enterprise in another city, 4 % share city and trade name
with other trade words (a group's sister company). Most enterprises of a district sit in a few
office buildings, as in a software park, so an equal address alone proves nothing. Same seed, same data, on every machine (NumPy's PCG64).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from shumao.reference import geo
from shumao.validation import uscc

TRADE_CHARS = (
    "华信通达博远创新科瑞恒泰鼎盛中天宏图金星银河云海汇智联众德润安康佳美新元启明光辉凯旋"
    "正道同方神州长城东方蓝海星辰数联网易腾飞百川万象千里九州天宇浩然嘉禾和兴永盛隆昌"
    "富源锦程伟业宏达立信精诚卓越领航先锋睿思慧聚优联易通捷讯速维讯普惠融汇鑫泽森林"
)
TRADE_WORDS = (
    "软件技术",
    "信息技术",
    "网络科技",
    "数据科技",
    "智能科技",
    "云计算科技",
    "信息服务",
    "数字科技",
    "通信技术",
    "软件开发",
    "计算机系统",
    "网络技术",
    "信息系统",
    "科技",
    "数据服务",
    "智能系统",
    "软件科技",
    "信息科技",
)
STREETS = (
    "软件大道",
    "中山路",
    "人民路",
    "科技路",
    "创新大道",
    "学府路",
    "长江路",
    "解放路",
    "新华路",
    "建设路",
    "文化路",
    "高新大道",
    "科苑路",
    "天府大道",
    "网商路",
    "星火路",
    "金融街",
    "滨江大道",
    "华山路",
    "黄河路",
    "花园路",
    "北京路",
    "南京路",
    "东风路",
    "光明路",
    "和平路",
    "延安路",
)
TYPOS = {
    "技": "计",
    "讯": "迅",
    "科": "可",
    "智": "志",
    "网": "往",
    "数": "术",
    "云": "运",
    "软": "阮",
    "通": "同",
    "信": "芯",
    "息": "悉",
    "统": "通",
}
FORMS = ("有限公司", "有限责任公司", "股份有限公司")
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {"(": "（", ")": "）"}


@dataclass(frozen=True)
class Place:
    province: geo.Area
    city: geo.Area
    districts: tuple[geo.Area, ...]


@dataclass(frozen=True)
class Synthetic:
    enterprises: pl.DataFrame
    """uid, uscc, name, address, city_code, county_code"""
    roster: pl.DataFrame
    """uid, uscc (or null), name, address, true_uid (or null)"""


@lru_cache(maxsize=1)
def _places() -> tuple[Place, ...]:
    out = []
    for prov in geo.provinces():
        if prov.region is None:
            continue
        kids = geo.children(prov.code)
        cities = [c for c in kids if c.level == "city"] or [prov]
        for city in cities:
            districts = (
                tuple(geo.children(city.code))
                if city is not prov
                else tuple(c for c in kids if c.level == "county")
            )
            if districts:
                out.append(Place(prov, city, districts))
    return tuple(out)


def places_for(city_codes: list[str] | None) -> tuple[Place, ...]:
    every = _places()
    if not city_codes:
        return every
    chosen = tuple(p for p in every if p.city.code in set(city_codes))
    return chosen or every


class _Maker:
    def __init__(self, seed: int, places: tuple[Place, ...]) -> None:
        self.rng = np.random.default_rng(seed)
        self.places = places
        self.used: set[tuple[str, str, str]] = set()
        self.codes: set[str] = set()
        self.buildings: dict[str, list[str]] = {}

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, items: tuple[str, ...] | list[str] | str) -> str:
        return items[int(self.rng.integers(len(items)))]

    def trade_name(self) -> str:
        if self.chance(0.04):
            return "".join(chr(65 + int(self.rng.integers(26))) for _ in range(3))
        size = 3 if self.chance(0.25) else 2
        return "".join(self.pick(TRADE_CHARS) for _ in range(size))

    def credit_code(self, district: str) -> str:
        while True:
            body = "".join(self.pick("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
            code = uscc.make(f"91{district}{body}")
            if code not in self.codes:
                self.codes.add(code)
                return code

    def address(self, place: Place, district: geo.Area) -> str:
        """Most enterprises sit in one of a district's few office buildings (as in a
        software park): an equal address alone does not make the same enterprise."""
        prov = "" if place.city is place.province else place.province.name_zh
        here = self.buildings.setdefault(district.code, [])
        if len(here) >= 8 or (here and self.chance(0.7)):
            street = self.pick(here)
        else:
            street = f"{self.pick(STREETS)}{int(self.rng.integers(1, 999))}号"
            here.append(street)
        return f"{prov}{place.city.name_zh}{district.name_zh}{street}"

    def enterprise(
        self, uid: str, *, like: dict[str, str] | None = None, same_city: bool = False
    ) -> dict[str, str]:
        """A new enterprise; ``like``: with that one's trade name, in another city (or, with
        ``same_city``, in its city with other trade words). After 50 draws without a free
        name (one city only, say) the likeness is dropped."""
        for attempt in range(10_000):
            if attempt == 50:
                like = None
            place = self.places[int(self.rng.integers(len(self.places)))]
            if like and same_city:
                place = next(p for p in self.places if p.city.code == like["city_code"])
            trade = like["trade"] if like else self.trade_name()
            words = self.pick(TRADE_WORDS)
            if like and not same_city:
                words = like["words"]
            key = (place.city.code, trade, words)
            if key not in self.used:
                break
        else:
            raise RuntimeError("no free enterprise name left: ask for fewer enterprises")
        self.used.add(key)
        district = place.districts[int(self.rng.integers(len(place.districts)))]
        city_short = place.city.short_zh
        form = FORMS[int(self.rng.choice(3, p=(0.7, 0.15, 0.15)))]
        return {
            "uid": uid,
            "uscc": self.credit_code(district.code),
            "name": f"{city_short}{trade}{words}{form}",
            "address": self.address(place, district),
            "city_code": place.city.code,
            "county_code": district.code,
            "trade": trade,
            "words": words,
            "form": form,
            "city_short": city_short,
            "province_short": place.province.short_zh,
            "district": district.name_zh,
        }


def generate(
    n_enterprises: int,
    n_roster: int,
    *,
    matched: float = 0.3,
    seed: int = 17,
    city_codes: list[str] | None = None,
    prefix: str = "S",
) -> Synthetic:
    """``n_enterprises`` direct-reporting enterprises and a roster of ``n_roster`` rows, a share
    ``matched`` of which (at most one per enterprise) are enterprises of the first list."""
    maker = _Maker(seed, places_for(city_codes))
    ents = [maker.enterprise(f"{prefix}E{i:06d}") for i in range(n_enterprises)]
    n_match = min(int(n_roster * matched), n_enterprises)
    chosen = maker.rng.choice(n_enterprises, size=n_match, replace=False)
    roster = [_variant(maker, ents[int(i)], f"{prefix}R{k:06d}") for k, i in enumerate(chosen)]
    for k in range(n_match, n_roster):
        roster.append(_roster_only(maker, ents, f"{prefix}R{k:06d}"))
    order = maker.rng.permutation(len(roster))
    keep = ("uid", "uscc", "name", "address", "city_code", "county_code")
    return Synthetic(
        enterprises=pl.DataFrame([{k: e[k] for k in keep} for e in ents]),
        roster=pl.DataFrame(
            [roster[int(i)] for i in order],
            schema={
                "uid": pl.String,
                "uscc": pl.String,
                "name": pl.String,
                "address": pl.String,
                "true_uid": pl.String,
            },
        ),
    )


def _roster_only(maker: _Maker, ents: list[dict[str, str]], uid: str) -> dict[str, str | None]:
    if ents and maker.chance(0.4):
        like = ents[int(maker.rng.integers(len(ents)))]
        ent = maker.enterprise(uid, like=like, same_city=maker.chance(0.1))
    else:
        ent = maker.enterprise(uid)
    code = ent["uscc"] if maker.chance(0.5) else None
    return {
        "uid": uid,
        "uscc": code,
        "name": ent["name"],
        "address": ent["address"] if maker.chance(0.85) else None,
        "true_uid": None,
    }


def _variant(maker: _Maker, ent: dict[str, str], uid: str) -> dict[str, str | None]:
    name = _name_variant(maker, ent)
    roll = maker.rng.random()
    code: str | None = ent["uscc"] if roll < 0.45 else None
    if roll >= 0.9:
        name += f"{ent['district'].removesuffix('区').removesuffix('县')}分公司"
        code = maker.credit_code(ent["county_code"])
    return {
        "uid": uid,
        "uscc": code,
        "name": name,
        "address": _address_variant(maker, ent),
        "true_uid": ent["uid"],
    }


def _name_variant(maker: _Maker, ent: dict[str, str]) -> str:
    city, trade, words, form = ent["city_short"], ent["trade"], ent["words"], ent["form"]
    if maker.chance(0.05):
        spot = int(maker.rng.integers(len(words)))
        words = words[:spot] + TYPOS.get(words[spot], words[spot]) + words[spot + 1 :]
    if maker.chance(0.25):
        form = {"有限公司": "有限责任公司", "有限责任公司": "有限公司", "股份有限公司": "有限公司"}[
            form
        ]
    roll = maker.rng.random()
    if roll < 0.2:
        name = f"{trade}{words}({city}){form}"
    elif roll < 0.4:
        name = f"{trade}{words}{form}"
    elif roll < 0.5:
        name = (
            f"{city}市{trade}{words}{form}"
            if city != ent["province_short"]
            else f"{city}{trade}{words}{form}"
        )
    elif roll < 0.6 and city != ent["province_short"]:
        name = f"{ent['province_short']}{city}{trade}{words}{form}"
    else:
        name = f"{city}{trade}{words}{form}"
    if "(" in name:
        name = name.replace("(", "（").replace(")", "）") if maker.chance(0.7) else name
    if maker.chance(0.1):
        name = "".join(FULL_WIDTH.get(ch, ch) for ch in name)
    if maker.chance(0.1):
        spot = int(maker.rng.integers(1, len(name)))
        name = name[:spot] + " " + name[spot:]
    return name


def _address_variant(maker: _Maker, ent: dict[str, str]) -> str | None:
    if maker.chance(0.2):
        return None
    address = ent["address"]
    prov = geo.lookup(ent["city_code"][:2] + "0000").name_zh
    municipal = ent["city_code"].endswith("0000")
    if maker.chance(0.4) and address.startswith(prov) and not municipal:
        address = address.removeprefix(prov)
    if maker.chance(0.3):
        address += f"{int(maker.rng.integers(1, 30))}楼"
    if maker.chance(0.15):
        address = "".join(FULL_WIDTH.get(ch, ch) if ch.isdigit() else ch for ch in address)
    return address


def truth_pairs(roster: pl.DataFrame) -> set[tuple[str, str]]:
    """(roster uid, enterprise uid) of every roster row that belongs to an enterprise."""
    rows = roster.filter(pl.col("true_uid").is_not_null()).select("uid", "true_uid")
    return {(a, b) for a, b in rows.iter_rows()}


def precision_recall(
    found: set[tuple[str, str]], truth: set[tuple[str, str]]
) -> tuple[float, float]:
    hit = len(found & truth)
    precision = hit / len(found) if found else 1.0
    recall = hit / len(truth) if truth else 1.0
    return precision, recall
