"""A micro-data release: its partner breakdown and its world totals are protected together
(linked tables), and the rule set it was protected with is stored with it."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from shumao import access
from shumao.auth.tables import audit_log
from shumao.release import history
from shumao.validation import uscc
from web.conftest import login

from .factories import make_enterprise, make_user, obs, release, write

PARK_AREAS = ("DSEB05", "320100", "320000", "EAST", "CHN")
"""中国（南京）软件谷 and everything above it: with only these enterprises, the same sums."""


def _park_with_one_american_client(engine: Engine) -> None:
    """Four enterprises of 中国（南京）软件谷 sell to Japan; one of them also to the USA."""
    codes = [uscc.make(f"91320114MA1RLT{i:03d}") for i in range(4)]
    for i, code in enumerate(codes):
        make_enterprise(engine, uscc=code, name=f"发布测试企业{i}", park_code="DSEB05")
    sales = [
        (codes[0], "USA", 500.0),
        (codes[0], "JPN", 300.0),
        (codes[1], "JPN", 280.0),
        (codes[2], "JPN", 260.0),
        (codes[3], "JPN", 250.0),
    ]
    rows = [
        obs(
            ref_area=c,
            counterpart_area=p,
            product="SI2",
            freq="Q",
            time_period="2024-Q2",
            value=v,
            unit_mult=4,
        )
        for c, p, v in sales
    ]
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
    value = {
        (r["ref_area"], r["counterpart_area"]): r["value"] for r in public.iter_rows(named=True)
    }
    for area in PARK_AREAS:
        assert value[(area, "USA")] is None, area
        assert value[(area, "WLD")] is None or value[(area, "JPN")] is None, area


def test_the_release_records_the_rules_it_applied(engine: Engine) -> None:
    _park_with_one_american_client(engine)
    with engine.connect() as conn:
        [made] = history.list_releases(conn, "ENT_DDS")
        detail = (
            conn.execute(select(audit_log.c.detail).where(audit_log.c.action == "release"))
            .scalars()
            .all()
        )
    record = made.disclosure
    assert record is not None
    assert record["rules"]["name"] == "standard"
    assert record["rules"]["p_percent"] == [[10.0, 1]]
    assert record["rules"]["method"] == "optimal"
    assert record["tables"] == 1  # one flow, one quarter: partners linked into one table
    assert record["primary"] > 0 and record["secondary"] > 0
    assert record["optimal"] == 1 and record["greedy_fallback"] == 0
    assert detail[-1]["disclosure_rules"] == "standard"


def test_releases_made_before_the_rules_were_recorded_get_the_rules_of_their_time(
    engine: Engine,
) -> None:
    """``release_0001`` records the rules fixed in the code before ``auth_0003`` (the set
    ``legacy-2026-11``) with the micro-data releases that stored none; a table published as
    it is keeps none; downgrading forgets only what the migration wrote."""
    from alembic import command

    from shumao.release import public
    from shumao.release.disclosure import load
    from shumao.release.tables import data_release
    from shumao.storage.engine import alembic_config

    _park_with_one_american_client(engine)
    release(engine, "UNCTAD_DDS", write(engine, "UNCTAD_DDS", [obs()]))
    command.downgrade(alembic_config(engine), "release@base")
    with engine.begin() as conn:  # as a release made before auth_0003 left it
        conn.execute(data_release.update().values(disclosure=None))
    command.upgrade(alembic_config(engine), "heads")
    with engine.connect() as conn:
        made = {r.dataflow_id: r for r in history.list_releases(conn)}
        shown = public.protected_by(conn, "ENT_DDS")
    legacy = load("legacy-2026-11").record()
    assert made["ENT_DDS"].rules == {
        **legacy,
        "dominance": [[1, 85.0], [2, 85.0]],
        "p_percent": [],
        "pq": [],
    }
    assert made["ENT_DDS"].disclosure == {
        "rules": made["ENT_DDS"].rules,
        "recorded_by": "release_0001",
    }
    assert shown == made["ENT_DDS"].rules and shown["method"] == "greedy"
    assert made["UNCTAD_DDS"].disclosure is None
    command.downgrade(alembic_config(engine), "release@base")
    with engine.connect() as conn:
        assert all(r.disclosure is None for r in history.list_releases(conn))
    command.upgrade(alembic_config(engine), "heads")


def test_the_published_figures_say_which_rules_protected_them(
    engine: Engine, client: TestClient
) -> None:
    """The explorer (page and API) and the release list name the stored rule set; a ministry
    user, who reads the enterprises' own rows, is told nothing about protection."""
    _park_with_one_american_client(engine)
    found = client.get("/api/explore", params={"dataflow": "ENT_DDS", "product": "DD"}).json()
    assert found["protected_by"] == (
        "公开汇总数据的披露控制：规则集 standard：阈值 3；p% 规则 p = 10；"
        "优势规则 (1, 85%)、(2, 85%)；保护 10%；最优次要抑制"
    )
    english = client.get("/api/explore", params={"dataflow": "ENT_DDS", "lang": "en"}).json()
    assert english["protected_by"].startswith(
        "disclosure control of the published aggregates: "
        "rule set standard: threshold 3; p% rule p = 10"
    )
    page = client.get("/explorer", params={"dataflow": "ENT_DDS"}).text
    assert "规则集 standard：阈值 3" in page
    [listed] = client.get("/api/releases").json()
    assert listed["disclosure_rules"]["name"] == "standard"
    assert listed["disclosure_rules"]["dominance"] == [[1, 85.0], [2, 85.0]]
    plain = client.get("/api/explore", params={"dataflow": "UNCTAD_DDS"}).json()
    assert plain["protected_by"] == ""
    make_user(engine, "m-rules", "ministry")
    login(client, "m-rules")
    assert client.get("/api/explore", params={"dataflow": "ENT_DDS"}).json()["protected_by"] == ""
