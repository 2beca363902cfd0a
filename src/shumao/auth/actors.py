"""Who acts: a name plus a role and the scope code the role applies to.

    role        scope code
    enterprise  the enterprise's USCC (统一社会信用代码, checked)
    park        a park code (DSEB05)
    city        a GB/T 2260 city code (a municipality, 直辖市, acts as a city too)
    province    a GB/T 2260 province code
    ministry    none
    admin       none

An ``Actor`` only says who is acting; what it may see and do is ``permissions``. A logged-in
user is a ``scope.Scope``, whose ``actor()`` is the filing workflow's view of the same user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from shumao.auth.roles import Role
from shumao.errors import NotAllowed, UnknownCode
from shumao.reference import geo, parks
from shumao.validation import uscc


class Located(Protocol):
    """What permission checks need to know about an enterprise."""

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
            raise NotAllowed(
                f"未知角色“{role}”（可用：{roles}）/ unknown role {role!r} (use {roles})"
            ) from None

    @property
    def label(self) -> str:
        scope = f":{self.scope}" if self.scope else ""
        return f"{self.name} ({self.role.value}{scope})"


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
        return _known(lambda: parks.lookup(scope).code, scope)
    return _area_scope(role, scope)


def _area_scope(role: Role, scope: str) -> str:
    area = _known(lambda: geo.lookup(scope).code, scope)
    level = geo.lookup(area).level
    municipality = level == "province" and all(c.level == "county" for c in geo.children(area))
    if role is Role.CITY and municipality:
        return area  # 直辖市 (Beijing, Tianjin, Shanghai, Chongqing) act as cities too
    if level != role.value:
        raise NotAllowed(
            f"{scope} 是 {level} 级代码，不能作为 {role.value} 范围 / "
            f"{scope} is a {level} code, not a {role.value} scope"
        )
    return area


def _known(get: Callable[[], str], scope: str) -> str:
    try:
        return get()
    except UnknownCode:
        raise NotAllowed(f"未知范围代码“{scope}” / unknown scope code {scope!r}") from None
