"""The roles of the platform: one vocabulary, one name each, used by every package.

    role        名称              English                  sees
    public      公众（未登录）    public (not logged in)   released data, disclosure-controlled
    enterprise  企业填报员        enterprise filer         its own enterprise (USCC)
    park        基地管理员        park reviewer            the park and its enterprises
    city        市级商务主管部门  city statistician        the city, its counties, parks …
    province    省级商务主管部门  province statistician    the province and everything in it
    ministry    商务部服贸司      ministry analyst         everything
    admin       系统管理员        administrator            everything

What each role may do is decided in ``permissions.py``; what part of the data it sees in
``scope.py``.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The roles a user (or an ``Actor`` of the filing workflow) can hold; the public is none."""

    ENTERPRISE = "enterprise"
    PARK = "park"
    CITY = "city"
    PROVINCE = "province"
    MINISTRY = "ministry"
    ADMIN = "admin"


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
"""role → (Chinese, English) name, the only place a role is named."""


def role_text(role: str, lang: str = "zh") -> str:
    zh, en = ROLE_TEXT.get(role, (role, role))
    return en if lang == "en" else zh
