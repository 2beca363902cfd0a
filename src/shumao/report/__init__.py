"""年度报告 / the annual report (中国数字贸易发展报告), built from the store.

    figures      a Figure: value, unit, precision and lineage (dataflow, series, period,
                 vintage, computation); the arithmetic that keeps lineage
    data         Rows of figures by field, what each field measures; the store Reader
    sources      the data sources a template names (表1–表4, regions, any series)
    template     the versioned YAML template: chapters, tables, charts, sentences (Jinja)
    sentences    the sentence filters (亿美元, 同比增长/下降, 个百分点, 居第N位, 分别为…)
    passages     hand-written Markdown/Word passages and text tables the team supplies
    assemble     template + data → Document (numbered tables/charts, footnotes, runs)
    charts       matplotlib charts in Noto Sans CJK SC, SVG + PNG, cached by content
    render_*     HTML (self-contained), PDF (WeasyPrint), DOCX (Word styles), XLSX
    claims       numbers in prose → claims (level, growth, share, rank, top N, members)
    factcheck    claims matched to the store's figures and recomputed (shumao report check)
    checks       every problem of a build as findings, before anything is written
    build        the pipeline, atomic writes, caches

Importing this package registers the ``report-*`` finding codes.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from shumao.validation import findings as _findings

ASSETS = Path(__file__).with_name("assets")


def _register_findings() -> None:
    codes = yaml.safe_load((ASSETS / "findings.yaml").read_text(encoding="utf-8"))
    missing = {k: v for k, v in codes.items() if k not in _findings.catalogue()}
    if missing:
        _findings.register(missing)


_register_findings()
