"""Evaluation after imports (after the commit; a failing one loses nothing), idempotent runs,
and notifications: mail to a real local SMTP server (aiosmtpd), grouped and never a storm, the
daily digest, and a JSON webhook to a local HTTP server."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select

from shumao.config import Settings
from shumao.ingest.pipeline import run_import
from shumao.monitor import evaluate, notify
from shumao.monitor import tables as t
from shumao.monitor.detectors import change
from shumao.monitor.hooks import after_commit
from shumao.query import select as read

from .conftest import DEMO, Load, alerts_of

SMTP_PORT, HOOK_PORT = 18160, 18161


def _events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.alert_event)).scalar_one())


def test_the_rules_run_after_an_import_and_running_again_changes_nothing(
    engine: Engine, load: Load
) -> None:
    load("report2", "report3")
    with engine.connect() as conn:
        runs = conn.execute(select(t.run.c.trigger, t.run.c.dataflows, t.run.c.ok)).all()
    assert runs == [("import", "MOFCOM_REPORT", True), ("import", "MOFCOM_REPORT", True)]
    before, events = alerts_of(engine), _events(engine)
    again = evaluate.run(engine, trigger="manual", notify=False)
    assert again.fired == [] and again.resolved == []
    assert [(a["id"], a["state"], a["version"]) for a in alerts_of(engine)] == [
        (a["id"], a["state"], a["version"]) for a in before
    ]
    assert _events(engine) == events


def test_a_failing_evaluation_never_loses_the_data(engine: Engine, monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("detector exploded")

    monkeypatch.setattr(change, "decline", broken)
    result = run_import(
        engine, "report2022", DEMO / "report2022" / "table2_provinces_2022.csv", after=after_commit
    )
    assert result.vintage_id is not None
    assert read(engine, "MOFCOM_REPORT").height == result.rows  # the data are there
    with engine.connect() as conn:
        (ok, error) = conn.execute(select(t.run.c.ok, t.run.c.error)).one()
    assert ok is False and "detector exploded" in error
    assert alerts_of(engine) == []


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = f"Subject: {mail['subject']}\n" + mail.get_body().get_content()
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), text))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    server.start()
    try:
        yield inbox
    finally:
        server.stop()


def _mail_settings(**extra) -> Settings:
    return Settings(
        **{
            "environment": "test",
            "smtp_host": "127.0.0.1",
            "smtp_port": SMTP_PORT,
            "mail_from": "alerts@shumao.test",
            **extra,
        }
    )


def _subscribe(
    engine: Engine, username: str, role: str, scope: str, email: str, digest: bool = False
) -> None:
    from shumao.auth import users

    with engine.begin() as conn:
        users.create_user(
            conn, username=username, password="a-good-password-1", role=role, scope=scope
        )
        notify.subscribe(
            conn, username=username, email=email, min_level="yellow", digest_only=digest
        )


def test_mail_is_delivered_grouped_and_never_a_storm(
    engine: Engine, load: Load, smtp: Inbox
) -> None:
    _subscribe(engine, "hainan", "province", "460000", "hainan@example.test")
    _subscribe(engine, "shandong", "province", "370000", "shandong@example.test")
    load("report2", "report3")
    ids = [a["id"] for a in alerts_of(engine)]
    sent = notify.mail_new(engine, ids, _mail_settings())
    assert sent == 2
    to = {rcpt[0]: body for _from, rcpt, body in smtp.messages}
    assert set(to) == {"hainan@example.test", "shandong@example.test"}
    assert "海南省可数字化交付的服务进口10.40亿美元" in to["hainan@example.test"]
    assert "齐鲁软件园" in to["shandong@example.test"] and "海南" not in to["shandong@example.test"]
    # the same alerts again the same day: no second mail per user and rule
    assert notify.mail_new(engine, ids, _mail_settings()) == 0 and len(smtp.messages) == 2
    with engine.connect() as conn:
        notices = conn.execute(
            select(t.notice.c.username, t.notice.c.channel, t.notice.c.rule_code, t.notice.c.ok)
        ).all()
    assert sorted(notices) == [
        ("hainan", "mail", "decline-yoy", True),
        ("shandong", "mail", "growth-outlier", True),
    ]


def test_the_daily_digest(engine: Engine, load: Load, smtp: Inbox) -> None:
    _subscribe(engine, "ministry-d", "ministry", "", "ministry@example.test", digest=True)
    load("report2", "report3")
    assert notify.mail_new(engine, [a["id"] for a in alerts_of(engine)], _mail_settings()) == 0
    assert notify.digest(engine, settings=_mail_settings()) == 1
    assert notify.digest(engine, settings=_mail_settings()) == 0  # once a day
    (_from, rcpt, body) = smtp.messages[0]
    assert rcpt == ["ministry@example.test"]
    assert body.startswith("Subject: 数贸预警日报 ") and "新增 3 条" in body
    assert "齐鲁软件园" in body and "海南省" in body


def test_the_webhook_receives_each_run_as_json(engine: Engine, load: Load) -> None:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", HOOK_PORT), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        load("report2")
        ids = [a["id"] for a in alerts_of(engine)]
        ok = notify.webhook(
            engine,
            ids,
            Settings(environment="test", alert_webhook_url=f"http://127.0.0.1:{HOOK_PORT}/"),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert ok and len(received) == 1
    (alert,) = [a for a in received[0]["alerts"] if a["area"] == "460000"]
    assert alert["level"] == "orange" and alert["level_zh"] == "橙色"
    assert alert["message_zh"].startswith("2022年海南省")


def test_a_failed_mail_is_recorded_not_raised(engine: Engine, load: Load) -> None:
    _subscribe(engine, "hainan2", "province", "460000", "h@example.test")
    load("report2")
    ids = [a["id"] for a in alerts_of(engine)]
    assert notify.mail_new(engine, ids, _mail_settings(smtp_port=18169)) == 0  # nobody listens
    with engine.connect() as conn:
        (ok, error) = conn.execute(select(t.notice.c.ok, t.notice.c.error)).one()
    assert ok is False and error
