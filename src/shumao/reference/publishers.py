"""Who publishes figures (a province's commerce department, a news agency quoting it …): their
English names, for a source line in the page's language. An imported file names the publisher
in Chinese (``发布机构``); a name not in the table stays as written in every language."""

from __future__ import annotations

from functools import lru_cache

from shumao.reference._data import rows


@lru_cache(maxsize=1)
def _english() -> dict[str, str]:
    return {r["name_zh"]: r["name_en"] for r in rows("publishers.csv")}


def name(publisher: str, lang: str) -> str:
    """The publisher's name in ``lang``: its English name where the table has one, else the
    name as the file gives it (新华社 → Xinhua News Agency; an unknown publisher as written)."""
    text = publisher.strip()
    return _english().get(text, text) if lang == "en" else text
