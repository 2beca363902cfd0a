"""The risk scoreboard's rules and levels (``data/risk.yaml``), as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from shumao.outbound import DATA


@dataclass(frozen=True)
class Level:
    code: str
    zh: str
    en: str
    min: float
    colour: str

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RiskRule:
    code: str
    source: str  # tracker | store | register
    points: float
    zh: str
    en: str
    params: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA / "risk.yaml").read_text(encoding="utf-8"))
    return data


def rule_types() -> dict[str, tuple[str, str]]:
    return {k: (v[0], v[1]) for k, v in _raw()["rule_types"].items()}


def levels() -> tuple[Level, ...]:
    return tuple(Level(**lv) for lv in _raw()["levels"])


def level_of(score: float) -> Level:
    return [lv for lv in levels() if score >= lv.min][-1]


def level(code: str) -> Level:
    return next(lv for lv in levels() if lv.code == code)


def rules() -> tuple[RiskRule, ...]:
    keys = {"code", "source", "points", "zh", "en"}
    return tuple(
        RiskRule(
            r["code"],
            r["source"],
            float(r["points"]),
            r["zh"],
            r["en"],
            {k: v for k, v in r.items() if k not in keys},
        )
        for r in _raw()["rules"]
    )


def version() -> int:
    return int(_raw()["version"])
