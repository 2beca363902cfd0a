"""Repair runs of mis-aligned GBK text in scraped copies.

Some sites serve traditional-script pages whose GBK bytes were decoded one byte off: from a
lost byte on, every character is made of the trail byte of one character and the lead byte of
the next, until an ASCII byte puts the decoder back in step. The lost byte shows as ``?``::

    領域對外開放   →  領域?qū)ν忾_放      (8C|A6 CD|E2 E9|5F  read as  ?  A6CD  E2E9  5F)

The bytes are all still there but one, so the run is re-encoded as GBK and decoded again one
byte later. The lost lead byte is chosen among all GBK lead bytes as the one that makes a
dictionary word with the neighbouring character (对外, 出海); when no candidate makes a word
it becomes □ (the conventional mark of an illegible character). Full-width punctuation the
site turned into ASCII (！；，：) is turned back first. A run whose re-decoded text is not
plausible Chinese is left as it is and counted as garbled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shumao.policy import segment
from shumao.policy.chinese import to_simplified

ILLEGIBLE = "□"
_PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_START = re.compile(
    rf"(?<=[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f“”%])\?{{1,2}}(?:[{_PINYIN}]{{1,6}}\))?"
)
_FULLWIDTH = {"!": "！", ";": "；", ",": "，", ":": "："}
_MAX_RUN = 80
_PUNCT_LEADS = (0xA1, 0xA3)


@dataclass
class RepairResult:
    text: str
    repaired: int = 0
    garbled: list[str] = field(default_factory=list)


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _run_bytes(text: str, start: int) -> tuple[bytes, int, bool] | None:
    """GBK bytes of the shifted run at ``start``; its end; whether it ended on an ASCII byte."""
    out = bytearray()
    k = start
    while k < len(text) and k - start < _MAX_RUN:
        ch = _FULLWIDTH.get(text[k], text[k])
        if ord(ch) < 0x80:
            if 0x40 <= ord(ch) <= 0x7E and out:
                out.append(ord(ch))
                return bytes(out), k + 1, True
            return (bytes(out), k, False) if out else None
        try:
            out += ch.encode("gbk")
        except UnicodeEncodeError:
            return None
        k += 1
    return (bytes(out), k, False) if out else None


def _best_lead(trail: int, before: str, after: str) -> str:
    """The character (lead, trail) that makes the most common word with its neighbours."""
    best, score = ILLEGIBLE, 0
    for lead in range(0x81, 0xFF):
        try:
            ch = bytes((lead, trail)).decode("gbk")
        except UnicodeDecodeError:
            continue
        if not _cjk(ch):
            continue
        simple = _simplified(ch)
        freq = max(
            segment.word_freq(_simplified(before) + simple) if before else 0,
            segment.word_freq(simple + _simplified(after)) if after else 0,
        )
        if freq > score:
            best, score = ch, freq
    return best


def _best_trail(lead: int, before: str, after: str, opened: bool) -> str:
    if lead in _PUNCT_LEADS:
        return "”" if opened else ILLEGIBLE
    best, score = ILLEGIBLE, 0
    for trail in range(0x40, 0xFF):
        try:
            ch = bytes((lead, trail)).decode("gbk")
        except UnicodeDecodeError:
            continue
        simple = _simplified(ch)
        freq = max(
            segment.word_freq(_simplified(before) + simple) if before else 0,
            segment.word_freq(simple + _simplified(after)) if after else 0,
        )
        if _cjk(ch) and freq > score:
            best, score = ch, freq
    return best


def _simplified(text: str) -> str:
    return to_simplified(text)


def _plausible(text: str) -> bool:
    """Re-decoded text should be common characters and punctuation, not a jumble."""
    chars = [c for c in text if _cjk(c)]
    if not chars:
        return bool(text)
    known = sum(1 for c in chars if segment.word_freq(_simplified(c)) > 0)
    return known / len(chars) >= 0.8


def _realign(text: str, start: int, body: int) -> tuple[str, int] | None:
    """Repaired text for the run whose ``?`` is at ``start`` and shifted bytes at ``body``."""
    run = _run_bytes(text, body)
    if run is None:
        return None
    data, end, ascii_end = run
    tail_lead: int | None = None
    if ascii_end and len(data) % 2 == 1:
        middle = data[1:]
    elif not ascii_end and end < len(text) and text[end] == "?" and len(data) % 2 == 0:
        middle, tail_lead, end = data[1:-1], data[-1], end + 1
    else:
        return None
    try:
        decoded = middle.decode("gbk")
    except UnicodeDecodeError:
        return None
    if not _plausible(decoded):
        return None
    lost = ILLEGIBLE * (text[start:body].count("?") - 1)
    first = _best_lead(data[0], text[start - 1] if start else "", decoded[:1])
    last = ""
    if tail_lead is not None:
        after = text[end] if end < len(text) else ""
        last = _best_trail(tail_lead, decoded[-1:], after, "“" in decoded)
    return lost + first + decoded + last, end


def repair(text: str) -> RepairResult:
    """Re-align every mis-aligned run in ``text``; count the runs repaired and left garbled."""
    result = RepairResult(text)
    out: list[str] = []
    pos = 0
    for match in _START.finditer(text):
        if match.start() < pos:
            continue
        fixed = _realign(text, match.start(), match.end())
        out.append(text[pos : match.start()])
        if fixed is None:
            result.garbled.append(text[max(0, match.start() - 4) : match.end() + 8])
            out.append(match.group())
            pos = match.end()
            continue
        out.append(fixed[0])
        pos = fixed[1]
        result.repaired += 1
    out.append(text[pos:])
    result.text = "".join(out)
    return result
