"""Demo users of every role, demo enterprises and their filings (``shumao demo users``).

Six enterprises in two export bases (中国（南京）软件谷 DSEB05 and 杭州滨江物联网产业园
DSEB06) file the quarterly form DDS_Q through the real workflow (upload → checks → submit →
approval by the park reviewer), up to the latest quarter whose deadline has passed — taken from
the clock, so the demo never grows stale. The four quarters before it were filed on time and
approved. For the latest one the lists have something to show: in DSEB05 the demo enterprise's
filing waits in the park's review queue, one enterprise was approved and one never filed
(漏报); in DSEB06 two were approved, one of them filed late (迟报), and one never filed. The
first enterprise of each base also sells by cross-border e-commerce (跨境电商直报), so 数贸季2表
is on its to-do and in the response lists; the others are not asked for it. The steps are
recorded at the days they would have happened (``workflow.clock.happening_at``). Values are
made up (deterministic) and labelled as demo data. Running it again changes nothing that exists
and resets the demo passwords.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, Engine

from shumao.auth import users
from shumao.auth.actors import Actor
from shumao.auth.roles import Role, role_text
from shumao.collection import registry
from shumao.collection.forms import period_end, shift
from shumao.collection.workflow import clock, deadlines, filings, review, submission, uploads
from shumao.errors import ImportRejected

PASSWORD = "shumao-demo-2024"
NOTE = "演示数据（虚构）/ demo data (made up)"


@dataclass(frozen=True)
class DemoEnterprise:
    uscc: str
    name: str
    park: str
    size: float
    """Exports of the first quarter in 万美元."""
    cbec: bool = False
    """Also a cross-border e-commerce filer (跨境电商直报: 数贸季2表)."""


ENTERPRISES = (
    DemoEnterprise(
        "91320114MA1YTD001F", "南京示范软件科技有限公司（演示）", "DSEB05", 820.0, cbec=True
    ),
    DemoEnterprise("91320114MA1YTD002J", "南京云谷数据服务有限公司（演示）", "DSEB05", 610.0),
    DemoEnterprise("91320114MA1YTD003M", "南京软件谷信息技术有限公司（演示）", "DSEB05", 540.0),
    DemoEnterprise(
        "91330108MA2CTD004Y", "杭州滨江物联科技有限公司（演示）", "DSEB06", 930.0, cbec=True
    ),
    DemoEnterprise("91330108MA2CTD0052", "杭州高新数智服务有限公司（演示）", "DSEB06", 700.0),
    DemoEnterprise("91330108MA2CTD0065", "杭州云栖软件有限公司（演示）", "DSEB06", 480.0),
)
HISTORY = 4
"""Quarters before the latest due one, all filed on time and approved."""
LATEST = ("waiting", "approved", "missing", "approved", "late", "missing")
"""What each enterprise (in ``ENTERPRISES`` order) did for the latest quarter due."""
SUBMIT_DAY, APPROVE_DAY, LATE_BY = 12, 15, 6
"""On time: submitted 12 days after the quarter, approved 3 days later; late: 6 days after
the deadline."""
LINES = (
    ("SI2 计算机服务", "USA 美国", 0.40, 0.05),
    ("SI2 计算机服务", "JPN 日本", 0.20, 0.02),
    ("SJ2 专业和管理咨询服务", "DEU 德国", 0.25, 0.03),
    ("SK1 视听和相关服务", "SGP 新加坡", 0.15, 0.01),
)
"""(service item, partner, share of exports, imports as a share of exports)."""

USERS = (
    ("demo-enterprise", Role.ENTERPRISE, ENTERPRISES[0].uscc),
    ("demo-park", Role.PARK, "DSEB05"),
    ("demo-city", Role.CITY, "320100"),
    ("demo-province", Role.PROVINCE, "320000"),
    ("demo-ministry", Role.MINISTRY, ""),
    ("demo-admin", Role.ADMIN, ""),
)


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    role_text: str
    scope: str


def create(engine: Engine, today: date | None = None) -> list[Login]:
    """Create (or refresh) the demo users, enterprises and filings; return the log-ins."""
    with engine.begin() as conn:
        logins = [_user(conn, name, role.value, scope) for name, role, scope in USERS]
        admin = Actor("demo-admin", Role.ADMIN)
        for ent in ENTERPRISES:
            registry.save_enterprise(
                conn,
                actor=admin,
                source=NOTE,
                record=registry.EnterpriseRecord(
                    uscc=ent.uscc,
                    name=ent.name,
                    park_code=ent.park,
                    trade_reporter=True,
                    cbec_reporter=ent.cbec,
                ),
            )
        latest = deadlines.last_due_period(conn, form_id="DDS_Q", today=today)
        due = deadlines.due_date(conn, form_id="DDS_Q", period=latest)
    periods = [shift(latest, -k) for k in range(HISTORY, 0, -1)]
    for i, ent in enumerate(ENTERPRISES):
        for q, period in enumerate(periods):
            _file(engine, ent, period, growth=1 + 0.04 * q + 0.01 * i, when=_on_time(period))
        if LATEST[i] != "missing":
            _file(
                engine,
                ent,
                latest,
                growth=1 + 0.04 * HISTORY + 0.01 * i,
                when=_latest(LATEST[i], latest, due),
            )
    return logins


def _latest(what: str, period: str, due: date) -> tuple[datetime, datetime | None]:
    if what == "late":
        return _at(due + timedelta(days=LATE_BY)), _at(due + timedelta(days=LATE_BY + 2), 15)
    submitted, approved = _on_time(period)
    return submitted, approved if what == "approved" else None


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.LOCAL)


def _on_time(period: str) -> tuple[datetime, datetime | None]:
    """(submitted, approved): a clerk files 12 days after the quarter, the park approves 3 days
    later."""
    end = period_end(period)
    return _at(end + timedelta(days=SUBMIT_DAY)), _at(end + timedelta(days=APPROVE_DAY), 15)


def _user(conn: Connection, username: str, role: str, scope: str) -> Login:
    if users.find_user(conn, username) is None:
        users.create_user(
            conn,
            username=username,
            password=PASSWORD,
            role=role,
            scope=scope,
            display_name=f"演示 {role_text(role)}",
        )
    else:
        users.set_password(conn, username=username, password=PASSWORD)
    return Login(username, PASSWORD, role, f"{role_text(role)} / {role_text(role, 'en')}", scope)


def filing_csv(ent: DemoEnterprise, period: str, growth: float) -> bytes:
    """A filled DDS_Q file: a totals row, then one line per item and partner (万美元)."""
    lines = []
    for item, partner, share, imports in LINES:
        x = round(ent.size * growth * share, 2)
        m = round(ent.size * growth * imports, 2)
        lines.append((item, partner, x, m))
    tx, tm = round(sum(r[2] for r in lines), 2), round(sum(r[3] for r in lines), 2)
    rows = [
        "统一社会信用代码,报告期,服务类别,伙伴国家（地区）,出口（万美元）,进口（万美元）,"
        "进出口合计（万美元）,备注",
        f"{ent.uscc},{period},合计,,{tx:.2f},{tm:.2f},{tx + tm:.2f},",
    ]
    rows += [
        f"{ent.uscc},{period},{item},{partner},{x:.2f},{m:.2f},{x + m:.2f},演示"
        for item, partner, x, m in lines
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


def _file(
    engine: Engine,
    ent: DemoEnterprise,
    period: str,
    *,
    growth: float,
    when: tuple[datetime, datetime | None],
) -> None:
    """File ``period`` for ``ent``: upload and submit at ``when[0]``, approve at ``when[1]``
    (None: left waiting in the review queue)."""
    clerk = Actor(f"clerk-{ent.uscc[-4:]}", Role.ENTERPRISE, ent.uscc)
    submitted, approved = when
    with engine.begin() as conn, clock.happening_at(submitted):
        found = filings.find_filing(
            conn, actor=clerk, form_id="DDS_Q", uscc=ent.uscc, period=period
        )
        if found is not None and found.status is not filings.Status.DRAFT:
            return
        done = uploads.upload_file(
            conn,
            actor=clerk,
            form_id="DDS_Q",
            uscc=ent.uscc,
            period=period,
            data=filing_csv(ent, period, growth),
            filename=f"DDS_Q_{ent.uscc}_{period}.csv",
        )
        if not done.accepted:
            raise ImportRejected(done.report)
        texts = {
            p.key: NOTE
            for p in submission.pending_warnings(conn, actor=clerk, filing_id=done.filing.id)
        }
        submission.submit(conn, actor=clerk, filing_id=done.filing.id, explanations=texts or None)
    if approved is not None:
        reviewer = Actor(
            "demo-park" if ent.park == "DSEB05" else "demo-park-hz", Role.PARK, ent.park
        )
        with engine.begin() as conn, clock.happening_at(approved):
            review.approve(conn, actor=reviewer, filing_id=done.filing.id, note=NOTE)
