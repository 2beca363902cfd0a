"""National digital service export bases (国家数字服务出口基地): their own hierarchy node under a city."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from shumao.errors import UnknownCode

DATA = Path(__file__).with_name("data") / "parks.csv"


@dataclass(frozen=True)
class Park:
    code: str
    name_zh: str
    aliases: tuple[str, ...]
    name_en: str
    area_code: str
    city_code: str
    province_code: str
    designated: str


@lru_cache(maxsize=1)
def parks() -> tuple[Park, ...]:
    lines = [ln for ln in DATA.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows = csv.DictReader(io.StringIO("\n".join(lines)))
    return tuple(
        Park(**{**r, "aliases": tuple(a for a in r["aliases"].split("|") if a)})  # type: ignore[arg-type]
        for r in rows
    )


@lru_cache(maxsize=1)
def _index() -> dict[str, Park]:
    index: dict[str, Park] = {}
    for park in parks():
        for key in (park.code, park.name_zh, park.name_en, *park.aliases):
            index[_norm(key)] = park
    return index


def _norm(text: str) -> str:
    return text.strip().replace("(", "（").replace(")", "）").casefold()


def lookup(value: str) -> Park:
    """A park by code (DSEB05), Chinese name or alias (南京软件谷), or English name."""
    try:
        return _index()[_norm(value)]
    except KeyError:
        raise UnknownCode("国家数字服务出口基地 export bases", value) from None
