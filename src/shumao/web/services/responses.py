"""Who has reported (报送情况) for the pages and the API: an enterprise's to-do, a reviewer's
list of late and missing reporters, the national (or provincial) response overview.

Domain logic lives in ``shumao.collection.response``; this module picks the period a page
means, names places and statuses in the user's language, and shapes the answers.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlalchemy import Connection

from shumao.auth import permissions
from shumao.collection import response
from shumao.collection.forms import get_form, normalise_period, period_of
from shumao.collection.workflow import clock, deadlines
from shumao.errors import UnknownCode
from shumao.labels import area_name, pick
from shumao.output import to_bytes
from shumao.web.schemas import (
    NonResponseOut,
    NonResponseReport,
    ResponseOverview,
    ResponseRow,
    TodoOut,
)
from shumao.web.services.filings import Who, status_text

STATES = {
    "done": ("已审核通过", "approved"),
    "waiting": ("已提交，审核中", "submitted, in review"),
    "action": ("待提交（草稿或已退回）", "to submit (draft or returned)"),
    "due": ("待报，请在截止日前提交", "to file before the deadline"),
    "overdue": ("已逾期，请尽快补报", "overdue: please file now"),
    "upcoming": ("未到报送期", "not open yet"),
}


def todo(conn: Connection, *, who: Who, lang: str) -> list[TodoOut]:
    """The enterprise user's to-do (本期应报): what to file, by when, where it stands."""
    if who.scope.role != "enterprise":
        return []
    items = response.todo(conn, actor=who.scope.actor(), uscc=who.scope.code)
    out = []
    for item in items:
        form = get_form(item.form_id)
        out.append(
            TodoOut(
                form_id=form.id,
                form_title=f"{form.code} {pick(form.title_zh, form.title_en, lang)}",
                period=item.period,
                opens=item.opens,
                due=item.due,
                status=item.status,
                status_text=status_text(item.status, lang),
                state=item.state,
                state_text=pick(*STATES[item.state], lang),
                filing_id=item.filing_id,
            )
        )
    return out


def _period(conn: Connection, form_id: str, period: str | None, pending: bool) -> str:
    """The period asked for, else the latest past its deadline (with ``pending``: the open
    one)."""
    form = get_form(form_id)
    if period:
        wanted = normalise_period(period, form.frequency)
        if wanted is None:
            raise UnknownCode(f"报告期 period ({form.frequency})", period)
        return wanted
    if pending:
        return period_of(datetime.now(clock.LOCAL).date(), form.frequency)
    return deadlines.last_due_period(conn, form_id=form.id)


def _reviewer(who: Who) -> None:
    permissions.require_follow_responses(who.scope)


def non_response(
    conn: Connection,
    *,
    who: Who,
    form_id: str,
    period: str | None,
    pending: bool = False,
    lang: str = "zh",
) -> NonResponseReport:
    """漏报 / 迟报 (and with ``pending`` 待报) reporters in the reviewer's scope for one period."""
    _reviewer(who)
    form = get_form(form_id)
    wanted = _period(conn, form.id, period, pending)
    found = response.non_response(
        conn, actor=who.scope.actor(), form_id=form.id, period=wanted, include_pending=pending
    )
    rows = [
        NonResponseOut(
            uscc=r.uscc,
            enterprise=r.name,
            park_code=r.park_code,
            park=area_name(r.park_code, lang) if r.park_code else "",
            kind=r.kind,
            kind_text=pick(*response.KINDS[r.kind], lang),
            due=r.due,
            status=r.status,
            status_text=status_text(r.status, lang),
            first_submitted_at=clock.local_time(r.first_submitted_at),
        )
        for r in found
    ]
    counts = {k: sum(r.kind == k for r in found) for k in ("missing", "late", "pending")}
    return NonResponseReport(
        form_id=form.id,
        form_title=f"{form.code} {pick(form.title_zh, form.title_en, lang)}",
        period=wanted,
        due=deadlines.due_date(conn, form_id=form.id, period=wanted),
        counts=counts,
        rows=rows,
    )


def non_response_csv(report: NonResponseReport, lang: str = "zh") -> bytes:
    """The list as a CSV a park manager opens in Excel to chase the enterprises (催报):
    UTF-8 with BOM, headers in the user's language, formula-like text made inert."""

    heads = [
        pick(zh, en, lang)
        for zh, en in (
            ("报表", "Form"),
            ("报告期", "Period"),
            ("截止日期", "Deadline"),
            ("统一社会信用代码", "Credit code"),
            ("企业名称", "Enterprise"),
            ("基地", "Park"),
            ("类别", "Kind"),
            ("填报状态", "Status"),
            ("首次提交（北京时间）", "First submitted (Beijing time)"),
        )
    ]
    rows = [
        [
            report.form_title,
            report.period,
            report.due.isoformat(),
            r.uscc,
            r.enterprise,
            r.park or "",
            r.kind_text,
            r.status_text,
            r.first_submitted_at.strftime("%Y-%m-%d %H:%M") if r.first_submitted_at else "",
        ]
        for r in report.rows
    ]
    return to_bytes(pl.DataFrame(rows, schema=dict.fromkeys(heads, pl.String), orient="row"), "csv")


def overview(
    conn: Connection,
    *,
    who: Who,
    form_id: str,
    period: str | None,
    by: str | None = None,
    lang: str = "zh",
) -> ResponseOverview:
    """How many reporters filed, on time or late, and how many did not, per province (the
    ministry's national view) or per park (a province's or city's view)."""
    _reviewer(who)
    form = get_form(form_id)
    wanted = _period(conn, form.id, period, pending=False)
    group = by or ("province" if permissions.sees_all(who.scope) else "park")
    if group not in ("province", "park"):
        raise UnknownCode("分组 grouping (province, park)", group)
    found = response.responses(conn, actor=who.scope.actor(), form_id=form.id, period=wanted)
    key = (lambda r: r.province_code) if group == "province" else (lambda r: r.park_code)
    tallies = response.overview(found, by=key)
    whole = response.overview(found, by=lambda r: "")
    return ResponseOverview(
        form_id=form.id,
        form_title=f"{form.code} {pick(form.title_zh, form.title_en, lang)}",
        period=wanted,
        due=deadlines.due_date(conn, form_id=form.id, period=wanted),
        by=group,
        total=_row(whole[0] if whole else response.Tally(""), pick("合计", "Total", lang)),
        rows=[
            _row(t, area_name(t.code, lang) if t.code else pick(*_NONE[group], lang))
            for t in tallies
        ],
    )


_NONE = {
    "province": ("未登记所在省份", "province not registered"),
    "park": ("不在基地内", "outside the parks"),
}


def _row(t: response.Tally, name: str) -> ResponseRow:
    return ResponseRow(
        code=t.code,
        name=name,
        reporters=t.reporters,
        on_time=t.counts["on_time"],
        late=t.counts["late"],
        missing=t.counts["missing"],
        pending=t.counts["pending"],
        rate=round(t.rate, 1) if t.rate is not None else None,
    )
