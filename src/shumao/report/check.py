"""``shumao report check FILE``: fact-check an existing report (or any text) against the store.

The file is read as the policy library reads documents (.txt, .pdf, .docx, .html; traditional
script, PDF line breaks and page numbers cleaned, ``policy.normalise``), its numbers become
claims, and each claim is matched to the figures of the template's data sources for the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from shumao.policy import normalise, readers
from shumao.report.build import ReportRejected
from shumao.report.checks import load_data
from shumao.report.data import Reader
from shumao.report.factcheck import Checked, check_text
from shumao.report.template import load
from shumao.validation.findings import Report


@dataclass(frozen=True)
class Outcome:
    file: str
    claims: list[Checked]

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.claims)


def simplified_text(path: Path, report: Report) -> str | None:
    """The file's text in simplified script, one paragraph a line."""

    extracted = readers.read(path, report)
    if extracted is None:
        return None
    return normalise.clean(extracted.text).simplified_text


def check_file(
    engine: Engine,
    path: Path,
    *,
    year: int,
    as_of: int | datetime | None = None,
    template: Path | None = None,
) -> Outcome:
    report = Report(source=str(path))
    text = simplified_text(path, report)
    t = load(template, report)
    if text is None or t is None:
        raise ReportRejected(report)
    data = load_data(t, Reader(engine, as_of=as_of), year, report)
    if not report.ok:
        raise ReportRejected(report)
    return Outcome(path.name, check_text(text, data, year, prefix=path.stem[:12]))
