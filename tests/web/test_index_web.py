"""The 指数 pages and API per role: what the public, a province and the ministry see."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
from sqlalchemy import Engine
from starlette.testclient import TestClient

from shumao.auth.scope import Scope
from shumao.index import runs
from shumao.index.framework import load_framework
from shumao.release import releases
from web.factories import World
from web.index_world import FRAMEWORKS, build_indices


def test_the_public_sees_released_builds_only(
    engine: Engine, world: World, demo_data: Path, as_role: Callable[[str], TestClient]
) -> None:
    build_indices(engine, demo_data)
    public, ministry = as_role("public"), as_role("ministry")
    assert public.get("/api/index/DTI_ECON").json()["run"] is None
    page = public.get("/index/DTI_ECON", headers={"accept": "text/html"}).text
    assert 'id="no-build"' in page and "公众只能看到已发布的结果" in page
    seen = ministry.get("/api/index/DTI_ECON").json()
    assert seen["rows"][0]["code"] == "IRL" and round(seen["rows"][0]["DTI"], 2) == 79.90
    averages = {a["code"]: a for a in seen["averages"]}
    assert averages["BRICS"]["as_of"] == "2022-12-31" and averages["EU27"]["n"] >= 25
    prov = public.get("/api/index/DTI_PROV").json()
    # the world's Jiangsu enterprises file direct reports: 江苏 second, after 广东
    assert [r["code"] for r in prov["rows"][:3]] == ["440000", "320000", "110000"]
    assert prov["rows"][0]["name"] == "广东省" and prov["rows"][0]["rank"] == 1
    assert set(prov["data_vintages"]) == {"NBS_PROV", "MOFCOM_REPORT", "ENT_DDS"}
    page = public.get("/index/DTI_PROV", headers={"accept": "text/html"}).text
    assert "以下指标期间不同：直报企业数字服务出口 2024" in page  # the periods differ: said so
    # the direct-reporting indicator is micro data: no per-province score is published
    assert all("ENT_EXPORTS" not in r for r in prov["rows"])
    assert public.get("/api/index/DTI_PROV/export.xlsx").status_code == 401


def test_profile_sensitivity_and_the_workbook(
    engine: Engine, world: World, demo_data: Path, as_role: Callable[[str], TestClient]
) -> None:
    build_indices(engine, demo_data)
    public, ministry = as_role("public"), as_role("ministry")
    prof = public.get("/api/index/DTI_PROV/units/320000").json()
    assert prof["name"] == "江苏省" and prof["row"]["rank"] == 2
    assert [p["code"] for p in prof["pillars"]] == ["INFRA", "ECOM", "TRADE"]
    assert prof["strengths"][0]["rank"] <= prof["weaknesses"][0]["rank"]
    sa = public.get("/api/index/DTI_PROV/sensitivity").json()
    assert sa["replications"] == 16 * 7 and set(sa["sobol"]) >= {"impute", "weights"}
    guangdong = next(r for r in sa["rank_intervals"] if r["unit"] == "440000")
    assert guangdong["nominal"] == 1 and guangdong["p05"] >= 1
    book = ministry.get("/api/index/DTI_PROV/export.xlsx")
    assert book.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True).sheetnames
    assert {"Raw", "Imputed", "Treated", "Normalised", "Aggregated", "Run"} <= set(sheets)
    assert as_role("province").get("/api/index/DTI_PROV/export.xlsx").status_code == 403


def test_why_it_moved_between_two_released_builds(
    engine: Engine, world: World, demo_data: Path, as_role: Callable[[str], TestClient]
) -> None:
    ids = build_indices(engine, demo_data)
    second = runs.build_run(engine, load_framework(FRAMEWORKS / "provinces.yaml"))
    with engine.begin() as conn:
        releases.release(
            conn,
            scope=Scope.of("admin", "admin"),
            dataflow_id="DTI_PROV",
            vintage_id=second.vintage_id,
        )
    url = f"/api/index/DTI_PROV/explain/320000?from_run={ids['prov']}&to_run={second.run_id}"
    public = as_role("public").get(url).json()
    assert public["change"] == 0 and "raw_before" not in public["contributions"][0]
    mine = as_role("ministry").get(url).json()
    assert "raw_before" in mine["contributions"][0]
    year = as_role("ministry").get("/api/index/DTI_ECON/explain/CHN?from_year=2021").json()
    assert abs(sum(c["contribution"] for c in year["contributions"]) - year["change"]) < 1e-9
    assert (
        as_role("province").get("/api/index/DTI_ECON/explain/CHN?from_year=2021").status_code == 403
    )


def test_why_it_moved_needs_an_earlier_build_the_viewer_may_see(
    engine: Engine, world: World, demo_data: Path, as_role: Callable[[str], TestClient]
) -> None:
    """With one build the unit page offered "得分为什么变化？" and the link answered 400 with
    the command line's advice (--from-year or --from-run)."""
    build_indices(engine, demo_data)
    html = {"accept": "text/html"}
    public, ministry = as_role("public"), as_role("ministry")
    for client in (public, ministry):
        page = client.get("/index/DTI_PROV/unit/320000", headers=html).text
        assert 'id="no-earlier"' in page and "/explain/320000" not in page
        refused = client.get("/index/DTI_PROV/explain/320000", headers=html)
        assert refused.status_code == 400
        assert "本指数此前没有可比较的计算结果" in refused.text and "--from" not in refused.text
    runs.build_run(engine, load_framework(FRAMEWORKS / "provinces.yaml"))  # not released
    page = ministry.get("/index/DTI_PROV/unit/320000", headers=html).text
    assert 'href="/index/DTI_PROV/explain/320000"' in page and 'id="no-earlier"' not in page
    moved = ministry.get("/api/index/DTI_PROV/explain/320000").json()
    assert moved["change"] == 0 and moved["unit"] == "320000"  # the same data, built again
    # the public sees the released build only: still nothing earlier to compare with
    assert 'id="no-earlier"' in public.get("/index/DTI_PROV/unit/320000", headers=html).text
    assert public.get("/api/index/DTI_PROV/explain/320000").status_code == 400
