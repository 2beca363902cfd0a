"""The 指数 pages and API: rankings, unit profiles, the framework, sensitivity, "why it moved".

What a requester sees follows the index's dataflow: scores are read through ``access.read``
(the public: a released build only; the ministry and admin: the newest build). A build's
sensitivity analysis and decompositions are shown for the builds the requester may see; raw
input values (which include the direct-reporting aggregates) only to roles that see all data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Connection

from shumao import access
from shumao import index as index_pkg
from shumao.auth import permissions
from shumao.auth.scope import Scope
from shumao.errors import NotAllowed, StoreError, UnknownCode
from shumao.index import compare, runs
from shumao.index import export as xlsx
from shumao.index.framework import Framework, load_framework
from shumao.labels import area_name, pick
from shumao.reference import groupings
from shumao.release import history
from shumao.web.schemas import Chart, Series

SOURCE = (
    "数贸平台指数计算（分，0–100），输入数据见框架",
    "shumao index (score 0–100); inputs as in the framework",
)


FACTOR_NAMES = {
    "impute": ("插补方法", "imputation"),
    "treat": ("离群值处理（开/关）", "outlier treatment on/off"),
    "normalise": ("归一化方法", "normalisation"),
    "weights": ("权重扰动", "perturbed weights"),
    "aggregate": ("汇总方法", "aggregation"),
}
METHOD_NAMES = {
    "exact (arithmetic)": ("精确分解（算术汇总）", "exact (arithmetic aggregation)"),
    "Shapley": ("Shapley 值", "Shapley values"),
    "Shapley (sampled orders)": ("Shapley 值（抽样排列）", "Shapley values (sampled orders)"),
}
HUNDRED_MILLION = {"美元": (1e8, "亿美元"), "元": (1e8, "亿元")}
"""Money is shown in the report's units: 亿美元, 亿元."""


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None or value != value else value / factor


def frameworks() -> dict[str, Framework]:
    found = [load_framework(p) for p in sorted(index_pkg.FRAMEWORKS.glob("*.yaml"))]
    return {fw.id: fw for fw in found}


def framework_of(index_id: str) -> Framework:
    try:
        return frameworks()[index_id.upper()]
    except KeyError:
        raise UnknownCode("指数 indices", index_id) from None


NOTHING_EARLIER = (
    "本指数此前没有可比较的计算结果，得分变化无从分解 / there is no earlier build of this index "
    "to compare the scores with"
)


def visible_builds(conn: Connection, scope: Scope, fw: Framework) -> list[runs.Run]:
    """The builds the scope may see, newest first: all for the ministry/admin, else the
    released ones."""
    builds = runs.list_runs(conn, fw.id, "build")
    if permissions.sees_all(scope):
        return builds
    released = set(history.released_vintages(conn, fw.dataflow))
    return [r for r in builds if r.vintage_id in released]


def visible_build(conn: Connection, scope: Scope, fw: Framework) -> runs.Run | None:
    """The newest build the scope may see."""
    return next(iter(visible_builds(conn, scope, fw)), None)


def earlier_build(conn: Connection, scope: Scope, fw: Framework, run_id: int) -> int | None:
    """The newest build before ``run_id`` the scope may see: what a score's change is
    explained against."""
    return _before(visible_builds(conn, scope, fw), run_id)


def _before(builds: list[runs.Run], run_id: int) -> int | None:
    """The newest of ``builds`` (newest first) before ``run_id``."""
    return next((r.id for r in builds if r.id < run_id), None)


@dataclass
class Ranking:
    fw: Framework
    run: runs.Run | None
    rows: list[dict[str, Any]]
    pillars: tuple[str, ...]
    lang: str

    def source(self) -> str:
        return pick(*SOURCE, self.lang)

    def periods_note(self) -> str:
        """Says so when the indicators' periods differ from the index's period."""
        run = self.run
        if run is None:
            return ""
        other = {c: p for c, p in (run.summary.get("periods") or {}).items() if p != run.period}
        if not other:
            return ""
        items = "、".join(f"{self.fw.name(c, self.lang)} {p}" for c, p in other.items())
        return pick(
            f"注：指数期间为 {run.period} 年，以下指标期间不同：{items}。",
            f"Note: the index is for {run.period}; these indicators are for other "
            f"periods: {items}.",
            self.lang,
        )


def _scores(conn: Connection, scope: Scope, fw: Framework, run: runs.Run) -> pl.DataFrame:
    frame = access.read(conn, scope, fw.dataflow, as_of=run.vintage_id)
    return frame.filter(pl.col("vintage_id") == run.vintage_id)


def ranking(conn: Connection, *, scope: Scope, index_id: str, lang: str) -> Ranking:
    fw = framework_of(index_id)
    run = visible_build(conn, scope, fw)
    run_fw = run.framework if run else fw
    pillars = run_fw.level(run_fw.max_level - 1) if run_fw.max_level > 2 else ()
    if run is None:
        return Ranking(fw, None, [], pillars, lang)
    frame = _scores(conn, scope, run_fw, run)
    by_unit: dict[str, dict[str, Any]] = {}
    for r in frame.iter_rows(named=True):
        unit = by_unit.setdefault(
            r["ref_area"], {"code": r["ref_area"], "name": area_name(r["ref_area"], lang)}
        )
        unit[r["indicator"]] = r["value"]
        if r["indicator"] == run_fw.root:
            unit["rank"] = json.loads(r["attrs"] or "{}").get("rank")
            unit["estimated"] = r["obs_status"] == "E"
    rows = sorted(
        (u for u in by_unit.values() if u.get(run_fw.root) is not None),
        key=lambda u: (u.get("rank") or 10**9, u["code"]),
    )
    return Ranking(run_fw, run, rows, pillars, lang)


def ranking_charts(rk: Ranking) -> list[Chart]:
    fw, lang = rk.fw, rk.lang
    if not rk.rows:
        return []
    top = rk.rows[:15]
    charts = [
        Chart(
            id="ranking",
            kind="bar",
            title=pick("指数得分（前15名）", "Index scores (top 15)", lang),
            unit=pick("分", "score", lang),
            categories=[r["name"] for r in top],
            codes=[r["code"] for r in top],
            series=[
                Series(
                    name=fw.name(fw.root, lang), code=fw.root, data=[r.get(fw.root) for r in top]
                )
            ],
            source=rk.source(),
            period=rk.run.period if rk.run else None,
            links=[f"/index/{fw.id}/unit/{r['code']}" for r in top],
        )
    ]
    if (fw.units or {}).get("kind") == "provinces":
        charts.insert(
            0,
            Chart(
                id="index-map",
                kind="map",
                title=pick("各省（区、市）指数得分", "Index score by province", lang),
                unit=pick("分", "score", lang),
                categories=[r["name"] for r in rk.rows],
                codes=[r["code"] for r in rk.rows],
                series=[
                    Series(name=fw.name(fw.root, lang), data=[r.get(fw.root) for r in rk.rows])
                ],
                legend=pick("灰色：该省（区、市）没有指数得分", "Grey: no index score", lang),
                source=rk.source(),
                period=rk.run.period if rk.run else None,
                links=[f"/index/{fw.id}/unit/{r['code']}" for r in rk.rows],
            ),
        )
    return charts


def group_averages(rk: Ranking) -> list[dict[str, Any]]:
    """Average score of each dated grouping (members as of the period's end)."""

    if not rk.fw.averages or not rk.run:
        return []
    on = date(int(rk.fw.period), 12, 31)
    scores = {r["code"]: r[rk.fw.root] for r in rk.rows}
    out = []
    for code in rk.fw.averages:
        group = groupings.lookup_group(code)
        members = [scores[m] for m in groupings.members(code, on) if m in scores]
        if members:
            out.append(
                {
                    "code": code,
                    "name": pick(group.name_zh, group.name_en, rk.lang),
                    "n": len(members),
                    "mean": float(np.mean(members)),
                    "as_of": str(on),
                }
            )
    return out


def profile(
    conn: Connection, *, scope: Scope, index_id: str, unit: str, lang: str
) -> dict[str, Any]:
    """A unit's scores at every level, its rank, and strengths and weaknesses against its
    peers (the indicators where its rank is best and worst)."""
    rk = ranking(conn, scope=scope, index_id=index_id, lang=lang)
    fw = rk.fw
    row = next((r for r in rk.rows if r["code"] == unit), None)
    if row is None:
        return {"ranking": rk, "row": None, "name": area_name(unit, lang), "unit": unit}
    n = len(rk.rows)
    items = []
    for code in fw.indicators:
        values = [float(r[code]) for r in rk.rows if r.get(code) is not None]
        mine = row.get(code)
        if mine is None:
            continue
        rank = 1 + sum(v > mine for v in values)
        items.append(
            {
                "code": code,
                "name": fw.name(code, lang),
                "score": mine,
                "rank": rank,
                "of": len(values),
                "median": float(np.median(values)),
                "pillar": fw.name(fw.ancestor(code, 2), lang),
            }
        )
    items.sort(key=lambda i: (i["rank"], -i["score"]))
    pillars = [
        {
            "code": p,
            "name": fw.name(p, lang),
            "score": row.get(p),
            "median": float(np.median([r[p] for r in rk.rows if r.get(p) is not None])),
        }
        for p in rk.pillars
    ]
    return {
        "ranking": rk,
        "row": row,
        "name": row["name"],
        "unit": unit,
        "earlier": rk.run is not None and earlier_build(conn, scope, fw, rk.run.id) is not None,
        "of": n,
        "pillars": pillars,
        "strengths": items[:3],
        "weaknesses": items[-3:][::-1],
        "indicators": items,
    }


def sensitivity(conn: Connection, *, scope: Scope, index_id: str, lang: str) -> dict[str, Any]:
    fw = framework_of(index_id)
    build = visible_build(conn, scope, fw)
    found = [
        r
        for r in runs.list_runs(conn, fw.id, "sensitivity")
        if build and r.build_run_id == build.id
    ]
    if not found or build is None:
        return {"fw": fw, "run": None, "build": build}
    run = found[0]
    intervals = sorted(run.summary["rank_intervals"], key=lambda r: r["nominal"])
    for r in intervals:
        r["name"] = area_name(r["unit"], lang)
    sobol = {
        k: {**v, "name": pick(*FACTOR_NAMES[k], lang)} for k, v in run.summary["sobol"].items()
    }
    return {
        "fw": fw,
        "run": run,
        "build": build,
        "sobol": sobol,
        "intervals": intervals,
        "replications": run.summary["replications"],
    }


def explain(
    conn: Connection,
    *,
    scope: Scope,
    index_id: str,
    unit: str,
    lang: str,
    from_run: int | None = None,
    to_run: int | None = None,
    from_year: str | None = None,
) -> dict[str, Any]:
    fw = framework_of(index_id)
    builds = visible_builds(conn, scope, fw)
    if not permissions.sees_all(scope):
        visible = {r.id for r in builds}
        wanted = [r for r in (from_run, to_run) if r is not None]
        if from_year or any(r not in visible for r in wanted) or not visible:
            raise NotAllowed("只能比较已发布的指数结果 / only released builds can be compared")
        to_run = to_run or max(visible)
    if from_run is None and from_year is None:
        latest = to_run or (builds[0].id if builds else None)
        from_run = _before(builds, latest) if latest else None
        if from_run is None:
            raise StoreError(NOTHING_EARLIER)
    try:
        got = compare.explain(
            conn, fw, unit=unit, from_run=from_run, to_run=to_run, from_year=from_year
        )
    except KeyError:
        raise UnknownCode(f"{fw.id} 的单位 units", unit) from None
    except ValueError as exc:
        raise StoreError(str(exc)) from None
    doc = got.as_dict()
    for c in doc["contributions"]:
        c["name"] = fw.name(c["code"], lang)
        if not permissions.sees_all(scope):
            c.pop("raw_before"), c.pop("raw_after")
            continue
        factor, c["raw_unit"] = HUNDRED_MILLION.get(
            fw.by_code[c["code"]].unit, (1.0, fw.by_code[c["code"]].unit)
        )
        c["raw_before"], c["raw_after"] = (
            _scaled(c[k], factor) for k in ("raw_before", "raw_after")
        )
    doc["name"] = area_name(unit, lang)
    zh, en = METHOD_NAMES.get(doc["method"], (doc["method"], doc["method"]))
    doc["method_name"] = pick(zh, en, lang)
    return doc


def export(conn: Connection, *, scope: Scope, index_id: str) -> bytes:
    """The visible build as a workbook, every step on its own sheet (ministry and admin)."""

    if not permissions.sees_all(scope):
        raise NotAllowed(
            "完整计算过程（含原始输入）仅对商务部和管理员开放 / the full workbook "
            "(with raw inputs) is for the ministry and administrators"
        )
    fw = framework_of(index_id)
    run = visible_build(conn, scope, fw)
    if run is None:
        raise UnknownCode("指数运行 index runs", fw.id)
    coin, inputs = runs.rebuild(conn, run.id)
    return xlsx.to_xlsx(
        coin,
        {
            "Run": {
                "run": run.id,
                "vintage": run.vintage_id,
                "framework_sha256": run.framework_sha256,
                "data_vintages": inputs.vintages,
            }
        },
    )
