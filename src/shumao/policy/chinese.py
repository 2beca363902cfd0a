"""Traditional → simplified Chinese for policy text (OpenCC ``t2s``, phrase-aware).

Its own module because both the normaliser and the repair of garbled text use it.
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> object:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``, phrase-aware)."""
    return str(_converter().convert(text)) if text else text  # type: ignore[attr-defined]
