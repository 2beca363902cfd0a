"""The roles of the platform and what each may do (the scope of each is in ``scope.py``).

    role        名称              sees                              may also
    public      公众（未登录）    released data, disclosure-controlled
    enterprise  企业填报员        its own enterprise (USCC)          file
    park        基地管理员        the park and its enterprises       review
    city        市级商务主管部门  the city, its counties, parks …    review
    province    省级商务主管部门  the province and everything in it  review
    ministry    商务部            everything                         release data
    admin       系统管理员        everything                         users, audit, backups, release

Roles other than ``public`` are ``shumao.collection.actors.Role``: the filing workflow and the
web share one vocabulary.
"""

from __future__ import annotations

from shumao.collection.actors import REVIEWERS, Role

PUBLIC = "public"
ROLES: tuple[str, ...] = (PUBLIC, *(r.value for r in Role))
"""Every role, the public first."""

ROLE_TEXT: dict[str, tuple[str, str]] = {
    PUBLIC: ("公众（未登录）", "public (not logged in)"),
    Role.ENTERPRISE: ("企业填报员", "enterprise filer"),
    Role.PARK: ("基地管理员", "park reviewer"),
    Role.CITY: ("市级商务主管部门", "city statistician"),
    Role.PROVINCE: ("省级商务主管部门", "province statistician"),
    Role.MINISTRY: ("商务部服贸司", "ministry analyst"),
    Role.ADMIN: ("系统管理员", "administrator"),
}

FILERS = frozenset({Role.ENTERPRISE.value, Role.ADMIN.value})
REVIEWER_ROLES = frozenset(r.value for r in REVIEWERS)
RELEASERS = frozenset({Role.MINISTRY.value, Role.ADMIN.value})
ADMINS = frozenset({Role.ADMIN.value})
SEES_ALL = frozenset({Role.MINISTRY.value, Role.ADMIN.value})
SCOPED = frozenset({Role.ENTERPRISE.value, Role.PARK.value, Role.CITY.value, Role.PROVINCE.value})


def role_text(role: str, lang: str = "zh") -> str:
    zh, en = ROLE_TEXT.get(role, (role, role))
    return en if lang == "en" else zh


def can_file(role: str) -> bool:
    return role in FILERS


def can_review(role: str) -> bool:
    return role in REVIEWER_ROLES


def can_release(role: str) -> bool:
    return role in RELEASERS


def is_admin(role: str) -> bool:
    return role in ADMINS
