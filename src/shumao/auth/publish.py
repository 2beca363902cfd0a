"""What a release publishes of a micro-data dataflow: protected aggregates, computed once.

A micro-data dataflow holds one row per enterprise (``ref_area`` is a USCC, e.g. ``ENT_DDS``);
the public may never see those rows. When such a vintage is released, ``cube`` reads it (in
chunks of enterprises, so memory stays bounded), sums it along the EBOPS tree and the
geography (enterprise → park/county → city → province → region → nation; partners summed to
``WLD``) with ``shumao.compute.aggregate``, and protects the cells with
``shumao.compute.disclosure`` (primary and secondary suppression, with the configured rule set;
``disclosure_record`` is what the release stores about it). ``store`` keeps the cells
in ``release_cell``; the public view reads them (``cells``) — cheap, shared by every server
process, and identical for everyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Connection, and_, insert, select

from shumao.auth.tables import release_cell
from shumao.collection.tables import enterprise
from shumao.storage.dataflows import Dataflow
from shumao.storage.tables import DIMENSIONS
from shumao.storage.vintages import FRAME_SCHEMA

if TYPE_CHECKING:
    from shumao.compute.disclosure import Rules

WORLD = "WLD"
READ_SCHEMA = {**FRAME_SCHEMA, "vintage_id": pl.Int64}
CELL_COLUMNS = (*DIMENSIONS, "time_period", "value", "unit", "unit_mult", "obs_status",
                "conf_status")
BATCH = 5_000


def is_microdata(flow: Dataflow) -> bool:
    """Rows per enterprise: the public may only see protected aggregates."""
    return flow.codelist("ref_area") == "uscc"


def enterprise_parents(conn: Connection) -> dict[str, str]:
    """USCC → the node an enterprise hangs under: its park, else county, city or province."""
    rows = conn.execute(select(enterprise.c.uscc, enterprise.c.park_code, enterprise.c.county_code,
                               enterprise.c.city_code, enterprise.c.province_code))
    parents = {}
    for uscc, park, county, city, province in rows:
        parent = park or county or city or province
        if parent:
            parents[uscc] = parent
    return parents


def cube(conn: Connection, flow_id: str, vintage_id: int, rules: Rules | None = None,
         outcomes: list[dict[str, Any]] | None = None) -> pl.DataFrame:
    """Every protected aggregate of ``flow_id`` as of ``vintage_id`` (``FRAME_SCHEMA``),
    protected with ``rules`` (default: the configured rule set)."""
    from shumao.auth.access import read_in_chunks
    from shumao.compute.disclosure import configured

    rules = rules or configured()
    parents = enterprise_parents(conn)
    raw = read_in_chunks(conn, flow_id, where={"ref_area": sorted(parents)}, as_of=vintage_id)
    cells = aggregate(raw.drop("vintage_id"), parents, top=max(2, rules.needed_tops()))
    return protect(cells, parents, rules, outcomes).select(list(FRAME_SCHEMA))


def disclosure_record(rules: Rules, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """What a release stores about its protection: the rule set and how each table went."""
    return {"rules": rules.record(), "tables": len(outcomes),
            "primary": sum(o["primary"] for o in outcomes),
            "secondary": sum(o["secondary"] for o in outcomes),
            "optimal": sum(bool(o.get("optimal")) for o in outcomes),
            "greedy_fallback": sum(o.get("fallback") is not None for o in outcomes)}


def aggregate(raw: pl.DataFrame, parents: Mapping[str, str], top: int = 2) -> pl.DataFrame:
    """Sums at every level above the enterprises, with contributor statistics (the ``top``
    largest contributions, as the disclosure rules need)."""
    from shumao.compute import aggregate as agg
    from shumao.compute import hierarchy

    if raw.is_empty():
        return raw
    tree = hierarchy.geography(dict(parents))
    return agg.rollup(with_world_totals(raw), [hierarchy.ebops_tree("DD"), tree], top=top,
                      include_leaves=False)


def with_world_totals(frame: pl.DataFrame) -> pl.DataFrame:
    """Add each enterprise's total over partners (``WLD``) unless the data already has it."""
    if frame.filter(pl.col("counterpart_area") == WORLD).height:
        return frame
    keys = [d for d in DIMENSIONS if d != "counterpart_area"] + ["time_period", "unit",
                                                                 "unit_mult"]
    totals = frame.group_by(keys).agg(
        pl.col("value").sum().alias("value"),
        pl.when(pl.col("obs_status").is_in(["E", "M"]).any()).then(pl.lit("E"))
        .otherwise(pl.lit("A")).alias("obs_status"),
    ).with_columns(pl.lit(WORLD).alias("counterpart_area"), pl.lit("F").alias("conf_status"),
                   pl.lit(None, pl.String).alias("attrs"))
    return pl.concat([frame, totals.select(frame.columns)], how="vertical")


def protect(cells: pl.DataFrame, parents: Mapping[str, str], rules: Rules | None = None,
            outcomes: list[dict[str, Any]] | None = None) -> pl.DataFrame:
    """Primary and secondary suppression, then the public view (values of C and D blanked).

    A table is the cells sharing flow and period; its relations run along the geography, the
    EBOPS tree and the partners (``WLD`` = the sum of the partners), so that the partner
    breakdown and the world totals are protected together (linked tables).
    """
    from shumao.compute import disclosure, hierarchy

    if cells.is_empty():
        return cells
    tree = hierarchy.geography(dict(parents))
    partners = sorted(set(cells["counterpart_area"].to_list()) - {WORLD})
    marked = disclosure.protect_frame(
        cells, ["ref_area", "product", "counterpart_area"],
        [tree, hierarchy.ebops_tree("DD"), disclosure.flat("counterpart_area", WORLD, partners)],
        rules or disclosure.configured(), outcomes=outcomes)
    return disclosure.public_view(marked)


def store(conn: Connection, release_id: int, cells: pl.DataFrame) -> int:
    rows = cells.select(CELL_COLUMNS).with_columns(pl.lit(release_id).alias("release_id"))
    for start in range(0, rows.height, BATCH):
        conn.execute(insert(release_cell), rows.slice(start, BATCH).to_dicts())
    return rows.height


def cells(conn: Connection, release_id: int, vintage_id: int, *,
          where: Mapping[str, Sequence[str]] | None = None, start: str | None = None,
          end: str | None = None) -> pl.DataFrame:
    """The published cells of a release matching the filters (``READ_SCHEMA``)."""
    filters = {dim: list(codes) for dim, codes in (where or {}).items() if codes}
    if "ref_area" in filters:  # enterprises are never published: only places can match
        filters["ref_area"] = [c for c in filters["ref_area"] if len(c) != 18]
        if not filters["ref_area"]:
            return pl.DataFrame(schema=READ_SCHEMA)
    conds = [release_cell.c.release_id == release_id]
    conds += [release_cell.c[dim].in_(codes) for dim, codes in filters.items()]
    if start:
        conds.append(release_cell.c.time_period >= start)
    if end:
        conds.append(release_cell.c.time_period <= end + "~")
    rows = conn.execute(select(*(release_cell.c[c] for c in CELL_COLUMNS)).where(and_(*conds))
                        .order_by(*(release_cell.c[d] for d in DIMENSIONS),
                                  release_cell.c.time_period)).all()
    schema = {c: FRAME_SCHEMA[c] for c in CELL_COLUMNS}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(pl.lit(None, pl.String).alias("attrs"),
                              pl.lit(vintage_id, pl.Int64).alias("vintage_id")
                              ).select(list(READ_SCHEMA))
