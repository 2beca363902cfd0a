"""The 出口基地 routes of the authorization matrix (``test_matrix``): the Jiangsu roles' own base
is DSEB05 (中国（南京）软件谷), the other DSEB06 (杭州滨江)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.auth.scope import Scope
from shumao.bases import counting, demo, registry, roster
from shumao.collection import registry as ent_registry
from shumao.web.demo import ENTERPRISES

ROOT = Path(__file__).resolve().parents[2]
INSIDE_JIANGSU = {"park", "city", "province", "ministry", "admin"}
SEES_ALL = {"ministry", "admin"}


def bases_cases(case: type, everyone: set[str]) -> list[object]:
    public = (
        "/bases",
        "/api/bases",
        "/api/bases/ranking",
        "/api/bases/ranking?kind=output",
        "/bases/DSEB05",
        "/bases/DSEB06",
    )
    scoped = (
        "/api/bases/{b}",
        "/api/bases/{b}/rereview",
        "/api/bases/{b}/enterprises?year=2025",
        "/bases/{b}/enterprises?year=2025",
        "/bases/{b}/evaluation.docx",
        "/bases/{b}/evaluation.xlsx",
        "/bases/{b}/rereview.docx",
        "/bases/{b}/rereview.xlsx",
    )
    return [
        *(case("GET", p, everyone) for p in public),
        *(case("GET", p.format(b="DSEB05"), INSIDE_JIANGSU) for p in scoped),
        *(case("GET", p.format(b="DSEB06"), SEES_ALL) for p in scoped),
        case("GET", "/bases/linkage", INSIDE_JIANGSU),
        case("GET", "/api/bases/linkage/queue", INSIDE_JIANGSU),
        case("GET", "/bases/review", SEES_ALL),
    ]


def link_demo_roster(conn: Connection) -> None:
    """The first batch, the demo's enterprises and its service-outsourcing roster, linked and
    counted for DSEB05 in the demo's year: rows in the linkage review queue."""
    ministry = Scope.of("mofcom", "ministry")
    registry.seed_first_batch(conn)
    for ent in ENTERPRISES:
        ent_registry.save_enterprise(
            conn,
            actor=Actor("t", Role.ADMIN),
            source="test",
            record=ent_registry.EnterpriseRecord(uscc=ent.uscc, name=ent.name, park_code=ent.park),
        )
    roster.import_roster(conn, scope=ministry, path=ROOT / "demo" / "data" / "bases" / demo.FILE)
    counting.run(conn, scope=ministry, base_code="DSEB05", year=demo.YEAR)
