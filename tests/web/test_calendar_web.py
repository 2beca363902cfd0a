"""发布日程 on the web: the iCal and JSON feeds, postponement with its reason, the notes a
person edits (audited), the downloads with their checksums, and the correction notice on
every page that shows a corrected figure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from shumao.auth.scope import Scope
from shumao.auth.tables import audit_log
from shumao.release import calendar, corrections, snapshot
from web.factories import World, obs, write

MINISTRY = Scope("ministry", username="ministry-in")
AT = datetime(2030, 3, 1, 1, 30, tzinfo=UTC)  # 2030-03-01 09:30 Beijing time


def _schedule(engine: Engine, world: World) -> calendar.Entry:
    with engine.begin() as conn:
        return calendar.schedule(
            conn,
            scope=MINISTRY,
            kind="dataflow",
            subject="MOFCOM_REPORT",
            reference_period="2023",
            at=AT,
            vintage_id=world.vintages["MOFCOM_REPORT_new"],
        )


def test_the_ical_feed(engine: Engine, world: World, client: TestClient) -> None:
    entry = _schedule(engine, world)
    r = client.get("/calendar.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    text = r.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    unfolded = text.replace("\r\n ", "")
    assert f"UID:release-{entry.id}@shumao" in unfolded
    assert "DTSTART:20300301T013000Z" in unfolded
    assert "SUMMARY:商务部数字贸易报告" in unfolded or "SUMMARY:" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_the_json_feed_and_the_page_show_a_postponement(
    engine: Engine, world: World, client: TestClient
) -> None:
    entry = _schedule(engine, world)
    with engine.begin() as conn:
        new = calendar.postpone(
            conn,
            scope=MINISTRY,
            entry_id=entry.id,
            to=AT + timedelta(days=2),
            reason="数据复核 / data re-check",
        )
    feed = {e["id"]: e for e in client.get("/api/calendar").json()}
    assert feed[entry.id]["status"] == "postponed"
    assert feed[entry.id]["reason"] == "数据复核 / data re-check"
    assert feed[new.id]["scheduled_at"] == "2030-03-03T01:30:00+00:00"
    page = client.get("/calendar").text
    assert "2030-03-03 09:30" in page and "已推迟" in page and "数据复核" in page
    assert "data re-check" not in page  # one language per view


def test_notes_edited_by_a_person_are_audited(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    ministry = as_role("ministry")
    page = ministry.get("/releases/2").text
    assert "新增时期：2022" in page and 'id="notes-form"' in page
    assert 'id="notes-form"' not in as_role("public").get("/releases/2").text
    r = ministry.put(
        "/api/releases/2/notes",
        json={"text_zh": "二〇二二年数据，首次发布。", "text_en": "The 2022 figures."},
    )
    assert r.status_code == 200, r.text
    assert "二〇二二年数据，首次发布。" in as_role("public").get("/releases/2").text
    facts = as_role("public").get("/api/releases/2/notes").json()["facts"]
    assert facts["new_periods"] == ["2022"]  # the generated facts stay
    with engine.connect() as conn:
        who = (
            conn.execute(select(audit_log.c.username).where(audit_log.c.action == "release.notes"))
            .scalars()
            .all()
        )
    assert who == ["ministry-in"]


def test_downloads_list_sizes_and_checksums_that_hold(
    app: FastAPI, engine: Engine, world: World, client: TestClient
) -> None:
    root = app.state.settings.effective_open_data_dir
    snapshot.write_missing(engine, root)
    listed = client.get("/api/downloads").json()
    report = next(d for d in listed if d["dataflow"] == "MOFCOM_REPORT")
    for f in report["files"]:
        body = client.get(f["url"]).content
        assert len(body) == f["bytes"] and hashlib.sha256(body).hexdigest() == f["sha256"]
    manifest = client.get(f"/downloads/{report['folder']}/manifest.json").content
    assert hashlib.sha256(manifest).hexdigest() == report["manifest_sha256"]
    assert json.loads(manifest)["rows"] == 4
    page = client.get("/downloads").text
    assert report["manifest_sha256"] in page and "中国数字贸易发展报告" in page
    for bad in (
        f"/downloads/{report['folder']}/..%2F..%2Fshumao.db",
        f"/downloads/{report['folder']}/not-listed.csv",
        "/downloads/release=99/a.csv",
    ):
        assert client.get(bad).status_code == 404, bad


def test_a_correction_notice_on_every_page_showing_it(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    vid = write(
        engine, "UNCTAD_DDS", [obs(ref_area="CHN", flow="X", time_period="2023", value=2210.5)]
    )
    with engine.begin() as conn:
        done = corrections.correct(
            conn,
            scope=MINISTRY,
            dataflow_id="UNCTAD_DDS",
            vintage_id=vid,
            reason="录入错误 / a keying error",
        )
        audited = (
            conn.execute(select(audit_log.c.detail).where(audit_log.c.action == "release.correct"))
            .scalars()
            .all()
        )
    assert done.periods == ["2023"] and audited[0]["periods"] == ["2023"]
    public = as_role("public")
    for path in ("/", "/explorer?dataflow=UNCTAD_DDS", f"/releases/{done.release_id}"):
        text = public.get(path).text
        assert "更正公告" in text and "录入错误" in text and "2023" in text, path
    for path in ("/calendar", "/area/CHN"):  # no figures; MOFCOM_REPORT, not UNCTAD_DDS
        assert "更正公告" not in public.get(path).text, path
    assert "keying error" not in public.get("/").text  # one language per view
