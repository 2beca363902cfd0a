"""Chinese enterprise names and addresses in the form record linkage compares (frame → frame).

``normalise_names`` turns a column of names as people write them into:

    name_norm    the name in simplified script, half-width, without spaces and punctuation,
                 brackets removed, the legal form in its canonical spelling
    name_core    the name without place prefixes (江苏南京…), bracketed places ((南京)),
                 legal form and branch suffix: what makes the enterprise itself (字号 + 行业)
    trade        the trade name (字号): the core up to its first trade word after two
                 characters (华信 of 华信软件技术); the whole core when it has none
    industry     the rest of the core (软件技术), null when empty
    name_city    the city (GB/T 2260 code) a place prefix or bracket names, if any
    legal_form   有限公司 (有限公司 and 有限责任公司 are one legal form, 《公司法》 §7) or
                 股份有限公司 or 公司 / other
    branch       the place of a 分公司 suffix, or null: a branch is not a legal person
                 (《公司法》 §13), so it is counted as its company

``normalise_addresses`` turns an address into its city (code), district (name) and the
street part (路、号、楼). Everything is done with Polars string expressions over the whole
column (the place names are one regular expression, longest first), so 300,000 names take a
second or two; traditional script is converted once for the whole column with OpenCC.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc
import polars as pl

from shumao.reference import geo

INDUSTRY_TERMS = (
    "软件",
    "技术",
    "科技",
    "信息",
    "网络",
    "数据",
    "智能",
    "系统",
    "服务",
    "计算机",
    "云计算",
    "通信",
    "开发",
    "数字",
    "电子商务",
    "电子",
    "咨询",
    "外包",
    "集成",
    "工程",
    "管理",
    "研发",
    "设计",
    "互联网",
    "传媒",
    "文化",
    "教育",
    "物联网",
    "人工智能",
    "大数据",
    "区块链",
    "安全",
    "实业",
    "贸易",
    "投资",
    "控股",
    "集团",
    "计算",
    "信息化",
    "数码",
)
"""Trade words (行业表述): the name core splits at the first of them after two characters into
the trade name (字号, what tells enterprises apart) and the industry (shared by many)."""
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "公司")
CANONICAL_FORM = {
    "股份有限公司": "股份有限公司",
    "有限责任公司": "有限公司",
    "有限公司": "有限公司",
    "公司": "公司",
}
_NOISE = r"[\s·•．.,，、\-_'\"“”‘’*＊#＃/\\]"
_BRACKETS = {"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"}
_FORM_RE = "(" + "|".join(LEGAL_FORMS) + ")"


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


def to_simplified(texts: list[str | None]) -> list[str | None]:
    """Traditional → simplified for a whole column in one OpenCC call."""
    present = [t for t in texts if t]
    if not present:
        return texts
    converted = iter(_t2s().convert("\n".join(t.replace("\n", " ") for t in present)).split("\n"))
    return [next(converted) if t else t for t in texts]


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Place name as written in names and addresses → city code (provinces map to themselves;
    a municipality is its own city)."""
    out: dict[str, str] = {}
    for area in geo.provinces():
        for name in (area.name_zh, area.short_zh):
            out.setdefault(name, area.code)
    for area in _cities():
        for name in (area.name_zh, area.short_zh):
            if len(name) >= 2:
                out.setdefault(name, area.code)
    out.setdefault("中国", "")
    return out


def _cities() -> list[geo.Area]:
    municipal = {"110000", "120000", "310000", "500000"}
    cities = [a for p in geo.provinces() for a in geo.children(p.code) if a.level == "city"]
    return cities + [a for a in geo.provinces() if a.code in municipal]


@lru_cache(maxsize=1)
def _place_pattern() -> str:
    names = sorted(places(), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(n) for n in names) + ")"


@lru_cache(maxsize=1)
def _districts() -> list[str]:
    names = {
        a.name_zh
        for p in geo.provinces()
        for a in _descendants(p.code)
        if a.level == "county" and len(a.name_zh) >= 2
    }
    return sorted(names, key=len, reverse=True)


def _descendants(code: str) -> list[geo.Area]:
    out: list[geo.Area] = []
    for child in geo.children(code):
        out += [child, *_descendants(child.code)]
    return out


def _clean(col: pl.Expr) -> pl.Expr:
    """NFKC (full-width → half-width), brackets unified, spaces and punctuation removed."""
    expr = col.str.normalize("NFKC")
    for wide, narrow in _BRACKETS.items():
        expr = expr.str.replace_all(re.escape(wide), narrow)
    return expr.str.replace_all(_NOISE, "")


def normalise_names(frame: pl.DataFrame, column: str = "name") -> pl.DataFrame:
    """``frame`` plus name_norm, name_core, name_city, legal_form and branch."""
    simple = pl.Series(column, to_simplified(frame[column].to_list()), dtype=pl.String)
    place = _place_pattern()
    # a bracket after the legal form is a remark (（筹）, （原…）, （演示）), not the name
    work = frame.with_columns(
        _clean(pl.lit(simple)).str.replace(r"(公司)\([^()]*\)$", "${1}").alias("_n")
    )
    work = work.with_columns(
        pl.col("_n").str.extract(rf"^(.*?{_FORM_RE})(.+?)分公司$", 3).alias("branch"),
        pl.col("_n").str.replace(rf"^(.*?{_FORM_RE})(.+?)分公司$", "${1}").alias("_h"),
    )
    work = work.with_columns(
        pl.col("_h").str.extract(rf"{_FORM_RE}$", 1).alias("_form"),
        pl.col("_h").str.replace(rf"{_FORM_RE}$", "").alias("_b"),
    )
    work = work.with_columns(
        pl.col("_b").str.extract(rf"\(({place})\)", 1).alias("_bracket_place"),
        pl.col("_b").str.replace_all(rf"\({place}\)", "").str.replace_all(r"[()]", "").alias("_u"),
    )
    prefix = rf"^((?:{place}(?:省|市)?)+)"
    work = work.with_columns(
        pl.col("_u").str.extract(prefix, 1).str.replace(r"[省市]$", "").alias("_prefix"),
        pl.col("_u").str.replace(prefix, "").alias("_core"),
    )
    work = work.with_columns(
        pl.when(pl.col("_core").str.len_chars() >= 2)
        .then(pl.col("_core"))
        .otherwise(pl.col("_u"))
        .alias("name_core"),
        pl.col("_form").replace_strict(CANONICAL_FORM, default=None).alias("legal_form"),
        _city_of(pl.coalesce(pl.col("_bracket_place"), pl.col("_prefix"))).alias("name_city"),
    )
    terms = "|".join(sorted(INDUSTRY_TERMS, key=len, reverse=True))
    split = rf"^(.{{2,}}?)((?:{terms}).*)$"
    work = work.with_columns(
        pl.concat_str(pl.col("_u"), pl.col("legal_form").fill_null("")).alias("name_norm"),
        pl.coalesce(pl.col("name_core").str.extract(split, 1), pl.col("name_core")).alias("trade"),
        pl.col("name_core").str.extract(split, 2).alias("industry"),
    )
    return work.drop("_n", "_h", "_form", "_b", "_bracket_place", "_u", "_prefix", "_core")


def _city_of(prefix: pl.Expr) -> pl.Expr:
    """The most specific place of a prefix like 江苏南京 → 320100."""
    lookup = places()
    last = prefix.str.extract(rf"({_place_pattern()})$", 1)
    return last.replace_strict(lookup, default=None).replace("", None)


def normalise_addresses(frame: pl.DataFrame, column: str = "address") -> pl.DataFrame:
    """``frame`` plus addr_city (code), district (name) and street."""
    simple = pl.Series(column, to_simplified(frame[column].to_list()), dtype=pl.String)
    place = _place_pattern()
    district = "(?:" + "|".join(re.escape(n) for n in _districts()) + ")"
    work = frame.with_columns(_clean(pl.lit(simple)).str.replace(r"^中国", "").alias("_a"))
    work = work.with_columns(
        pl.col("_a").str.extract(rf"^((?:{place})+)", 1).alias("_p"),
        pl.col("_a").str.replace(rf"^(?:{place})+", "").alias("_r"),
    )
    work = work.with_columns(
        pl.col("_r").str.extract(rf"^({district})", 1).alias("district"),
        pl.col("_r").str.replace(rf"^{district}", "").alias("_s"),
    )
    work = work.with_columns(
        _city_of(pl.col("_p")).alias("addr_city"),
        pl.when(pl.col("_s").str.len_chars() > 0)
        .then(pl.col("_s"))
        .otherwise(None)
        .alias("street"),
    )
    return work.drop("_a", "_p", "_r", "_s")


def has_traditional(names: list[str | None]) -> list[bool]:
    """Whether each name holds characters that are traditional only (changed by OpenCC t2s
    and outside GB 2312, so 乾 or 後 in a simplified name are not taken for traditional)."""
    converted = to_simplified(names)
    return [
        bool(a)
        and a != b
        and any(_not_gb2312(ch) for ch, c2 in zip(a or "", b or "", strict=False) if ch != c2)
        for a, b in zip(names, converted, strict=True)
    ]


def _not_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False
