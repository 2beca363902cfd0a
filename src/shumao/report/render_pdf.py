"""PDF：WeasyPrint 排版打印版 HTML / the print HTML laid out by WeasyPrint.

Fonts: Noto Serif/Sans CJK SC through fontconfig, embedded and subset by WeasyPrint (pydyf);
Chinese line breaking is Pango's (UAX #14: no line starts with ，。、；：？！ or ends with （《“),
checked by the tests on the extracted text. The PDF is cached under the SHA-256 of the print HTML
and WeasyPrint's version: the same document gives the same file without laying it out again.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def _key(html: str) -> str:
    import weasyprint  # deferred: WeasyPrint takes ~1 s to import; only a PDF needs it

    return hashlib.sha256(f"{weasyprint.__version__}\n{html}".encode()).hexdigest()


def pdf(html: str, *, cache_dir: Path | None = None) -> bytes:
    cached = cache_dir / "pdf" / f"{_key(html)}.pdf" if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    data = layout(html)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(cached)
    return data


def layout(html: str) -> bytes:
    import weasyprint  # deferred: WeasyPrint takes ~1 s to import; only a PDF needs it

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=None)
    data = document.write_pdf(
        uncompressed_pdf=False, pdf_identifier=b"shumao-report", custom_metadata=False
    )
    return bytes(data) if data is not None else b""
