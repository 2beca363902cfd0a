"""The de-duplicated count of enterprises doing digital-service business (notice 三(三)1):
enterprises that report telecom, computer and information services (EBOPS SI) in the
direct-reporting system **plus** enterprises that report offshore IT outsourcing (ITO) in the
service-outsourcing roster, each counted once.

A run links a base's roster rows of a year (the newest load holding them; rows with ITO
amounts only) to the base's registered enterprises (``linkage.link``; people's earlier
decisions applied), stores the outcome per row and the counts:

    direct_only   reported SI in the year, not on the roster
    roster_only   on the roster, linked to no SI reporter (two rows linked to one enterprise,
                  or sharing a record key, count once)
    both          an SI reporter the roster also lists
    pending       roster rows waiting in the review queue (counted as roster-only meanwhile)

A reviewer's decision (``decide``) is kept in ``link_decision`` (by the roster record's key and
the enterprise's credit code), applied at once to the run's counts and reused by every later
run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Connection, func, insert, select

from shumao.auth.scope import Scope
from shumao.bases import access, linkage, linkage_model, registry
from shumao.bases.tables import link_decision, link_result, link_run, so_roster_row
from shumao.collection.tables import enterprise
from shumao.errors import ShumaoError
from shumao.reference import geo
from shumao.storage import vintages

Progress = Callable[[str, int, int], None]
SI_ITEMS = ("SI", "SI1", "SI2", "SI3")


@dataclass(frozen=True)
class Count:
    run_id: int
    base_code: str
    year: str
    total: int
    direct_only: int
    roster_only: int
    both: int
    pending: int
    direct: int
    roster_rows: int
    created_at: datetime | None = None


def _location(county: str | None, city: str | None, province: str | None) -> str | None:
    code = county or city or province
    if not code:
        return None
    area = geo.lookup(code)
    chain = [a.name_zh for a in reversed([area, *geo.ancestors(code)])]
    return "".join(dict.fromkeys(chain))


def direct_enterprises(conn: Connection, base_code: str) -> pl.DataFrame:
    rows = conn.execute(
        select(
            enterprise.c.uscc,
            enterprise.c.name,
            enterprise.c.county_code,
            enterprise.c.city_code,
            enterprise.c.province_code,
        ).where(enterprise.c.park_code == base_code)
    ).all()
    return pl.DataFrame(
        [(u, u, n, _location(c, ci, p)) for u, n, c, ci, p in rows],
        schema={"uid": pl.String, "uscc": pl.String, "name": pl.String, "address": pl.String},
        orient="row",
    )


def si_reporters(conn: Connection, usccs: list[str], year: str) -> set[str]:
    if not usccs:
        return set()
    frame = vintages.read(
        conn,
        "ENT_DDS",
        where={"ref_area": usccs, "product": list(SI_ITEMS), "flow": ["X"]},
        start=f"{year}-Q1",
        end=f"{year}-Q4",
    )
    return set(frame.filter(pl.col("value") > 0)["ref_area"].unique().to_list())


def roster_rows(conn: Connection, base_code: str, year: str) -> pl.DataFrame:
    """The ITO rows of the newest load that holds the base and year."""
    newest = (
        select(func.max(so_roster_row.c.load_id))
        .where(so_roster_row.c.base_code == base_code, so_roster_row.c.year == year)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(so_roster_row).where(
            so_roster_row.c.base_code == base_code,
            so_roster_row.c.year == year,
            so_roster_row.c.load_id == newest,
        )
    ).all()
    frame = pl.DataFrame([dict(r._mapping) for r in rows]) if rows else pl.DataFrame()
    if frame.is_empty():
        return frame
    ito = pl.any_horizontal(pl.col("ito_contract", "ito_exec").fill_null(0) > 0)
    return frame.filter(ito)


def decisions(conn: Connection) -> dict[tuple[str, str], str]:
    return {
        (k, u): d
        for k, u, d in conn.execute(
            select(link_decision.c.record_key, link_decision.c.uscc, link_decision.c.decision)
        )
    }


def run(
    conn: Connection,
    *,
    scope: Scope,
    base_code: str,
    year: str,
    settings: linkage_model.LinkSettings = linkage_model.DEFAULT,
    progress: Progress | None = None,
) -> Count:
    """Link the base's roster of ``year`` and store the run, its results and counts."""
    base = registry.get(conn, base_code)
    access.require_link(conn, scope, base.code, base.city_code)
    roster = roster_rows(conn, base.code, year)
    if roster.is_empty():
        raise ShumaoError(
            f"{base.name_zh} 没有 {year} 年的服务外包名录（离岸ITO）行：请先导入名录 / "
            f"no outsourcing roster rows (offshore ITO) of {base.code} for {year}: "
            "import the roster first"
        )
    left = direct_enterprises(conn, base.code)
    right = roster.select(pl.col("id").cast(pl.String).alias("uid"), "uscc", "name", "address")
    keys = dict(zip(roster["id"].cast(pl.String), roster["record_key"], strict=True))
    by_uid = {
        (rid, u): d
        for rid, key in keys.items()
        for (k, u), d in decisions(conn).items()
        if k == key
    }
    result = linkage.link(left, right, settings=settings, decisions=by_uid, progress=progress)
    reporters = si_reporters(conn, left["uscc"].to_list(), year)
    links = result.links.join(
        roster.select(pl.col("id").cast(pl.String).alias("right_uid"), "record_key"), on="right_uid"
    )
    counts = tally(links, reporters)
    run_id = _store(conn, scope, base.code, year, settings, result, links, counts)
    access.record(conn, scope, "base.link", f"{base.code} {year}", {"run": run_id, **counts})
    return Count(run_id, base.code, year, **counts)  # type: ignore[arg-type]


def tally(links: pl.DataFrame, reporters: set[str]) -> dict[str, int]:
    """Counts from the per-row outcome (right_uid, left_uid, status, record_key)."""
    linked = links.filter(pl.col("status") == linkage.LINKED)
    in_roster = set(linked["left_uid"].to_list())
    rest = links.filter(pl.col("status") != linkage.LINKED)
    outside = linked.filter(~pl.col("left_uid").is_in(list(reporters)))
    roster_only = rest["record_key"].n_unique() + outside["left_uid"].n_unique()
    both = len(in_roster & reporters)
    direct_only = len(reporters - in_roster)
    return {
        "total": direct_only + both + roster_only,
        "direct_only": direct_only,
        "roster_only": roster_only,
        "both": both,
        "pending": links.filter(pl.col("status") == linkage.REVIEW).height,
        "direct": len(reporters),
        "roster_rows": links.height,
    }


def _store(
    conn: Connection,
    scope: Scope,
    base_code: str,
    year: str,
    settings: linkage_model.LinkSettings,
    result: linkage.LinkResult,
    links: pl.DataFrame,
    counts: dict[str, int],
) -> int:
    run_id = conn.execute(
        insert(link_run).values(
            base_code=base_code,
            year=year,
            settings=asdict(settings),
            model=result.parameters,
            counts=counts,
            created_by=scope.username or scope.role,
            created_at=datetime.now(UTC),
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    weights = [c for c in links.columns if c.startswith("mw_")]
    rows = [
        {
            "run_id": run_id,
            "roster_row_id": int(r["right_uid"]),
            "uscc": r.get("left_uid"),
            "candidate_uscc": r.get("candidate_uid") or r.get("left_uid"),
            "status": r["status"],
            "method": r["method"],
            "match_weight": r.get("match_weight"),
            "match_probability": r.get("match_probability"),
            "runner_up": r.get("runner_up"),
            "weights": {w: r[w] for w in weights if r.get(w) is not None} or None,
        }
        for r in links.to_dicts()
    ]
    conn.execute(insert(link_result), rows)
    return int(run_id)


def latest(conn: Connection, *, base_code: str, year: str) -> Count | None:
    row = conn.execute(
        select(link_run)
        .where(link_run.c.base_code == base_code, link_run.c.year == year)
        .order_by(link_run.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Count(row.id, base_code, year, **row.counts, created_at=row.created_at)


def results(conn: Connection, run_id: int) -> pl.DataFrame:
    """Every roster row of a run with its outcome, names on both sides."""
    rows = conn.execute(
        select(
            so_roster_row.c.id,
            so_roster_row.c.row_no,
            so_roster_row.c.name,
            so_roster_row.c.uscc.label("roster_uscc"),
            so_roster_row.c.address,
            so_roster_row.c.record_key,
            link_result.c.uscc,
            link_result.c.candidate_uscc,
            link_result.c.status,
            link_result.c.method,
            link_result.c.match_weight,
            link_result.c.match_probability,
            link_result.c.runner_up,
            link_result.c.weights,
            enterprise.c.name.label("enterprise_name"),
        )
        .select_from(
            link_result.join(
                so_roster_row, so_roster_row.c.id == link_result.c.roster_row_id
            ).outerjoin(enterprise, enterprise.c.uscc == link_result.c.candidate_uscc)
        )
        .where(link_result.c.run_id == run_id)
        .order_by(so_roster_row.c.row_no)
    ).all()
    return pl.DataFrame([dict(r._mapping) for r in rows], infer_schema_length=None)


SOURCE_TEXT = {
    "direct": ("仅服贸直报", "direct reporting only"),
    "roster": ("仅服务外包名录", "roster only"),
    "both": ("两者皆有", "both"),
}
"""``members``' source codes, named (Chinese, English) for the pages."""
METHOD_TEXT = {
    "code": ("统一社会信用代码", "credit code"),
    "probabilistic": ("概率匹配", "probabilistic linkage"),
    "review": ("人工复核确认", "confirmed in review"),
    "pending": ("待复核", "pending review"),
    "none": ("未匹配", "not linked"),
}
"""``members``' linkage methods (``linkage``), named (Chinese, English) for the pages."""


def members(conn: Connection, count: Count) -> pl.DataFrame:
    """The list behind a count: one row per enterprise counted, with where it came from."""
    res = results(conn, count.run_id)
    left = direct_enterprises(conn, count.base_code)
    reporters = si_reporters(conn, left["uscc"].to_list(), count.year)
    linked = res.filter(pl.col("status") == linkage.LINKED) if res.height else res
    listed = set(linked["uscc"].to_list()) if res.height else set()
    names = dict(zip(left["uscc"], left["name"], strict=True))
    out = [
        {
            "name": names.get(u, u),
            "uscc": u,
            "source": "both" if u in listed else "direct",
            "method": "",
            "match_weight": None,
        }
        for u in sorted(reporters)
    ]
    seen: set[str] = set()
    for r in res.to_dicts() if res.height else []:
        ident = r["uscc"] if r["status"] == linkage.LINKED else r["record_key"]
        if ident in seen or (r["status"] == linkage.LINKED and r["uscc"] in reporters):
            continue
        seen.add(ident)
        out.append(
            {
                "name": r["name"],
                "uscc": r["uscc"] or r["roster_uscc"],
                "source": "roster",
                "method": r["method"],
                "match_weight": r["match_weight"],
            }
        )
    return pl.DataFrame(
        out,
        schema={
            "name": pl.String,
            "uscc": pl.String,
            "source": pl.String,
            "method": pl.String,
            "match_weight": pl.Float64,
        },
    )
