"""Who acts: a name plus a role and the scope the role applies to.

Users and logins come later (the web layer maps a user onto an ``Actor``); the collection
services only need to know what the actor may see and do:

    role        scope                       sees / files / reviews
    enterprise  USCC of the enterprise      sees and files its own filings
    park        park code (DSEB05)          sees and reviews the enterprises of the park
    city        GB/T 2260 city code         ... of the city's counties and parks
    province    GB/T 2260 province code     ... of the province
    ministry    (none)                      sees everything, reviews nothing
    admin       (none)                      sees and does everything (operations)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from shumao.errors import NotAllowed, UnknownCode
from shumao.validation import uscc


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    PARK = "park"
    CITY = "city"
    PROVINCE = "province"
    MINISTRY = "ministry"
    ADMIN = "admin"


ROLE_NAMES = {
    Role.ENTERPRISE: "企业填报员",
    Role.PARK: "基地管理员",
    Role.CITY: "市级商务主管部门",
    Role.PROVINCE: "省级商务主管部门",
    Role.MINISTRY: "商务部",
    Role.ADMIN: "系统管理员",
}
REVIEWERS = frozenset({Role.PARK, Role.CITY, Role.PROVINCE, Role.ADMIN})


class Located(Protocol):
    """What scope checks need to know about an enterprise."""

    @property
    def uscc(self) -> str: ...
    @property
    def park_code(self) -> str | None: ...
    @property
    def city_code(self) -> str | None: ...
    @property
    def province_code(self) -> str | None: ...


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    scope: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "scope", _check_scope(self.role, self.scope.strip()))

    @classmethod
    def parse(cls, name: str, spec: str) -> Actor:
        """``Actor.parse("wang", "park:DSEB05")``; ``"admin"`` needs no scope."""
        role, _, scope = spec.partition(":")
        try:
            return cls(name, Role(role.strip().lower()), scope)
        except ValueError:
            roles = "/".join(r.value for r in Role)
            raise NotAllowed(f"未知角色“{role}”（可用：{roles}）/ unknown role {role!r} "
                             f"(use {roles})") from None

    @property
    def label(self) -> str:
        scope = f":{self.scope}" if self.scope else ""
        return f"{self.name} ({self.role.value}{scope})"

    def covers(self, ent: Located) -> bool:
        """True if ``ent`` lies inside this actor's scope."""
        match self.role:
            case Role.ADMIN | Role.MINISTRY:
                return True
            case Role.ENTERPRISE:
                return ent.uscc == self.scope
            case Role.PARK:
                return ent.park_code == self.scope
            case Role.CITY:
                return ent.city_code == self.scope
            case Role.PROVINCE:
                return ent.province_code == self.scope
        return False

    def can_file(self, ent: Located) -> bool:
        return self.role is Role.ADMIN or (self.role is Role.ENTERPRISE and self.covers(ent))

    def can_review(self, ent: Located) -> bool:
        return self.role in REVIEWERS and self.covers(ent)


def _check_scope(role: Role, scope: str) -> str:
    if role in (Role.ADMIN, Role.MINISTRY):
        return scope
    if not scope:
        raise NotAllowed(f"角色 {role.value} 需要范围代码 / role {role.value} needs a scope code")
    if role is Role.ENTERPRISE:
        reason = uscc.problem(scope.upper())
        if reason:
            raise NotAllowed(f"统一社会信用代码无效：{reason} / invalid USCC scope")
        return scope.upper()
    if role is Role.PARK:
        from shumao.reference import parks

        return _known(lambda: parks.lookup(scope).code, scope)
    return _area_scope(role, scope)


def _area_scope(role: Role, scope: str) -> str:
    from shumao.reference import geo

    area = _known(lambda: geo.lookup(scope).code, scope)
    level = geo.lookup(area).level
    municipality = level == "province" and all(c.level == "county" for c in geo.children(area))
    if role is Role.CITY and municipality:
        return area  # 直辖市 (Beijing, Tianjin, Shanghai, Chongqing) act as cities too
    if level != role.value:
        raise NotAllowed(f"{scope} 是 {level} 级代码，不能作为 {role.value} 范围 / "
                         f"{scope} is a {level} code, not a {role.value} scope")
    return area


def _known(get: Callable[[], str], scope: str) -> str:
    try:
        return get()
    except UnknownCode:
        raise NotAllowed(f"未知范围代码“{scope}” / unknown scope code {scope!r}") from None
