"""监测预警 for the pages and the API: alert list (filters, pages, counts, the map of the worst
open level per province), one alert with its series and history, actions, target progress.

Every read goes through ``shumao.monitor.queries`` with the requester's scope: a province sees
its area's alerts, a park its own, the ministry all, the public only alerts marked public.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from shumao import access
from shumao.auth.scope import Scope
from shumao.collection.tables import enterprise
from shumao.errors import ShumaoError, UnknownCode
from shumao.labels import area_name, pick
from shumao.monitor import alerts, changes, handling, indicators, queries, rules, targets
from shumao.reference import geo
from shumao.reference.units import unit_text
from shumao.web.cache import ViewCache
from shumao.web.schemas import Chart, Series
from shumao.web.schemas_monitor import (
    AlertDetailOut,
    AlertEventOut,
    AlertListOut,
    AlertOut,
    ProjectionPoint,
    SeriesPoint,
    TargetOut,
    TargetPoint,
)

PAGE = 50
LEVEL_NAMES = {
    "red": ("红色", "red"),
    "orange": ("橙色", "orange"),
    "yellow": ("黄色", "yellow"),
    "blue": ("蓝色", "blue"),
}
RANK_LEVEL = {4: "red", 3: "orange", 2: "yellow", 1: "blue"}
LEVEL_COLORS = {"red": "#c0392b", "orange": "#e67e22", "yellow": "#f1c40f", "blue": "#2e86de"}


def _pieces(lang: str) -> list[dict[str, str | int]]:
    """The map's legend: one class per level, named in the page's language."""
    return [
        {"value": rank, "label": pick(*LEVEL_NAMES[level], lang), "color": LEVEL_COLORS[level]}
        for rank, level in RANK_LEVEL.items()
    ]


@dataclass(frozen=True)
class Names:
    """Names instead of codes on an alert list, read once per list (never once per row)."""

    rules: dict[str, str]
    enterprises: dict[str, str]


def _names(conn: Connection, rows: list[dict[str, Any]], lang: str) -> Names:
    """The rules in force by name, and the enterprises among the alerts' areas (an alert on
    one enterprise: its non-response, its outbound projects' host risk)."""
    codes = {r["ref_area"] for r in rows if len(r["ref_area"]) == 18}
    query = select(enterprise.c.uscc, enterprise.c.name).where(enterprise.c.uscc.in_(codes))
    found = {uscc: name for uscc, name in conn.execute(query)} if codes else {}
    return Names(rules=_rule_names(conn, lang), enterprises=found)


def _rule_names(conn: Connection, lang: str) -> dict[str, str]:
    """The rules in force, code → name in ``lang``."""
    return {r.code: pick(r.name_zh, r.name_en, lang) for r in rules.active(conn).rules}


def _out(row: dict[str, Any], lang: str, names: Names) -> AlertOut:
    return AlertOut(
        id=row["id"],
        rule=row["rule_code"],
        rule_name=names.rules.get(row["rule_code"], row["rule_code"]),
        level=row["level"],
        level_name=pick(*LEVEL_NAMES[row["level"]], lang),
        state=row["state"],
        state_name=pick(*alerts.STATES[row["state"]], lang),
        area=row["ref_area"],
        area_name=area_name(row["ref_area"], lang, names.enterprises),
        period=row["period"],
        value=row["value"],
        threshold=row["threshold"],
        message=row["message_zh"] if lang == "zh" else row["message_en"],
        dataflow=row["dataflow"],
        fired_at=row["fired_at"],
        version=row["version"],
    )


def alert_list(
    conn: Connection,
    *,
    scope: Scope,
    filters: queries.Filters,
    page: int = 1,
    lang: str = "zh",
    cache: ViewCache | None = None,
    token: changes.Token | None = None,
) -> AlertListOut:
    """One page of alerts with the counts per level and the map's worst level per province.
    The page's rows are read every time; the counts and the map come from ``cache`` under the
    alert change token (``monitor.changes``: read here unless given), made again after any
    change of an alert by any process."""
    rows = queries.rows(conn, scope, filters, page_no=page, size=PAGE)
    unlevelled = replace(filters, level=None)
    summary = (
        cache.get_or_make(
            ("alert-summary", scope.key, unlevelled, token or changes.token(conn)),
            lambda: queries.summary(conn, scope, unlevelled),
        )
        if cache
        else queries.summary(conn, scope, unlevelled)
    )
    names = _names(conn, rows, lang)
    total = summary.total(filters)
    reason = ""
    if not rows:
        reason = pick(
            "公众只能看到标记为公开的预警，目前没有。"
            if scope.is_public
            else "当前筛选条件下没有预警：所选范围内的数据未触发任何规则，或预警已解除。",
            "The public sees only alerts marked public; there are none."
            if scope.is_public
            else "No alert under these filters: the data of this scope "
            "trigger no rule, or the alerts were resolved.",
            lang,
        )
    return AlertListOut(
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        counts=summary.counts,
        worst_by_province={p: RANK_LEVEL[r] for p, r in summary.worst.items()},
        alerts=[_out(r, lang, names) for r in rows],
        empty_reason=reason,
    )


def badge(conn: Connection, *, scope: Scope, cache: ViewCache) -> int:
    """Firing alerts in the scope: the number in the menu of every page (from ``cache``, under
    the alert change token)."""
    key = ("alert-badge", scope.key, changes.token(conn))
    return cache.get_or_make(key, lambda: queries.badge(conn, scope))


def rule_choices(
    conn: Connection,
    *,
    scope: Scope,
    lang: str,
    cache: ViewCache,
    token: changes.Token | None = None,
) -> list[tuple[str, str]]:
    """(code, name) of the rules of the scope's alerts: the list's rule chooser shows names
    (from ``cache``, under the alert change token)."""
    key = ("alert-rule-choices", scope.key, lang, token or changes.token(conn))

    def make() -> list[tuple[str, str]]:
        names = _rule_names(conn, lang)
        return [(code, names.get(code, code)) for code in queries.rules_used(conn, scope)]

    return cache.get_or_make(key, make)


def alert_map(listing: AlertListOut, lang: str) -> Chart:
    """The China map coloured by the worst open level per province."""
    provinces = geo.provinces()
    rank = {v: k for k, v in RANK_LEVEL.items()}
    return Chart(
        id="alert-map",
        kind="map",
        title=pick("各省最严重未解除预警", "Worst open alert per province", lang),
        unit=pick("预警等级", "level", lang),
        categories=[pick(p.name_zh, p.name_en, lang) for p in provinces],
        codes=[p.code for p in provinces],
        series=[
            Series(
                name=pick("预警等级", "level", lang),
                code="",
                data=[rank.get(listing.worst_by_province.get(p.code, "")) for p in provinces],
            )
        ],
        source=pick("数贸监测预警规则", "shumao warning rules", lang),
        links=[f"/monitor?area={p.code}" for p in provinces],
        pieces=_pieces(lang),
    )


def alert_detail(
    conn: Connection, *, scope: Scope, alert_id: int, lang: str = "zh"
) -> AlertDetailOut:
    row = queries.one(conn, scope, alert_id)
    if row is None:
        raise UnknownCode("预警（您的范围内）/ alerts in your scope", alert_id)
    events = [
        AlertEventOut(
            at=e["at"],
            username=e["username"],
            action=e["action"],
            action_name=_action_name(e["action"], lang),
            from_state=e["from_state"],
            to_state=e["to_state"],
            note=e["note"],
        )
        for e in alerts.events(conn, alert_id)
    ]
    base = _out(row, lang, _names(conn, [row], lang)).model_dump()
    return AlertDetailOut(
        **base,
        series_key=row["series_key"],
        events=events,
        series=_series(conn, scope, row),
        unit=_unit(row),
        silenced_until=row["silenced_until"],
        target=_target(conn, row, lang),
    )


def _target(conn: Connection, row: dict[str, Any], lang: str) -> TargetOut | None:
    """The monitored target of a target-trajectory alert, with its path and projection."""
    if not row["series_key"].startswith("TARGET:"):
        return None
    key = row["series_key"].removeprefix("TARGET:")
    return next((t for t in target_list(conn, lang=lang) if t.key == key), None)


def _action_name(action: str, lang: str) -> str:
    zh, en = alerts.ACTIONS.get(action, (action, action))
    return pick(zh, en, lang)


def _unit(row: dict[str, Any]) -> str:
    detail = row.get("detail") or {}

    return unit_text(detail.get("unit"), detail.get("unit_mult"), "zh")


def _series(conn: Connection, scope: Scope, row: dict[str, Any]) -> list[SeriesPoint]:
    """The observations of the alert's series, read through the scope's one read path."""
    detail = row.get("detail") or {}
    dims = {d: detail.get(d) for d in ("counterpart_area", "product", "flow", "indicator", "freq")}
    if not row["series_key"].startswith(row["dataflow"] + ":") or not all(dims.values()):
        return []
    where = {"ref_area": [row["ref_area"]], **{k: [v] for k, v in dims.items() if v}}
    try:
        frame = access.read(conn, scope, row["dataflow"], where=where)
    except ShumaoError:
        return []
    frame = frame.filter(pl.col("unit") == detail.get("unit")) if detail.get("unit") else frame
    return [
        SeriesPoint(period=p, value=v) for p, v in frame.select("time_period", "value").iter_rows()
    ]


def act(
    conn: Connection,
    *,
    scope: Scope,
    alert_id: int,
    action: str,
    note: str = "",
    reason: str = "",
    version: int | None = None,
    until: Any = None,
    until_change: bool = False,
) -> dict[str, Any]:
    inside = queries.inside(scope)
    if action == "ack":
        return handling.acknowledge(
            conn, alert_id=alert_id, who=scope, note=note, inside=inside, expected_version=version
        )
    if action == "resolve":
        return handling.resolve(
            conn,
            alert_id=alert_id,
            who=scope,
            reason=reason or note,
            inside=inside,
            expected_version=version,
        )
    return handling.silence(
        conn,
        alert_id=alert_id,
        who=scope,
        until=until,
        until_change=until_change,
        note=note,
        inside=inside,
    )


def _point(p: Any) -> TargetPoint:
    return TargetPoint(year=p.year, value=p.value, source=p.source, interpolated=p.interpolated)


def target_list(conn: Connection, *, lang: str = "zh") -> list[TargetOut]:
    out = []
    for tg in targets.current(conn):
        tr = targets.progress(conn, tg)
        gap = pick(*indicators.GAPS[tg.indicator], lang) if tg.indicator in indicators.GAPS else ""
        out.append(
            TargetOut(
                key=tg.key,
                version=tg.version,
                name=pick(tg.name_zh, tg.name_en, lang),
                indicator=tg.indicator,
                scope=tg.scope_kind,
                area=tg.area,
                comparator=tg.comparator,
                value=tg.value,
                unit=tg.unit,
                deadline=tg.deadline_year,
                sentence=tg.sentence,
                document_id=tg.document_id,
                current=_point(tr.current) if tr.current else None,
                required_per_year=tr.required_per_year,
                trend_per_year=tr.trend_per_year,
                at_deadline=tr.at_deadline,
                probability=tr.probability,
                crossing_year=tr.crossing_year,
                status=tr.status,
                status_name=pick(tr.status_zh, tr.status_en, lang),
                points=[_point(p) for p in tr.points],
                projection=[
                    ProjectionPoint(year=y, mean=m, lower80=a, upper80=b, lower95=c, upper95=d)
                    for y, m, a, b, c, d in tr.projection
                    if y <= tg.deadline_year
                ],
                gap=gap,
            )
        )
    return out


def target_chart(t: TargetOut, lang: str) -> Chart:
    """Observed, projection and its 80 % band, and the target line, one category per year."""
    first = min([p.year for p in t.points] or [t.deadline])
    years = list(range(first, t.deadline + 1))  # every year: a gap in the data shows as a gap
    obs = {p.year: p.value for p in t.points}
    proj = {p.year: p for p in t.projection}
    series = [
        Series(name=pick("实际", "observed", lang), code="obs", data=[obs.get(y) for y in years]),
        Series(
            name=pick("预测", "projection", lang),
            code="mean",
            data=[proj[y].mean if y in proj else None for y in years],
        ),
        Series(
            name=pick("预测下限(80%)", "lower 80%", lang),
            code="lo",
            data=[proj[y].lower80 if y in proj else None for y in years],
        ),
        Series(
            name=pick("预测上限(80%)", "upper 80%", lang),
            code="hi",
            data=[proj[y].upper80 if y in proj else None for y in years],
        ),
        Series(
            name=pick("所需路径", "required path", lang), code="path", data=_required_path(t, years)
        ),
        Series(
            name=pick("目标", "target", lang),
            code="target",
            data=[t.value if y >= (t.current.year if t.current else y) else None for y in years],
        ),
    ]
    return Chart(
        id=f"target-{t.key}",
        kind="line",
        title=t.name,
        unit=t.unit,
        categories=[str(y) for y in years],
        series=series,
        source=pick(
            "商务部服务进出口数据发布；预测：statsmodels ETS",
            "MOFCOM releases; projection: statsmodels ETS",
            lang,
        ),
    )


def _required_path(t: TargetOut, years: list[int]) -> list[float | None]:
    """The straight line from the current value to the target at the deadline."""
    if t.current is None or t.required_per_year is None:
        return [None] * len(years)
    return [
        round(t.current.value + t.required_per_year * (y - t.current.year), 2)
        if y >= t.current.year
        else None
        for y in years
    ]
