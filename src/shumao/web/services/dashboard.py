"""The overview (全国) and the province / city / park / enterprise pages, in one shape.

Every number comes from ``shumao.auth.access.read`` for the requester's scope, so the public
sees released, disclosure-controlled figures and a province its own figures in full. Sums,
growth and shares come from ``shumao.compute``; this module only chooses what to show:

    overview  national KPIs (UNCTAD: digitally deliverable trade, exports, imports, balance,
              growth), the share of services trade against the policy targets (BaTIS), the
              time series, the province choropleth (MOFCOM report), country groupings
              (UNCTAD, membership as of the year), the EBOPS structure (WTO) and the bases
              ranked (MOFCOM report, table 3)
    area      the same shapes for a province, city, county, park or enterprise: published
              figures (MOFCOM report) and the totals of enterprise direct reporting (ENT_DDS)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from sqlalchemy import Connection

from shumao.auth import access, publish
from shumao.auth.scope import Scope
from shumao.collection import registry
from shumao.collection.actors import Actor, Role
from shumao.compute import aggregate, hierarchy, indicators
from shumao.errors import NotAllowed, UnknownCode
from shumao.reference import ebops, geo, parks
from shumao.storage.dataflows import get_dataflow
from shumao.storage.tables import DIMENSIONS
from shumao.web.errors import LoginRequired
from shumao.web.i18n import pick, translate
from shumao.web.schemas import Chart, Dashboard, Kpi, Link, Series
from shumao.web.services.labels import area_name, label, product_name

BIG = "亿美元"
SMALL = "万美元"
GROUPS = ("RCEP", "BRICS", "SCO", "ASEAN", "EU27", "G20")
ENT_FLOW = "ENT_DDS"
WORLD = "WLD"
TARGETS = Path(__file__).resolve().parents[1] / "targets.yaml"


@dataclass(frozen=True)
class Ctx:
    conn: Connection
    scope: Scope
    lang: str

    def t(self, key: str) -> str:
        return translate(key, self.lang)

    def source(self, flow_id: str) -> str:
        flow = get_dataflow(flow_id)
        return pick(flow.source_zh, flow.source_en, self.lang)

    def unit_name(self, unit: str) -> str:
        names = {BIG: ("亿美元", "USD 100 million"), SMALL: ("万美元", "USD 10 thousand")}
        return pick(*names.get(unit, (unit, unit)), self.lang)


# --------------------------------------------------------------------------- reading


def _read(ctx: Ctx, flow_id: str, unit: str | None = BIG, **where: Iterable[str]) -> pl.DataFrame:
    """The scope's rows of ``flow_id`` (money in ``unit``), filters as dimension=codes."""
    frame = access.read(ctx.conn, ctx.scope, flow_id, where={k: list(v) for k, v in where.items()})
    frame = frame.drop("vintage_id")
    return aggregate.to_unit(frame, unit) if unit and frame.height else frame


def _with_total(frame: pl.DataFrame) -> pl.DataFrame:
    """Add flow ``T`` = X + M where the data has both and no published T."""
    keys = [d for d in DIMENSIONS if d != "flow"] + ["time_period", "unit", "unit_mult"]
    xm = frame.filter(pl.col("flow").is_in(["X", "M"]))
    if xm.is_empty():
        return frame
    whole = pl.when(pl.col("value").null_count() == 0).then(pl.col("value").sum())
    totals = (xm.group_by(keys).agg(whole.alias("value"), pl.len().alias("_n"))
              .filter(pl.col("_n") == 2).drop("_n")
              .with_columns(pl.lit("T").alias("flow"), pl.lit("A").alias("obs_status"),
                            pl.lit("F").alias("conf_status"), pl.lit(None, pl.String).alias("attrs")))
    have = frame.filter(pl.col("flow") == "T").select(keys)
    totals = totals.join(have, on=keys, how="anti")
    return pl.concat([frame, totals.select(frame.columns)])


def _levels_with_balance(frame: pl.DataFrame) -> pl.DataFrame:
    """X, M, T and B (X − M, ``compute.indicators.balance``) of the value rows."""
    values = frame.filter(pl.col("indicator").is_in(["_Z", "VALUE"]) & (pl.col("unit") != "PCT"))
    if values.is_empty():
        return values
    have_b = values.filter(pl.col("flow") == "B")
    balance = indicators.balance(values) if have_b.is_empty() else values.head(0)
    return _with_total(pl.concat([values, balance]))


def _by_period(frame: pl.DataFrame) -> dict[str, dict[str, float | None]]:
    """period → flow → value (one series)."""
    out: dict[str, dict[str, float | None]] = {}
    for period, flow, value in frame.select("time_period", "flow", "value").iter_rows():
        out.setdefault(period, {})[flow] = value
    return out


def _growth(frame: pl.DataFrame) -> dict[tuple[str, str], float]:
    """(period, flow) → growth on a year earlier in %: published when given, else computed."""
    published = frame.filter(pl.col("indicator") == "GROWTH_YOY")
    values = frame.filter(pl.col("indicator").is_in(["_Z", "VALUE"]) & (pl.col("unit") != "PCT")
                          & pl.col("flow").is_in(["X", "M", "T"]))
    computed = indicators.growth_yoy(values) if values.height else values
    out = {(p, f): v for p, f, v in computed.select("time_period", "flow", "value").iter_rows()
           if v is not None}
    out.update({(p, f): v for p, f, v in published.select("time_period", "flow", "value")
                .iter_rows() if v is not None})
    return out


# --------------------------------------------------------------------------- KPIs


KPI_FLOWS = (("total", "T", "kpi_total"), ("exports", "X", "kpi_exports"),
             ("imports", "M", "kpi_imports"), ("balance", "B", "kpi_balance"))


def _trade_kpis(ctx: Ctx, frame: pl.DataFrame, unit: str, source: str, prefix: str = ""
                ) -> list[Kpi]:
    """T, X, M, B of the latest period with growth, from one area's long frame."""
    levels = _levels_with_balance(frame)
    if levels.is_empty():
        return []
    periods = _by_period(levels)
    latest = max(periods)
    growth = _growth(pl.concat([levels, frame.filter(pl.col("indicator") == "GROWTH_YOY")]))
    return [Kpi(key=prefix + key, label=ctx.t(text), value=periods[latest].get(flow),
                unit=ctx.unit_name(unit), period=latest, growth=growth.get((latest, flow)),
                source=source)
            for key, flow, text in KPI_FLOWS]


@lru_cache(maxsize=1)
def _targets() -> dict[str, Any]:
    return yaml.safe_load(TARGETS.read_text(encoding="utf-8"))


def _share_kpi(ctx: Ctx, area: str = "CHN") -> Kpi | None:
    """可数字化交付服务贸易占服务贸易比重 (BaTIS: DD main items over total services S)."""
    mains = ebops.digitally_deliverable_main_items()
    frame = _read(ctx, "BATIS", unit=None, ref_area=[area], counterpart_area=[WORLD],
                  product=["S", *mains])
    if frame.is_empty():
        return None
    dd = aggregate.aggregate(frame.filter(pl.col("product").is_in(mains)),
                             hierarchy.ebops_tree("DD")).filter(pl.col("product") == "DD")
    both = _with_total(pl.concat([dd.select(frame.columns), frame.filter(pl.col("product") == "S")]))
    shares = indicators.dd_share_of_services(both).filter(pl.col("flow") == "T")
    if shares.is_empty():
        return None
    latest = shares.sort("time_period").row(-1, named=True)
    targets = [{"value": t["value"], "year": t["year"], "label": pick(t["label_zh"], t["label_en"],
                                                                     ctx.lang)}
               for t in _targets()["share_of_services"]]
    source = f"{ctx.source('BATIS')}；{pick(_targets()['source_zh'], _targets()['source_en'], ctx.lang)}"
    return Kpi(key="share", label=ctx.t("kpi_share"), value=latest["value"], unit="%",
               period=latest["time_period"], targets=targets, source=source)


# --------------------------------------------------------------------------- charts


def _series_chart(ctx: Ctx, chart_id: str, frame: pl.DataFrame, unit: str, source: str,
                  title: str) -> Chart:
    levels = _levels_with_balance(frame)
    periods = _by_period(levels)
    cats = sorted(periods)
    series = [Series(name=label("flow", flow, ctx.lang), code=flow,
                     data=[periods[p].get(flow) for p in cats]) for flow in ("X", "M", "T")
              if any(periods[p].get(flow) is not None for p in cats)]
    return Chart(id=chart_id, kind="line", title=title, unit=ctx.unit_name(unit),
                 categories=cats, series=series, source=source)


def _latest(frame: pl.DataFrame) -> tuple[str | None, pl.DataFrame]:
    if frame.is_empty():
        return None, frame
    period = str(frame["time_period"].max())
    return period, frame.filter(pl.col("time_period") == period)


def _province_map(ctx: Ctx, selected: str | None = None) -> Chart:
    provinces = geo.provinces()
    frame = _read(ctx, "MOFCOM_REPORT", ref_area=[p.code for p in provinces], flow=["T"],
                  indicator=["VALUE"])
    period, latest = _latest(frame)
    values = dict(latest.select("ref_area", "value").iter_rows())
    return Chart(
        id="map", kind="map", title=ctx.t("chart_map"), unit=ctx.unit_name(BIG),
        categories=[pick(p.name_zh, p.name_en, ctx.lang) for p in provinces],
        codes=[p.code for p in provinces],
        series=[Series(name=label("flow", "T", ctx.lang), code=selected or "",
                       data=[values.get(p.code) for p in provinces])],
        source=ctx.source("MOFCOM_REPORT"), period=period,
        links=[f"/area/{p.code}" for p in provinces])


def _groupings_chart(ctx: Ctx, period: str | None) -> Chart:
    frame = _read(ctx, "UNCTAD_DDS", counterpart_area=[WORLD], product=["DD"], flow=["X", "M"])
    if period:
        frame = frame.filter(pl.col("time_period") == period)
    cells = aggregate.aggregate_groups(frame, GROUPS, dim="ref_area") if frame.height else frame
    by_group = {(g, f): v for g, f, v in cells.select("ref_area", "flow", "value").iter_rows()}
    names = [_group_name(g, ctx.lang) for g in GROUPS]
    series = [Series(name=label("flow", f, ctx.lang), code=f,
                     data=[by_group.get((g, f)) for g in GROUPS]) for f in ("X", "M")]
    return Chart(id="groups", kind="bar", title=ctx.t("chart_groups"), unit=ctx.unit_name(BIG),
                 categories=names, codes=list(GROUPS), series=series,
                 source=ctx.source("UNCTAD_DDS"), period=period)


def _group_name(code: str, lang: str) -> str:
    from shumao.reference import groupings

    try:
        group = groupings.lookup_group(code)
    except UnknownCode:
        return code
    return pick(group.name_zh, code if lang == "en" else group.name_zh, lang)


def _ebops_chart(ctx: Ctx, frame: pl.DataFrame, source: str, unit: str,
                 title: str | None = None) -> Chart:
    """Exports and imports by service item, latest period (totals DD/DDS left out)."""
    items = frame.filter(~pl.col("product").is_in(["DD", "DDS", "S", "_Z"])
                         & pl.col("flow").is_in(["X", "M"]))
    period, latest = _latest(items)
    codes = _main_items(latest["product"].unique().to_list()) if latest.height else []
    values = {(p, f): v for p, f, v in latest.select("product", "flow", "value").iter_rows()}
    series = [Series(name=label("flow", f, ctx.lang), code=f,
                     data=[values.get((c, f)) for c in codes]) for f in ("X", "M")]
    return Chart(id="ebops", kind="bar", title=title or ctx.t("chart_ebops"),
                 unit=ctx.unit_name(unit), categories=[product_name(c, ctx.lang) for c in codes],
                 codes=codes, series=series, source=source, period=period)


def _main_items(codes: list[str]) -> list[str]:
    """Main items, and the sub-items of main items that are not there themselves."""
    present = set(codes)
    keep = []
    for code in sorted(present):
        try:
            main = ebops.main_item_of(code)
        except UnknownCode:
            main = None
        if main is None or main.code == code or main.code not in present:
            keep.append(code)
    return keep


def _ranking_chart(ctx: Ctx, chart_id: str, title: str, frame: pl.DataFrame, unit: str,
                   source: str, names: dict[str, str] | None = None) -> Chart:
    """Areas ranked by total trade (T, else X) in the latest period, with exports beside."""
    period, latest = _latest(_levels_with_balance(frame))
    values = {(a, f): v for a, f, v in latest.select("ref_area", "flow", "value").iter_rows()}
    codes = sorted({a for a, _ in values}, key=lambda a: -(values.get((a, "T"))
                                                            or values.get((a, "X")) or 0.0))
    series = [Series(name=label("flow", f, ctx.lang), code=f,
                     data=[values.get((a, f)) for a in codes]) for f in ("T", "X")]
    return Chart(id=chart_id, kind="bar", title=title, unit=ctx.unit_name(unit),
                 categories=[area_name(a, ctx.lang, names) for a in codes], codes=codes,
                 series=series, source=source, period=period, links=[f"/area/{a}" for a in codes])


def _parks_chart(ctx: Ctx) -> Chart:
    frame = _read(ctx, "MOFCOM_REPORT", ref_area=[p.code for p in parks.parks()],
                  flow=["T", "X"], indicator=["VALUE"])
    return _ranking_chart(ctx, "parks", ctx.t("chart_parks"), frame, BIG,
                          ctx.source("MOFCOM_REPORT"))


# --------------------------------------------------------------------------- overview


def overview(conn: Connection, *, scope: Scope, lang: str) -> Dashboard:
    ctx = Ctx(conn, scope, lang)
    national = _read(ctx, "UNCTAD_DDS", ref_area=["CHN"], counterpart_area=[WORLD],
                     product=["DD"])
    source = ctx.source("UNCTAD_DDS")
    kpis = _trade_kpis(ctx, national, BIG, source)
    share = _share_kpi(ctx)
    kpis += [share] if share else []
    latest = max(national["time_period"].to_list()) if national.height else None
    wto = _read(ctx, "WTO_DDS", ref_area=["CHN"], counterpart_area=[WORLD])
    charts = [
        _series_chart(ctx, "series", national, BIG, source, ctx.t("chart_series")),
        _province_map(ctx),
        _groupings_chart(ctx, latest),
        _ebops_chart(ctx, wto, ctx.source("WTO_DDS"), BIG),
        _parks_chart(ctx),
    ]
    return Dashboard(code="CHN", name=area_name("CHN", lang), level="nation",
                     scope_note=_scope_note(ctx), kpis=kpis, charts=charts,
                     links=_scope_links(ctx))


def _scope_note(ctx: Ctx) -> str:
    if ctx.scope.sees_all:
        return ""
    return ctx.t("released_public") if ctx.scope.is_public else ctx.t("scope_note")


def _scope_links(ctx: Ctx) -> list[Link]:
    if ctx.scope.is_public or ctx.scope.sees_all:
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
    unit = SMALL if level in ("park", "enterprise", "county") else BIG
    official = _read(ctx, "MOFCOM_REPORT", ref_area=[code])
    cells = enterprise_cells(ctx, code)
    mine = cells.filter(pl.col("ref_area") == code)
    mine = aggregate.to_unit(mine, unit) if mine.height else mine
    totals = mine.filter((pl.col("product") == "DD") & (pl.col("counterpart_area") == WORLD))
    src_report, src_ent = ctx.source("MOFCOM_REPORT"), ctx.source(ENT_FLOW)
    kpis = (_trade_kpis(ctx, official, BIG, src_report)
            + _trade_kpis(ctx, totals, unit, src_ent, prefix="ent_"))
    series = [_series_chart(ctx, "series", official, BIG, src_report, ctx.t("chart_series"))
              if official.height else None,
              _series_chart(ctx, "ent_series", totals, unit, src_ent,
                            f"{ctx.t('chart_series')}（{ctx.t('direct_reporting')}）")
              if totals.height or not official.height else None]
    charts = [
        *(c for c in series if c is not None),
        *([_province_map(ctx, code)] if level == "province" else []),
        *([_children_chart(ctx, code, level, cells, unit)]
          if level in ("province", "city", "park") else []),
        _partners_chart(ctx, mine, unit),
        _ebops_chart(ctx, mine.filter(pl.col("counterpart_area") == WORLD), src_ent, unit),
    ]
    return Dashboard(code=code, name=_name(ctx, code), level=level, scope_note=_scope_note(ctx),
                     kpis=kpis, charts=charts, links=_area_links(ctx, code, level))


def _may_see_enterprise(ctx: Ctx, code: str) -> None:
    if ctx.scope.is_public:
        raise LoginRequired()
    if not ctx.scope.covers(ctx.conn, code):
        raise NotAllowed(f"无权查看企业 {code} / may not see enterprise {code}")
    if registry.find(ctx.conn, code) is None:
        raise UnknownCode("企业信息库 enterprise database", code)


def _children(ctx: Ctx, code: str, level: str, *, enterprises: bool = True) -> list[str]:
    if level == "park":
        if not enterprises or ctx.scope.is_public:
            return []
        return [e.uscc for e in registry.list_enterprises(ctx.conn, actor=ctx.scope.actor(),
                                                          park=code, include_inactive=True)]
    if level in ("province", "city"):
        key = "province_code" if level == "province" else "city_code"
        in_area = [p.code for p in parks.parks() if getattr(p, key) == code]
        return in_area + [c.code for c in geo.children(code)]
    return []


def _children_chart(ctx: Ctx, code: str, level: str, cells: pl.DataFrame, unit: str) -> Chart:
    kids = _children(ctx, code, level)
    frame = cells.filter(pl.col("ref_area").is_in(kids) & (pl.col("product") == "DD")
                         & (pl.col("counterpart_area") == WORLD))
    frame = aggregate.to_unit(frame, unit) if frame.height else frame
    names = _enterprise_names(ctx, kids) if level == "park" else None
    return _ranking_chart(ctx, "children", ctx.t("chart_children"), frame, unit,
                          ctx.source(ENT_FLOW), names)


def _enterprise_names(ctx: Ctx, usccs: list[str]) -> dict[str, str]:
    out = {}
    for uscc in usccs:
        found = registry.find(ctx.conn, uscc)
        if found:
            out[uscc] = found.name
    return out


def _partners_chart(ctx: Ctx, mine: pl.DataFrame, unit: str, top: int = 10) -> Chart:
    frame = mine.filter((pl.col("product") == "DD") & (pl.col("counterpart_area") != WORLD))
    period, latest = _latest(_with_total(frame))
    totals = latest.filter(pl.col("flow") == "T").sort("value", descending=True, nulls_last=True)
    codes = totals["counterpart_area"].head(top).to_list()
    values = {(a, f): v for a, f, v in latest.select("counterpart_area", "flow", "value")
              .iter_rows()}
    series = [Series(name=label("flow", f, ctx.lang), code=f,
                     data=[values.get((c, f)) for c in codes]) for f in ("X", "M")]
    return Chart(id="partners", kind="bar", title=ctx.t("chart_partners"),
                 unit=ctx.unit_name(unit), categories=[area_name(c, ctx.lang) for c in codes],
                 codes=codes, series=series, source=ctx.source(ENT_FLOW), period=period)


def _area_links(ctx: Ctx, code: str, level: str) -> list[Link]:
    up: list[str] = []
    if level == "park":
        up = [parks.lookup(code).province_code]
    elif level == "enterprise":
        found = registry.find(ctx.conn, code)
        up = [c for c in (found.park_code, found.province_code) if c] if found else []
    elif level in ("city", "county"):
        up = [a.code for a in geo.ancestors(code)]
    return [Link(code="CHN", name=area_name("CHN", ctx.lang), href="/")] + [
        Link(code=c, name=_name(ctx, c), href=f"/area/{c}") for c in up]


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
    leaves = aggregate.rollup(publish.with_world_totals(micro), [hierarchy.ebops_tree("DD")])
    cells = pl.concat([cells.select(protected.columns), leaves.select(protected.columns)])
    inside = ctx.scope.area_codes(ctx.conn)
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
    key = {"park": "park_code", "city": "city_code", "province": "province_code",
           "county": "county_code"}.get(level)
    if key is None:
        return []
    return [e.uscc for e in found if getattr(e, key) == code]
