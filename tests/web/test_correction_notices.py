"""A correction notice appears where the corrected figures show and nowhere else: crawling every
GET route as the public, each page showing the corrected dataflow carries the notice (pages,
the explorer of that dataflow, the downloads listing, the release notes), each API, SDMX or
file response showing it carries the ``X-Shumao-Correction`` header, and pages that show
other dataflows or no figures carry neither — also when they are answered from the cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.testclient import TestClient

from shumao.auth.scope import Scope
from shumao.release import corrections, snapshot
from web.crawl import fill, get_routes
from web.factories import World, obs, write

MINISTRY = Scope("ministry", username="ministry-in")
CORRECTED = 2345.67  # 亿美元: China's 2023 exports after the correction (2,200.50 before)
NOTICE = 'class="notice correction"'
HEADER = "x-shumao-correction"


@pytest.fixture
def corrected(app: FastAPI, engine: Engine, world: World) -> corrections.Correction:
    vid = write(
        engine, "UNCTAD_DDS", [obs(ref_area="CHN", flow="X", time_period="2023", value=CORRECTED)]
    )
    with engine.begin() as conn:
        done = corrections.correct(
            conn,
            scope=MINISTRY,
            dataflow_id="UNCTAD_DDS",
            vintage_id=vid,
            reason="录入错误 / a keying error",
        )
    snapshot.write_missing(engine, app.state.settings.effective_open_data_dir)
    return done


def _crawl(
    c: TestClient, paths: list[str], flow: str, area: str = "CHN"
) -> dict[str, tuple[str, str, str]]:
    """path → (body, content type, correction header), the explorer asked for ``flow`` in
    ``area``."""
    out = {}
    for path in paths:
        r = c.get(path, params={"dataflow": flow, "ref_area": area})
        out[path] = (r.text, r.headers.get("content-type", ""), r.headers.get(HEADER, ""))
    return out


def _flagged(found: dict[str, tuple[str, str, str]]) -> set[str]:
    return {
        p
        for p, (body, kind, header) in found.items()
        if (NOTICE in body if kind.startswith("text/html") else bool(header))
    }


def test_the_notice_follows_the_corrected_figures(
    app: FastAPI,
    engine: Engine,
    corrected: corrections.Correction,
    as_role: Callable[[str], TestClient],
) -> None:
    made = corrected.release_id
    ids = {"release_id": str(made), "folder": f"release={made}"}
    paths = [fill(p, ids) for p in get_routes(app)]
    public = as_role("public")
    for _ in range(2):  # the second crawl is answered from the caches
        found = _crawl(public, paths, "UNCTAD_DDS")
        showing = {
            p
            for p, (body, _, _) in found.items()
            if f"{CORRECTED:,.2f}" in body or repr(CORRECTED) in body
        }
        flagged = _flagged(found)
        assert showing and showing <= flagged, sorted(showing - flagged)
        for must in (
            "/explorer",
            "/api/explore",
            "/sdmx/data/UNCTAD_DDS/all",
            "/downloads",
            f"/releases/{made}",
            f"/api/releases/{made}/notes",
            f"/downloads/release={made}/sdmx-csv/UNCTAD_DDS.csv",
        ):
            assert must in flagged, (must, sorted(flagged))
        for never in (
            "/calendar",
            "/api/calendar",
            "/calendar.ics",
            "/policy",
            "/index",
            "/api/index",
            "/login",
            "/sdmx/structure/dataflow/UNCTAD_DDS",
        ):
            assert never in found and never not in flagged, never
    page = found["/explorer"][0]
    assert "更正公告" in page and "录入错误" in page and "（2023）" in page
    header = found["/sdmx/data/UNCTAD_DDS/all"][2]
    assert header == f"UNCTAD_DDS; periods=2023; notes=/releases/{made}"

    other = _crawl(
        public,
        ["/explorer", "/api/explore", "/sdmx/data/MOFCOM_REPORT/all"],
        "MOFCOM_REPORT",
        "320000",
    )
    assert not _flagged(other), sorted(_flagged(other))
    assert "300.11" in other["/api/explore"][0]  # it shows figures, just not corrected ones


def test_the_downloads_mark_the_superseded_release(
    engine: Engine,
    world: World,
    corrected: corrections.Correction,
    as_role: Callable[[str], TestClient],
    tmp_path: Path,
) -> None:
    page = as_role("public").get("/downloads").text
    assert page.count("本次发布的数据已被更正") == 1
    assert f'href="/releases/{corrected.release_id}">发布 #{corrected.release_id}' in page


def test_a_remembered_notice_is_the_same_header(
    app: FastAPI, corrected: corrections.Correction, as_role: Callable[[str], TestClient]
) -> None:
    """With the store state trusted for a while (as deployed), the header of an API answer is
    made once and then taken from the cache on the event loop: the same header every time,
    and forgotten at once after a change made by this process."""
    cache = app.state.cache
    cache.state_ttl = 3600
    key = ("correction-notices", frozenset({"UNCTAD_DDS"}))
    assert cache.recent_known(key) is None  # not made yet
    public = as_role("public")
    want = f"UNCTAD_DDS; periods=2023; notes=/releases/{corrected.release_id}"
    for _ in range(3):
        r = public.get("/api/explore", params={"dataflow": "UNCTAD_DDS", "ref_area": "CHN"})
        assert r.status_code == 200 and r.headers.get(HEADER) == want
    assert [n["dataflow"] for n in cache.recent_known(key)] == ["UNCTAD_DDS"]
    cache.touch()
    assert cache.recent_known(key) is None
    cache.state_ttl = 0  # made every time: nothing is remembered
    assert cache.recent_known(key) is None
