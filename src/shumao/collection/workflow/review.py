"""Reviewing a submitted filing: approve it (its accepted observations become a new vintage of
the form's dataflow, in the same transaction) or return it to the enterprise with a reason.
Another domain's form records its own data on approval (``on_approve``)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, update

from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.collection.forms import get_form
from shumao.collection.tables import filing, filing_transition
from shumao.collection.workflow import clock
from shumao.collection.workflow.filings import (
    Filing,
    Status,
    current,
    enterprise_of,
    load,
    require_status,
    transition,
)
from shumao.collection.workflow.vintage import write_vintage
from shumao.errors import NotAllowed

ApprovalHook = Callable[[Connection, Filing], None]
APPROVAL_HOOKS: dict[str, list[ApprovalHook]] = {}


def approve(
    conn: Connection,
    *,
    actor: Actor,
    filing_id: int,
    expected_version: int | None = None,
    note: str = "",
) -> Filing:
    """Approve a submitted filing: its values become a new vintage of the form's dataflow."""
    found = current(conn, actor, filing_id, expected_version)
    permissions.require_approve(actor, enterprise_of(conn, found.uscc))
    require_status(found, "approve")
    now = clock.now()
    claimed = transition(
        conn,
        found,
        action="approve",
        to=Status.APPROVED,
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=note,
        upload_id=found.current_upload_id,
        values={
            "approved_at": now,
            "revision": found.revision + 1,
            "approved_upload_id": found.current_upload_id,
        },
    )
    if get_form(found.form_id).stores_observations:
        vintage_id = write_vintage(conn, actor, claimed, note)
        conn.execute(update(filing).where(filing.c.id == found.id).values(vintage_id=vintage_id))
        conn.execute(
            update(filing_transition)
            .where(
                filing_transition.c.filing_id == found.id,
                filing_transition.c.action == "approve",
                filing_transition.c.filing_version == claimed.version,
            )
            .values(vintage_id=vintage_id)
        )
    for hook in APPROVAL_HOOKS.get(found.form_id, ()):
        hook(conn, claimed)
    return load(conn, found.id)


def on_approve(form_id: str, hook: ApprovalHook) -> None:
    """Run ``hook(conn, approved filing)`` in the approving transaction (a domain's records)."""
    hooks = APPROVAL_HOOKS.setdefault(form_id, [])
    if hook not in hooks:
        hooks.append(hook)


def return_filing(
    conn: Connection,
    *,
    actor: Actor,
    filing_id: int,
    reason: str,
    expected_version: int | None = None,
) -> Filing:
    """Return a submitted filing to the enterprise with a reason (required)."""
    if not reason or not reason.strip():
        raise NotAllowed("退回必须写明原因 / a return needs a reason")
    found = current(conn, actor, filing_id, expected_version)
    permissions.require_review(actor, enterprise_of(conn, found.uscc))
    require_status(found, "return")
    return transition(
        conn,
        found,
        action="return",
        to=Status.RETURNED,
        actor=actor,
        expected_version=expected_version,
        now=clock.now(),
        reason=reason.strip(),
        upload_id=found.current_upload_id,
    )
