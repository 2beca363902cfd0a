"""``audit.record_by``: what a ``Scope`` did is logged with its username, role and scope code."""

from __future__ import annotations

from sqlalchemy import Engine

from shumao.auth import audit
from shumao.auth.scope import Scope


def test_record_by_logs_who_the_scope_is(engine: Engine) -> None:
    province = Scope.of("js-reviewer", "province", "320000")
    with engine.begin() as conn:
        audit.record_by(
            conn,
            province,
            action="release.notes",
            target="17",
            ip="127.0.0.1",
            detail={"chars_zh": 12},
        )
        audit.record_by(conn, Scope("admin"), action="backup", target="store.db", ok=False)
    with engine.connect() as conn:
        entries, total = audit.browse(conn)
    assert total == 2
    failed, notes = entries  # newest first
    assert (notes.username, notes.role, notes.scope) == ("js-reviewer", "province", "320000")
    assert (notes.action, notes.target, notes.ok) == ("release.notes", "17", True)
    assert (notes.ip, notes.detail) == ("127.0.0.1", {"chars_zh": 12})
    assert (failed.username, failed.role, failed.scope) == ("", "admin", "")
    assert (failed.action, failed.target, failed.ok, failed.detail) == (
        "backup",
        "store.db",
        False,
        None,
    )


def test_record_by_logs_the_same_row_as_record(engine: Engine) -> None:
    city = Scope.of("nj", "city", "320100")
    with engine.begin() as conn:
        audit.record_by(conn, city, action="download", target="ENT_DDS csv", ip="::1")
        audit.record(
            conn,
            action="download",
            username="nj",
            role="city",
            scope="320100",
            target="ENT_DDS csv",
            ip="::1",
        )
    with engine.connect() as conn:
        by, plain = audit.browse(conn)[0]

    def fields(e: audit.Entry) -> tuple[object, ...]:
        return (e.username, e.role, e.scope, e.action, e.target, e.ok, e.ip, e.detail)

    assert (
        fields(by)
        == fields(plain)
        == ("nj", "city", "320100", "download", "ENT_DDS csv", True, "::1", None)
    )
