"""Browser test of 发布日程: the public sees a scheduled release and nothing of its figures; the
ministry previews the embargoed figures; at the minute (the worker's clock) the public sees it
released, follows it to its notes, and the ministry edits them (screenshots)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shumao.auth.scope import Scope
from shumao.release import calendar, worker
from web import test_browser
from web.factories import REPORT, World
from web.live import CHROMIUM
from web.test_browser import shot

browser, live_server, open_page = (
    test_browser.browser,
    test_browser.live_server,
    test_browser.open_page,
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
AT = datetime(2030, 3, 1, 1, 30, tzinfo=UTC)  # 2030-03-01 09:30 Beijing time
SECRET = f"{REPORT['320000']:,.2f}"  # Jiangsu's 2023 figure in the scheduled vintage


def test_the_calendar_before_and_after_the_minute(
    open_page, app: FastAPI, engine: Engine, world: World
) -> None:
    with engine.begin() as conn:
        entry = calendar.schedule(
            conn,
            scope=Scope("ministry", username="ministry-in"),
            kind="dataflow",
            subject="MOFCOM_REPORT",
            reference_period="2023",
            at=AT,
            vintage_id=world.vintages["MOFCOM_REPORT_new"],
        )
    public = open_page("public")
    public.goto("/")
    public.click("#nav-calendar")
    row = public.locator(f"#upcoming #entry-{entry.id}")
    assert "2030-03-01 09:30" in row.inner_text() and "已排期" in row.inner_text()
    assert row.locator("a").count() == 0  # no preview for the public
    shot(public, "calendar_public_scheduled")
    public.goto("/explorer?dataflow=MOFCOM_REPORT&ref_area=320000")
    public.wait_for_selector("#explorer-table, .empty", timeout=30_000)
    assert SECRET not in public.content()

    ministry = open_page("ministry")
    ministry.goto("/calendar")
    ministry.click(f"#entry-{entry.id} a")
    ministry.wait_for_selector("#embargo-table")
    table = ministry.inner_text("#embargo-table")
    assert SECRET in table and "江苏省" in table and "亿美元" in table  # names, not codes
    assert "320000" not in table
    assert "禁发数据" in ministry.inner_text("#embargo-notice")
    shot(ministry, "calendar_embargo_preview")

    before = worker.tick(
        engine, open_data=app.state.settings.effective_open_data_dir, now=AT - timedelta(seconds=1)
    )
    assert before.released == []
    public.goto("/calendar")
    assert public.locator(f"#upcoming #entry-{entry.id}").count() == 1
    done = worker.tick(engine, open_data=app.state.settings.effective_open_data_dir, now=AT)
    assert done.released == [entry.id]
    public.goto("/calendar")
    row = public.locator(f"#past #entry-{entry.id}")
    assert "已发布" in row.inner_text()
    shot(public, "calendar_public_released")
    row.locator("a").click()
    public.wait_for_selector("#notes-text")
    assert "新增时期：2023" in public.inner_text("#notes-text")
    shot(public, "release_notes")
    public.goto("/explorer?dataflow=MOFCOM_REPORT&ref_area=320000")
    public.wait_for_selector("#explorer-table, .empty", timeout=30_000)
    assert SECRET in public.content()

    ministry.goto("/calendar")
    ministry.locator(f"#past #entry-{entry.id} a").click()
    ministry.fill("#notes-form textarea[name=text_zh]", "2023 年数据首次发布，江苏省增长较快。")
    ministry.click("#notes-form button[type=submit]")
    ministry.wait_for_selector("#notes-text >> text=江苏省增长较快")
    shot(ministry, "release_notes_edited")
    assert not public.errors and not ministry.errors
