"""The KPI cards: each shows the latest period for which it is known, and the page says so
when the cards' periods differ (the share of services trade comes from MOFCOM's releases, or
from BaTIS where those have no later year; its gap to the policy targets is stated as of its
year)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from shumao.compute import aggregate, hierarchy, releases
from shumao.compute.shares import dd_share_of_services
from shumao.compute.totals import with_flow_total
from shumao.labels import pick
from shumao.reference import ebops
from shumao.web.schemas import Kpi
from shumao.web.services.board import (
    WORLD,
    Ctx,
    by_period,
    growth,
    levels_with_balance,
    read,
)

TARGETS = Path(__file__).resolve().parents[1] / "targets.yaml"
KPI_FLOWS = (
    ("total", "T", "kpi_total"),
    ("exports", "X", "kpi_exports"),
    ("imports", "M", "kpi_imports"),
    ("balance", "B", "kpi_balance"),
)


def trade_kpis(
    ctx: Ctx, frame: pl.DataFrame, unit: str, source: str, prefix: str = ""
) -> list[Kpi]:
    """T, X, M, B of one area's long frame, each at its own latest known period, with growth."""
    levels = levels_with_balance(frame)
    if levels.is_empty():
        return []
    periods = by_period(levels)
    rises = growth(pl.concat([levels, frame.filter(pl.col("indicator") == "GROWTH_YOY")]))
    out = []
    for key, flow, text in KPI_FLOWS:
        known = [p for p in sorted(periods) if periods[p].get(flow) is not None]
        period = known[-1] if known else None
        out.append(
            Kpi(
                key=prefix + key,
                label=ctx.t(text),
                value=periods[period][flow] if period else None,
                unit=ctx.unit_name(unit),
                period=period,
                growth=rises.get((period, flow)) if period else None,
                source=source,
            )
        )
    return out


@lru_cache(maxsize=1)
def _targets() -> dict[str, Any]:
    return yaml.safe_load(TARGETS.read_text(encoding="utf-8"))


def share_kpi(ctx: Ctx, area: str = "CHN") -> Kpi | None:
    """可数字化交付服务贸易占服务贸易比重 of the later of MOFCOM's releases and BaTIS (MOFCOM's
    when both have the same year): the figure the policy targets are measured on
    (``monitor.indicators``) once MOFCOM has published it, BaTIS's where it has not."""
    found = [s for s in (_mofcom_share(ctx, area), _batis_share(ctx, area)) if s is not None]
    if not found:
        return None
    period, value, source = max(found, key=lambda s: s[0])  # MOFCOM's on a tie: max keeps the first
    targets = _targets()
    return Kpi(
        key="share",
        label=ctx.t("kpi_share"),
        value=value,
        unit="%",
        period=period,
        targets=[
            {
                "value": t["value"],
                "year": t["year"],
                "label": pick(t["label_zh"], t["label_en"], ctx.lang),
                "text": _gap_text(
                    ctx, pick(t["label_zh"], t["label_en"], ctx.lang), t["value"] - value, period
                ),
            }
            for t in targets["share_of_services"]
        ],
        source=f"{source}；{pick(targets['source_zh'], targets['source_en'], ctx.lang)}",
    )


Share = tuple[str, float, str]
"""(period, value, source)."""


def _batis_share(ctx: Ctx, area: str) -> Share | None:
    """BaTIS: the digitally deliverable main items over total services (S), flow T."""
    mains = ebops.digitally_deliverable_main_items()
    frame = read(
        ctx, "BATIS", unit=None, ref_area=[area], counterpart_area=[WORLD], product=["S", *mains]
    )
    if frame.is_empty():
        return None
    dd = aggregate.aggregate(
        frame.filter(pl.col("product").is_in(mains)), hierarchy.ebops_tree("DD")
    ).filter(pl.col("product") == "DD")
    both = with_flow_total(
        pl.concat([dd.select(frame.columns), frame.filter(pl.col("product") == "S")])
    )
    shares = dd_share_of_services(both).filter(pl.col("flow") == "T")
    shares = shares.filter(pl.col("value").is_not_null())
    if shares.is_empty():
        return None
    period, value = shares.sort("time_period").select("time_period", "value").row(-1)
    return period, value, ctx.source("BATIS")


def _mofcom_share(ctx: Ctx, area: str) -> Share | None:
    """MOFCOM's annual releases (``compute.releases.dd_share``), saying so when the share is
    measured by knowledge-intensive services."""
    frame = read(ctx, "MOFCOM_SERVICES", unit=None, ref_area=[area], flow=["T"], freq=["A"])
    shares = releases.dd_share(frame) if frame.height else frame
    if shares.is_empty():
        return None
    period, value, basis = shares.row(-1)
    source = ctx.source("MOFCOM_SERVICES")
    if basis != "DD":
        source += ctx.t(f"share_basis_{basis.lower()}")
    return period, value, source


def _gap_text(ctx: Ctx, label: str, gap: float, period: str) -> str:
    if gap <= 0:
        return ctx.t("kpi_target_met", target=label, period=period)
    return ctx.t("kpi_target_gap", target=label, gap=f"{gap:,.2f}", period=period)


def periods_note(ctx: Ctx, kpis: list[Kpi]) -> str:
    """ "各指标最新期不同：2023 年——…；2019 年——…" when the cards' periods differ, else ""."""
    groups: dict[str, list[str]] = {}
    for k in kpis:
        if k.period:
            name = k.label + (
                ctx.bracket(ctx.t("direct_reporting")) if k.key.startswith("ent_") else ""
            )
            groups.setdefault(k.period, []).append(name)
    if len(groups) < 2:
        return ""
    sep = "、" if ctx.lang == "zh" else ", "
    parts = [
        ctx.t("kpi_period_group", period=p, names=sep.join(names))
        for p, names in sorted(groups.items(), reverse=True)
    ]
    return ctx.t("kpi_periods_differ", groups=("；" if ctx.lang == "zh" else "; ").join(parts))
