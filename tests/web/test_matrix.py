"""The authorization matrix: every route × every role × a subject inside and outside the scope.

For each role the Jiangsu user of that role (``factories.make_world``) calls every route with a
subject inside its scope (Jiangsu: 320000, 320100, DSEB05, enterprise A) and one outside
(Zhejiang: 330000, 330100, DSEB06, enterprise B) and the test checks

- the status: allowed (2xx) or denied (401 when not logged in, 403 otherwise);
- that no response body, JSON or page or download, contains a sentinel value of a scope the
  role may not see (``factories.leaks``: every unreleased or per-enterprise value has its own
  number, searched in every way a page may print it);
- that no response names an enterprise outside the role's scope (``factories.identity_leaks``:
  credit codes and names, in vintage labels, error messages, pages and downloads); a filing
  outside the scope is a 404 that names nobody, and asking for the template of an
  enterprise outside the scope gets the same answer as for a code nobody registered;
- and, so the check is not vacuous, that the role does see every sentinel of its own scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.testclient import TestClient

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.workflow import filings, review, submission, uploads
from shumao.validation import uscc
from shumao.web.demo import DemoEnterprise, filing_csv
from web.bases_world import bases_cases
from web.factories import (
    MONEY,
    USCC_A,
    USCC_A2,
    USCC_B,
    World,
    identity_leaks,
    leaks,
    release,
)
from web.index_world import build_indices, index_cases

ROLES = ("public", "enterprise", "park", "city", "province", "ministry", "admin")
OWN = {"enterprise": USCC_A, "park": "DSEB05", "city": "320100", "province": "320000"}
OTHER = {"enterprise": USCC_B, "park": "DSEB06", "city": "330100", "province": "330000"}
REVIEWERS = {"park", "city", "province", "admin"}
ALL = set(ROLES)
LOGGED_IN = ALL - {"public"}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    allowed: set[str]
    body: dict[str, object] | None = None
    form: bool = False
    """Send ``body`` as a submitted HTML form rather than JSON."""


UNKNOWN = uscc.make("91320114MA9TXT999")
"""A valid credit code nobody registered."""


def _file(
    engine: Engine, code: str, park: str, period: str = "2024-Q3", approve: bool = False
) -> int:
    clerk = Actor("clerk", Role.ENTERPRISE, code)
    ent = DemoEnterprise(code, "x", park, 100.0)
    with engine.begin() as conn:
        done = uploads.upload_file(
            conn,
            actor=clerk,
            form_id="DDS_Q",
            uscc=code,
            period=period,
            data=filing_csv(ent, period, 1.0),
            filename=f"{code}.csv",
        )
        assert done.accepted, done.report.text()
        submission.submit(conn, actor=clerk, filing_id=done.filing.id)
        if approve:
            review.approve(conn, actor=Actor("root", Role.ADMIN), filing_id=done.filing.id)
    return done.filing.id


def _approved_vintages(engine: Engine) -> None:
    """Approved filings of A and of B, B's released: their vintages are listed to every role
    (the public: the released one), so their labels must name nobody."""
    _file(engine, USCC_A, "DSEB05", "2024-Q2", approve=True)
    b = _file(engine, USCC_B, "DSEB06", "2024-Q2", approve=True)
    with engine.connect() as conn:
        vintage_id = filings.get_filing(
            conn, actor=Actor("root", Role.ADMIN), filing_id=b
        ).vintage_id
    assert vintage_id is not None
    release(engine, "ENT_DDS", vintage_id)


SEES_B = {"ministry", "admin"}
ODI_HEADER = (
    "统一社会信用代码,报告期,项目序号,项目名称,东道国（地区）,重点领域,投资方式,项目阶段,"
    "境外投资证书编号,备案（核准）日期,投入运营日期,中方协议投资额（万美元）,累计实际投资额（万美元）"
)


def _outbound(engine: Engine) -> None:
    """An approved outbound register filing of A (Jiangsu) and of B (Zhejiang)."""
    for n, code in enumerate((USCC_A, USCC_B), start=1):
        line = (
            f"{code},2025,1,云计算项目{n},新加坡,云计算,新设,运营,境外投资证第N32002024000{n}0号,"
            f"2024-02-0{n},2024-09-0{n},{700 + n}.25,{600 + n}.5"
        )
        clerk = Actor("clerk", Role.ENTERPRISE, code)
        with engine.begin() as conn:
            done = uploads.upload_file(
                conn,
                actor=clerk,
                form_id="ODI_A",
                uscc=code,
                period="2025",
                data=f"{ODI_HEADER}\n{line}\n".encode(),
                filename=f"odi-{code}.csv",
            )
            assert done.accepted, done.report.text()
            submission.submit(conn, actor=clerk, filing_id=done.filing.id)
            review.approve(conn, actor=Actor("root", Role.ADMIN), filing_id=done.filing.id)


def _outbound_cases() -> list[Case]:
    answers = "ciio=否&important_data=否&persons_pi=150000&persons_sensitive=0&scenario=none"
    return [
        *(
            Case("GET", p, ALL)
            for p in (
                "/outbound",
                "/outbound/selfcheck",
                f"/outbound/selfcheck?{answers}",
                "/outbound/economy/SGP",
                "/api/outbound/economies",
                "/api/outbound/economies/SGP",
                f"/api/outbound/selfcheck?{answers}",
                *(
                    f"/api/outbound/aggregates?by={by}"
                    for by in ("host", "group", "area", "province_code", "year")
                ),
            )
        ),
        *(
            Case("GET", p, LOGGED_IN)
            for p in ("/outbound/projects", "/api/outbound/projects", "/api/outbound/alerts")
        ),
    ]


def _outbound_writes() -> list[Case]:
    body = {
        "ciio": "否",
        "important_data": "否",
        "persons_pi": "0",
        "persons_sensitive": "0",
        "scenario": "none",
    }
    return [
        Case("POST", f"/api/outbound/projects/{USCC_A}/1/selfcheck", {"enterprise", "admin"}, body),
        Case("POST", f"/api/outbound/projects/{USCC_B}/1/selfcheck", {"admin"}, body),
        Case(
            "POST",
            "/outbound/selfcheck",
            {"enterprise", "admin"},
            {**body, "project": f"{USCC_A}/1"},
            form=True,
        ),
    ]


REPORT_FILE = "report-2023.html"


def _calendar(engine: Engine, world: World, data_dir: Path) -> int:
    """The unreleased MOFCOM_REPORT vintage (the report sentinels) scheduled for next year,
    under embargo, and the annual report's file right after it (entry + 1); the snapshots of
    the releases so far."""
    from datetime import UTC, datetime, timedelta

    from shumao.auth.scope import Scope
    from shumao.release import calendar, documents, snapshot

    ministry = Scope("ministry", username="ministry-in")
    report = data_dir / REPORT_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    report.write_text("<p>中国数字贸易发展报告（禁发）</p>", encoding="utf-8")
    with engine.begin() as conn:
        entry = calendar.schedule(
            conn,
            scope=ministry,
            kind="dataflow",
            subject="MOFCOM_REPORT",
            reference_period="2023",
            at=datetime.now(UTC) + timedelta(days=365),
            vintage_id=world.vintages["MOFCOM_REPORT_new"],
        )
        annual = calendar.schedule(
            conn,
            scope=ministry,
            kind="report",
            subject="annual",
            reference_period="2023",
            at=datetime.now(UTC) + timedelta(days=365),
        )
        documents.attach(
            conn,
            scope=ministry,
            entry_id=annual.id,
            files=[report],
            root=documents.root_of(data_dir),
        )
    assert annual.id == entry.id + 1
    snapshot.write_missing(engine, data_dir / "open-data")
    return entry.id


PREPARERS = {"ministry", "admin"}


def _calendar_cases(entry: int) -> list[Case]:
    return [
        *(
            Case("GET", p, ALL)
            for p in (
                "/calendar",
                "/calendar.ics",
                "/api/calendar",
                "/downloads",
                "/api/downloads",
                "/downloads/release=1/manifest.json",
                "/downloads/release=2/sdmx-csv/MOFCOM_REPORT.csv",
                "/downloads/release=3/sdmx-csv/ENT_DDS.csv",
                "/releases/2",
                "/api/releases/2/notes",
            )
        ),
        Case("GET", f"/calendar/{entry}/embargo", PREPARERS),
        *(Case("GET", p, ALL) for p in ("/reports", "/api/reports")),
        Case("GET", f"/reports/{entry + 1}/{REPORT_FILE}", PREPARERS),
    ]


def _calendar_writes() -> list[Case]:
    notes = {"text_zh": "二〇二二年数据首次发布。", "text_en": "The 2022 figures, first release."}
    return [
        Case("PUT", "/api/releases/2/notes", PREPARERS, notes),
        Case("POST", "/releases/2/notes", PREPARERS, notes, form=True),
    ]


def _policy(engine: Engine) -> int:
    from shumao.policy import library

    text = (
        "商务部关于推进数字服务出口基地建设的通知\n\n各省、自治区、直辖市商务主管部门：\n\n"
        "为加快发展数字贸易，现就数字服务出口基地建设通知如下。"
    )
    doc = library.add_text(engine, text, source_file="notice.txt").document_id or 0
    copied = library.add_text(engine, text + "\n\n特此通知。", source_file="notice-copy.txt")
    assert copied.status == "attached"  # file 2, split and put back by the admin cases
    return doc


def _cases(
    role: str, inside_filing: int, outside_filing: int, policy: int = 1, entry: int = 1
) -> list[Case]:
    own = OWN.get(role, "320000")
    other = OTHER.get(role, "330000")
    sees_enterprise_a = LOGGED_IN
    sees_enterprise_b = {"ministry", "admin"}
    cases = [
        Case("GET", "/", ALL),
        Case("GET", "/api/overview", ALL),
        Case("GET", "/api/me", LOGGED_IN),
        Case("GET", "/api/dataflows", ALL),
        *(Case("GET", f"/api/dataflows/{f}/vintages", ALL) for f in ("ENT_DDS", "MOFCOM_REPORT")),
        Case("GET", "/explorer?dataflow=ENT_DDS", ALL),
        Case("GET", "/api/releases", ALL),
        Case("GET", "/digital-trade", ALL),
        Case("GET", "/api/digital-trade", ALL),
        *(
            Case("GET", f"{p}{code}", ALL)
            for p in ("/area/", "/api/areas/")
            for code in (own, other, "320000", "330000", "DSEB05", "DSEB06")
            if len(code) != 18
        ),
        *(Case("GET", f"{p}{USCC_A}", sees_enterprise_a) for p in ("/area/", "/api/areas/")),
        *(Case("GET", f"{p}{USCC_B}", sees_enterprise_b) for p in ("/area/", "/api/areas/")),
        *(
            Case("GET", f"/api/explore?dataflow={f}&size=1000{w}", ALL)
            for f in ("ENT_DDS", "MOFCOM_REPORT", "UNCTAD_DDS")
            for w in ("", f"&ref_area={own}", f"&ref_area={other}")
        ),
        *(
            Case("GET", f"/explorer?dataflow={f}&size=1000", ALL)
            for f in ("ENT_DDS", "MOFCOM_REPORT")
        ),
        *(
            Case("GET", f"/api/explore/download?dataflow={f}&format={fmt}", ALL)
            for f in ("ENT_DDS", "MOFCOM_REPORT")
            for fmt in ("csv", "sdmx-csv")
        ),
        *(
            Case("GET", f"/sdmx/data/{f}/all{q}", ALL)
            for f in ("ENT_DDS", "MOFCOM_REPORT")
            for q in ("", "?format=sdmx-json")
        ),
        Case("GET", "/filings", LOGGED_IN),
        Case("GET", "/api/filings", LOGGED_IN),
        Case("GET", "/review", LOGGED_IN),
        Case("GET", "/api/filings/review-queue", LOGGED_IN),
        Case("GET", "/filings?q=测试&page=1", LOGGED_IN),
        *(Case("GET", f"/api/filings/export?format={fmt}", LOGGED_IN) for fmt in ("csv", "xlsx")),
        Case("GET", "/api/filings/todo", LOGGED_IN),
        Case("GET", "/filings/response", LOGGED_IN - {"enterprise"}),
        *(
            Case("GET", p, ALL)
            for p in (
                "/policy",
                "/policy?q=数字&level=部委",
                f"/policy/{policy}",
                "/api/policy/search?q=数字服务",
                f"/api/policy/documents/{policy}",
            )
        ),
        Case("GET", "/api/filings/response-overview?by=park", LOGGED_IN - {"enterprise"}),
        Case("GET", f"/api/filings/{inside_filing}", LOGGED_IN),
        Case("GET", f"/filings/{inside_filing}", LOGGED_IN),
        Case("GET", f"/api/filings/{outside_filing}", sees_enterprise_b),
        Case("GET", f"/filings/{outside_filing}", sees_enterprise_b),
        Case(
            "GET",
            "/api/filings/template?form_id=DDS_Q&period=2024-Q4"
            + ("" if role == "enterprise" else f"&uscc={USCC_A}"),
            LOGGED_IN,
        ),
        *(
            Case("GET", p, {"admin"})
            for p in (
                "/api/admin/users",
                "/api/admin/audit",
                "/api/admin/audit/export",
                "/api/admin/reference",
                "/api/admin/backups",
                "/admin",
                "/admin/audit",
                "/admin/reference",
                "/admin/backups",
                "/admin/policy",
                "/api/admin/policy/splits",
            )
        ),
        Case("GET", "/admin/releases", {"ministry", "admin"}),
        *(
            Case("GET", p, ALL)
            for p in (
                "/monitor",
                "/monitor?level=red&state=all",
                "/api/alerts",
                "/api/alerts?area=320000&state=all",
                "/api/alerts/badge",
            )
        ),
        *(Case("GET", p, LOGGED_IN) for p in ("/monitor/targets", "/api/targets")),
        Case("GET", "/report", {"ministry", "admin"}),
        Case("GET", "/api/report/jobs", {"ministry", "admin"}),
        Case("GET", "/api/report/jobs/0123456789ab", set()),  # unknown build: 404 for them
        Case("GET", "/report/jobs/0123456789ab/pdf", set()),
        Case("POST", "/report/jobs/0123456789ab/attach", set(), {"entry_id": 1}, form=True),
        *index_cases(Case, ALL),  # type: ignore[arg-type]
        *bases_cases(Case, ALL),  # type: ignore[arg-type]
        *_outbound_cases(),
        *_calendar_cases(entry),
        # changes last: they alter the state the reads above were checked against
        *_outbound_writes(),
        *_calendar_writes(),
        Case("POST", f"/api/filings/{outside_filing}/approve", {"admin"}, {}),
        Case("POST", f"/api/filings/{inside_filing}/approve", REVIEWERS, {}),
        Case(
            "POST",
            "/api/admin/users",
            {"admin"},
            {"username": f"new-{role}", "password": "a-good-password", "role": "ministry"},
        ),
        Case("POST", "/api/admin/releases", {"ministry", "admin"}, {"dataflow": "WTO_DDS"}),
        Case("POST", "/api/admin/policy/files/2/split", {"admin"}, {"reason": "matrix"}),
        Case("POST", "/api/admin/policy/splits/1/undo", {"admin"}, {}),
        Case("POST", "/admin/policy/files/2/split", {"admin"}, {"reason": "matrix"}, form=True),
        Case("POST", "/admin/policy/splits/2/undo", {"admin"}, {}, form=True),
        Case(
            "POST", "/api/report/build", {"ministry", "admin"}, {"year": 2022, "formats": ["xlsx"]}
        ),
    ]
    return cases


def _expected(role: str, case: Case, outside_filing: int) -> set[int]:
    """Allowed: 2xx; not logged in: 401; the filing outside the scope: 404 (as if there were
    none); anything else refused: 403."""
    if role in case.allowed:
        return {200, 201, 202}
    if case.path.endswith("/embargo") or case.path.startswith("/reports/"):
        # an embargo is not even confirmed to outsiders
        return {404}
    if role == "public":
        return {401}
    if "0123456789ab" in case.path and role in ("ministry", "admin"):
        return {404}
    hidden = f"/filings/{outside_filing}" in case.path and role not in SEES_B
    hidden = hidden or (f"/outbound/projects/{USCC_B}/" in case.path and role not in SEES_B)
    return {404} if hidden else {403}


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(
    role: str,
    engine: Engine,
    world: World,
    demo_data: Path,
    app: FastAPI,
    as_role: Callable[[str], TestClient],
) -> None:
    inside, outside = _file(engine, USCC_A, "DSEB05"), _file(engine, USCC_B, "DSEB06")
    _approved_vintages(engine)
    _outbound(engine)
    build_indices(engine, demo_data)
    from web.factories import write  # a vintage for the release case, never the sentinels'

    write(
        engine,
        "WTO_DDS",
        [
            {
                "ref_area": "CHN",
                "counterpart_area": "WLD",
                "product": "DDS",
                "flow": "X",
                "freq": "A",
                "time_period": "2022",
                "value": 1.5,
                "unit": "USD",
                "unit_mult": 8,
            }
        ],
    )
    entry = _calendar(engine, world, app.state.settings.data_dir)
    client = as_role(role)
    wrong, seen = [], []
    for case in _cases(role, inside, outside, _policy(engine), entry):
        if case.method == "GET":
            r = client.get(case.path, headers={"accept": "text/html"})
        elif case.method == "PUT":
            r = client.put(case.path, json=case.body)
        else:
            r = (
                client.post(case.path, data=case.body)
                if case.form
                else client.post(case.path, json=case.body)
            )
        if r.status_code not in _expected(role, case, outside):
            wrong.append(f"{case.method} {case.path}: {r.status_code} {r.text[:200]}")
        body = r.content.decode("utf-8", errors="replace")
        found = identity_leaks(body, role, asked=case.path)
        if case.method == "GET":
            seen.append(body)
            found += leaks(body, role, world)
        if found:
            wrong.append(f"{case.method} {case.path} leaks {found}")
    builds = getattr(app.state, "report_jobs", None)  # the report build started above
    assert builds is None or builds.wait(), "a report build did not end"
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
    everything = "\n".join(seen)
    missing = [
        s.name
        for s in world.sentinels
        if role in s.viewers and not any(form in everything for form in s.forms)
    ]
    assert not missing, f"{role} should see {missing}"


@pytest.mark.parametrize("role", ["enterprise", "park", "city", "province"])
def test_a_code_outside_the_scope_is_answered_as_an_unknown_one(
    role: str, world: World, as_role: Callable[[str], TestClient]
) -> None:
    """The template probe: a registered enterprise outside the scope and a code nobody
    registered get the same status and the same words."""
    client = as_role(role)
    answers = [
        client.get(f"/api/filings/template?form_id=DDS_Q&period=2024-Q4&uscc={code}")
        for code in (USCC_B, UNKNOWN)
    ]
    assert [r.status_code for r in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
    assert USCC_B not in answers[0].text and "测试企业丙" not in answers[0].text


@pytest.mark.parametrize("role", ["enterprise", "park", "city", "province"])
def test_the_data_layer_filters_not_the_templates(role: str, engine: Engine, world: World) -> None:
    """``access.read`` itself returns only the scope's rows (and the public's protected view)."""
    import polars as pl

    from shumao import access
    from shumao.auth import users

    with engine.connect() as conn:
        user = users.require_user(conn, world.users[role])
        frame = access.read(conn, user.access, "ENT_DDS")
    raw = frame.filter(pl.col("ref_area").str.len_chars() == 18)["ref_area"].to_list()
    allowed = {
        "enterprise": {USCC_A},
        "park": {USCC_A},
        "city": {USCC_A},
        "province": {USCC_A, USCC_A2},
    }[role]
    assert set(raw) == allowed
    protected = frame.filter(pl.col("ref_area").str.len_chars() != 18)
    shown = protected.filter(pl.col("value").is_not_null())
    # a park, city or province holds one or two enterprises: suppressed; only the cells of
    # all three (nation, the eastern region) pass the threshold and dominance rules
    assert set(shown["ref_area"].to_list()) == {"CHN", "EAST"}
    assert shown["value"].round(1).unique().to_list() == [round(sum(MONEY.values()), 1)]
