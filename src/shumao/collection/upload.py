"""Read what clerks send — the filled template (XLSX), a plain CSV, or JSON — into a ``Sheet``.

Refused early and clearly, before the content is opened (each an error finding):
- a file over the size limit: its size is checked before a byte is read;
- OLE compound files (``D0 CF 11 E0``): a password-protected workbook (Office encrypts an xlsx
  into an OLE file with an ``EncryptionInfo`` stream) or a legacy ``.xls``;
- zip bombs: the archive's central directory (member count, declared sizes, compression
  ratios) is checked before anything is inflated; ``zipfile`` never inflates a member beyond its
  declared size, so the declared sizes bound the work;
- an archive that is not a workbook.

Handled the way clerks' files come (WPS or Excel): merged cells (a merged label fills the rows
it spans; a merged number is refused), formulas (their saved results are used; a formula
without one is refused; a formula in a text cell is kept as text, inert), hidden sheets,
numbers stored as text, thousands separators, full-width digits, trailing spaces, blank rows,
units written in headers or in the 计量单位 cell, headers found by their names wherever they are.
CSV may be UTF-8 (with or without BOM), GB18030 or UTF-16. Everything found is a finding.

This module refuses and dispatches; the readers are ``upload_xlsx`` and ``upload_text`` (CSV,
JSON), sharing the header and unit matching of ``headers``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shumao.collection.checks.model import Sheet
from shumao.collection.forms import Form
from shumao.collection.limits import (
    Limits,
    has_macros,
    lines_within,
    over,
    scan_workbook,
)
from shumao.collection.templates import META_SHEET
from shumao.collection.upload_text import json_sheet, read_csv, read_json_text
from shumao.collection.upload_xlsx import read_xlsx
from shumao.validation.findings import Report, finding

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest upload accepted (a filled template is a few hundred KB)."""
MAX_RATIO = 200
MAX_MEMBERS = 5000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAMS = ("EncryptionInfo", "EncryptedPackage")


@dataclass
class Received:
    filename: str
    size: int
    sha256: str
    data: bytes | None
    """None when the file was refused without being read."""
    fmt: str = "unknown"


@dataclass
class Parsed:
    received: Received
    report: Report
    sheet: Sheet | None = None
    meta: dict[str, str] = field(default_factory=dict)


# --- entry points ----------------------------------------------------------------------------


def read_file(
    path: Path,
    *,
    form: Form,
    max_bytes: int = DEFAULT_MAX_BYTES,
    filename: str | None = None,
    limits: Limits | None = None,
) -> Parsed:
    """Read an uploaded file from disk; an oversized file is refused without being read."""
    name = filename or Path(path).name
    report = Report(source=name)
    if not Path(path).is_file():
        report.add(finding("file-not-found", file=str(path)))
        return Parsed(Received(name, 0, "", None), report)
    size = Path(path).stat().st_size
    if size > max_bytes:
        report.add(finding("file-too-large", file=name, size=size, limit=max_bytes))
        return Parsed(Received(name, size, "", None), report)
    return read_bytes(
        Path(path).read_bytes(), form=form, filename=name, max_bytes=max_bytes, limits=limits
    )


def read_bytes(
    data: bytes,
    *,
    form: Form,
    filename: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
) -> Parsed:
    """Read an upload held in memory (a web request body). ``limits`` default to the
    settings'; a form's own lower limits apply either way."""
    limits = (limits or Limits.from_settings()).for_form(form)
    report = Report(source=filename)
    received = Received(filename, len(data), hashlib.sha256(data).hexdigest(), data)
    if len(data) > max_bytes:
        report.add(finding("file-too-large", file=filename, size=len(data), limit=max_bytes))
        received.data = None
        return Parsed(received, report)
    if not data.strip():
        report.add(finding("file-empty", file=filename))
        return Parsed(received, report)
    received.fmt = sniff(data)
    parsed = Parsed(received, report)
    if received.fmt == "ole":
        _refuse_ole(data, report, filename)
    elif received.fmt == "xlsx":
        if _zip_ok(data, report, filename, limits):
            parsed.sheet, parsed.meta = read_xlsx(data, form, report, filename)
    elif received.fmt == "json":
        parsed.sheet = read_json_text(data, form, report, filename, limits)
    elif lines_within(data, limits, report, filename):
        parsed.sheet = read_csv(data, form, report, filename, limits)
    _check_meta(parsed, form)
    return parsed


def read_json(payload: Mapping[str, Any], *, form: Form, filename: str = "api.json") -> Parsed:
    """Read a filing sent as JSON over the API (see ``json_sheet`` for the shape)."""
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    report = Report(source=filename)
    received = Received(filename, len(data), hashlib.sha256(data).hexdigest(), data, "json")
    return Parsed(received, report, json_sheet(payload, form, report, filename))


def sniff(data: bytes) -> str:
    """ "ole", "xlsx", "json" or "csv", by content, whatever the file is called."""
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" if head.startswith((b"{", b"[")) else "csv"


# --- refusing early --------------------------------------------------------------------------


def is_encrypted_ole(data: bytes) -> bool:
    """True for an OLE compound file holding an encrypted Office package."""
    return any(name.encode("utf-16-le") in data for name in ENCRYPTED_STREAMS)


def _refuse_ole(data: bytes, report: Report, file: str) -> None:
    if is_encrypted_ole(data):
        report.add(finding("upload-encrypted", file=file))
    else:
        report.add(finding("upload-legacy-xls", file=file))


def _zip_ok(data: bytes, report: Report, file: str, limits: Limits) -> bool:
    """The archive's directory, then its worksheets streamed against the limits: True when
    the workbook may be opened."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _archive_ok(archive, report, file, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        report.add(finding("file-format", file=file, detail=f"损坏的 XLSX / broken XLSX: {exc}"))
        return False


def _archive_ok(archive: zipfile.ZipFile, report: Report, file: str, limits: Limits) -> bool:
    members = archive.infolist()
    problem = _zip_problem(members)
    if problem:
        report.add(finding("upload-zip-bomb", file=file, detail=problem))
        return False
    total = sum(m.file_size for m in members)
    if total > limits.unpacked_bytes:
        over(report, limit="unpacked_bytes", value=total, allowed=limits.unpacked_bytes, file=file)
        return False
    if any(m.flag_bits & 0x1 for m in members):
        report.add(finding("upload-encrypted", file=file))
        return False
    if "xl/workbook.xml" not in {m.filename for m in members}:
        report.add(
            finding(
                "file-format",
                file=file,
                detail="压缩包不是 Excel 工作簿 / the archive is not an Excel workbook",
            )
        )
        return False
    if has_macros(archive):
        report.add(finding("upload-macros", file=file))
    return scan_workbook(archive, limits, report, file)


def _zip_problem(members: list[zipfile.ZipInfo]) -> str:
    if len(members) > MAX_MEMBERS:
        return f"{len(members)} 个成员 / members (上限 limit {MAX_MEMBERS})"
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if ratio > MAX_RATIO and m.file_size > 1024 * 1024:
            return f"{m.filename} 压缩比 ratio {ratio:,.0f}:1 (上限 limit {MAX_RATIO}:1)"
    return ""


def _check_meta(parsed: Parsed, form: Form) -> None:
    meta_form = parsed.meta.get("form")
    if meta_form and meta_form != form.id:
        parsed.report.add(
            finding(
                "upload-wrong-form",
                file=parsed.received.filename,
                sheet=META_SHEET,
                value=meta_form,
                expected=form.id,
            )
        )
        return
    version = parsed.meta.get("form_version")
    if version is not None and version.strip() != str(form.version):
        parsed.report.add(
            finding(
                "upload-wrong-form-version",
                file=parsed.received.filename,
                sheet=META_SHEET,
                value=version,
                expected=str(form.version),
                form=form.id,
            )
        )
