"""The filings a user may see on the web: the list with its filters, pages and export, the
review queue, forms and statuses by name, and who acts (``Who``, written to the audit log).

Enterprise filers file for their own enterprise (the USCC of their scope); reviewers (park,
city, province, admin) see their queue and approve or return (the steps:
``filing_actions.py``). The workflow checks who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.auth import audit, permissions
from shumao.auth.scope import Scope
from shumao.collection import registry
from shumao.collection.forms import all_forms, get_form, period_of, shift
from shumao.collection.workflow import (
    clock,
    filings,
)
from shumao.errors import UnknownCode
from shumao.labels import pick
from shumao.output import to_bytes
from shumao.web.schemas import FilingOut


@dataclass(frozen=True)
class Who:
    """The acting user: scope and address (for the audit log)."""

    scope: Scope
    ip: str = ""

    def log(self, conn: Connection, action: str, target: str, **detail: Any) -> None:
        audit.record_by(
            conn, self.scope, action=action, target=target, ip=self.ip, detail=detail or None
        )


def status_text(status: str, lang: str) -> str:
    """A filing's status in the user's language (``none``: no filing yet)."""
    if status == "none":
        return pick("未填报", "not filed", lang)
    return pick(*filings.STATUS_NAMES[filings.Status(status)], lang)


def filing_out(
    conn: Connection, found: filings.Filing, lang: str = "zh", names: dict[str, str] | None = None
) -> FilingOut:
    if names is None:
        ent = registry.find(conn, found.uscc)
        names = {found.uscc: ent.name} if ent else {}
    form = get_form(found.form_id)
    return FilingOut(
        id=found.id,
        form_id=found.form_id,
        form_title=f"{form.code} {pick(form.title_zh, form.title_en, lang)}",
        uscc=found.uscc,
        enterprise=names.get(found.uscc, found.uscc),
        period=found.period,
        status=found.status.value,
        status_text=status_text(found.status.value, lang),
        version=found.version,
        current_upload_id=found.current_upload_id,
        vintage_id=found.vintage_id,
        submitted_at=clock.local_time(found.first_submitted_at),
    )


def forms(lang: str) -> list[dict[str, str]]:
    """Every form, the most frequent first (the quarterly form is what clerks file most), then
    by its 表号 (数贸季1表 before 数贸季2表), with the latest period that has ended as the
    example a clerk would file for."""
    today = datetime.now(clock.LOCAL).date()
    ordered = sorted(all_forms(), key=lambda f: ("MQA".find(f.frequency), f.code, f.id))
    return [
        {
            "id": f.id,
            "title": pick(f.title_zh, f.title_en, lang),
            "code": f.code,
            "frequency": f.frequency,
            "last_period": shift(period_of(today, f.frequency), -1),
        }
        for f in ordered
    ]


def list_filings(
    conn: Connection,
    *,
    who: Who,
    status: str | None = None,
    form_id: str | None = None,
    period: str | None = None,
    q: str | None = None,
    lang: str = "zh",
) -> list[FilingOut]:
    """The filings the user may see, filtered: form, period, status, and ``q`` — part of the
    enterprise's name or of its credit code. Newest period first."""
    actor = who.scope.actor()
    found = filings.list_filings(
        conn, actor=actor, form_id=form_id or None, period=period or None, status=status or None
    )
    names = {
        e.uscc: e.name for e in registry.list_enterprises(conn, actor=actor, include_inactive=True)
    }
    text = (q or "").strip().upper()
    if text:
        found = [f for f in found if text in f.uscc or text in names.get(f.uscc, "").upper()]
    found.sort(key=lambda f: (f.period, f.uscc, f.form_id), reverse=True)
    return [filing_out(conn, f, lang, names) for f in found]


PAGE_SIZE = 50


@dataclass(frozen=True)
class ListQuery:
    """The filings list as the page asks for it: filters and the page."""

    form_id: str = ""
    period: str = ""
    status: str = ""
    q: str = ""
    page: int = 1

    def params(self, **override: Any) -> dict[str, str]:
        """The query string of this view (empty values left out)."""
        out = {
            "form_id": self.form_id,
            "period": self.period,
            "status": self.status,
            "q": self.q,
            "page": str(self.page),
            **{k: str(v) for k, v in override.items()},
        }
        return {k: v for k, v in out.items() if v and not (k == "page" and v == "1")}


@dataclass(frozen=True)
class ListPage:
    total: int
    pages: int
    rows: list[FilingOut]


def filings_page(conn: Connection, *, who: Who, query: ListQuery, lang: str) -> ListPage:
    """One page (``PAGE_SIZE`` rows) of the filtered list."""
    found = list_filings(
        conn,
        who=who,
        status=query.status,
        form_id=query.form_id,
        period=query.period,
        q=query.q,
        lang=lang,
    )
    pages = max(1, -(-len(found) // PAGE_SIZE))
    start = (min(query.page, pages) - 1) * PAGE_SIZE
    return ListPage(len(found), pages, found[start : start + PAGE_SIZE])


def statuses(lang: str) -> list[dict[str, str]]:
    """The statuses a filing can have, for the list's filter."""
    return [{"id": s.value, "text": status_text(s.value, lang)} for s in filings.Status]


def export_filings(rows: list[FilingOut], *, fmt: str, lang: str) -> bytes:
    """The list as CSV (UTF-8 with BOM) or XLSX, headers in the user's language."""

    heads = [pick(zh, en, lang) for zh, en in EXPORT_HEADERS]
    frame = pl.DataFrame(
        [
            [
                r.id,
                r.form_title,
                r.uscc,
                r.enterprise,
                r.period,
                r.status_text,
                r.submitted_at.strftime("%Y-%m-%d %H:%M") if r.submitted_at else "",
                r.vintage_id,
            ]
            for r in rows
        ],
        schema={h: t for h, t in zip(heads, EXPORT_TYPES, strict=True)},
        orient="row",
    )
    return to_bytes(frame, fmt, sheet=pick("填报", "filings", lang))


EXPORT_HEADERS = (
    ("编号", "No."),
    ("报表", "Form"),
    ("统一社会信用代码", "Credit code"),
    ("企业名称", "Enterprise"),
    ("报告期", "Period"),
    ("状态", "Status"),
    ("首次提交（北京时间）", "First submitted (Beijing time)"),
    ("数据版本", "Vintage"),
)
EXPORT_TYPES = (int, str, str, str, str, str, str, int)


def review_queue(conn: Connection, *, who: Who, lang: str = "zh") -> list[FilingOut]:
    actor = who.scope.actor()
    queue = filings.list_filings(conn, actor=actor, status=filings.Status.SUBMITTED.value)
    return [
        filing_out(conn, f, lang)
        for f in queue
        if permissions.may_review(actor, enterprise(conn, f.uscc))
    ]


def enterprise(conn: Connection, uscc: str) -> registry.Enterprise:
    found = registry.find(conn, uscc)
    if found is None:
        raise UnknownCode("企业信息库 enterprise database", uscc)
    return found
