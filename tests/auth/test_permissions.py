"""Who may see, file, review, approve, maintain, release and administer: one table of
decisions (``auth.permissions``), the same for the filing workflow's ``Actor`` and the web's
``Scope`` of the same person, and the same in Python and in SQL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select

from shumao.auth import permissions as perm
from shumao.auth.actors import Actor
from shumao.auth.roles import PUBLIC, ROLES, Role
from shumao.auth.scope import Scope
from shumao.errors import NotAllowed, NotVisible
from shumao.validation import uscc


@dataclass(frozen=True)
class Ent:
    uscc: str
    park_code: str | None
    city_code: str | None
    province_code: str | None


NANJING = Ent(uscc.make("91320114MA1PRM000"), "DSEB05", "320100", "320000")
"""An enterprise of 中国（南京）软件谷, 南京市, 江苏省."""
SUZHOU = Ent(uscc.make("91320505MA1PRM001"), None, "320500", "320000")
"""江苏省 too, outside the park and the city."""
HANGZHOU = Ent(uscc.make("91330106MA1PRM002"), "DSEB06", "330100", "330000")

SCOPES = {
    "enterprise": NANJING.uscc,
    "park": "DSEB05",
    "city": "320100",
    "province": "320000",
    "ministry": "",
    "admin": "",
}

# role → (see, file, review, approve, maintain) for NANJING, SUZHOU, HANGZHOU
ABOUT = {
    "enterprise": [(1, 1, 0, 0, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)],
    "park": [(1, 0, 1, 1, 1), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)],
    "city": [(1, 0, 1, 1, 1), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)],
    "province": [(1, 0, 1, 1, 1), (1, 0, 1, 1, 1), (0, 0, 0, 0, 0)],
    "ministry": [(1, 0, 0, 0, 0), (1, 0, 0, 0, 0), (1, 0, 0, 0, 0)],
    "admin": [(1, 1, 1, 1, 1), (1, 1, 1, 1, 1), (1, 1, 1, 1, 1)],
    "public": [(0, 0, 0, 0, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)],
}
# role → (sees all, release, set deadlines, build the report, administer, follow responses)
ROLE_ONLY = {
    "enterprise": (0, 0, 0, 0, 0, 0),
    "park": (0, 0, 0, 0, 0, 1),
    "city": (0, 0, 0, 0, 0, 1),
    "province": (0, 0, 1, 0, 0, 1),
    "ministry": (1, 1, 1, 1, 0, 1),
    "admin": (1, 1, 1, 1, 1, 1),
    "public": (0, 0, 0, 0, 0, 0),
}


def _scope(role: str) -> Scope:
    return Scope.public() if role == PUBLIC else Scope(role, SCOPES[role], f"u-{role}")


def _about(who: perm.Who, ent: Ent) -> tuple[int, ...]:
    return tuple(
        int(f(who, ent))
        for f in (perm.may_see, perm.may_file, perm.may_review, perm.may_approve, perm.may_maintain)
    )


def _role_only(who: perm.Who) -> tuple[int, ...]:
    return tuple(
        int(f(who))
        for f in (
            perm.sees_all,
            perm.may_release,
            perm.may_set_deadlines,
            perm.may_build_report,
            perm.may_administer,
            perm.may_follow_responses,
        )
    )


def test_every_role_is_in_the_decision_table() -> None:
    assert set(ABOUT) == set(ROLE_ONLY) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_the_decisions_about_an_enterprise(role: str) -> None:
    scope = _scope(role)
    assert [_about(scope, e) for e in (NANJING, SUZHOU, HANGZHOU)] == ABOUT[role]
    assert _role_only(scope) == ROLE_ONLY[role]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_filing_workflow_and_the_web_decide_alike(role: str) -> None:
    """``Scope.actor()`` is the same person to the workflow: every answer is the same."""
    scope = _scope(role)
    actor = scope.actor()
    assert isinstance(actor, Actor) and actor.role is Role(role)
    for ent in (NANJING, SUZHOU, HANGZHOU):
        assert _about(actor, ent) == _about(scope, ent)
    assert _role_only(actor) == _role_only(scope)
    assert perm.places(actor) == perm.places(scope)


@pytest.mark.parametrize("role", ROLES)
def test_the_sql_condition_selects_what_may_see_allows(role: str) -> None:
    """``visible_where`` (the registry's listing) and ``may_see`` (one enterprise) agree, on a
    real database."""
    meta = MetaData()
    table = Table(
        "ent",
        meta,
        Column("uscc", String),
        Column("park_code", String),
        Column("city_code", String),
        Column("province_code", String),
    )
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    ents = (NANJING, SUZHOU, HANGZHOU)
    with engine.begin() as conn:
        conn.execute(insert(table), [vars(e) for e in ents])
        cond = perm.visible_where(
            _scope(role),
            uscc=table.c.uscc,
            park_code=table.c.park_code,
            city_code=table.c.city_code,
            province_code=table.c.province_code,
        )
        stmt = select(table.c.uscc) if cond is None else select(table.c.uscc).where(cond)
        listed = set(conn.execute(stmt).scalars())
    engine.dispose()
    assert listed == {e.uscc for e in ents if perm.may_see(_scope(role), e)}


def test_the_places_a_scope_sees() -> None:
    province = perm.places(_scope("province"))
    city = perm.places(_scope("city"))
    assert province is not None and city is not None
    assert {"320000", "320100", "320114", "320505", "DSEB05"} <= province
    assert "330000" not in province and "DSEB06" not in province
    assert {"320100", "320114", "DSEB05"} <= city and "320500" not in city
    assert perm.places(_scope("park")) == frozenset({"DSEB05"})
    assert perm.places(_scope("enterprise")) == frozenset({NANJING.uscc})
    assert perm.places(_scope("ministry")) is None and perm.places(_scope("admin")) is None
    assert perm.places(Scope.public()) == frozenset()
    shanghai = perm.places(Scope("city", "310000", "u-sh"))  # a 直辖市 acting as a city
    assert shanghai is not None and "DSEB04" in shanghai


def test_the_refusals_say_who_and_what() -> None:
    park = _scope("park")
    with pytest.raises(NotVisible):
        perm.require_see(park, HANGZHOU)
    with pytest.raises(NotAllowed, match="is not a reviewer of " + HANGZHOU.uscc):
        perm.require_approve(park, HANGZHOU)
    with pytest.raises(NotAllowed, match=f"不能为企业 {NANJING.uscc} 填报 / may not file for"):
        perm.require_file(park, NANJING)
    with pytest.raises(NotAllowed, match="may not submit for"):
        perm.require_file(
            park, NANJING, f"提交企业 {NANJING.uscc} 的填报", f"submit for {NANJING.uscc}"
        )
    with pytest.raises(NotAllowed, match="only the ministry and admins may release"):
        perm.require_release(_scope("province"))
    with pytest.raises(NotAllowed, match="may not set deadlines"):
        perm.require_set_deadlines(_scope("city"))
    with pytest.raises(NotAllowed, match="for reviewers and statisticians"):
        perm.require_follow_responses(_scope("enterprise"))
    with pytest.raises(NotAllowed, match="administrators only"):
        perm.require_administer(_scope("ministry"))
    perm.require_approve(_scope("city"), NANJING)
    perm.require_release(_scope("ministry"))
