"""Data quality: non-response of an area's reporters, sources that disagree on one figure,
revisions between vintages beyond a threshold."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Connection

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection import response
from shumao.collection.forms import get_form
from shumao.collection.workflow import deadlines
from shumao.compute import aggregate
from shumao.errors import StoreError
from shumao.monitor.detectors.common import HIT_SCHEMA, empty_hits
from shumao.monitor.rules import Rule
from shumao.storage import revisions, vintages
from shumao.storage.tables import DIMENSIONS

MONITOR = Actor("monitor", Role.MINISTRY, "")
"""The evaluation reads the whole collection, as the ministry does."""


def _row(**values: Any) -> dict[str, Any]:
    base = dict.fromkeys(HIT_SCHEMA)
    base.update(values)
    base.setdefault("fields", "{}")
    return base


def non_response(conn: Connection, rule: Rule, today: date) -> pl.DataFrame:
    """未按时报送率 (missing + late) per park, city and province for the latest due period,
    among the form's reporters (the enterprises with its ``reporters`` flag)."""
    form = get_form(str(rule.params.get("form", "DDS_Q")))
    form_id = form.id
    limit = float(rule.params["rate_pct"])
    period = deadlines.last_due_period(conn, form_id=form_id, today=today)
    rows = response.responses(conn, actor=MONITOR, form_id=form_id, period=period, today=today)
    groups = {
        "park": lambda r: r.park_code,
        "city": lambda r: r.city_code,
        "province": lambda r: r.province_code,
    }
    out = []
    for by in rule.params.get("by", ["park", "city", "province"]):
        for tally in response.overview(rows, by=groups[by]):
            if not tally.code or not tally.reporters:
                continue
            bad = tally.counts["missing"] + tally.counts["late"]
            rate = round(100.0 * bad / tally.reporters, 2)
            if rate < limit:
                continue
            fields = {
                "n": tally.reporters,
                "missing": tally.counts["missing"],
                "late": tally.counts["late"],
                "form": form_id,
                "by": by,
            }
            out.append(
                _row(
                    dataflow=form.dataflow,
                    series_key=f"COLLECTION:{form_id}:{tally.code}",
                    ref_area=tally.code,
                    period=period,
                    value=rate,
                    threshold=limit,
                    measure=rate,
                    unit="PCT",
                    unit_mult=0,
                    fields=json.dumps(fields, ensure_ascii=False),
                )
            )
    return pl.DataFrame(out, schema=HIT_SCHEMA) if out else empty_hits()


def source_difference(conn: Connection, rule: Rule, as_of: vintages.AsOf = None) -> pl.DataFrame:
    """One figure read from several dataflows (in 亿美元), latest period they share; a hit
    when the largest differs from the smallest by ``threshold_pct`` % or more."""
    limit = float(rule.params["threshold_pct"])
    out = []
    for i, fig in enumerate(rule.params.get("figures", [])):
        values = _figure_values(conn, fig, as_of)
        common = _shared_latest(values)
        if common is None:
            continue
        period, found = common
        low, high = min(found.values()), max(found.values())
        diff = round((high / low - 1) * 100, 2) if low > 0 else None
        if diff is None or diff < limit:
            continue
        fields = {
            "sources": found,
            "name_zh": fig.get("name_zh", ""),
            "name_en": fig.get("name_en", ""),
        }
        out.append(
            _row(
                dataflow=fig["sources"][0]["dataflow"],
                series_key=f"SOURCES:{i}:{fig['area']}.{fig['flow']}",
                ref_area=fig["area"],
                period=period,
                value=diff,
                threshold=limit,
                measure=diff,
                unit="PCT",
                unit_mult=0,
                flow=fig["flow"],
                fields=json.dumps(fields, ensure_ascii=False),
            )
        )
    return pl.DataFrame(out, schema=HIT_SCHEMA) if out else empty_hits()


def _figure_values(
    conn: Connection, fig: dict[str, Any], as_of: vintages.AsOf
) -> dict[str, dict[str, float]]:
    """dataflow → period → value in 亿美元."""
    out: dict[str, dict[str, float]] = {}
    for src in fig["sources"]:
        where = {"ref_area": [fig["area"]], "flow": [fig["flow"]], "product": [src["product"]]}
        if src.get("indicator"):
            where["indicator"] = [src["indicator"]]
        try:
            frame = vintages.read(
                conn,
                src["dataflow"],
                where=where,
                as_of=as_of if src["dataflow"] == fig["sources"][0]["dataflow"] else None,
            )
        except StoreError:  # as of a date before the dataflow's first vintage: no figure
            continue
        frame = frame.filter(pl.col("value").is_not_null() & (pl.col("unit") == "USD"))
        frame = frame.filter(pl.col("counterpart_area").is_in(["WLD", "_Z"]))
        if frame.is_empty():
            continue
        frame = aggregate.to_unit(frame.drop("vintage_id"), "亿美元")
        out[src["dataflow"]] = dict(frame.select("time_period", "value").iter_rows())
    return out


def _shared_latest(values: dict[str, dict[str, float]]) -> tuple[str, dict[str, float]] | None:
    periods: dict[str, int] = {}
    for per_source in values.values():
        for p in per_source:
            periods[p] = periods.get(p, 0) + 1
    shared = [p for p, n in periods.items() if n >= 2]
    if not shared:
        return None
    period = max(shared)
    return period, {src: round(v[period], 2) for src, v in values.items() if period in v}


def revision(conn: Connection, rule: Rule, dataflow: str) -> pl.DataFrame:
    """Values of the newest vintage against the one before it, beyond ``threshold_pct``."""
    limit = float(rule.params["threshold_pct"])
    known = vintages.list_vintages(conn, dataflow)
    if len(known) < 2:
        return empty_hits()
    table = revisions.revisions(conn, dataflow, then=known[-2].id, now=known[-1].id)
    found = table.filter(pl.col("revision_pct").abs() >= limit).filter(
        pl.col("now_vintage") == known[-1].id
    )
    if found.is_empty():
        return empty_hits()
    found = found.sort("time_period").group_by(list(DIMENSIONS), maintain_order=True).last()
    rows = []
    for r in found.iter_rows(named=True):
        fields = {
            "previous": r["value_then"],
            "change": round(r["revision_pct"], 2),
            "vintages": [r["then_vintage"], r["now_vintage"]],
        }
        rows.append(
            _row(
                dataflow=dataflow,
                series_key=f"{dataflow}:" + ".".join(r[d] for d in DIMENSIONS),
                ref_area=r["ref_area"],
                period=r["time_period"],
                value=r["value_now"],
                threshold=limit,
                measure=abs(r["revision_pct"]),
                unit=r["unit"],
                unit_mult=r["unit_mult"],
                counterpart_area=r["counterpart_area"],
                product=r["product"],
                flow=r["flow"],
                indicator=r["indicator"],
                freq=r["freq"],
                fields=json.dumps(fields, ensure_ascii=False, default=str),
            )
        )
    return pl.DataFrame(rows, schema=HIT_SCHEMA)
