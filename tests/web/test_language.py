"""One language per view, names not codes, Beijing time: the login and error pages, the
header's scope, the admin pages, the SDMX structure in the browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from shumao.auth import audit
from web.conftest import client_for
from web.factories import World

Client = Callable[[str], Any]
HTML = {"accept": "text/html"}


def _failed_login(app: Any, lang: str) -> str:
    c = client_for(app)
    c.cookies.set("lang", lang)
    form = c.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/login",
        data={"username": "province-in", "password": "wrong-password", "login_token": token},
    )
    assert r.status_code == 401
    return str(re.search(r'role="alert">([^<]*)<', r.text).group(1))  # type: ignore[union-attr]


def test_the_login_error_speaks_the_views_language(app: Any, world: World) -> None:
    zh = _failed_login(app, "zh")
    en = _failed_login(app, "en")
    assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[A-Za-z]{3,}", zh)
    assert en and not re.search(r"[\u4e00-\u9fff]", en)


def test_an_error_page_speaks_the_views_language(world: World, as_role: Client) -> None:
    c = as_role("ministry")
    zh = c.get("/admin", headers=HTML).text
    assert "只有系统管理员可以执行此操作" in zh and "administrators only" not in zh
    en = c.get("/admin?lang=en", headers=HTML).text
    assert "administrators only" in en and "只有系统管理员" not in en


def test_the_header_names_the_scope(world: World, as_role: Client) -> None:
    header = as_role("province").get("/").text.split("</header>")[0]
    assert ">江苏省</span>" in header and "320000<" not in header
    header = as_role("enterprise").get("/").text.split("</header>")[0]
    assert ">测试企业甲</span>" in header
    header = as_role("park").get("/?lang=en").text.split("</header>")[0]
    assert "Software Valley" in header or "软件谷" in header


def test_the_audit_log_shows_beijing_time_and_names(
    engine: Engine, world: World, as_role: Client
) -> None:
    with engine.begin() as conn:
        audit.record(
            conn,
            action="release",
            username="someone",
            role="ministry",
            target="UNCTAD_DDS@1",
            at=datetime(2026, 12, 5, 16, 30, tzinfo=UTC),
        )
    admin = as_role("admin")
    page = admin.get("/admin/audit?username=someone").text
    row = page.split('id="audit-table"')[1]
    assert "2026-12-06 00:30" in row  # 16:30 UTC is half past midnight in Beijing
    assert "商务部服贸司" in row and "发布数据" in row and "成功" in row
    assert "+00:00" not in row and ">ministry<" not in row and ">release<" not in row
    export = admin.get("/api/admin/audit/export?username=someone").content.decode("utf-8-sig")
    assert export.splitlines()[0].startswith("序号,时间（北京时间）,操作人,角色")
    assert "2026-12-06 00:30:00,someone,商务部服贸司" in export


def test_the_reference_and_backup_pages_are_in_chinese(world: World, as_role: Client) -> None:
    admin = as_role("admin")
    page = admin.get("/admin/reference").text
    table = page.split('id="reference-table"')[1]
    assert "行政区划代码（省、市、县）" in table and "<th>生效日期</th>" in table
    for english in ("valid_from", "<th>license", "<th>source", "Rows copied"):
        assert english not in table
    assert "Administrative divisions" in admin.get("/admin/reference?lang=en").text
    admin.post("/api/admin/backups")
    page = admin.get("/admin/backups").text
    assert ">bytes<" not in page and "<th>大小</th>" in page
    assert re.search(r"\d KB|\d MB", page)


def test_the_sdmx_structure_opens_in_the_browser(world: World, as_role: Client) -> None:
    c = as_role("public")
    footer = c.get("/").text.split("<footer>")[1]
    link = re.search(r'id="sdmx-structure" href="([^"]+)"', footer).group(1)  # type: ignore[union-attr]
    shown = c.get(link, headers={"accept": "text/html,application/xhtml+xml,application/xml;q=0.9"})
    assert shown.headers["content-type"].startswith("application/xml")
    assert "attachment" not in shown.headers.get("content-disposition", "")
    assert "<str:Dataflow" in shown.text
    sdmx_client = c.get(link)
    assert sdmx_client.headers["content-type"].startswith("application/vnd.sdmx.structure+xml")
