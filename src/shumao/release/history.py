"""What has been released: the read side of ``releases`` (which vintages are public, and
since which release), kept apart so that the public view, the notes and the calendar can ask
without importing the module that makes releases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from shumao.errors import StoreError
from shumao.release.tables import data_release
from shumao.storage.dataflows import get_dataflow
from shumao.storage.tables import vintage


@dataclass(frozen=True)
class Release:
    id: int
    dataflow_id: str
    vintage_id: int
    released_at: datetime
    released_by: str
    note: str
    disclosure: dict[str, Any] | None = None
    """The disclosure-control rule set applied to the cells this release published, and how
    each table went (``publish.disclosure_record``); None for tables published as they are."""

    @property
    def rules(self) -> dict[str, Any] | None:
        """The rule set (name and parameters) that protected the published cells."""
        return (self.disclosure or {}).get("rules")


def _release(row: object) -> Release:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    if data["released_at"].tzinfo is None:
        data["released_at"] = data["released_at"].replace(tzinfo=UTC)
    return Release(**data)


def list_releases(conn: Connection, dataflow_id: str | None = None) -> list[Release]:
    stmt = select(data_release).order_by(data_release.c.id.desc())
    if dataflow_id:
        stmt = stmt.where(data_release.c.dataflow_id == get_dataflow(dataflow_id).id)
    return [_release(r) for r in conn.execute(stmt)]


def released_vintages(conn: Connection, dataflow_id: str) -> list[int]:
    stmt = (
        select(data_release.c.vintage_id)
        .where(data_release.c.dataflow_id == dataflow_id)
        .distinct()
        .order_by(data_release.c.vintage_id)
    )
    return [int(v) for v in conn.execute(stmt).scalars()]


def release_of(conn: Connection, dataflow_id: str, vintage_id: int) -> int:
    """The first release of a vintage (the one holding its published cells)."""
    found = conn.execute(
        select(func.min(data_release.c.id)).where(
            data_release.c.dataflow_id == dataflow_id, data_release.c.vintage_id == vintage_id
        )
    ).scalar()
    if found is None:
        raise StoreError(f"版本 {vintage_id} 未发布 / vintage {vintage_id} is not released")
    return int(found)


def public_as_of(conn: Connection, dataflow_id: str, as_of: int | None = None) -> int | None:
    """The released vintage the public reads: the newest one, or the newest at or before
    ``as_of``; ``None`` when nothing (so far) is released."""
    released = released_vintages(conn, dataflow_id)
    if as_of is not None:
        released = [v for v in released if v <= as_of]
    return released[-1] if released else None


def state_token(conn: Connection) -> tuple[int, int]:
    """(newest vintage id, newest release id): changes whenever any view may change."""
    newest_vintage = conn.execute(select(func.coalesce(func.max(vintage.c.id), 0))).scalar_one()
    newest_release = conn.execute(
        select(func.coalesce(func.max(data_release.c.id), 0))
    ).scalar_one()
    return int(newest_vintage), int(newest_release)
