"""跨境电商统计口径与海关监管方式 / cross-border e-commerce bases and customs supervision modes.

The ``product`` codes of dataflow ``CUSTOMS_CBEC`` (data file ``cbec_modes.csv``): ``CBEC`` the
customs survey total, ``GOODS`` all goods trade (the denominator of the share), the old
``RETAIL_PLATFORM`` basis and the supervision modes 9610, 9710, 9810 and 1210.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shumao.errors import UnknownCode
from shumao.reference._data import norm, rows, split

FILE = "cbec_modes.csv"
CODELIST = "跨境电商口径与监管方式 cross-border e-commerce bases and modes (cbec_modes.csv)"
MODES = ("9610", "9710", "9810", "1210")
"""The customs supervision modes of cross-border e-commerce (the mode structure's parts)."""


@dataclass(frozen=True)
class Mode:
    code: str
    name_zh: str
    name_en: str
    basis: str
    note: str


@lru_cache(maxsize=1)
def _modes() -> dict[str, Mode]:
    return {
        r["code"]: Mode(r["code"], r["name_zh"], r["name_en"], r["basis"], r["note"])
        for r in rows(FILE)
    }


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for r in rows(FILE):
        for name in (r["code"], r["name_zh"], r["name_en"], *split(r["aliases"])):
            index[norm(name)] = r["code"]
    return index


def all_modes() -> list[Mode]:
    return list(_modes().values())


def lookup(value: str) -> Mode:
    """A basis or mode by code, Chinese or English name or alias (``合计`` → ``CBEC``)."""
    code = _index().get(norm(value))
    if code is None:
        raise UnknownCode(CODELIST, value)
    return _modes()[code]


def is_code(code: str) -> bool:
    return code in _modes()
