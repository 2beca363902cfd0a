"""Who may see, file, review, approve, maintain, release and administer: decided here only.

Every decision is a function of who acts — an ``Actor`` of the filing workflow or the
``Scope`` of a logged-in user, the same person seen by two layers — and, where it matters,
the enterprise concerned (anything ``Located``). Collection, the web layer and the CLI all ask
these functions; none decides by itself.

    decision        who                                          about
    may_see         ministry, admin; the others inside scope     an enterprise and its filings
    may_file        the enterprise itself; an admin              an enterprise
    may_review      its park, city and province; an admin        an enterprise's filing
    may_approve     as may_review (approve and return are the two outcomes of a review)
    may_follow_responses  park, city, province, ministry, admin  who filed, who did not
    may_maintain    park, city, province inside scope; admin     an enterprise's record
    may_release     ministry, admin                              a vintage
    may_set_deadlines  province, ministry, admin                 a form's period
    may_build_report  ministry, admin                            the annual report
    may_administer  admin                                        users, audit log, backups
    sees_all        ministry, admin                              every row of the store

``visible_where`` is ``may_see`` as an SQL condition over the enterprise columns; ``places``
the areas and parks a scope sees (what ``shumao.access`` turns into ``ref_area IN (…)``).
The ``require_*`` functions raise the bilingual refusal.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, false

from shumao.auth.actors import Actor, Located
from shumao.auth.roles import PUBLIC, Role
from shumao.auth.scope import Scope
from shumao.errors import NotAllowed, NotVisible
from shumao.reference import geo, parks

Who = Actor | Scope

SEES_ALL = frozenset({Role.MINISTRY, Role.ADMIN})
FILERS = frozenset({Role.ENTERPRISE, Role.ADMIN})
REVIEWERS = frozenset({Role.PARK, Role.CITY, Role.PROVINCE, Role.ADMIN})
MAINTAINERS = REVIEWERS
RELEASERS = frozenset({Role.MINISTRY, Role.ADMIN})
DEADLINE_SETTERS = frozenset({Role.PROVINCE, Role.MINISTRY, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
RESPONSE_READERS = REVIEWERS | SEES_ALL


def _role(who: Who) -> str:
    return who.role.value if isinstance(who, Actor) else who.role


def _code(who: Who) -> str:
    return who.scope if isinstance(who, Actor) else who.code


def _label(who: Who) -> str:
    return who.label if isinstance(who, Actor) else who.key


# --- decisions about roles alone ----------------------------------------------------------------


def sees_all(who: Who) -> bool:
    return _role(who) in SEES_ALL


def may_release(who: Who) -> bool:
    return _role(who) in RELEASERS


def may_set_deadlines(who: Who) -> bool:
    return _role(who) in DEADLINE_SETTERS


def may_build_report(who: Who) -> bool:
    return _role(who) in SEES_ALL


def may_administer(who: Who) -> bool:
    return _role(who) in ADMINS


def may_file_at_all(who: Who) -> bool:
    """Some enterprise exists this role may file for (menus, not decisions about one)."""
    return _role(who) in FILERS


def may_review_at_all(who: Who) -> bool:
    return _role(who) in REVIEWERS


def may_follow_responses(who: Who) -> bool:
    """Who filed and who did not (漏报 / 迟报): the reviewers, the ministry and admins."""
    return _role(who) in RESPONSE_READERS


# --- decisions about an enterprise --------------------------------------------------------------


def may_see(who: Who, ent: Located) -> bool:
    """``ent`` (and its filings) lies inside the scope of ``who``."""
    role, code = _role(who), _code(who)
    if role in SEES_ALL:
        return True
    found = (
        {
            Role.ENTERPRISE: ent.uscc,
            Role.PARK: ent.park_code,
            Role.CITY: ent.city_code,
            Role.PROVINCE: ent.province_code,
        }.get(Role(role))
        if role != PUBLIC
        else None
    )
    return found is not None and found == code


def may_file(who: Who, ent: Located) -> bool:
    return _role(who) == Role.ADMIN or (_role(who) == Role.ENTERPRISE and may_see(who, ent))


def may_review(who: Who, ent: Located) -> bool:
    return _role(who) in REVIEWERS and may_see(who, ent)


def may_approve(who: Who, ent: Located) -> bool:
    return may_review(who, ent)


def may_maintain(who: Who, ent: Located) -> bool:
    return _role(who) in MAINTAINERS and may_see(who, ent)


def visible_where(
    who: Who,
    *,
    uscc: ColumnElement[str],
    park_code: ColumnElement[str | None],
    city_code: ColumnElement[str | None],
    province_code: ColumnElement[str | None],
) -> ColumnElement[bool] | None:
    """``may_see`` as an SQL condition on the enterprise's columns; ``None``: every row."""
    role, code = _role(who), _code(who)
    if role in SEES_ALL:
        return None
    columns: dict[str, ColumnElement[Any]] = {
        Role.ENTERPRISE: uscc,
        Role.PARK: park_code,
        Role.CITY: city_code,
        Role.PROVINCE: province_code,
    }
    column = columns.get(role)
    return false() if column is None else column == code


def places(who: Who) -> frozenset[str] | None:
    """The ``ref_area`` codes of places ``who`` sees (its own code, the areas below it, the
    parks in it; not the enterprises); ``None``: everything."""
    role, code = _role(who), _code(who)
    if role in SEES_ALL:
        return None
    return frozenset() if role == PUBLIC else _places(role, code)


@lru_cache(maxsize=512)
def _places(role: str, code: str) -> frozenset[str]:
    if role in (Role.ENTERPRISE, Role.PARK):
        return frozenset({code})
    areas = {code, *_descendants(code)}
    key = "city_code" if role == Role.CITY else "province_code"
    in_area = {p.code for p in parks.parks() if getattr(p, key) == code}
    if role == Role.CITY:  # a municipality acting as a city holds its parks by province code
        in_area |= {p.code for p in parks.parks() if p.province_code == code}
    return frozenset(areas | in_area)


def _descendants(code: str) -> list[str]:
    out: list[str] = []
    for child in geo.children(code):
        out += [child.code, *_descendants(child.code)]
    return out


# --- refusals -----------------------------------------------------------------------------------


def require_see(who: Who, ent: Located, what: tuple[str, str] = ("填报", "filing")) -> None:
    """Out of scope is answered as not found, naming nobody (stepping ids must not list the
    enterprises)."""
    if not may_see(who, ent):
        raise NotVisible(*what)


def require_file(who: Who, ent: Located, zh: str = "", en: str = "") -> None:
    """``zh`` / ``en`` name what is refused (default: filing for the enterprise)."""
    if not may_file(who, ent):
        raise NotAllowed(
            f"{_label(who)} 不能{zh or f'为企业 {ent.uscc} 填报'} / "
            f"may not {en or f'file for {ent.uscc}'}"
        )


def require_review(who: Who, ent: Located) -> None:
    if not may_review(who, ent):
        raise NotAllowed(
            f"{_label(who)} 不是企业 {ent.uscc} 的审核人（审核人为所属基地、所在市和省）/ "
            f"is not a reviewer of {ent.uscc} (its park, city and province are)"
        )


def require_approve(who: Who, ent: Located) -> None:
    if not may_approve(who, ent):
        require_review(who, ent)


def require_set_deadlines(who: Who) -> None:
    if not may_set_deadlines(who):
        raise NotAllowed(f"{_label(who)} 不能设置报送期限 / may not set deadlines")


def require_follow_responses(who: Who) -> None:
    if not may_follow_responses(who):
        raise NotAllowed(
            "报送情况供审核与管理人员查看 / the response lists are for reviewers and statisticians"
        )


def require_maintain(who: Who, ent: Located) -> None:
    if not may_maintain(who, ent):
        raise NotAllowed(
            f"{_label(who)} 无权维护企业 {ent.uscc} 的信息 / may not maintain enterprise {ent.uscc}"
        )


def require_release(who: Who) -> None:
    if not may_release(who):
        raise NotAllowed(
            "只有商务部和系统管理员可以发布数据 / only the ministry and admins may release data"
        )


def require_administer(who: Who) -> None:
    if not may_administer(who):
        raise NotAllowed("只有系统管理员可以执行此操作 / administrators only")
