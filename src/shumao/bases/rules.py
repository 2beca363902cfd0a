"""The notice's rules as data: ``data/criteria.yaml`` (conditions, thresholds, procedure) and
``data/targets.csv`` (the 2022 and 2025 targets)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from shumao.errors import ShumaoError
from shumao.reference import units

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Condition:
    code: str
    section: str
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Threshold:
    code: str
    section: str
    zh: str
    en: str
    unit: str
    minimum: dict[str, float]

    def name(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Target:
    key: str
    indicator: str
    comparator: str
    value: float
    tolerance: float
    unit: str
    year: int
    name_zh: str
    name_en: str
    section: str
    source: str = "file"
    """``file`` (data/targets.csv) or ``policy:<id>`` (a confirmed target of the policy
    library)."""

    def reached(self, share: float) -> bool:
        if self.comparator == ">=":
            return share >= self.value
        return share >= self.value - self.tolerance  # 左右: within the tolerance, or above

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


@lru_cache(maxsize=1)
def criteria() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA / "criteria.yaml").read_text(encoding="utf-8"))
    return data


def version() -> str:
    return str(criteria()["version"])


def notice_number(lang: str = "zh") -> str:
    """商办服贸函〔2019〕245号; in English "Shang Ban Fu Mao Han [2019] No. 245"."""
    return str(criteria()["notice"]["number_en" if lang == "en" else "number"])


def notice_cited(lang: str = "zh") -> str:
    """The notice as a sentence cites it: its number in Chinese; in English "the notice
    Shang Ban Fu Mao Han [2019] No. 245 of the General Office of MOFCOM, …"."""
    if lang != "en":
        return notice_number()
    return f"the notice {notice_number('en')} of {criteria()['notice']['issuers_en']}"


def unit_name(unit: str, lang: str = "zh") -> str:
    """A criterion's unit in the view's language: 亿元 → 100 million yuan, 家 → enterprises (a
    unit the reference does not know stays as written)."""
    if lang != "en" or not unit:
        return unit
    if unit == "家":
        return "enterprises"
    try:
        return units.parse(unit).name_en
    except ShumaoError:
        return unit


_NUMERALS = dict(zip("一二三四五六七八九十", range(1, 11), strict=True))
_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def section_name(section: str, lang: str = "zh") -> str:
    """A section of the notice: 三(二)1 as written; in English III(2)1 (its 一、二、三 headings in
    Roman numerals, the (一)(二) under them in Arabic ones, 、 as a comma): 三(三)1、2 →
    III(3)1, 2."""
    if lang != "en":
        return section
    out = "".join(
        _ROMAN[_NUMERALS[ch]] if i == 0 and ch in _NUMERALS else str(_NUMERALS.get(ch, ch))
        for i, ch in enumerate(section)
    )
    return out.replace("、", ", ")


def basic_conditions() -> list[Condition]:
    return [
        Condition(c["code"], c["section"], c["zh"], c["en"]) for c in criteria()["basic_conditions"]
    ]


def qualitative() -> list[Condition]:
    return [Condition(c["code"], c["section"], c["zh"], c["en"]) for c in criteria()["qualitative"]]


def checklist() -> list[Condition]:
    """Every item a reviewer decides: the six basic conditions and the leaders item."""
    return [*basic_conditions(), *qualitative()]


def thresholds() -> list[Threshold]:
    return [
        Threshold(
            t["code"],
            t["section"],
            t["zh"],
            t["en"],
            t["unit"],
            {k: float(v) for k, v in t["min"].items()},
        )
        for t in criteria()["thresholds"]
    ]


def threshold(code: str) -> Threshold:
    return next(t for t in thresholds() if t.code == code)


def region_groups() -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = criteria()["region_groups"]
    return groups


def group_of_region(nbs_region: str | None) -> str | None:
    return next((g for g, spec in region_groups().items() if nbs_region in spec["nbs"]), None)


def group_name(group: str, lang: str = "zh") -> str:
    return str(region_groups()[group]["en" if lang == "en" else "zh"])


def special_potential() -> dict[str, str]:
    spec: dict[str, str] = criteria()["special_potential"]
    return spec


def publicity_days() -> int:
    return int(criteria()["procedure"]["publicity_working_days"])


def review_every_years() -> int:
    return int(criteria()["procedure"]["review_every_years"])


@lru_cache(maxsize=1)
def targets() -> tuple[Target, ...]:
    lines = [
        ln
        for ln in (DATA / "targets.csv").read_text(encoding="utf-8").splitlines()
        if not ln.startswith("#")
    ]
    return tuple(
        Target(
            r["key"],
            r["indicator"],
            r["comparator"],
            float(r["value"]),
            float(r["tolerance"]),
            r["unit"],
            int(r["deadline_year"]),
            r["name_zh"],
            r["name_en"],
            r["section"],
        )
        for r in csv.DictReader(lines)
    )
