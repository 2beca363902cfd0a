"""National digital service export bases (国家数字服务出口基地): the registry and its dated
status history, the application check and the biennial re-review against 商办服贸函〔2019〕245号,
the de-duplicated enterprise count (direct reporting + the service-outsourcing roster, linked
by credit code and by Splink), the 2022/2025 targets, the publicity period on the official
working-day calendar, the ranking of the 2022 report's 表3/表4, and the evaluation as DOCX/XLSX.

    rules.py       the notice as data (data/criteria.yaml, data/targets.csv)
    registry.py    bases, statuses (候选 → 公示 → 认定 → 复审合格/不合格 → 取消), audited
    access.py      who may see and do what (on auth.scope)
    calendar.py    working days with 调休 (chinesecalendar): publicity end, re-review due dates
    figures.py     the evidence of each criterion from the store, linkage and declarations
    evaluate.py    pure: evidence + checklist → outcomes, verdict, what-if
    applications.py  applications and re-reviews: checklist, declared figures, evidence files,
                   the special-potential override, the decision
    names.py       Chinese name and address normalisation (Polars)
    roster.py      the service-outsourcing roster import (findings, all or nothing)
    linkage.py     credit code, then Splink on DuckDB; review decisions applied
    counting.py    linkage runs, the review queue, the de-duplicated count and its list
    synthetic.py   deterministic synthetic enterprises and rosters with a known truth
    targets.py     the 2022/2025 targets per base and year
    ranking.py     表3/表4 rankings with disclosure control where enterprise figures are used
    export.py      the evaluation as a Word document and a workbook
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from shumao.validation.findings import register_file

FINDINGS = Path(__file__).with_name("findings.yaml")


@cache
def register_findings() -> None:
    register_file(FINDINGS)
