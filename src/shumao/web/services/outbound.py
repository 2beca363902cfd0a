"""The 对外投资 pages and API: the register, the world map of projects by host economy, each
economy's risk page, the data-export self-check. Names, not codes; one language per view."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.auth.actors import Actor
from shumao.auth.scope import Scope
from shumao.labels import pick
from shumao.outbound import aggregate, codes, risk, risk_rules, selfcheck, service
from shumao.reference import geo
from shumao.web import palette
from shumao.web.schemas import Chart, Series

SOURCE = (
    "对外投资备案报告（企业直报），经披露控制",
    "outbound investment register (direct reporting), disclosure-controlled",
)


def actor_of(scope: Scope) -> Actor | None:
    return None if scope.is_public else scope.actor()


def _name(code: str, lang: str) -> str:
    if code == aggregate.TOTAL:
        return pick("合计", "Total", lang)
    return service.economy_name(code, lang)


def cumulative(table: pl.DataFrame | None) -> pl.DataFrame:
    if table is None or table.is_empty():
        return pl.DataFrame(schema={"category": pl.String, "value": pl.Float64})
    return table.filter(pl.col("time_period") == aggregate.ALL)


def world_map(hosts: pl.DataFrame, lang: str) -> Chart:
    """Projects by host economy on the world map (hidden cells and economies without a
    project are grey; the legend says which)."""
    cells = cumulative(hosts).filter(pl.col("category") != aggregate.TOTAL)
    codes_ = cells["category"].to_list()
    values = [None if v is None else float(v) for v in cells["projects"].to_list()]
    hidden = sum(v is None for v in values)
    return Chart(
        id="outbound-map",
        kind="map",
        geo="world",
        unit=pick("个项目", "projects", lang),
        title=pick("在册项目的东道国分布", "Projects by host economy", lang),
        categories=[_name(c, lang) for c in codes_],
        codes=codes_,
        series=[Series(name=pick("项目数", "Projects", lang), code="projects", data=values)],
        links=[f"/outbound/economy/{c}" for c in codes_],
        source=pick(*SOURCE, lang),
        legend=pick(
            f"灰色：无在册项目，或项目少、为保护企业信息不公布（{hidden} 个经济体）",
            f"Grey: no project, or too few to publish without disclosing an enterprise "
            f"({hidden} economies)",
            lang,
        ),
        ramp=list(palette.MAP_RAMP),
    )


def overview(conn: Connection, *, scope: Scope, lang: str) -> dict[str, Any]:
    tables = service.tables(conn, actor=actor_of(scope))
    hosts = tables.get("host")
    total = cumulative(hosts).filter(pl.col("category") == aggregate.TOTAL)
    rows = {
        by: _named(cumulative(tables.get(by)), by, lang)
        for by in ("group", "area", "province_code")
    }
    years = tables.get("year", pl.DataFrame(schema={"category": pl.String}))
    return {
        "map": world_map(hosts, lang) if hosts is not None else None,
        "total": total.row(0, named=True) if total.height else None,
        "rows": rows,
        "years": years.sort("category").to_dicts(),
        "economies": economy_rows(conn, scope=scope, lang=lang),
        "source": pick(*SOURCE, lang),
    }


def _named(frame: pl.DataFrame, by: str, lang: str) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dicts():
        code = row["category"]
        if code == aggregate.TOTAL:
            row["name"] = pick("合计", "Total", lang)
        elif by == "area":
            row["name"] = codes.name("key_areas", code, lang)
        elif by == "province_code":
            row["name"] = geo.lookup(code).name_zh if lang == "zh" else geo.lookup(code).name_en
        else:
            row["name"] = _name(code, lang)
        out.append(row)
    return sorted(out, key=lambda r: (r["category"] == aggregate.TOTAL, -(r["value"] or -1)))


def economy_rows(conn: Connection, *, scope: Scope, lang: str) -> list[dict[str, Any]]:
    rows = service.economies(conn, actor=actor_of(scope))
    for r in rows:
        lv = risk_rules.level(r["level"])
        r |= {
            "name": _name(r["economy"], lang),
            "level_name": lv.name(lang),
            "colour": lv.colour,
            "why": _texts(risk.holding(r["reasons"]), lang),
            "unassessed": _texts(risk.unassessed(r["reasons"]), lang),
        }
    order = {lv.code: i for i, lv in enumerate(risk_rules.levels())}
    return sorted(rows, key=lambda r: (-order[r["level"]], r["name"]))


def _texts(reasons: list[dict[str, Any]], lang: str) -> list[str]:
    return [x["zh" if lang == "zh" else "en"] for x in reasons]


def projects(conn: Connection, *, scope: Scope, lang: str) -> list[dict[str, Any]]:
    frame = service.projects(conn, actor=actor_of(scope))
    out = []
    for r in frame.to_dicts():
        r |= {
            "host_name": _name(r["host"], lang),
            "area_name": codes.name("key_areas", r["area"], lang),
            "mode_name": codes.name("modes", r["mode"], lang),
            "stage_name": codes.name("stages", r["stage"], lang),
            "risk_name": service.level_name(r["risk"], lang),
            "check": _check_text(r, lang),
            "colour": risk_rules.level(r["risk"]).colour,
        }
        out.append(r)
    return out


def _check_text(row: dict[str, Any], lang: str) -> str:
    if not row.get("check_route"):
        return pick("未自查", "not checked", lang)
    rules = selfcheck.rule_set(on=row["check_on"])
    route = rules.routes[row["check_route"]][0 if lang == "zh" else 1]
    return f"{route}（{row['check_article']}）"


def own_projects(conn: Connection, *, scope: Scope, lang: str) -> list[dict[str, Any]]:
    """An enterprise's projects, to store a self-check with (nobody else stores one)."""
    if scope.role != "enterprise":
        return []
    return [
        {"key": f"{p['uscc']}/{p['project_no']}", "name": f"{p['name']}（{p['host_name']}）"}
        for p in projects(conn, scope=scope, lang=lang)
    ]


def economy(conn: Connection, *, scope: Scope, code: str, lang: str) -> dict[str, Any]:
    doc = service.economy(conn, actor=actor_of(scope), code=code)
    level = risk_rules.level(doc["level"]) if doc["level"] else None
    types = risk_rules.rule_types()
    mine = doc.pop("projects")
    doc |= {
        "name": _name(doc["economy"], lang),
        "level_name": service.level_name(doc["level"], lang),
        "colour": level.colour if level else palette.NO_DATA,
        "why": _texts(risk.holding(doc["reasons"]), lang),
        "unassessed": _texts(risk.unassessed(doc["reasons"]), lang),
        "projects": [] if mine is None else mine.to_dicts(),
        "levels": [(lv.name(lang), lv.min) for lv in risk_rules.levels()],
    }
    for e in doc["tracker"]:
        e["type_name"] = pick(*types[e["rule_type"]], lang)
        e["economy_name"] = _name(e["economy"], lang)
        e["title"] = e["title_zh"] if lang == "zh" else e["title_en"]
    return doc


def questionnaire(lang: str, on: date | None = None) -> dict[str, Any]:
    rules = selfcheck.rule_set(on=on)
    return {
        "rules": rules,
        "questions": [
            {
                "id": q.id,
                "kind": q.kind,
                "text": q.zh if lang == "zh" else q.en,
                "choices": [(c, zh if lang == "zh" else en) for c, zh, en in q.choices],
            }
            for q in rules.questions
        ],
    }


def answer_view(got: selfcheck.Answer, lang: str) -> dict[str, Any]:
    zh = lang == "zh"
    return {
        "route": got.route,
        "route_name": got.route_zh if zh else got.route_en,
        "article": got.article,
        "reason": got.reason_zh if zh else got.reason_en,
        "title": got.title_zh if zh else got.title_en,
        "rule_set": got.rule_set,
        "effective": got.effective.isoformat(),
        "answers": got.answers,
    }
