"""What the CLI and the web ask of the outbound package: keyword-only, scoped by an ``Actor``.

An enterprise reads its own projects, a province (city, park) its enterprises', the ministry
all; the public reads only the disclosure-controlled aggregates, the risk levels and the
tracker's public rules. Exposure reasons (shares of the register) are shown to the ministry
only: for anyone else they would describe other enterprises' investments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select

from shumao.auth.actors import Actor
from shumao.auth.permissions import may_see, sees_all
from shumao.auth.roles import Role
from shumao.collection import registry
from shumao.errors import NotAllowed, NotVisible, UnknownCode
from shumao.outbound import aggregate, register, risk, risk_rules, selfcheck
from shumao.outbound import tables as t
from shumao.policy import foreign
from shumao.reference import countries, groupings

PRIVATE_REASONS = ("exposure-concentrated",)


def economy_name(code: str, lang: str = "zh") -> str:
    try:
        c = countries.lookup(code)
        return c.name_zh if lang == "zh" else c.name_en
    except UnknownCode:
        try:
            g = groupings.lookup_group(code)
            return g.name_zh if lang == "zh" else g.name_en
        except UnknownCode:
            return code


def projects(conn: Connection, *, actor: Actor | None) -> pl.DataFrame:
    """The current register in the actor's scope, each project with its host's level."""
    if actor is None:
        raise NotAllowed("请先登录 / please log in")
    frame = register.current(conn, actor=actor)
    levels = {k: v["level"] for k, v in risk.latest(conn).items()}
    frame = frame.with_columns(
        pl.col("host").replace_strict(levels, default="low", return_dtype=pl.String).alias("risk")
    )
    return frame.join(_latest_checks(conn), on=["uscc", "project_no"], how="left")


def _latest_checks(conn: Connection) -> pl.DataFrame:
    """Each project's newest self-check: route, article, the day whose rules it used."""
    s = t.selfcheck.c
    rows = conn.execute(
        select(s.uscc, s.project_no, s.route, s.article, s.on_day).order_by(s.id)
    ).all()
    latest = {(r.uscc, r.project_no): (r.route, r.article, r.on_day) for r in rows}
    return pl.DataFrame(
        [(u, p, *v) for (u, p), v in latest.items()],
        orient="row",
        schema={
            "uscc": pl.String,
            "project_no": pl.String,
            "check_route": pl.String,
            "check_article": pl.String,
            "check_on": pl.Date,
        },
    )


def _reasons(row: dict[str, Any] | None, actor: Actor | None) -> list[dict[str, Any]]:
    reasons = list(row["reasons"]) if row else []
    if actor is None or not sees_all(actor):
        reasons = [r for r in reasons if r["code"] not in PRIVATE_REASONS]
    return reasons


def economies(conn: Connection, *, actor: Actor | None) -> list[dict[str, Any]]:
    """Every assessed economy: level, score and reasons (newest assessment)."""
    return [
        {
            "economy": code,
            "level": row["level"],
            "score": row["score"],
            "reasons": _reasons(row, actor),
            "computed_at": row["computed_at"],
        }
        for code, row in sorted(risk.latest(conn).items())
    ]


def economy(
    conn: Connection, *, actor: Actor | None, code: str, day: date | None = None
) -> dict[str, Any]:
    """One economy's risk page: its level with the reasons, the tracker entries that apply to
    it (in force or not on ``day``), and the projects there the actor may see."""
    try:
        iso3 = countries.lookup(code).iso3
    except UnknownCode:
        raise NotVisible("经济体", "economy") from None
    day = day or date.today()
    row = risk.latest(conn).get(iso3)
    groups = [g.code for g in groupings.groups() if iso3 in groupings.members(g.code, day)]
    entries = foreign.entries(conn, economies=[iso3, *groups])
    for e in entries:
        e["in_force"] = foreign.in_force(e, day)
    mine = projects(conn, actor=actor).filter(pl.col("host") == iso3) if actor else None
    return {
        "economy": iso3,
        "level": row["level"] if row else None,
        "score": row["score"] if row else None,
        "reasons": _reasons(row, actor),
        "computed_at": row["computed_at"] if row else None,
        "tracker": entries,
        "projects": mine,
        "day": day,
    }


def tables(conn: Connection, *, actor: Actor | None) -> dict[str, pl.DataFrame]:
    """The aggregates: protected for every role; the hidden values kept for the ministry."""
    current = register.current(conn, actor=Actor("aggregate", Role.MINISTRY))
    out = aggregate.tables(current) if current.height else {}
    if actor is not None and sees_all(actor):
        return out
    return {k: aggregate.public(v) for k, v in out.items()}


# --- self-checks --------------------------------------------------------------------------------


def _project(conn: Connection, actor: Actor, uscc: str, project_no: str) -> dict[str, Any]:
    ent = registry.find(conn, uscc)
    if ent is None or not may_see(actor, ent):
        raise NotVisible("项目", "project")
    found = register.current(conn, actor=actor).filter(
        (pl.col("uscc") == ent.uscc) & (pl.col("project_no") == project_no)
    )
    if found.is_empty():
        raise NotVisible("项目", "project")
    return found.row(0, named=True)


def record_selfcheck(
    conn: Connection,
    *,
    actor: Actor,
    uscc: str,
    project_no: str,
    answers: dict[str, Any],
    on: date | None = None,
) -> selfcheck.Answer:
    """Evaluate and store the answers with the project (its enterprise or an admin)."""
    project = _project(conn, actor, uscc, project_no)
    if actor.role not in (Role.ENTERPRISE, Role.ADMIN):
        raise NotAllowed(
            "只有企业本身可以为其项目填写自查 / only the enterprise answers for its projects"
        )
    day = on or date.today()
    got = selfcheck.evaluate(answers, on=day)
    conn.execute(
        insert(t.selfcheck).values(
            uscc=project["uscc"],
            project_no=project_no,
            rule_set=got.rule_set,
            effective=got.effective,
            on_day=day,
            answers=got.answers,
            route=got.route,
            article=got.article,
            checked_at=datetime.now(UTC),
            checked_by=actor.name[:100],
        )
    )
    return got


def selfchecks(
    conn: Connection, *, actor: Actor, uscc: str, project_no: str
) -> list[dict[str, Any]]:
    _project(conn, actor, uscc, project_no)
    s = t.selfcheck.c
    rows = conn.execute(
        select(t.selfcheck).where(s.uscc == uscc, s.project_no == project_no).order_by(s.id.desc())
    ).mappings()
    return [dict(r) for r in rows]


def level_name(code: str | None, lang: str = "zh") -> str:
    if code is None:
        return "未评估" if lang == "zh" else "not assessed"
    return risk_rules.level(code).name(lang)
