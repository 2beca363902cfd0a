"""``Scope``: a logged-in user (or the public) as the read path and the web layer see it.

    enterprise  its USCC
    park        the park code (DSEB05) and the USCCs of the park's enterprises
    city        the city, its counties, the parks in it and the enterprises located in it
    province    the province, its cities and counties, its parks and enterprises
    ministry    everything (no condition)
    admin       everything (no condition)
    public      nothing inside; it sees only the public view (released, disclosure-controlled)

What a scope may see and do is decided in ``permissions``; ``shumao.access`` turns it into the
SQL condition ``series.ref_area IN (…)`` of every read.
"""

from __future__ import annotations

from dataclasses import dataclass

from shumao.auth.actors import Actor
from shumao.auth.roles import PUBLIC, ROLES, Role
from shumao.errors import NotAllowed


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
    def key(self) -> str:
        """A stable text for caches and logs: ``province:320000``, ``ministry``, ``public``."""
        return f"{self.role}:{self.code}" if self.code else self.role

    def actor(self) -> Actor:
        """The collection workflow's view of this user."""
        if self.is_public:
            raise NotAllowed("请先登录 / please log in")
        return Actor(self.username or self.role, Role(self.role), self.code)


def _known_role(role: str) -> None:
    if role not in ROLES:
        raise NotAllowed(
            f"未知角色“{role}”（可用：{'、'.join(ROLES)}）/ unknown role {role!r} "
            f"(use {', '.join(ROLES)})"
        )
