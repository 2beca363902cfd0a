"""生成报告 / build the report: check everything, assemble once, write every format whole.

    template.load ─► sources (one Reader, one as_of) ─► checks (fields, indicators, sentences,
    passages, data for the year) ─► assemble (Document) ─► fact-check the passages ─► any error?
    ReportRejected(findings), nothing written ─► render each format into a temporary folder ─►
    move the finished files into place (a file appears only complete)

Outputs are cached by content: a chart by its data (``charts.Cache``), the PDF by the digest of
its print HTML. ``progress(stage, done, total)`` reports each step for the CLI bar and the web page.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from shumao.errors import ShumaoError
from shumao.report import assemble as asm
from shumao.report import checks, render_docx, render_html, render_pdf, render_xlsx
from shumao.report.charts import Cache
from shumao.report.data import Reader, Rows
from shumao.report.document import Document
from shumao.report.template import Template, load
from shumao.validation.findings import Report

log = logging.getLogger(__name__)
FORMATS = ("html", "pdf", "docx", "xlsx")
Progress = Callable[[str, int, int], None]


class ReportRejected(ShumaoError):
    def __init__(self, report: Report) -> None:
        self.report = report
        n = len(report.errors)
        super().__init__(
            f"报告未生成：{n} 个问题，未写入任何文件 / the report was not built: "
            f"{n} problem(s), no file was written"
        )


@dataclass(frozen=True)
class Request:
    year: int
    formats: tuple[str, ...] = FORMATS
    lang: str = "zh"
    as_of: int | datetime | None = None
    template: Path | None = None
    passages: Path | None = None
    out_dir: Path = Path("reports")
    overrides: dict[str, str] = field(default_factory=dict)
    cache_dir: Path | None = None
    link_base: str = ""


@dataclass
class Result:
    files: dict[str, Path]
    document: Document
    report: Report
    cache: Cache
    claims: list[checks.Checked]


def _tick(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def prepare(
    engine: Engine, req: Request, progress: Progress | None = None
) -> tuple[Document, Report, Cache, list[checks.Checked], Template]:
    """Everything but the writing; raises ``ReportRejected`` with every problem found."""
    report = Report(source="report")
    bad = [f for f in req.formats if f not in FORMATS]
    if bad:
        raise ShumaoError(f"未知格式 / unknown format: {', '.join(bad)} (html, pdf, docx, xlsx)")
    template = load(req.template, report)
    if template is None:
        raise ReportRejected(report)
    _tick(progress, "data", 0, 1)
    reader = Reader(engine, as_of=req.as_of, lang=req.lang)
    data = checks.load_data(template, reader, req.year, report)
    passages = checks.load_passages(template, req.passages, report)
    checks.check_template(template, data, report)
    if not report.ok:
        raise ReportRejected(report)
    _tick(progress, "data", 1, 1)
    cache = Cache(req.cache_dir / "charts" if req.cache_dir else None)
    ctx = asm.Context(template, data, req.year, req.lang, passages, draw=cache.draw)
    doc = asm.assemble(ctx)
    claims = checks.fact_check(doc, passages, data, req.year, req.overrides, report)
    if not report.ok:
        raise ReportRejected(report)
    doc.stamp = stamp(template, data, req)
    for sid, why in doc.omitted:
        report.add(checks.omitted(sid, why))
    return doc, report, cache, claims, template


def stamp(template: Template, data: dict[str, Rows], req: Request) -> str:
    vintages: dict[str, set[int]] = {}
    for rows in data.values():
        for row in rows:
            for fig in row.figures.values():
                for s in fig.lineage.stored():
                    if s.vintage is not None:
                        vintages.setdefault(s.dataflow, set()).add(s.vintage)
    used = "；".join(f"{k} v{','.join(map(str, sorted(v)))}" for k, v in sorted(vintages.items()))
    as_of = f"；as of {req.as_of}" if req.as_of else ""
    return f"模板 template {template.path.name} {template.version}；{req.year}；{used}{as_of}"


def build(engine: Engine, req: Request, progress: Progress | None = None) -> Result:
    doc, report, cache, claims, template = prepare(engine, req, progress)
    total = len(req.formats)
    req.out_dir.mkdir(parents=True, exist_ok=True)
    base = f"report_{req.year}_{req.lang}"
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=req.out_dir))
    try:
        made: dict[str, Path] = {}
        for i, fmt in enumerate(req.formats):
            _tick(progress, fmt, i, total)
            target = work / f"{base}.{fmt}"
            target.write_bytes(render(fmt, doc, template, req))
            made[fmt] = target
        _tick(progress, "done", total, total)
        files = {}
        for fmt, path in made.items():
            final = req.out_dir / path.name
            path.replace(final)
            files[fmt] = final
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Result(files, doc, report, cache, claims)


def render(fmt: str, doc: Document, template: Template, req: Request) -> bytes:
    if fmt == "html":
        return render_html.html(doc, link_base=req.link_base).encode("utf-8")
    if fmt == "pdf":
        printable = render_html.html(doc, print_=True)
        return render_pdf.pdf(printable, cache_dir=req.cache_dir)
    if fmt == "docx":
        return render_docx.docx(doc, fonts=template.fonts)
    return render_xlsx.xlsx(doc)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
