"""Notifications: in-app (the badge and the list read the alerts themselves), e-mail through
SMTP, a generic JSON webhook, a daily digest — and no alert storm.

- **Mail**: a subscriber (``alert_subscriber``: user, address, lowest level, digest or not)
  gets the new alerts of their scope at or above their level, **grouped by rule: at most one
  mail per user, rule and (Beijing) day**; later alerts of that rule that day wait for the
  digest. A subscriber who chose the digest gets no single mails.
- **Digest** (``digest``): one mail per subscriber and day with the alerts fired that day and
  the count still open, worst first.
- **Webhook**: one POST per evaluation with every alert it fired, as JSON.
Every sending is recorded in ``alert_notice`` (ok or the error); a failed sending never
undoes an alert.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, and_, delete, insert, select

from shumao.auth import users
from shumao.collection.workflow.clock import LOCAL
from shumao.config import Settings, get_settings
from shumao.monitor import tables as t
from shumao.monitor.alerts import OPEN
from shumao.monitor.queries import scope_condition
from shumao.monitor.rules import LEVELS

log = logging.getLogger(__name__)
LEVEL_ZH = {k: v[0] for k, v in LEVELS.items()}


def today() -> date:
    return datetime.now(LOCAL).date()


def _alerts(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.alert).where(t.alert.c.id.in_(ids)).order_by(t.alert.c.rank.desc(), t.alert.c.id)
    )
    return [dict(r._mapping) for r in rows]


def after_run(engine: Engine, fired: list[int], settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    if not fired:
        return
    if settings.alert_webhook_url:
        webhook(engine, fired, settings)
    if settings.smtp_host:
        mail_new(engine, fired, settings)


def webhook(engine: Engine, ids: list[int], settings: Settings) -> bool:
    with engine.connect() as conn:
        found = _alerts(conn, ids)
    payload = {
        "source": "shumao",
        "event": "alerts.fired",
        "count": len(found),
        "alerts": [_json(a) for a in found],
    }
    ok, error = True, ""
    try:
        r = httpx.post(
            settings.alert_webhook_url, json=payload, timeout=settings.alert_webhook_timeout
        )
        r.raise_for_status()
    except httpx.HTTPError as err:
        ok, error = False, str(err)
        log.warning("alert webhook failed: %s", err)
    with engine.begin() as conn:
        _record(conn, "webhook", "webhook", "*", ids, ok, error)
    return ok


def _json(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a["id"],
        "rule": a["rule_code"],
        "level": a["level"],
        "level_zh": LEVEL_ZH[a["level"]],
        "state": a["state"],
        "area": a["ref_area"],
        "period": a["period"],
        "value": a["value"],
        "threshold": a["threshold"],
        "message_zh": a["message_zh"],
        "message_en": a["message_en"],
        "dataflow": a["dataflow"],
    }


def _subscribers(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(t.subscriber))]


def _in_scope(conn: Connection, username: str, ids: list[int]) -> list[dict[str, Any]]:
    user = users.find_user(conn, username)
    if user is None or not ids:
        return []
    rows = conn.execute(
        select(t.alert)
        .where(t.alert.c.id.in_(ids), scope_condition(user.access))
        .order_by(t.alert.c.rank.desc(), t.alert.c.id)
    )
    return [dict(r._mapping) for r in rows]


def mail_new(engine: Engine, ids: list[int], settings: Settings) -> int:
    """Mail each subscriber the new alerts of their scope, one mail per rule and day."""
    day, sent = today(), 0
    with engine.connect() as conn:
        plan = []
        for sub in _subscribers(conn):
            if sub["digest"]:
                continue
            floor = LEVELS[sub["min_level"]][1]
            by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for a in _in_scope(conn, sub["username"], ids):
                if a["rank"] >= floor:
                    by_rule[a["rule_code"]].append(a)
            for rule, items in by_rule.items():
                if not _already(conn, sub["username"], "mail", rule, day):
                    plan.append((sub, rule, items))
    for sub, rule, items in plan:
        subject = f"【{LEVEL_ZH[items[0]['level']]}预警】{items[0]['message_zh'][:60]}" + (
            f" 等{len(items)}条" if len(items) > 1 else ""
        )
        ok, error = send(settings, sub["email"], subject, _body(items))
        with engine.begin() as conn:
            _record(conn, sub["username"], "mail", rule, [a["id"] for a in items], ok, error)
        sent += ok
    return sent


def digest(engine: Engine, *, day: date | None = None, settings: Settings | None = None) -> int:
    """The daily digest: alerts fired that (Beijing) day, per subscriber's scope, once a day."""
    settings = settings or get_settings()
    day = day or today()
    start = datetime(day.year, day.month, day.day, tzinfo=LOCAL).astimezone(UTC)
    sent = 0
    with engine.connect() as conn:
        subs = _subscribers(conn)
        todo = []
        for sub in subs:
            if _already(conn, sub["username"], "digest", "*", day):
                continue
            user = users.find_user(conn, sub["username"])
            if user is None:
                continue
            new = conn.execute(
                select(t.alert)
                .where(
                    scope_condition(user.access),
                    t.alert.c.fired_at >= start,
                    t.alert.c.fired_at < start + timedelta(days=1),
                    t.alert.c.rank >= LEVELS[sub["min_level"]][1],
                )
                .order_by(t.alert.c.rank.desc(), t.alert.c.id)
            ).all()
            still = len(
                conn.execute(
                    select(t.alert.c.id).where(
                        scope_condition(user.access), t.alert.c.state.in_(OPEN)
                    )
                ).all()
            )
            if new:
                todo.append((sub, [dict(r._mapping) for r in new], still))
    for sub, items, still in todo:
        subject = f"数贸预警日报 {day:%Y-%m-%d}：新增 {len(items)} 条，未解除 {still} 条"
        ok, error = send(settings, sub["email"], subject, _body(items, still=still))
        with engine.begin() as conn:
            _record(
                conn, sub["username"], "digest", "*", [a["id"] for a in items], ok, error, day=day
            )
        sent += ok
    return sent


def _already(conn: Connection, username: str, channel: str, rule: str, day: date) -> bool:
    return (
        conn.execute(
            select(t.notice.c.id).where(
                and_(
                    t.notice.c.username == username,
                    t.notice.c.channel == channel,
                    t.notice.c.rule_code == rule,
                    t.notice.c.day == day,
                    t.notice.c.ok,
                )
            )
        ).first()
        is not None
    )


def _record(
    conn: Connection,
    username: str,
    channel: str,
    rule: str,
    ids: list[int],
    ok: bool,
    error: str,
    day: date | None = None,
) -> None:
    conn.execute(
        insert(t.notice).values(
            username=username,
            channel=channel,
            rule_code=rule,
            day=day or today(),
            alert_ids=ids,
            sent_at=datetime.now(UTC),
            ok=ok,
            error=error[:2000],
        )
    )


def _body(items: list[dict[str, Any]], still: int | None = None) -> str:
    lines = [
        f"[{LEVEL_ZH[a['level']]}] #{a['id']} {a['message_zh']}\n    {a['message_en']}"
        for a in items
    ]
    tail = [f"\n未解除预警共 {still} 条 / {still} alerts still open."] if still is not None else []
    return "\n".join(
        [
            "数贸 shumao 监测预警 / monitoring and early warning",
            "",
            *lines,
            *tail,
            "",
            "详情见平台“监测预警”页面 / see the 监测预警 page of the platform.",
        ]
    )


def send(settings: Settings, to: str, subject: str, body: str) -> tuple[bool, str]:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.mail_from, to, subject
    msg.set_content(body)
    try:
        if settings.smtp_tls == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                context=ssl.create_default_context(),
                timeout=10,
            )
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
        with server:
            if settings.smtp_tls == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                server.login(settings.smtp_user, settings.smtp_password)
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as err:
        log.warning("alert mail to %s failed: %s", to, err)
        return False, str(err)
    return True, ""


def subscribe(
    conn: Connection,
    *,
    username: str,
    email: str,
    min_level: str = "yellow",
    digest_only: bool = False,
) -> None:
    if min_level not in LEVELS:
        raise ValueError(min_level)
    conn.execute(delete(t.subscriber).where(t.subscriber.c.username == username))
    conn.execute(
        insert(t.subscriber).values(
            username=username, email=email, min_level=min_level, digest=digest_only
        )
    )
