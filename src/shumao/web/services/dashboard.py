"""The overview (全国) and the province / city / park / enterprise pages, in one shape.

Every number comes from ``shumao.access.read`` for the requester's scope, so the public
sees released, disclosure-controlled figures and a province its own figures in full. Sums,
growth and shares come from ``shumao.compute``; this module only chooses what to show:

    overview  national KPIs (UNCTAD: digitally deliverable trade, exports, imports, balance,
              growth), the share of services trade against the policy targets (BaTIS), the
              time series, the province choropleth (MOFCOM report), country groupings
              (UNCTAD, membership as of the year), the EBOPS structure (WTO) and the bases
              ranked (MOFCOM report, table 3)
    area      the same shapes for a province, city, county, park or enterprise: published
              figures (MOFCOM report, 亿美元) and the totals of enterprise direct reporting
              (ENT_DDS, 万美元); a province's page maps its cities

A chart without data is left out and named, with the reason, in ``Dashboard.empty``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from sqlalchemy import Connection

from shumao import access
from shumao.auth import permissions
from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.auth.scope import Scope
from shumao.collection import registry
from shumao.compute import aggregate, hierarchy
from shumao.compute.totals import with_world_total
from shumao.errors import NotAllowed, UnknownCode
from shumao.labels import area_name
from shumao.reference import geo, parks
from shumao.release import publish
from shumao.web.errors import LoginRequired
from shumao.web.schemas import Chart, Dashboard, Kpi, Link
from shumao.web.services import charts as ch
from shumao.web.services import ordered, ordered_provinces
from shumao.web.services.board import BIG, ENT_FLOW, SMALL, WORLD, Ctx, read
from shumao.web.services.kpis import periods_note, share_kpi, trade_kpis

# --------------------------------------------------------------------------- overview


def overview(conn: Connection, *, scope: Scope, lang: str) -> Dashboard:
    ctx = Ctx(conn, scope, lang)
    national = read(ctx, "UNCTAD_DDS", ref_area=["CHN"], counterpart_area=[WORLD], product=["DD"])
    source = ctx.source("UNCTAD_DDS")
    kpis = trade_kpis(ctx, national, BIG, source)
    share = share_kpi(ctx)
    kpis += [share] if share else []
    ordered_kpis, ordered_chart = ordered.section(ctx, "CHN")
    kpis += ordered_kpis
    latest = max(national["time_period"].to_list()) if national.height else None
    wto = read(ctx, "WTO_DDS", ref_area=["CHN"], counterpart_area=[WORLD])
    charts = [
        ch.series_chart(ctx, "series", national, BIG, source, ctx.t("chart_series")),
        ch.province_map(ctx),
        ch.groupings_chart(ctx, latest),
        ch.ebops_chart(ctx, wto, ctx.source("WTO_DDS"), BIG),
        ch.parks_chart(ctx),
        ordered_chart,
        ordered_provinces.province_map(ctx),
        ordered_provinces.shares_chart(ctx),
        ordered_provinces.mode_chart(ctx),
    ]
    return _board(
        ctx,
        code="CHN",
        name=area_name("CHN", lang),
        level="nation",
        kpis=kpis,
        charts=charts,
        links=_scope_links(ctx),
    )


def _board(
    ctx: Ctx,
    *,
    code: str,
    name: str,
    level: str,
    kpis: list[Kpi],
    charts: Sequence[Chart | None],
    links: list[Link],
) -> Dashboard:
    """The page: charts without data left out and named with the reason, the KPIs' periods."""
    made = [c for c in charts if c is not None]
    shown = [c for c in made if c.kind == "map" or c.has_data()]
    empty = [
        ctx.t("empty_chart", title=c.title, reason=_why_empty(ctx, c))
        for c in made
        if c not in shown
    ]
    return Dashboard(
        code=code,
        name=name,
        level=level,
        scope_note=_scope_note(ctx),
        kpis=kpis,
        charts=shown,
        links=links,
        kpi_note=periods_note(ctx, kpis),
        empty=empty,
    )


def _why_empty(ctx: Ctx, chart: Chart) -> str:
    if chart.empty_reason:
        return chart.empty_reason
    if chart.source == ctx.source(ENT_FLOW):
        return ctx.t("empty_ent_public" if ctx.scope.is_public else "empty_ent")
    return ctx.t("empty_published")


def _scope_note(ctx: Ctx) -> str:
    if permissions.sees_all(ctx.scope):
        return ""
    return ctx.t("released_public") if ctx.scope.is_public else ctx.t("scope_note")


def _scope_links(ctx: Ctx) -> list[Link]:
    if ctx.scope.is_public or permissions.sees_all(ctx.scope):
        return []
    code = ctx.scope.code
    return [Link(code=code, name=_name(ctx, code), href=f"/area/{code}")]


# --------------------------------------------------------------------------- area pages


def level_of(code: str) -> str:
    if code == "CHN":
        return "nation"
    if code.startswith("DSEB"):
        parks.lookup(code)
        return "park"
    if code.isdigit() and len(code) == 6:
        return geo.lookup(code).level
    if len(code) == 18:
        return "enterprise"
    raise UnknownCode("地区、基地或企业 areas, parks or enterprises", code)


def _name(ctx: Ctx, code: str) -> str:
    if len(code) == 18:
        found = registry.find(ctx.conn, code)
        return found.name if found else code
    return area_name(code, ctx.lang)


def area(conn: Connection, *, scope: Scope, code: str, lang: str) -> Dashboard:
    """The page of a province, city, county, park or (inside the scope) an enterprise."""
    code = code.strip().upper()
    level = level_of(code)
    ctx = Ctx(conn, scope, lang)
    if level == "enterprise":
        _may_see_enterprise(ctx, code)
    official = read(ctx, "MOFCOM_REPORT", ref_area=[code])
    cells = enterprise_cells(ctx, code)
    mine = cells.filter(pl.col("ref_area") == code)
    mine = aggregate.to_unit(mine, SMALL) if mine.height else mine
    totals = mine.filter((pl.col("product") == "DD") & (pl.col("counterpart_area") == WORLD))
    src_report, src_ent = ctx.source("MOFCOM_REPORT"), ctx.source(ENT_FLOW)
    kpis = trade_kpis(ctx, official, BIG, src_report) + trade_kpis(
        ctx, totals, SMALL, src_ent, prefix="ent_"
    )
    ordered_kpis, ordered_chart = ordered.section(ctx, code) if level == "province" else ([], None)
    share = ordered_provinces.province_share_kpi(ctx, code) if level == "province" else None
    kpis += ordered_kpis + ([share] if share else [])
    charts = [
        ch.series_chart(ctx, "series", official, BIG, src_report, ctx.t("chart_series"))
        if official.height
        else None,
        ch.series_chart(
            ctx,
            "ent_series",
            totals,
            SMALL,
            src_ent,
            ctx.t("chart_series") + ctx.bracket(ctx.t("direct_reporting")),
        ),
        _area_map(ctx, code, level, cells),
        _children_chart(ctx, code, level, cells) if level in ("province", "city", "park") else None,
        ch.partners_chart(ctx, mine, SMALL, src_ent),
        ch.ebops_chart(ctx, mine.filter(pl.col("counterpart_area") == WORLD), src_ent, SMALL),
        ordered_chart,
    ]
    return _board(
        ctx,
        code=code,
        name=_name(ctx, code),
        level=level,
        kpis=kpis,
        charts=charts,
        links=_area_links(ctx, code, level),
    )


def _area_map(ctx: Ctx, code: str, level: str, cells: pl.DataFrame) -> Chart | None:
    """A province's page maps its cities (the drill-down of the national map)."""
    if level == "province":
        return ch.city_map(ctx, code, cells, SMALL, ctx.source(ENT_FLOW))
    return None


def _may_see_enterprise(ctx: Ctx, code: str) -> None:
    if ctx.scope.is_public:
        raise LoginRequired()
    if not access.covers(ctx.conn, ctx.scope, code):
        raise NotAllowed(f"无权查看企业 {code} / may not see enterprise {code}")
    if registry.find(ctx.conn, code) is None:
        raise UnknownCode("企业信息库 enterprise database", code)


def _children(ctx: Ctx, code: str, level: str, *, enterprises: bool = True) -> list[str]:
    if level == "park":
        if not enterprises or ctx.scope.is_public:
            return []
        return [
            e.uscc
            for e in registry.list_enterprises(
                ctx.conn, actor=ctx.scope.actor(), park=code, include_inactive=True
            )
        ]
    if level in ("province", "city"):
        key = "province_code" if level == "province" else "city_code"
        in_area = [p.code for p in parks.parks() if getattr(p, key) == code]
        return in_area + [c.code for c in geo.children(code)]
    return []


def _children_chart(ctx: Ctx, code: str, level: str, cells: pl.DataFrame) -> Chart:
    kids = _children(ctx, code, level)
    frame = cells.filter(
        pl.col("ref_area").is_in(kids)
        & (pl.col("product") == "DD")
        & (pl.col("counterpart_area") == WORLD)
    )
    frame = aggregate.to_unit(frame, SMALL) if frame.height else frame
    names = _enterprise_names(ctx, kids) if level == "park" else None
    return ch.ranking_chart(
        ctx, "children", ctx.t("chart_children"), frame, SMALL, ctx.source(ENT_FLOW), names
    )


def _enterprise_names(ctx: Ctx, usccs: list[str]) -> dict[str, str]:
    out = {}
    for uscc in usccs:
        found = registry.find(ctx.conn, uscc)
        if found:
            out[uscc] = found.name
    return out


def _area_links(ctx: Ctx, code: str, level: str) -> list[Link]:
    """The breadcrumbs in hierarchy order: 中国 · 江苏省 · 南京市 · 中国（南京）软件谷 (this page
    last)."""
    up: list[str] = []
    if level == "park":
        park = parks.lookup(code)
        up = [c for c in (park.province_code, park.city_code) if c]
    elif level == "enterprise":
        found = registry.find(ctx.conn, code)
        up = (
            [c for c in (found.province_code, found.city_code, found.park_code) if c]
            if found
            else []
        )
    elif level in ("city", "county"):
        up = [a.code for a in reversed(geo.ancestors(code))]
    chain = [c for c in dict.fromkeys([*up, code]) if c != "CHN"]
    return [Link(code="CHN", name=area_name("CHN", ctx.lang), href="/")] + [
        Link(code=c, name=_name(ctx, c), href=f"/area/{c}") for c in chain
    ]


# --------------------------------------------------------------------------- direct reporting


def enterprise_cells(ctx: Ctx, code: str) -> pl.DataFrame:
    """ENT_DDS for ``code`` and the areas and parks below it, as the scope may see it, summed
    to every level.

    The enterprises of the area that lie inside the scope arrive per enterprise (only those,
    read in chunks) and are summed here: nothing is hidden from their own reviewers. Rows
    outside the scope arrive already summed and protected (the release's published cells).
    """
    below = [code, *_children(ctx, code, level_of(code), enterprises=False)]
    mine = _area_enterprises(ctx, code)
    frame = access.read(ctx.conn, ctx.scope, ENT_FLOW, where={"ref_area": below + mine})
    frame = frame.drop("vintage_id")
    micro = frame.filter(pl.col("ref_area").str.len_chars() == 18)
    protected = frame.filter(pl.col("ref_area").str.len_chars() != 18)
    if micro.is_empty():
        return protected
    parents = publish.enterprise_parents(ctx.conn)
    cells = publish.aggregate(micro, parents)
    leaves = aggregate.rollup(with_world_total(micro), [hierarchy.ebops_tree("DD")])
    cells = pl.concat([cells.select(protected.columns), leaves.select(protected.columns)])
    inside = access.area_codes(ctx.conn, ctx.scope)
    if inside is not None:
        cells = cells.filter(pl.col("ref_area").is_in(list(inside)))
    cells = cells.filter(pl.col("ref_area").is_in([*below, *mine]))
    return pl.concat([cells, protected])


def _area_enterprises(ctx: Ctx, code: str) -> list[str]:
    """The USCCs located in ``code`` (itself, when ``code`` is an enterprise)."""
    if len(code) == 18:
        return [code]
    actor = Actor("system", Role.ADMIN)
    level = level_of(code)
    found = registry.list_enterprises(ctx.conn, actor=actor, include_inactive=True)
    key = {
        "park": "park_code",
        "city": "city_code",
        "province": "province_code",
        "county": "county_code",
    }.get(level)
    if key is None:
        return []
    return [e.uscc for e in found if getattr(e, key) == code]
