"""Fill ``name_en`` of the cities, districts and counties in
``src/shumao/reference/data/geo_areas.csv`` (GB/T 2260) from their Chinese names.

Run by hand when the list or a reading changes (nothing runs this at run or test time, and
pypinyin is no dependency of shumao):

    python3 -m venv /tmp/pinyin && /tmp/pinyin/bin/pip install pypinyin   # 0.55.0, MIT
    /tmp/pinyin/bin/python scripts/build_geo_names.py            # rewrite the column
    /tmp/pinyin/bin/python scripts/build_geo_names.py --check    # list the names to review

The form is the one China's standards give for place names in English (GB/T 16159 Hanyu
Pinyin orthography; GB 17733 and the Ministry of Civil Affairs' practice for the generic term):

* the specific name in Hanyu Pinyin, one word, capital initial, without tones, ``ü`` kept
  (吕梁 Lüliang), an apostrophe before a syllable that begins with a, o or e (西安 Xi'an, 六安
  Lu'an, 台儿庄 Tai'erzhuang);
* the generic term translated: 市 (prefecture-level **and** county-level city alike) → no
  suffix (苏州市 Suzhou, 昆山市 Kunshan); 区 → District; 县 → County; 新区 → New District;
  地区 → Prefecture; 盟 → League; 旗 → Banner; 自治州/自治县/自治旗 → Autonomous Prefecture/
  County/Banner; 特区 → Special District; 林区 (神农架) → Forestry District (an override: 万柏林区
  is 万柏林 + 区);
* a banner's position words translated (科尔沁右翼前旗 Horqin Right Front Banner);
* a single-character specific name keeps its generic term in the name (单县 Shan County, 城区
  Cheng District), as the rule above already gives;
* the peoples of an autonomous unit translated from ``geo_names/ethnic_groups.csv`` and joined
  "A, B and C" (恩施土家族苗族自治州 Enshi Tujia and Miao Autonomous Prefecture); a unit named
  after its people alone is that people (东乡族自治县 Dongxiang Autonomous County).

The reading comes from pypinyin's phrase dictionary over the whole Chinese name, with the
characters of ``geo_names/readings.csv`` in their place-name reading (长 cháng, 都 dū: pypinyin
gives zhǎng, dōu); ``geo_names/overrides.csv`` corrects it where a place reads otherwise (polyphones: 六安 Lu'an,
单县 Shan County, 长子县 Zhangzi County …) and gives the standard forms of names from minority
languages (乌鲁木齐 Urumqi, 拉萨 Lhasa, 日喀则 Xigaze …). Its ``key`` is either a specific name
(every unit with that specific name takes the form) or a 6-digit code (that unit's whole English
name). ``--check`` prints every name with a character pypinyin knows several readings of, with
the reading it chose and whether an override applies, to review after a change of list.

Province rows keep their English names (the shumao standard forms, see MANIFEST.yaml).
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from pypinyin import Style, lazy_pinyin, pinyin

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "src" / "shumao" / "reference" / "data" / "geo_areas.csv"
HERE = Path(__file__).resolve().parent / "geo_names"

# (Chinese generic term, English generic term, levels it ends): longest first
GENERICS = [
    ("自治州", "Autonomous Prefecture", {"city"}),
    ("自治县", "Autonomous County", {"county"}),
    ("自治旗", "Autonomous Banner", {"county"}),
    ("特区", "Special District", {"county"}),
    ("新区", "New District", {"county"}),
    ("地区", "Prefecture", {"city"}),
    ("市", "", {"city", "county"}),
    ("区", "District", {"county"}),
    ("县", "County", {"county"}),
    ("盟", "League", {"city"}),
    ("旗", "Banner", {"county"}),
]
AUTONOMOUS = ("自治州", "自治县", "自治旗")
# a banner's position words, from the end (科尔沁右翼前旗 Horqin Right Front Banner)
POSITIONS = [
    ("左翼", "Left"),
    ("右翼", "Right"),
    ("联合", "United"),
    ("左", "Left"),
    ("右", "Right"),
    ("前", "Front"),
    ("后", "Rear"),
    ("中", "Middle"),
]
VOWEL_INITIAL = ("a", "o", "e")


def _table(name: str) -> dict[str, str]:
    """First column → second column of a data file beside this script (header skipped)."""
    with (HERE / name).open(encoding="utf-8") as f:
        return {r[0]: r[1] for r in list(csv.reader(f))[1:]}


READINGS = _table("readings.csv")


def romanize(syllables: list[str]) -> str:
    """GB/T 16159 for one word: capital initial, an apostrophe before a, o, e."""
    out = ""
    for i, s in enumerate(syllables):
        out += ("'" if i and s.startswith(VOWEL_INITIAL) else "") + s
    return out[:1].upper() + out[1:]


def _syllables(name_zh: str, specific: str) -> list[str]:
    """The syllables of ``specific``, read in the whole name (the phrase dictionary sees the
    context), each character of ``readings.csv`` in its place-name reading."""
    read = lazy_pinyin(name_zh, style=Style.NORMAL, v_to_u=True)[: len(specific)]
    return [READINGS.get(c, s) for c, s in zip(specific, read, strict=True)]


def _peoples(rest: str, ethnic: dict[str, str]) -> tuple[str, list[str]]:
    """Strip the peoples off the end of ``rest``: (specific name, peoples in order)."""
    found: list[str] = []
    keys = sorted(ethnic, key=len, reverse=True)
    while True:
        hit = next((k for k in keys if rest.endswith(k)), None)
        if hit is None:
            return rest, found
        found.insert(0, ethnic[hit])
        rest = rest[: -len(hit)]


def _join(peoples: list[str]) -> str:
    return peoples[0] if len(peoples) == 1 else ", ".join(peoples[:-1]) + " and " + peoples[-1]


def _positions(rest: str) -> tuple[str, str]:
    """Strip a banner's position words off the end of ``rest``: (specific name, English)."""
    words: list[str] = []
    while True:
        hit = next(((zh, en) for zh, en in POSITIONS if rest.endswith(zh)), None)
        if hit is None or len(rest) - len(hit[0]) < 2:
            return rest, " ".join(words)
        words.insert(0, hit[1])
        rest = rest[: -len(hit[0])]


def parse(name_zh: str, level: str, ethnic: dict[str, str]) -> tuple[str, list[str], str]:
    """(specific name, peoples, English generic term) of a Chinese name."""
    for zh, en, levels in GENERICS:
        if name_zh.endswith(zh) and level in levels and len(name_zh) > len(zh):
            rest = name_zh[: -len(zh)]
            if zh in AUTONOMOUS:
                specific, peoples = _peoples(rest, ethnic)
                return specific, peoples, en
            if zh == "旗":
                specific, position = _positions(rest)
                return specific, [], f"{position} {en}".strip()
            return rest, [], en
    raise ValueError(f"no generic term in {name_zh!r} ({level})")


def english(row: dict[str, str], ethnic: dict[str, str], overrides: dict[str, str]) -> str:
    if row["code"] in overrides:
        return overrides[row["code"]]
    specific, peoples, generic = parse(row["name_zh"], row["level"], ethnic)
    if len(specific) == 1 and not generic:  # 芒市 Mangshi: the generic stays in the name
        specific = row["name_zh"]
    words = []
    if specific:
        words.append(overrides.get(specific) or romanize(_syllables(row["name_zh"], specific)))
    if peoples:
        words.append(_join(peoples))
    if generic:
        words.append(generic)
    return " ".join(words)


def check(rows: list[dict[str, str]], ethnic: dict[str, str], overrides: dict[str, str]) -> None:
    """Every name with a character of several readings: what pypinyin chose, what is written."""
    for row in rows:
        if row["level"] == "province" or row["code"] in overrides:
            continue
        specific, _, _ = parse(row["name_zh"], row["level"], ethnic)
        many = [c for c in specific if len(pinyin(c, heteronym=True, style=Style.NORMAL)[0]) > 1]
        if many:
            chosen = romanize(_syllables(row["name_zh"], specific))
            mark = "override" if specific in overrides else ""
            print(
                row["code"],
                row["name_zh"],
                "".join(many),
                chosen,
                english(row, ethnic, overrides),
                mark,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list names to review, write nothing")
    args = parser.parse_args()
    ethnic, overrides = _table("ethnic_groups.csv"), _table("overrides.csv")
    text = GEO.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    if args.check:
        check(rows, ethnic, overrides)
        return
    for row in rows:
        if row["level"] != "province":
            row["name_en"] = english(row, ethnic, overrides)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    GEO.write_text(out.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
