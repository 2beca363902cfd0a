"""Due dates of a form's periods (the form's rule, or a date an admin set) and the latest
period whose deadline has passed — the one 漏报 is about (who responded: ``response.py``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, delete, insert, select

from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.collection.forms import get_form, period_of, shift
from shumao.collection.tables import filing_deadline
from shumao.collection.workflow import clock
from shumao.collection.workflow.filings import check_period


def due_date(conn: Connection, *, form_id: str, period: str) -> date:
    form = get_form(form_id)
    row = conn.execute(
        select(filing_deadline.c.due).where(
            filing_deadline.c.form_id == form.id, filing_deadline.c.period == period
        )
    ).first()
    return row.due if row else form.due_date(period)


def set_deadline(conn: Connection, *, actor: Actor, form_id: str, period: str, due: date) -> None:
    permissions.require_set_deadlines(actor)
    form = get_form(form_id)
    check_period(form, period)
    conn.execute(
        delete(filing_deadline).where(
            filing_deadline.c.form_id == form.id, filing_deadline.c.period == period
        )
    )
    conn.execute(
        insert(filing_deadline).values(
            form_id=form.id, period=period, due=due, set_by=actor.name, set_at=clock.now()
        )
    )


def last_due_period(conn: Connection, *, form_id: str, today: date | None = None) -> str:
    """The latest period of ``form_id`` whose deadline has passed (the one 漏报 is about)."""
    form = get_form(form_id)
    today = today or datetime.now(clock.LOCAL).date()
    period = period_of(today, form.frequency)
    while due_date(conn, form_id=form.id, period=period) >= today:
        period = shift(period, -1)
    return period
