"""Administration: users, roles and scopes, the audit log, releases, reference versions,
backups."""

from __future__ import annotations

import io

import polars as pl
from sqlalchemy import Engine

from web.conftest import client_for, login
from web.factories import PASSWORD


def test_an_admin_creates_a_user_who_can_then_log_in(as_role, world, app) -> None:
    admin = as_role("admin")
    r = admin.post(
        "/api/admin/users",
        json={"username": "wang", "password": PASSWORD, "role": "park", "scope": "DSEB06"},
    )
    assert r.status_code == 201 and r.json()["scope"] == "DSEB06"
    bad = admin.post(
        "/api/admin/users",
        json={"username": "li", "password": PASSWORD, "role": "province", "scope": "DSEB06"},
    )
    assert bad.status_code == 403  # a park code is no province scope
    with client_for(app) as c:
        login(c, "wang")
        assert c.get("/api/me").json()["role_name"] == "基地管理员"


def test_changing_a_role_takes_effect_at_once(as_role, world, app) -> None:
    with client_for(app) as user:
        login(user, "ministry-in")
        assert user.get("/api/admin/users").status_code == 403
        as_role("admin").patch("/api/admin/users/ministry-in", json={"role": "admin"})
        assert user.get("/api/me").status_code == 401  # sessions end on a change
        login(user, "ministry-in")
        assert user.get("/api/admin/users").status_code == 200


def test_an_admin_cannot_disable_themselves(as_role, world) -> None:
    r = as_role("admin").patch("/api/admin/users/admin-in", json={"active": False})
    assert r.status_code == 403


def test_the_audit_log_is_browsable_and_exportable(as_role, world, engine: Engine) -> None:
    admin = as_role("admin")
    as_role("park").get("/api/explore/download?format=csv&dataflow=ENT_DDS")
    logins = admin.get("/api/admin/audit?action=login").json()
    assert {"admin-in", "park-in"} <= {e["username"] for e in logins["entries"]}
    export = admin.get("/api/admin/audit/export")
    frame = pl.read_csv(io.BytesIO(export.content))
    assert {"登录", "下载数据"} <= set(frame["操作"].to_list())
    page = admin.get("/admin/audit?action=download").text
    assert "park-in" in page and "ENT_DDS csv" in page


def test_releases_reference_versions_and_backups(as_role, world, app) -> None:
    ministry, admin = as_role("ministry"), as_role("admin")
    made = ministry.post("/api/admin/releases", json={"dataflow": "MOFCOM_REPORT"}).json()
    assert made["vintage_id"] == world.vintages["MOFCOM_REPORT_new"]
    assert admin.get("/api/releases").json()[0]["id"] == made["id"]
    versions = admin.get("/api/admin/reference").json()
    assert any(v["file"] == "geo_areas.csv" for v in versions)
    backup = admin.post("/api/admin/backups")
    assert backup.status_code == 201 and backup.json()["rows"] > 0
    assert [b["name"] for b in admin.get("/api/admin/backups").json()] == [backup.json()["name"]]
    assert "geo_areas.csv" in admin.get("/admin/reference").text
