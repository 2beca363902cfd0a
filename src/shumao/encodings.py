"""Decoding the bytes people send: UTF-8 (with or without a BOM), UTF-16 with a BOM, GB18030.

One pure function shared by the table readers (``ingest.readers``) and the policy library
(``policy.readers``); each turns the result into its own findings.
"""

from __future__ import annotations

from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Decoded:
    text: str | None
    """None when no encoding fits."""
    encoding: str
    """``utf-8``, ``utf-16`` or ``gb18030``; empty when undecodable."""
    bom: bool = False
    """The bytes began with a UTF-8 byte-order mark (removed from ``text``)."""
    bad_row: int = 0
    """Where UTF-8 failed, when nothing fits: 1-based line number …"""
    bad_bytes: str = ""
    """… and the first bytes there, in hex."""


def decode_bytes(data: bytes, *, utf16: bool = False) -> Decoded:
    """UTF-8 (a BOM is noted and removed), then — with ``utf16`` — UTF-16 when the bytes start
    with its BOM, then GB18030 (a superset of GBK and GB2312)."""
    if utf16 and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            pass
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8", bom)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return Decoded(body.decode("gb18030"), "gb18030", bom)
    except UnicodeDecodeError:
        return Decoded(
            None,
            "",
            bom,
            body.count(b"\n", 0, utf8_error.start) + 1,
            body[utf8_error.start : utf8_error.start + 8].hex(" "),
        )
