"""Chinese word segmentation for search: one jieba tokenizer, loaded once, kept quiet.

``index_tokens`` segments a passage in jieba's search mode (a long word also yields its dictionary
parts, so 数字 finds 数字贸易 and 农业 finds 中国农业发展银行); ``query_terms`` segments a query
the same way and keeps its most specific words, ``query_parts`` its finest parts. Tokens are lower-cased runs of letters and digits: punctuation never becomes a
token, and each token is safe inside FTS5 and tsvector syntax.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING

from shumao.policy import DATA

if TYPE_CHECKING:
    import jieba

_LOCK = threading.Lock()
_PIECES = re.compile(r"[^\W_]+")
STOPWORDS = frozenset(
    (
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "为",
        "对",
        "等",
        "把",
        "被",
        "将",
        "并",
        "也",
        "而",
        "之",
        "其",
        "以",
        "于",
        "由",
        "从",
    )
)
"""Words too common to narrow a query (still indexed: a query of only these keeps them)."""


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """The shared tokenizer with the domain words of ``data/terms.txt``; ~1 s on first use."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba's regex literals warn when compiled
        import jieba  # deferred: imported under catch_warnings (its regex literals warn)

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.initialize()
        for line in (DATA / "terms.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts and not line.startswith("#"):
                tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None)
    return tk


def word_freq(word: str) -> int:
    """How common ``word`` is in jieba's dictionary (0 when it is not a word there)."""
    return int(tokenizer().FREQ.get(word, 0) or 0)


def _clean(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if word.isalnum():  # the common case: a Chinese word, a number, a Latin word
            out.append(word.lower())
        elif word.strip():
            out.extend(p.lower() for p in _PIECES.findall(word))
    return out


def index_tokens(text: str) -> list[str]:
    """Search-mode tokens of a (simplified) passage, in order, repeats kept."""
    return _clean(list(tokenizer().cut_for_search(text)))


def query_terms(text: str) -> list[str]:
    """The distinct most specific tokens of a (simplified) query, stopwords dropped.

    Search mode yields 浙江, 浙江省, 商务 and 商务部 for 浙江省商务部; a token inside a longer one
    is dropped (every passage with 浙江省 has 浙江 too), so the query asks for 浙江省 AND 商务部.
    """
    tokens = list(dict.fromkeys(_clean(list(tokenizer().cut_for_search(text)))))
    specific = [t for t in tokens if not any(t != o and t in o for o in tokens)]
    return _useful(specific)


def query_parts(text: str) -> list[str]:
    """The finest parts of a query: a word made of other tokens is replaced by them (数字贸易 →
    数字 AND 贸易) — the fallback when a whole word of the query is not in the index."""
    tokens = list(dict.fromkeys(_clean(list(tokenizer().cut_for_search(text)))))
    return _useful([t for t in tokens if not _composed(t, [o for o in tokens if o != t])])


def _useful(tokens: list[str]) -> list[str]:
    useful = [t for t in tokens if t not in STOPWORDS]
    return useful or tokens


def _composed(word: str, parts: list[str]) -> bool:
    """Whether ``word`` can be written as a sequence of two or more of ``parts``."""
    if len(word) < 2:
        return False
    reachable = [True] + [False] * len(word)
    for i in range(len(word)):
        if reachable[i]:
            for part in parts:
                if part and word.startswith(part, i) and len(part) < len(word):
                    reachable[i + len(part)] = True
    return reachable[len(word)]
