"""What a release publishes of a micro-data dataflow: protected aggregates, computed once.

A micro-data dataflow holds one row per enterprise (``ref_area`` is a USCC, e.g. ``ENT_DDS``);
the public may never see those rows. When such a vintage is released, ``cube`` reads it (in
chunks of enterprises, so memory stays bounded), sums it along the EBOPS tree and the
geography (enterprise → park/county → city → province → region → nation; partners summed to
``WLD``) with ``shumao.compute.aggregate``, and protects the cells with ``disclosure``
(primary and secondary suppression, with the configured rule set; ``disclosure_record`` is
what the release stores about it). ``cells.store`` keeps them in ``release_cell``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from shumao.collection.tables import enterprise
from shumao.compute import aggregate as agg
from shumao.compute import hierarchy
from shumao.compute.totals import with_world_total
from shumao.release import disclosure
from shumao.release.disclosure import Rules
from shumao.storage.dataflows import Dataflow
from shumao.storage.vintages import FRAME_SCHEMA, read_in_chunks

WORLD = "WLD"


def is_microdata(flow: Dataflow) -> bool:
    """Rows per enterprise: the public may only see protected aggregates."""
    return flow.codelist("ref_area") == "uscc"


def enterprise_parents(conn: Connection) -> dict[str, str]:
    """USCC → the node an enterprise hangs under: its park, else county, city or province."""
    rows = conn.execute(
        select(
            enterprise.c.uscc,
            enterprise.c.park_code,
            enterprise.c.county_code,
            enterprise.c.city_code,
            enterprise.c.province_code,
        )
    )
    parents = {}
    for uscc, park, county, city, province in rows:
        parent = park or county or city or province
        if parent:
            parents[uscc] = parent
    return parents


def cube(
    conn: Connection,
    flow_id: str,
    vintage_id: int,
    rules: Rules | None = None,
    outcomes: list[dict[str, Any]] | None = None,
) -> pl.DataFrame:
    """Every protected aggregate of ``flow_id`` as of ``vintage_id`` (``FRAME_SCHEMA``),
    protected with ``rules`` (default: the configured rule set)."""
    rules = rules or disclosure.configured()
    parents = enterprise_parents(conn)
    raw = read_in_chunks(conn, flow_id, where={"ref_area": sorted(parents)}, as_of=vintage_id)
    cells = aggregate(raw.drop("vintage_id"), parents, top=max(2, rules.needed_tops()))
    return protect(cells, parents, rules, outcomes).select(list(FRAME_SCHEMA))


def disclosure_record(rules: Rules, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """What a release stores about its protection: the rule set and how each table went."""
    return {
        "rules": rules.record(),
        "tables": len(outcomes),
        "primary": sum(o["primary"] for o in outcomes),
        "secondary": sum(o["secondary"] for o in outcomes),
        "optimal": sum(bool(o.get("optimal")) for o in outcomes),
        "greedy_fallback": sum(o.get("fallback") is not None for o in outcomes),
    }


def aggregate(raw: pl.DataFrame, parents: Mapping[str, str], top: int = 2) -> pl.DataFrame:
    """Sums at every level above the enterprises, with contributor statistics (the ``top``
    largest contributions, as the disclosure rules need)."""
    if raw.is_empty():
        return raw
    tree = hierarchy.geography(dict(parents))
    return agg.rollup(
        with_world_total(raw), [hierarchy.ebops_tree("DD"), tree], top=top, include_leaves=False
    )


def protect(
    cells: pl.DataFrame,
    parents: Mapping[str, str],
    rules: Rules | None = None,
    outcomes: list[dict[str, Any]] | None = None,
) -> pl.DataFrame:
    """Primary and secondary suppression, then the public view (values of C and D blanked).

    A table is the cells sharing flow and period; its relations run along the geography, the
    EBOPS tree and the partners (``WLD`` = the sum of the partners), so that the partner
    breakdown and the world totals are protected together (linked tables).
    """
    if cells.is_empty():
        return cells
    tree = hierarchy.geography(dict(parents))
    partners = sorted(set(cells["counterpart_area"].to_list()) - {WORLD})
    marked = disclosure.protect_frame(
        cells,
        ["ref_area", "product", "counterpart_area"],
        [tree, hierarchy.ebops_tree("DD"), disclosure.flat("counterpart_area", WORLD, partners)],
        rules or disclosure.configured(),
        outcomes=outcomes,
    )
    return disclosure.public_view(marked)
