"""报告模板 / the report template: chapters, order, tables, charts and the wording, as data.

A template is a versioned YAML file (``templates/annual.yaml`` is the 2022 report's structure)
that the report team edits; nothing about the report's structure or wording is in Python:

    version     the template's own version (printed in the annex and the build stamp)
    title       {zh, en}; "{year}" is replaced
    fonts       heading / body / caption fonts of the DOCX (黑体, 宋体, 仿宋 by default)
    data        name → {source: <registered source>, …parameters}
    notes       footnotes: id → {zh, en}; a sentence places one with {{ note('id') }}
    sentences   id → {zh, en}: Jinja templates of the generated narrative
    tables      id → {data, title, unit, columns: [{field, zh, en, digits, indicator}], rows, source}
    charts      id → {data, kind (bar | bar_line | line), bar, line, title, unit, source}
    body        the report in order: {heading, level} · {paragraph: [sentence ids]} ·
                {table: id} · {chart: id} · {passage: file stem} · {text_table: file, title, source}

``load`` reads and checks the file; every problem becomes a finding (``report-*`` codes), all of
them at once, never only the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shumao.validation.findings import Report, finding

TEMPLATES = Path(__file__).with_name("templates")
DEFAULT = TEMPLATES / "annual.yaml"
BLOCK_KINDS = ("heading", "paragraph", "table", "chart", "passage", "text_table", "page_break")
REQUIRED = ("version", "title", "data", "sentences", "tables", "charts", "body")
DEFAULT_FONTS = {"heading": "黑体", "body": "宋体", "caption": "仿宋", "latin": "Times New Roman"}


@dataclass(frozen=True)
class Template:
    path: Path
    raw: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.raw["version"])

    def text(self, node: Any, lang: str, **values: Any) -> str:
        """A {zh, en} node (or a plain string) in ``lang``, with ``{year}`` filled in."""
        if isinstance(node, dict):
            node = node.get(lang) or node.get("zh") or ""
        text = str(node or "")
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text

    @property
    def fonts(self) -> dict[str, str]:
        return {**DEFAULT_FONTS, **(self.raw.get("fonts") or {})}

    def section(self, name: str) -> dict[str, Any]:
        return self.raw.get(name) or {}


def load(path: Path | None, report: Report) -> Template | None:
    """Read and check a template's structure; ``None`` when it cannot be read at all."""
    path = path or DEFAULT
    file = path.name
    if not path.is_file():
        report.add(finding("file-not-found", file=str(path)))
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report.add(
            finding(
                "report-template-yaml",
                file=file,
                row=mark.line + 1 if mark else None,
                detail=str(exc).splitlines()[0],
            )
        )
        return None
    if not isinstance(raw, dict):
        report.add(
            finding("report-template-yaml", file=file, detail="顶层应为映射 / not a mapping")
        )
        return None
    for key in REQUIRED:
        if key not in raw:
            report.add(
                finding("report-template-key", file=file, value=key, detail="必填 / required")
            )
    if not report.ok:
        return None
    template = Template(path, raw)
    check_references(template, report)
    return template


def check_references(t: Template, report: Report) -> None:
    """Every name the body uses is defined; every sentence parses (checked in ``build``)."""
    file = t.path.name
    known = {k: set(t.section(k)) for k in ("sentences", "tables", "charts", "notes", "data")}
    codes = {"table": "report-unknown-table", "chart": "report-unknown-chart"}
    for i, block in enumerate(t.raw["body"] or [], start=1):
        kind = next((k for k in BLOCK_KINDS if isinstance(block, dict) and k in block), None)
        if kind is None:
            report.add(finding("report-block-kind", file=file, row=i, value=block))
        elif kind in codes and block[kind] not in known[f"{kind}s"]:
            report.add(finding(codes[kind], file=file, row=i, value=block[kind]))
        elif kind == "paragraph":
            ids = (
                block["paragraph"] if isinstance(block["paragraph"], list) else [block["paragraph"]]
            )
            for sid in ids:
                if sid not in known["sentences"]:
                    report.add(finding("report-unknown-sentence", file=file, row=i, value=sid))
    for section in ("tables", "charts"):
        for name, spec in t.section(section).items():
            if (spec or {}).get("data") not in known["data"]:
                report.add(
                    finding(
                        "report-unknown-data",
                        file=file,
                        column=f"{section}.{name}",
                        value=(spec or {}).get("data"),
                    )
                )


def passage_path(folder: Path | None, stem: str) -> Path | None:
    """The team's file for a passage: ``<stem>.md`` or ``<stem>.docx`` in ``folder``."""
    if folder is None:
        return None
    for suffix in ("", ".md", ".docx", ".txt"):
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None
