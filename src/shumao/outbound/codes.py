"""Code lists of the outbound register (``data/codes.yaml``): key areas, modes, stages.

Registered as form code lists (``odi_area``, ``odi_mode``, ``odi_stage``) so the register's
template offers them as drop-down lists and a filed name or code resolves to the code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from shumao.collection.checks.codes import Codelist, register_codelist
from shumao.errors import UnknownCode
from shumao.outbound import DATA


@dataclass(frozen=True)
class Code:
    code: str
    zh: str
    en: str
    section: str = ""
    order: int = 0
    date: str = ""
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA / "codes.yaml").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=4)
def codes(kind: str) -> tuple[Code, ...]:
    """``key_areas``, ``modes`` or ``stages``, in file order."""
    return tuple(
        Code(**{**item, "aliases": tuple(item.get("aliases", ()))}) for item in _raw()[kind]
    )


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def lookup(kind: str, value: str) -> Code:
    """A code by its code, Chinese or English name (full- or half-width, any case)."""
    text = _norm(value)
    for c in codes(kind):
        if text in (c.code.lower(), _norm(c.zh), _norm(c.en), *map(_norm, c.aliases)):
            return c
    raise UnknownCode(kind, value)


def name(kind: str, code: str, lang: str = "zh") -> str:
    try:
        return lookup(kind, code).name(lang)
    except UnknownCode:
        return code


_LISTS = {
    "odi_area": ("key_areas", "重点领域 key areas"),
    "odi_mode": ("modes", "投资方式 modes"),
    "odi_stage": ("stages", "项目阶段 stages"),
}


def _register() -> None:
    for key, (kind, label) in _LISTS.items():
        register_codelist(
            key,
            Codelist(
                name=label,
                lookup=lambda v, kind=kind: lookup(kind, v).code,  # type: ignore[misc]
                choices=lambda kind=kind: [(c.code, c.zh) for c in codes(kind)],  # type: ignore[misc]
            ),
        )


_register()
