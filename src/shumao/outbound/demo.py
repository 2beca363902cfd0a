"""The demo register: a synthetic, deterministic outbound register filed through the workflow.

``synthetic()`` makes it from a fixed seed: 30 enterprises in ten counties of eight provinces
(the six web demo enterprises among them, so the demo enterprise user sees its own projects),
one to four projects each, hosts weighted towards ASEAN, the Gulf and Europe as the digital
economy's outbound flows are, amounts log-normal in 万美元, dates consistent with each stage.
Every name ends in （演示）: nothing here describes a real enterprise or project.
``demo/outbound/register_2025.csv`` and ``enterprises.csv`` are its output (a test keeps them
equal); ``load`` saves the enterprises and files each one's lines as an ``ODI_A`` upload
→ submit → approval by its province, on the days such a filing would have happened.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection import registry
from shumao.collection.workflow import clock, filings, review, submission, uploads
from shumao.errors import ImportRejected
from shumao.outbound import codes
from shumao.validation import uscc as uscc_check

SEED = 20
PERIOD = "2025"
NOTE = "演示数据（虚构）/ demo data (made up)"
COUNTIES = (
    "320114",
    "330108",
    "440305",
    "310115",
    "110108",
    "350203",
    "510107",
    "420111",
    "370212",
    "330106",
)
WEB_DEMO = (
    ("91320114MA1YTD001F", "南京示范软件科技有限公司（演示）", "320114"),
    ("91320114MA1YTD002J", "南京云谷数据服务有限公司（演示）", "320114"),
    ("91320114MA1YTD003M", "南京软件谷信息技术有限公司（演示）", "320114"),
    ("91330108MA2CTD004Y", "杭州滨江物联科技有限公司（演示）", "330108"),
    ("91330108MA2CTD0052", "杭州高新数智服务有限公司（演示）", "330108"),
    ("91330108MA2CTD0065", "杭州云栖软件有限公司（演示）", "330108"),
)
HOSTS = {
    "SGP": 9,
    "IDN": 7,
    "MYS": 6,
    "THA": 5,
    "VNM": 5,
    "ARE": 5,
    "SAU": 4,
    "DEU": 4,
    "HUN": 3,
    "FRA": 2,
    "GBR": 2,
    "ESP": 2,
    "BRA": 3,
    "MEX": 2,
    "EGY": 2,
    "KAZ": 2,
    "PAK": 2,
    "NGA": 1,
    "USA": 2,
    "KOR": 1,
    "JPN": 1,
}
WORDS = ("云", "数据", "智联", "数字", "星链", "网络", "智造", "信息")
CITY = {
    "320114": "南京",
    "330108": "杭州",
    "440305": "深圳",
    "310115": "上海",
    "110108": "北京",
    "350203": "厦门",
    "510107": "成都",
    "420111": "武汉",
    "370212": "青岛",
    "330106": "杭州",
}
HEADER = (
    "统一社会信用代码",
    "报告期",
    "项目序号",
    "项目名称",
    "东道国（地区）",
    "重点领域",
    "投资方式",
    "项目阶段",
    "境外投资证书编号",
    "备案（核准）日期",
    "开工日期",
    "投入运营日期",
    "退出日期",
    "中方协议投资额（万美元）",
    "累计实际投资额（万美元）",
    "本年营业收入（万美元）",
    "年末境外雇员（人）",
    "备注",
)


@dataclass(frozen=True)
class DemoEnterprise:
    uscc: str
    name: str
    county: str


def _enterprises(rng: random.Random) -> list[DemoEnterprise]:
    out = [DemoEnterprise(*e) for e in WEB_DEMO]
    for i in range(len(out), 30):
        county = COUNTIES[i % len(COUNTIES)]
        word = WORDS[rng.randrange(len(WORDS))]
        code = uscc_check.make(f"91{county}MA{i:02d}QD{i * 7 % 100:02d}X")
        out.append(
            DemoEnterprise(code, f"{CITY[county]}{word}出海科技有限公司（演示）{i:02d}", county)
        )
    return out


def _dates(rng: random.Random, stage: str) -> list[date | None]:
    filed = date(2019, 1, 1) + timedelta(days=rng.randrange(365 * 6 + 300))
    started = filed + timedelta(days=rng.randrange(30, 200))
    operating = started + timedelta(days=rng.randrange(120, 500))
    exited = operating + timedelta(days=rng.randrange(200, 900))
    order = ("FILED", "BUILDING", "OPERATING", "EXITED").index(stage)
    days: list[date | None] = [filed, started, operating, exited]
    days = [d if i <= order else None for i, d in enumerate(days)]
    if any(d is not None and d > date(2025, 12, 31) for d in days):
        return _dates(rng, stage)
    return days


def _line(rng: random.Random, ent: DemoEnterprise, n: int, seq: int) -> list[str]:
    host = rng.choices(list(HOSTS), weights=list(HOSTS.values()))[0]
    area = rng.choice(codes.codes("key_areas"))
    stage = rng.choices(["FILED", "BUILDING", "OPERATING", "EXITED"], weights=[2, 3, 8, 1])[0]
    days = _dates(rng, stage)
    approved = round(rng.lognormvariate(6.5, 1.2), 2)
    invested = round(approved * rng.uniform(0.1, 1.0), 2) if stage != "FILED" else 0.0
    revenue = round(invested * rng.uniform(0.2, 1.5), 2) if stage == "OPERATING" else None
    staff = rng.randrange(5, 400) if stage == "OPERATING" else None
    cert = f"境外投资证第N{ent.county[:2]}00{days[0].year if days[0] else 2020}{seq:05d}号"
    name = f"{codes.name('key_areas', area.code)}项目（演示）{n}"
    return [
        ent.uscc,
        PERIOD,
        str(n),
        name,
        host,
        area.zh,
        rng.choice(codes.codes("modes")).zh,
        codes.name("stages", stage),
        cert,
        *(d.isoformat() if d else "" for d in days),
        f"{approved:.2f}",
        f"{invested:.2f}",
        "" if revenue is None else f"{revenue:.2f}",
        "" if staff is None else str(staff),
        "演示",
    ]


def synthetic(seed: int = SEED) -> tuple[list[DemoEnterprise], list[list[str]]]:
    """The demo enterprises and register lines (the CSV's rows, header excluded)."""
    rng = random.Random(seed)
    enterprises = _enterprises(rng)
    lines, seq = [], 1
    for ent in enterprises:
        for n in range(1, rng.choice((1, 1, 2, 2, 3, 4)) + 1):
            lines.append(_line(rng, ent, n, seq))
            seq += 1
    return enterprises, lines


def _csv(rows: Sequence[Sequence[str]], header: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write(folder: Path) -> list[Path]:
    """Write ``enterprises.csv`` and ``register_2025.csv`` (UTF-8) into ``folder``."""
    enterprises, lines = synthetic()
    folder.mkdir(parents=True, exist_ok=True)
    ents = folder / "enterprises.csv"
    ents.write_text(
        _csv(
            [(e.uscc, e.name, e.county) for e in enterprises],
            ("统一社会信用代码", "企业名称", "所在区县"),
        ),
        encoding="utf-8",
    )
    register = folder / "register_2025.csv"
    register.write_text(_csv(lines, HEADER), encoding="utf-8")
    return [ents, register]


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


def load(engine: Engine, folder: Path) -> int:
    """Save the demo enterprises and file each one's register through the workflow; returns
    the number of filings approved. Running it again changes nothing that exists."""
    admin = Actor("demo-admin", Role.ADMIN)
    by_ent: dict[str, list[list[str]]] = {}
    for row in _read(folder / "register_2025.csv"):
        by_ent.setdefault(row[0], []).append(row)
    done = 0
    with engine.begin() as conn:
        for code, name, county in _read(folder / "enterprises.csv"):
            if registry.find(conn, code) is None:
                registry.save_enterprise(
                    conn,
                    actor=admin,
                    source=NOTE,
                    record=registry.EnterpriseRecord(uscc=code, name=name, county_code=county),
                )
    for code, rows in by_ent.items():
        done += _file(engine, code, rows)
    return done


def _file(engine: Engine, code: str, rows: list[list[str]]) -> int:
    clerk = Actor(f"clerk-{code[-4:]}", Role.ENTERPRISE, code)
    province = Actor(f"demo-province-{code[2:4]}", Role.PROVINCE, f"{code[2:4]}0000")
    with engine.begin() as conn, clock.happening_at(datetime(2026, 3, 16, 2, tzinfo=UTC)):
        found = filings.find_filing(conn, actor=clerk, form_id="ODI_A", uscc=code, period=PERIOD)
        if found is not None and found.status is not filings.Status.DRAFT:
            return 0
        up = uploads.upload_file(
            conn,
            actor=clerk,
            form_id="ODI_A",
            uscc=code,
            period=PERIOD,
            data=_csv(rows, HEADER).encode("utf-8"),
            filename=f"ODI_A_{code}_{PERIOD}.csv",
        )
        if not up.accepted:
            raise ImportRejected(up.report)
        texts = {
            p.key: NOTE
            for p in submission.pending_warnings(conn, actor=clerk, filing_id=up.filing.id)
        }
        submission.submit(conn, actor=clerk, filing_id=up.filing.id, explanations=texts or None)
    with engine.begin() as conn, clock.happening_at(datetime(2026, 3, 20, 2, tzinfo=UTC)):
        review.approve(conn, actor=province, filing_id=up.filing.id, note=NOTE)
    return 1
