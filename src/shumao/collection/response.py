"""Who has to report what, and who did (报送情况).

- ``responses``: every reporter of a form in the actor's scope for one period, each with how it
  responded — on time (按时), late (迟报: first submitted after the deadline), missing (漏报:
  nothing submitted, deadline passed) or pending (待报: not submitted, deadline ahead).
- ``non_response``: the late and missing ones (and the pending ones when asked): the list a
  reviewer chases (催报).
- ``overview``: the responses counted per province (or park): the national picture.
- ``todo``: an enterprise's own list — the periods it has to report now (本期应报), their
  deadlines and where each filing stands, and earlier periods it never filed.

A deadline is the form's default (``deadline_days`` after the period) unless one was set for
the period (``workflow.deadlines.set_deadline``); dates are Beijing dates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from shumao.auth.actors import Actor
from shumao.collection import registry
from shumao.collection.forms import all_forms, get_form, period_end, shift
from shumao.collection.workflow import clock, deadlines, filings

KINDS = {
    "on_time": ("按时报送", "filed on time"),
    "late": ("迟报", "filed late"),
    "missing": ("漏报", "not filed"),
    "pending": ("待报", "not yet filed"),
}
TODO_BACK = 4
"""How many earlier periods an enterprise's to-do looks back for filings it never sent."""


@dataclass(frozen=True)
class Response:
    uscc: str
    name: str
    park_code: str | None
    kind: str
    """A key of ``KINDS``."""
    due: date
    status: str
    """The filing's status, ``none`` when there is no filing."""
    first_submitted_at: datetime | None
    province_code: str | None = None
    city_code: str | None = None

    @property
    def label(self) -> str:
        zh, en = KINDS[self.kind]
        return f"{zh} / {en}"


def _today(today: date | None) -> date:
    return today or datetime.now(clock.LOCAL).date()


def responses(
    conn: Connection, *, actor: Actor, form_id: str, period: str, today: date | None = None
) -> list[Response]:
    """How every reporter of ``form_id`` in the actor's scope responded for ``period``."""
    form = get_form(form_id)
    due = deadlines.due_date(conn, form_id=form.id, period=period)
    day = _today(today)
    ents = [
        e for e in registry.list_enterprises(conn, actor=actor) if getattr(e, form.reporters, False)
    ]
    filed = {
        f.uscc: f for f in filings.list_filings(conn, actor=actor, form_id=form.id, period=period)
    }
    out = []
    for ent in ents:
        f = filed.get(ent.uscc)
        first = f.first_submitted_at if f else None
        if first is not None:
            kind = "late" if clock.local_date(first) > due else "on_time"
        else:
            kind = "missing" if day > due else "pending"
        out.append(
            Response(
                ent.uscc,
                ent.name,
                ent.park_code,
                kind,
                due,
                f.status.value if f else "none",
                first,
                ent.province_code,
                ent.city_code,
            )
        )
    return out


def non_response(
    conn: Connection,
    *,
    actor: Actor,
    form_id: str,
    period: str,
    today: date | None = None,
    include_pending: bool = False,
) -> list[Response]:
    """迟报 (late) and 漏报 (missing) reporters of ``form_id`` for ``period`` in the actor's
    scope; with ``include_pending`` also those whose deadline is ahead (待报)."""
    wanted = {"late", "missing", *(("pending",) if include_pending else ())}
    return [
        r
        for r in responses(conn, actor=actor, form_id=form_id, period=period, today=today)
        if r.kind in wanted
    ]


# --- the overview --------------------------------------------------------------------------


@dataclass
class Tally:
    """The responses of one area or park."""

    code: str
    reporters: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def filed(self) -> int:
        return self.counts["on_time"] + self.counts["late"]

    @property
    def rate(self) -> float | None:
        """Share of the reporters that filed (on time or late), in %."""
        return 100.0 * self.filed / self.reporters if self.reporters else None


def overview(rows: Iterable[Response], *, by: Callable[[Response], str | None]) -> list[Tally]:
    """The responses counted per group (``by`` gives a response's group; None: no group),
    the groups with the lowest response rate first."""
    groups: dict[str, Tally] = {}
    for r in rows:
        key = by(r) or ""
        tally = groups.setdefault(key, Tally(key))
        tally.reporters += 1
        tally.counts[r.kind] += 1
    return sorted(groups.values(), key=lambda t: (t.rate if t.rate is not None else 101, t.code))


# --- an enterprise's to-do ---------------------------------------------------------------------


@dataclass(frozen=True)
class ToDo:
    form_id: str
    period: str
    due: date
    opens: date
    """The first day it can be filed: the day after the period ends."""
    status: str
    """The filing's status, ``none`` when there is none."""
    state: str
    """``done`` (approved), ``waiting`` (submitted, in review), ``action`` (draft or returned:
    the filer must act), ``due`` (to file before the deadline), ``overdue`` (deadline passed,
    not submitted), ``upcoming`` (the period has not ended yet)."""
    filing_id: int | None


def todo(conn: Connection, *, actor: Actor, uscc: str, today: date | None = None) -> list[ToDo]:
    """What the enterprise has to report: per form, the latest period whose deadline passed
    and the next one (本期应报), plus earlier periods (up to ``TODO_BACK``) never submitted."""
    ent = registry.get_enterprise(conn, actor=actor, uscc=uscc)
    day = _today(today)
    items = []
    for form in sorted(all_forms(), key=lambda f: ("MQA".find(f.frequency), f.id)):
        if not getattr(ent, form.reporters, False):
            continue
        last = deadlines.last_due_period(conn, form_id=form.id, today=day)
        filed = {
            f.period: f
            for f in filings.list_filings(conn, actor=actor, form_id=form.id)
            if f.uscc == ent.uscc
        }
        for period in [shift(last, -k) for k in range(TODO_BACK, 0, -1)] + [last, shift(last, 1)]:
            item = _item(conn, form.id, period, filed.get(period), day)
            if period in (last, shift(last, 1)) or item.state in ("overdue", "action"):
                items.append(item)
    return items


def _item(
    conn: Connection, form_id: str, period: str, found: filings.Filing | None, day: date
) -> ToDo:
    due = deadlines.due_date(conn, form_id=form_id, period=period)
    opens = period_end(period) + timedelta(days=1)
    status = found.status.value if found else "none"
    if status == "approved":
        state = "done"
    elif status == "submitted":
        state = "waiting"
    elif status in ("draft", "returned"):
        state = "overdue" if day > due and found and found.first_submitted_at is None else "action"
    elif day > due:
        state = "overdue"
    else:
        state = "due" if day >= opens else "upcoming"
    return ToDo(form_id, period, due, opens, status, state, found.id if found else None)
