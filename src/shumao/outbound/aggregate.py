"""Register totals by host economy, dated grouping, key area, province and year, protected.

Pure frame → frame: ``cells(projects, by=…)`` sums the current register's approved amounts
(万美元) per category and year (the year the project was filed) with the enterprise
contributions that disclosure control needs (``n_contributors``, ``top1``, ``top2``; an
enterprise's projects in one cell are one contribution). ``protect`` runs the platform's
disclosure control (``release.disclosure``: the configured rule set, primary and optimal
secondary suppression) on each year's table with its total; ``public`` blanks what it hid.

Groupings (共建“一带一路”国家 BRI, RCEP, ASEAN, EU27, BRICS, SCO, G20) take membership on the
project's filing date (``reference.groupings``: RCEP counts Indonesia only from 2023-01-02; BRI
counts Italy until 2024-03-22 and most members only from the official list's 2023-08-24, since
no stored source dates their signing — docs/methods.md §11). A grouping's total is
published only when the hidden economies inside it, taken together, would pass the primary
rules — otherwise the total minus the published members gives them away (``_group_audit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from shumao.compute.hierarchy import Hierarchy, node_frame
from shumao.reference import groupings
from shumao.release.disclosure.frames import protect_frame, public_view
from shumao.release.disclosure.primary import primary
from shumao.release.disclosure.rules import Rules, configured

By = Literal["host", "group", "area", "province_code", "year"]
BY: tuple[By, ...] = ("host", "group", "area", "province_code", "year")
TOTAL = "_T"
GROUPS = ("BRI", "RCEP", "ASEAN", "EU27", "BRICS", "SCO", "G20")
KEYS = ["category", "time_period"]
ALL = "ALL"
"""The period of the cumulative cells: every current project, whatever year it was filed."""


def _with_year(projects: pl.DataFrame) -> pl.DataFrame:
    return projects.with_columns(pl.col("filed_on").dt.year().cast(pl.String).alias("time_period"))


def _members(projects: pl.DataFrame, groups: Sequence[str]) -> pl.DataFrame:
    rows = [
        (r["uscc"], r["project_no"], g)
        for r in projects.select("uscc", "project_no", "host", "filed_on").iter_rows(named=True)
        for g in groups
        if r["host"] in groupings.members(g, r["filed_on"])
    ]
    return pl.DataFrame(
        rows,
        schema={"uscc": pl.String, "project_no": pl.String, "category": pl.String},
        orient="row",
    )


def _categorised(projects: pl.DataFrame, by: By) -> pl.DataFrame:
    """One row per project and category, for each year filed and for all years (``ALL``)."""
    frame = _with_year(projects)
    if by == "year":
        return frame.with_columns(
            pl.col("time_period").alias("category"), pl.lit(ALL).alias("time_period")
        )
    if by == "group":
        frame = frame.join(_members(frame, GROUPS), on=["uscc", "project_no"])
    else:
        frame = frame.with_columns(pl.col(by).fill_null("?").alias("category"))
    return pl.concat([frame, frame.with_columns(pl.lit(ALL).alias("time_period"))])


def _cells(frame: pl.DataFrame) -> pl.DataFrame:
    per_ent = frame.group_by(*KEYS, "uscc").agg(
        pl.col("approved").sum().alias("c"), pl.len().alias("projects")
    )
    return (
        per_ent.sort("c", descending=True)
        .group_by(KEYS)
        .agg(
            pl.col("c").sum().alias("value"),
            pl.col("projects").sum().alias("projects"),
            pl.len().alias("n_contributors"),
            pl.col("c").get(0).alias("top1"),
            pl.col("c").get(1, null_on_oob=True).alias("top2"),
        )
        .with_columns(pl.col("top2").fill_null(0.0))
        .sort(KEYS)
    )


def cells(projects: pl.DataFrame, *, by: By) -> pl.DataFrame:
    """``category, time_period, value`` (万美元), ``projects``, ``n_contributors``, ``top1``,
    ``top2``; for the economies, areas and provinces a total ``_T`` per year."""
    frame = _categorised(projects, by)
    out = _cells(frame)
    if by in ("host", "area", "province_code"):
        out = pl.concat([out, _cells(frame.with_columns(pl.lit(TOTAL).alias("category")))])
    return out.sort(KEYS)


def _flat(codes: Sequence[str]) -> Hierarchy:
    nodes = node_frame([(TOTAL, None, "total"), *((c, TOTAL, "leaf") for c in codes if c != TOTAL)])
    return Hierarchy("outbound", "category", ("leaf", "total"), nodes)


def protect(table: pl.DataFrame, *, by: By, rules: Rules | None = None) -> pl.DataFrame:
    """The table with ``conf_status`` (C primary, D secondary, F free) and ``reason``."""
    rules = rules or configured()
    if table.is_empty():
        return table.with_columns(
            pl.lit(None, pl.String).alias("conf_status"), pl.lit(None, pl.String).alias("reason")
        )
    if by in ("host", "area", "province_code"):
        framed = table.rename({"category": "counterpart_area"})
        hierarchy = _flat(framed["counterpart_area"].unique().to_list())
        hierarchy = Hierarchy(hierarchy.name, "counterpart_area", hierarchy.levels, hierarchy.nodes)
        out = protect_frame(framed, ["counterpart_area"], [hierarchy], rules)
        return out.rename({"counterpart_area": "category"})
    marked = primary(table, rules)
    return marked.with_columns(
        pl.when(pl.col("primary")).then(pl.lit("C")).otherwise(pl.lit("F")).alias("conf_status")
    )


def group_audit(
    groups: pl.DataFrame, hosts: pl.DataFrame, projects: pl.DataFrame, rules: Rules | None = None
) -> pl.DataFrame:
    """Hide a grouping's total when its hidden members, together, fail the primary rules."""
    rules = rules or configured()
    hidden = hosts.filter(pl.col("conf_status").is_in(["C", "D"]))
    frame = _with_year(projects)
    members = _members(frame, GROUPS)
    out = []
    for rec in groups.iter_rows(named=True):
        if rec["conf_status"] != "F":
            out.append(rec)
            continue
        inside = hidden.filter(pl.col("time_period") == rec["time_period"])["category"].to_list()
        part = frame.join(
            members.filter(pl.col("category") == rec["category"]), on=["uscc", "project_no"]
        ).filter(pl.col("host").is_in(inside))
        if rec["time_period"] != ALL:
            part = part.filter(pl.col("time_period") == rec["time_period"])
        if (
            part.height
            and primary(_cells(part.with_columns(pl.lit("x").alias("category"))), rules)["primary"][
                0
            ]
        ):
            rec = {**rec, "conf_status": "D", "reason": "group-difference"}
        out.append(rec)
    return pl.DataFrame(out, schema=groups.schema)


def tables(projects: pl.DataFrame, rules: Rules | None = None) -> dict[str, pl.DataFrame]:
    """Every published table, protected: ``host``, ``group``, ``area``, ``province_code``, ``year``."""
    rules = rules or configured()
    out: dict[str, pl.DataFrame] = {
        by: protect(cells(projects, by=by), by=by, rules=rules) for by in BY
    }
    if not out["group"].is_empty():
        out["group"] = group_audit(out["group"], out["host"], projects, rules)
    return out


def public(table: pl.DataFrame) -> pl.DataFrame:
    """What the public sees: hidden cells without value and counts, no contributor figures."""
    hidden = pl.col("conf_status").is_in(["C", "D"])
    view = public_view(table.with_columns(pl.col("value")))
    return view.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col("projects")).alias("projects")
    ).select(
        [
            c
            for c in ("category", "time_period", "value", "projects", "conf_status")
            if c in view.columns
        ]
    )
