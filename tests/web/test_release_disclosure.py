"""A micro-data release: its partner breakdown and its world totals are protected together
(linked tables), and the rule set it was protected with is stored with it."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, select

from shumao.auth import access, releases
from shumao.auth.tables import audit_log
from shumao.validation import uscc

from .factories import make_enterprise, obs, release, write

PARK_AREAS = ("DSEB05", "320100", "320000", "EAST", "CHN")
"""中国（南京）软件谷 and everything above it: with only these enterprises, the same sums."""


def _park_with_one_american_client(engine: Engine) -> None:
    """Four enterprises of 中国（南京）软件谷 sell to Japan; one of them also to the USA."""
    codes = [uscc.make(f"91320114MA1RLT{i:03d}") for i in range(4)]
    for i, code in enumerate(codes):
        make_enterprise(engine, uscc=code, name=f"发布测试企业{i}", park_code="DSEB05")
    sales = [(codes[0], "USA", 500.0), (codes[0], "JPN", 300.0), (codes[1], "JPN", 280.0),
             (codes[2], "JPN", 260.0), (codes[3], "JPN", 250.0)]
    rows = [obs(ref_area=c, counterpart_area=p, product="SI2", freq="Q", time_period="2024-Q2",
                value=v, unit_mult=4) for c, p, v in sales]
    release(engine, "ENT_DDS", write(engine, "ENT_DDS", rows))


def _public(engine: Engine) -> pl.DataFrame:
    with engine.connect() as conn:
        frame = access.public_view(conn, "ENT_DDS", where={"product": ["DD"]})
    return frame.filter(pl.col("time_period") == "2024-Q2")


def test_the_world_total_cannot_undo_a_suppressed_partner(engine: Engine) -> None:
    """The USA cells hold one enterprise: suppressed. Protected partner by partner (before),
    WLD − JPN gave them back exactly (800 − 1090 + … per area: 500.00). Now, in every area,
    the world total or the Japan cell is suppressed with them."""
    _park_with_one_american_client(engine)
    public = _public(engine)
    value = {(r["ref_area"], r["counterpart_area"]): r["value"] for r in public.iter_rows(named=True)}
    for area in PARK_AREAS:
        assert value[(area, "USA")] is None, area
        assert value[(area, "WLD")] is None or value[(area, "JPN")] is None, area


def test_the_release_records_the_rules_it_applied(engine: Engine) -> None:
    _park_with_one_american_client(engine)
    with engine.connect() as conn:
        [made] = releases.list_releases(conn, "ENT_DDS")
        detail = conn.execute(select(audit_log.c.detail).where(
            audit_log.c.action == "release")).scalars().all()
    record = made.disclosure
    assert record is not None
    assert record["rules"]["name"] == "standard"
    assert record["rules"]["p_percent"] == [[10.0, 1]]
    assert record["rules"]["method"] == "optimal"
    assert record["tables"] == 1  # one flow, one quarter: partners linked into one table
    assert record["primary"] > 0 and record["secondary"] > 0
    assert record["optimal"] == 1 and record["greedy_fallback"] == 0
    assert detail[-1]["disclosure_rules"] == "standard"
