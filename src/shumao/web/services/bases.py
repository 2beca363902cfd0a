"""出口基地 pages and API: keyword-only services over ``shumao.bases`` (no SQL here)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import Connection

from shumao.auth.scope import Scope
from shumao.bases import (
    access,
    applications,
    assessment,
    counting,
    evaluate,
    export,
    figures,
    link_review,
    ranking,
    registry,
    rereview,
    rules,
)
from shumao.labels import area_name, pick
from shumao.reference import units
from shumao.web.schemas import Chart, Series

SOURCE = (
    "商务部《中国数字贸易发展报告2022》",
    "MOFCOM, China Digital Trade Development Report 2022",
)


def _ready(conn: Connection) -> None:
    registry.seed_first_batch(conn)


def _base_row(conn: Connection, scope: Scope, b: registry.Base, lang: str) -> dict[str, Any]:
    status = b.status
    return {
        "code": b.code,
        "name": b.name(lang),
        "city": area_name(b.city_code, lang),
        "province": area_name(b.province_code, lang),
        "province_code": b.province_code,
        "group": rules.group_name(b.region_group, lang),
        "batch": b.batch,
        "status": status.text(lang) if status else "—",
        "status_code": status.status if status else None,
        "since": status.effective_on if status else None,
        "until": status.until if status else None,
        "lon": b.lon,
        "lat": b.lat,
        "mine": access.may_see(conn, scope, b.code, b.city_code) and scope.role in access.INSIDE,
    }


def listing(conn: Connection, *, scope: Scope, lang: str, year: str = "2022") -> dict[str, Any]:
    _ready(conn)
    rows = [_base_row(conn, scope, b, lang) for b in registry.bases(conn)]
    rankings = {
        kind: ranking.rank(conn, scope=scope, kind=kind, year=year, lang=lang)
        for kind in ranking.KINDS
    }
    pins = [
        {
            "code": r["code"],
            "name": r["name"],
            "lon": r["lon"],
            "lat": r["lat"],
            "status": r["status"],
            "href": f"/bases/{r['code']}",
        }
        for r in rows
        if r["lon"] is not None
    ]
    return {
        "rows": rows,
        "rankings": rankings,
        "pins": pins,
        "year": year,
        "kinds": {k: pick(v[0], v[1], lang) for k, v in ranking.KINDS.items()},
        "units": {k: _unit(v[2], lang) for k, v in ranking.KINDS.items()},
        "source": pick(*SOURCE, lang),
        "notice": rules.notice_cited(lang),
    }


def _unit(unit: str, lang: str) -> str:
    """A unit in the page's language (亿美元 → 100 million US dollars)."""
    return pick(unit, units.parse(unit).name_en, lang)


def _trend(conn: Connection, scope: Scope, base: registry.Base, lang: str) -> list[Chart]:
    charts = []
    for kind, (zh, en, unit) in ranking.KINDS.items():
        series = ranking.published(conn, scope, kind, [base.code]).get(base.code, {})
        years = sorted(series)
        charts.append(
            Chart(
                id=f"trend-{kind}",
                kind="line",
                title=pick(zh, en, lang),
                unit=_unit(unit, lang),
                categories=years,
                series=[Series(name=base.name(lang), data=[series[y] for y in years])],
                source=pick(*SOURCE, lang),
                period=f"{years[0]}–{years[-1]}" if years else None,
            )
        )
    return charts


def scorecard(
    conn: Connection, *, scope: Scope, code: str, lang: str, year: str | None = None
) -> dict[str, Any]:
    _ready(conn)
    base = registry.get(conn, code)
    inside = scope.role in access.INSIDE and access.may_see(conn, scope, base.code, base.city_code)
    out: dict[str, Any] = {
        "base": base,
        "row": _base_row(conn, scope, base, lang),
        "history": registry.history(conn, base.code),
        "charts": _trend(conn, scope, base, lang),
        "inside": inside,
        "schedule": _schedule(base),
        "statuses": {code: pick(zh, en, lang) for code, (zh, en) in registry.STATUS_TEXT.items()},
    }
    if not inside:
        return out
    year = year or figures.latest_year(conn)
    ev = assessment.assess(conn, scope=scope, base_code=base.code, kind="application", years=[year])
    review = rereview.run(conn, scope=scope, base_code=base.code)
    out.update(
        year=year,
        evaluation=ev,
        lines=export.rows(ev, lang),
        shown=_shown(ev, lang),
        what_if=evaluate.what_if(ev),
        rereview=review,
        rereview_lines=export.rows(review.evaluation, lang),
        applications=[
            _application_row(a, lang)
            for a in applications.of_base(conn, scope=scope, base_code=base.code)
        ],
        count=counting.latest(conn, base_code=base.code, year=year),
        may_prepare=scope.role in access.PREPARERS,
        may_decide=scope.role in access.DECIDERS,
    )
    return out


def _application_row(app: dict[str, Any], lang: str) -> dict[str, Any]:
    """A base's file with its kind, state and verdict in ``lang``."""
    verdict = app["verdict"]
    return {
        **app,
        "kind_text": pick(*applications.KINDS[app["kind"]], lang),
        "state_text": _state_text(app["state"], lang),
        "verdict_text": pick(*evaluate.VERDICT_TEXT[app["kind"]][verdict], lang)
        if verdict
        else None,
    }


def _state_text(state: str, lang: str) -> str:
    zh, en = applications.STATES.get(state, (state, state))
    return pick(zh, en, lang)


def _shown(ev: evaluate.Evaluation, lang: str) -> list[list[dict[str, str]]]:
    """Each criterion's evidence texts in ``lang`` (the scorecard's evidence column)."""
    return [[export.evidence_shown(e, lang) for e in o.evidence] for o in ev.outcomes]


def _schedule(base: registry.Base) -> list[dict[str, Any]]:
    if (
        base.designated_on is None
        or base.status is None
        or base.status.status not in registry.DESIGNATED
    ):
        return []
    every = rules.review_every_years()
    out = []
    for cycle in range(base.designated_on.year + every, date.today().year + every + 1, every):
        try:
            due = rereview.calendar.rereview_due(base.designated_on, cycle)
        except rereview.calendar.CalendarUnknown:
            due = None
        out.append({"cycle": cycle, "years": rereview.years_of(cycle), "due": due})
    return out


def evaluation_doc(ev: evaluate.Evaluation, lang: str) -> dict[str, Any]:
    return {
        "base": ev.base_code,
        "kind": ev.kind,
        "years": list(ev.years),
        "verdict": ev.verdict,
        "verdict_text": ev.verdict_text(lang),
        "override_reason": ev.override_reason or None,
        "criteria_version": ev.criteria_version,
        "criteria": [
            {
                **{k: v for k, v in asdict(o).items() if k != "evidence"},
                "name": export.criterion_name(o.code, lang),
                "evidence": [asdict(e) for e in o.evidence],
            }
            for o in ev.outcomes
        ],
        "what_if": [asdict(w) for w in evaluate.what_if(ev)],
    }


def evaluation_file(
    conn: Connection,
    *,
    scope: Scope,
    code: str,
    fmt: str,
    year: str | None = None,
    cycle: int | None = None,
    lang: str = "zh",
) -> tuple[str, bytes]:
    """The evaluation (or re-review) as Word or Excel, in the view's language."""
    _ready(conn)
    base = registry.get(conn, code)
    if fmt.startswith("rereview"):
        rr = rereview.run(conn, scope=scope, base_code=base.code, cycle=cycle)
        name = f"{base.code}_{rr.cycle}_{pick('复审说明表', 'rereview_sheet', lang)}"
        body = (
            export.docx(
                rr.evaluation,
                base,
                what_if=rr.what_if,
                targets=rr.targets,
                due=rr.due,
                lang=lang,
            )
            if fmt.endswith("docx")
            else export.xlsx(rr.evaluation, base, what_if=rr.what_if, targets=rr.targets, lang=lang)
        )
        return f"{name}.{fmt.rsplit('.', 1)[-1]}", body
    year = year or figures.latest_year(conn)
    ev = assessment.assess(conn, scope=scope, base_code=base.code, kind="application", years=[year])
    hints = evaluate.what_if(ev)
    name = f"{base.code}_{year}_{pick('申报条件审核', 'application_check', lang)}"
    if fmt.endswith("docx"):
        return f"{name}.docx", export.docx(ev, base, what_if=hints, lang=lang)
    return f"{name}.xlsx", export.xlsx(ev, base, what_if=hints, lang=lang)


def enterprises(conn: Connection, *, scope: Scope, code: str, year: str) -> dict[str, Any]:
    _ready(conn)
    base = registry.get(conn, code)
    access.require_see(conn, scope, base.code, base.city_code)
    found = counting.latest(conn, base_code=base.code, year=year)
    members = counting.members(conn, found).to_dicts() if found else []
    return {
        "base": base,
        "year": year,
        "count": found,
        "members": members,
        "texts": {"source": counting.SOURCE_TEXT, "method": counting.METHOD_TEXT},
    }


def application(
    conn: Connection, *, scope: Scope, application_id: int, lang: str
) -> dict[str, Any]:
    _ready(conn)
    app = applications.get(conn, scope=scope, application_id=application_id)
    ev = assessment.evaluation(conn, scope=scope, application_id=application_id)
    names = {c.code: c.text(lang) for c in rules.checklist()}
    return {
        "app": app,
        "evaluation": ev,
        "lines": export.rows(ev, lang),
        "shown": _shown(ev, lang),
        "names": names,
        "what_if": evaluate.what_if(ev),
        "figures": applications.FIGURES,
        "may_prepare": app["state"] == "draft" and scope.role in access.PREPARERS,
        "may_decide": app["state"] == "submitted" and scope.role in access.DECIDERS,
        "kind_text": pick(*applications.KINDS[app["kind"]], lang),
        "state_text": _state_text(app["state"], lang),
        "decisions": {d: export.decision_text(d, lang) for d in export.DECISION_TEXT},
        "units": {u: rules.unit_name(u, lang) for u in applications.UNITS},
        "clause": rules.section_name(rules.special_potential()["section"], lang),
    }


def decisions(conn: Connection, *, scope: Scope) -> list[dict[str, Any]]:
    _ready(conn)
    rows = applications.submitted(conn, scope=scope)
    for r in rows:
        r["base"] = registry.get(conn, r["base_code"])
    return rows


def queue(conn: Connection, *, scope: Scope) -> list[dict[str, Any]]:
    _ready(conn)
    if scope.role not in access.INSIDE:
        access.require_see(conn, scope, "", "")
    return link_review.queue(conn, scope=scope)


def require_inside(conn: Connection, *, scope: Scope, code: str) -> None:
    _ready(conn)
    base = registry.get(conn, code)
    access.require_see(conn, scope, base.code, base.city_code)


def rereview_doc(
    conn: Connection, *, scope: Scope, code: str, cycle: int | None, lang: str
) -> dict[str, Any]:
    require_inside(conn, scope=scope, code=code)
    rr = rereview.run(conn, scope=scope, base_code=code, cycle=cycle)
    return {
        "base": rr.base.code,
        "cycle": rr.cycle,
        "years": list(rr.years),
        "due": rr.due,
        "evaluation": evaluation_doc(rr.evaluation, lang),
        "targets": [
            {
                "year": t.year,
                "target": t.target.key,
                "share": t.share,
                "reached": t.reached,
                "note": pick(t.note_zh, t.note_en, lang),
            }
            for t in rr.targets
        ],
    }
