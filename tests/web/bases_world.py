"""The 出口基地 routes of the authorization matrix (``test_matrix``): the Jiangsu roles' own base
is DSEB05 (中国（南京）软件谷), the other DSEB06 (杭州滨江)."""

from __future__ import annotations

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
