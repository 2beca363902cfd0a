"""报告的检查 / every problem of a build as findings, collected before anything is written."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

# importing the modules that define report sources registers them (``@source``) in SOURCES
import shumao.report.sources
import shumao.report.sources_cbec  # noqa: F401
from shumao.report import lineage, passages
from shumao.report.data import Reader, Rows
from shumao.report.document import Document
from shumao.report.factcheck import Checked, check_text
from shumao.report.sentences import Renderer
from shumao.report.source_registry import SOURCES
from shumao.report.template import Template, passage_path
from shumao.validation.findings import Finding, Report, finding

__all__ = ["Checked", "check_template", "fact_check", "load_data", "load_passages", "omitted"]


def load_data(t: Template, reader: Reader, year: int, report: Report) -> dict[str, Rows]:
    """Run every data source the template names; a source without values for ``year`` is an
    error (the report would print blanks) unless the template marks it ``optional: true`` — then
    the sentences that need it are left out and listed (``report-sentence-omitted``)."""
    out: dict[str, Rows] = {}
    file = t.path.name
    for name, spec in t.section("data").items():
        spec = dict(spec or {})
        optional = bool(spec.pop("optional", False))
        src = SOURCES.get(str(spec.pop("source", "")))
        if src is None:
            report.add(
                finding(
                    "report-unknown-source",
                    file=file,
                    value=name,
                    detail=f"source={(t.section('data')[name] or {}).get('source')!r}; "
                    f"known: {', '.join(sorted(SOURCES))}",
                )
            )
            continue
        unknown = set(spec) - src.params
        if unknown:
            report.add(
                finding(
                    "report-unknown-source",
                    file=file,
                    value=name,
                    detail=f"{src.name}: {', '.join(sorted(unknown))}",
                )
            )
            continue
        if _missing_params(src.function, spec):
            report.add(
                finding(
                    "report-template-key",
                    file=file,
                    value=name,
                    detail=f"{src.name} 需要 / needs {_missing_params(src.function, spec)}",
                )
            )
            continue
        rows = src.function(reader, year, **spec)
        if not optional and not any(not f.missing for r in rows for f in r.figures.values()):
            report.add(
                finding(
                    "report-no-data", file=file, value=name, detail=src.doc_zh, column=str(year)
                )
            )
        out[name] = rows
    return out


def _missing_params(function: Any, given: dict[str, Any]) -> list[str]:
    sig = inspect.signature(function)
    return [
        p.name
        for p in sig.parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty and p.name not in given
    ]


def load_passages(t: Template, folder: Path | None, report: Report) -> dict[str, passages.Passage]:
    out = {}
    for block in t.raw["body"] or []:
        if not isinstance(block, dict):
            continue
        key = block.get("passage") or block.get("text_table")
        if not key:
            continue
        path = passage_path(folder, str(key))
        if path is None:
            where = folder / str(key) if folder else Path(str(key))
            report.add(finding("report-passage-missing", file=str(where)))
            continue
        out[str(key)] = passages.read(str(key), path, block)
    return out


def check_template(t: Template, data: dict[str, Rows], report: Report) -> None:
    file = t.path.name
    renderer = Renderer(data, year=0, lang="zh")
    notes = set(t.section("notes"))
    for sid, spec in t.section("sentences").items():
        for lang, source in (spec or {}).items():
            error = renderer.check(str(source))
            if error:
                report.add(
                    finding(
                        "report-sentence-syntax", file=file, column=f"{sid}.{lang}", detail=error
                    )
                )
            for key in _note_keys(str(source)):
                if key not in notes:
                    report.add(finding("report-unknown-note", file=file, column=sid, value=key))
    for section in ("tables", "charts"):
        for name, spec in t.section(section).items():
            rows = data.get((spec or {}).get("data", ""))
            if rows is None:
                continue
            for col in _columns(section, spec):
                _check_column(file, f"{section}.{name}", col, rows, report)


def _note_keys(source: str) -> list[str]:
    return re.findall(r"note\(\s*['\"]([^'\"]+)['\"]\s*\)", source)


def _columns(section: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    if section == "tables":
        return list(spec.get("columns") or [])
    fields = spec.get("bar") or []
    fields = [fields] if isinstance(fields, str) else list(fields)
    if spec.get("line"):
        fields.append(spec["line"])
    return [{"field": f} for f in fields]


def _check_column(file: str, where: str, col: dict[str, Any], rows: Rows, report: Report) -> None:
    name = str(col.get("field"))
    if name != "name" and name not in rows.fields:
        report.add(
            finding(
                "report-unknown-field",
                file=file,
                column=where,
                value=name,
                detail=rows.name,
                fields=", ".join(["name", *rows.fields]),
            )
        )
        return
    declared = col.get("indicator")
    if not declared:
        return
    if not lineage.known(str(declared)):
        report.add(finding("report-unknown-indicator", file=file, column=where, value=declared))
        return
    used = {r.figures[name].lineage.indicator for r in rows if name in r.figures}
    if used and str(declared) not in used:
        report.add(
            finding(
                "report-indicator-mismatch",
                file=file,
                column=where,
                value=declared,
                detail=", ".join(sorted(used)),
            )
        )


def fact_check(
    doc: Document,
    found: dict[str, passages.Passage],
    data: dict[str, Rows],
    year: int,
    overrides: dict[str, str],
    report: Report,
) -> list[Checked]:
    """Check every hand-written passage; a failed claim blocks the build unless overridden."""
    results: list[Checked] = []
    used: set[str] = set()
    for key, passage in found.items():
        if passage.table is not None:
            continue
        checked = check_text("\n".join(passage.paragraphs), data, year, prefix=key)
        results += checked
        for c in checked:
            if c.status != "mismatch":
                continue
            if c.id in overrides:
                used.add(c.id)
                doc.overrides.append((c.id, c.claim.text, overrides[c.id]))
                continue
            report.add(
                finding(
                    "report-claim-failed",
                    file=key,
                    column=c.id,
                    value=c.claim.text,
                    detail=c.explain("zh"),
                )
            )
    for cid in sorted(set(overrides) - used):
        report.add(finding("report-override-unused", value=cid))
    return results


def omitted(sid: str, why: str) -> Finding:
    return finding("report-sentence-omitted", column=sid, detail=why)
