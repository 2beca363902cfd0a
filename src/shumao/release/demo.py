"""The demo's release calendar: customs' final 2024 cross-border e-commerce figures, scheduled
for the next minute under embargo, after the preliminary ones (released now); the next annual
report and index on the calendar too. Running it again changes nothing already scheduled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from shumao.auth.scope import Scope
from shumao.release import calendar, history, releases
from shumao.storage import vintages

FLOW = "CUSTOMS_CBEC"
DEMO = Scope("admin", username="demo")


@dataclass(frozen=True)
class Outcome:
    scheduled: list[calendar.Entry]
    message: str


def next_minute(now: datetime) -> datetime:
    """The start of the next minute (at least 20 s away, so a person sees it scheduled)."""
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return start if (start - now).total_seconds() >= 20 else start + timedelta(minutes=1)


def schedule_demo(engine: Engine, now: datetime | None = None) -> Outcome:
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        if any(e.upcoming for e in calendar.entries(conn)):
            return Outcome(
                [], "发布日程中已有待发布项，未新增 / releases are already scheduled; nothing added"
            )
        found = [v.id for v in vintages.list_vintages(conn, FLOW)]
        if len(found) < 2:
            return Outcome(
                [],
                f"{FLOW} 需要至少两个版本（先运行 shumao demo load）/ {FLOW} needs "
                "two vintages (run shumao demo load first)",
            )
        if found[-1] in history.released_vintages(conn, FLOW):
            return Outcome(
                [],
                f"{FLOW} 最新版本已发布，无可排期 / the newest vintage of {FLOW} is "
                "already public: nothing to schedule",
            )
        if found[-2] not in history.released_vintages(conn, FLOW):
            releases.release(
                conn,
                scope=DEMO,
                dataflow_id=FLOW,
                vintage_id=found[-2],
                at=now,
                note="初步数据 / preliminary figures",
            )
        made = [
            calendar.schedule(
                conn,
                scope=DEMO,
                kind="dataflow",
                subject=FLOW,
                reference_period="2024",
                at=next_minute(now),
                vintage_id=found[-1],
                now=now,
            )
        ]
        made += [
            calendar.schedule(
                conn,
                scope=DEMO,
                kind=kind,
                subject=subject,
                reference_period=period,
                at=at,
                now=now,
                title=title,
            )
            for kind, subject, period, at, title in _later(now)
        ]
    return Outcome(made, "")


def _later(now: datetime) -> list[tuple[str, str, str, datetime, str]]:
    day = (now + timedelta(days=30)).replace(hour=1, minute=30, second=0, microsecond=0)
    return [
        (
            "report",
            "annual",
            "2023",
            day,
            "中国数字贸易发展报告 / China digital trade development report",
        ),
        (
            "index",
            "DTI_PROV",
            "2024",
            day + timedelta(days=7),
            "省级数字贸易发展指数 / provincial digital trade development index",
        ),
    ]
