"""禁发 / embargo: who may see a scheduled release's figures before its minute, and what.

Until the worker releases it, a calendar entry's vintage is not public: the public reads only
released vintages (``public``), so nothing of it reaches a page, the API, SDMX, a download, a
snapshot or a cache key. Before the minute the figures are visible to the roles that prepare
releases (``permissions.may_release``: the ministry and admins) and to the users the entry
names on its embargo list; ``preview`` is what they see — what the public will see at the
minute — and each look is audited (``release.embargo``).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.auth import audit, permissions
from shumao.auth.scope import Scope
from shumao.errors import NotVisible
from shumao.release import calendar, public
from shumao.release.calendar import Entry


def may_see(scope: Scope, entry: Entry) -> bool:
    """Before the minute: the preparing roles and the embargo list; afterwards everybody."""
    if not entry.upcoming:
        return True
    return permissions.may_release(scope) or (
        not scope.is_public and scope.username in entry.embargo
    )


def require_see(scope: Scope, entry: Entry) -> None:
    """Out of the embargo is answered as not found (404), as for an entry nobody made."""
    if not may_see(scope, entry):
        raise NotVisible("禁发数据", "embargoed release")


def preview(conn: Connection, *, scope: Scope, entry_id: int, ip: str = "") -> pl.DataFrame:
    """What the public will read of the entry's dataflow at the minute (audited)."""
    entry = calendar.get(conn, entry_id)
    require_see(scope, entry)
    if entry.kind not in calendar.HOLDS_VINTAGE:
        raise NotVisible("禁发数据", "embargoed release")
    held = calendar.held_vintage(conn, entry)  # an index scheduled before its build: the newest
    record_look(conn, scope=scope, entry=entry, ip=ip, detail={"vintage": held})
    return public.prospective(conn, entry.subject, held)


def record_look(
    conn: Connection, *, scope: Scope, entry: Entry, ip: str, detail: dict[str, Any]
) -> None:
    """One look at an entry before its minute, in the audit log (``release.embargo``)."""
    audit.record_by(
        conn,
        scope,
        action="release.embargo",
        target=f"calendar#{entry.id}",
        ip=ip,
        detail=detail,
    )
