"""Who may see and do what with a base, on the platform's one scope model (``auth.scope``).

    see a base's evaluation, applications,      ministry, admin: every base; province and
    rosters and linkage                          city: the bases in their area
                                                 (``access.covers`` the base's city); park:
                                                 its own base
    prepare an application or a re-review        the same scopes, roles park, province, admin
    import a roster, run the linkage, decide     the same scopes, roles park, province,
    linkage pairs                                ministry (which runs the outsourcing
                                                 statistics), admin
    decide an application (items, verdict,       ministry, admin (商务部 organises the review)
    override) and record a base's status

The public and enterprises see the registry (names, status, the published ranking) only.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection

from shumao.access import covers
from shumao.auth import audit
from shumao.auth.permissions import sees_all
from shumao.auth.scope import Scope
from shumao.errors import NotAllowed

PREPARERS = frozenset({"park", "province", "admin"})
DECIDERS = frozenset({"ministry", "admin"})
LINKERS = PREPARERS | DECIDERS
INSIDE = frozenset({"park", "city", "province", "ministry", "admin"})

audit.ACTIONS.update(
    {
        "base.add": ("新增出口基地", "add export base"),
        "base.status": ("基地状态变更", "change base status"),
        "base.application": ("基地申报材料", "base application"),
        "base.decide": ("基地评审决定", "base review decision"),
        "base.roster": ("导入服务外包名录", "import outsourcing roster"),
        "base.link": ("企业匹配", "record linkage"),
        "base.link_decision": ("匹配复核", "linkage review decision"),
    }
)


def may_see(conn: Connection, scope: Scope, code: str, city_code: str) -> bool:
    if sees_all(scope):
        return True
    if scope.role == "park":
        return scope.code == code
    if scope.role in ("city", "province"):
        return covers(conn, scope, city_code) or covers(conn, scope, code)
    return False


def require_see(conn: Connection, scope: Scope, code: str, city_code: str) -> None:
    if scope.role not in INSIDE or not may_see(conn, scope, code, city_code):
        raise NotAllowed(
            f"无权查看基地 {code} 的评审材料 / you may not see the review files of base {code}"
        )


def require_prepare(conn: Connection, scope: Scope, code: str, city_code: str) -> None:
    if scope.role not in PREPARERS or not may_see(conn, scope, code, city_code):
        raise NotAllowed(
            f"只有基地本身、所在省级商务主管部门或系统管理员可以准备基地 {code} 的材料 / "
            f"only the base, its province or an administrator may prepare the files "
            f"of base {code}"
        )


def require_link(conn: Connection, scope: Scope, code: str, city_code: str) -> None:
    if scope.role not in LINKERS or not may_see(conn, scope, code, city_code):
        raise NotAllowed(
            f"无权为基地 {code} 导入名录或匹配企业 / you may not import rosters or "
            f"link enterprises for base {code}"
        )


def require_decide(scope: Scope) -> None:
    if scope.role not in DECIDERS:
        raise NotAllowed(
            "只有商务部（或系统管理员）可以作出评审决定、变更基地状态 / only the "
            "ministry (or an administrator) decides reviews and base status"
        )


def record(
    conn: Connection,
    scope: Scope,
    action: str,
    target: str,
    detail: dict[str, object] | None = None,
) -> None:
    named = scope if scope.username else replace(scope, username=scope.role)  # by its role
    audit.record_by(conn, named, action=action, target=target, detail=detail)
