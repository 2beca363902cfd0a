"""``Scope``: the part of the data a user may see, as the ``ref_area`` codes inside it.

    enterprise  its USCC
    park        the park code (DSEB05) and the USCCs of the park's enterprises
    city        the city, its counties, the parks in it and the enterprises located in it
    province    the province, its cities and counties, its parks and enterprises
    ministry    everything (no condition)
    admin       everything (no condition)
    public      nothing inside; it sees only the public view (released, disclosure-controlled)

``area_codes`` is what ``access.read`` turns into the SQL condition ``series.ref_area IN (…)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection

from shumao.auth.roles import PUBLIC, ROLES, SEES_ALL
from shumao.collection import registry
from shumao.collection.actors import Actor, Role
from shumao.errors import NotAllowed
from shumao.reference import geo, parks


@dataclass(frozen=True)
class Scope:
    role: str
    code: str = ""
    username: str = ""

    def __post_init__(self) -> None:
        _known_role(self.role)

    @classmethod
    def public(cls) -> Scope:
        return cls(PUBLIC)

    @classmethod
    def of(cls, username: str, role: str, code: str = "") -> Scope:
        """A checked scope: the code must suit the role (``Actor`` checks it)."""
        _known_role(role)
        if role == PUBLIC:
            return cls.public()
        actor = Actor(username, Role(role), code)
        return cls(actor.role.value, actor.scope, username)

    @property
    def is_public(self) -> bool:
        return self.role == PUBLIC

    @property
    def sees_all(self) -> bool:
        return self.role in SEES_ALL

    @property
    def key(self) -> str:
        """A stable text for caches and logs: ``province:320000``, ``ministry``, ``public``."""
        return f"{self.role}:{self.code}" if self.code else self.role

    def actor(self) -> Actor:
        """The collection workflow's view of this user."""
        if self.is_public:
            raise NotAllowed("请先登录 / please log in")
        return Actor(self.username or self.role, Role(self.role), self.code)

    def area_codes(self, conn: Connection) -> frozenset[str] | None:
        """The ``ref_area`` codes inside the scope; ``None`` means every code."""
        if self.sees_all:
            return None
        if self.is_public:
            return frozenset()
        places = _places(self.role, self.code)
        usccs = {e.uscc for e in registry.list_enterprises(conn, actor=self.actor(),
                                                          include_inactive=True)}
        return frozenset(places | usccs)

    def covers(self, conn: Connection, code: str) -> bool:
        inside = self.area_codes(conn)
        return inside is None or code in inside


def _known_role(role: str) -> None:
    if role not in ROLES:
        raise NotAllowed(f"未知角色“{role}”（可用：{'、'.join(ROLES)}）/ unknown role {role!r} "
                         f"(use {', '.join(ROLES)})")


@lru_cache(maxsize=512)
def _places(role: str, code: str) -> frozenset[str]:
    """The scope's own code, the areas below it and the parks in it (no enterprises)."""
    if role == Role.ENTERPRISE:
        return frozenset({code})
    if role == Role.PARK:
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
