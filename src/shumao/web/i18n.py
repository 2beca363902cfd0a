"""Interface language: Chinese by default, English by switch (cookie ``lang``).

Interface texts live in ``messages.yaml`` and ``messages_<pages>.yaml`` (key → zh, en); data
labels come from the reference code lists (``name_zh`` / ``name_en``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from starlette.requests import Request

LANGS = ("zh", "en")
COOKIE = "lang"
MESSAGES = Path(__file__).with_name("messages.yaml")


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """``messages.yaml`` and the pages' own ``messages_*.yaml`` (a key defined twice is an
    error)."""
    out: dict[str, dict[str, str]] = {}
    for path in [MESSAGES, *sorted(MESSAGES.parent.glob("messages_*.yaml"))]:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        twice = sorted(set(raw) & set(out))
        if twice:
            raise ValueError(f"{path.name}: messages defined twice: {twice}")
        out.update({key: {"zh": zh, "en": en} for key, (zh, en) in raw.items()})
    return out


def lang_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(COOKIE, "zh")
    return chosen if chosen in LANGS else "zh"


def translate(key: str, lang: str) -> str:
    found = messages().get(key)
    if found is None:
        return key
    return found[lang]


def split_bilingual(text: str) -> tuple[str, str]:
    """``"中文 / English"`` → ("中文", "English") (messages of ``shumao.errors``)."""
    zh, sep, en = text.partition(" / ")
    return (zh.strip(), en.strip()) if sep else (text, text)
