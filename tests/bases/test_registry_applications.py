"""The registry's dated, audited statuses and an application from draft to decision."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select

from shumao.auth.scope import Scope
from shumao.auth.tables import audit_log
from shumao.bases import applications, assessment, registry
from shumao.errors import ConflictError, NotAllowed, ShumaoError


def test_first_batch_is_registered_once(report_store: Engine) -> None:
    with report_store.begin() as conn:
        assert registry.seed_first_batch(conn) == 0
        found = registry.bases(conn)
    assert [b.code for b in found] == [f"DSEB{i:02d}" for i in range(1, 13)]
    groups = {b.code: b.region_group for b in found}
    assert (groups["DSEB03"], groups["DSEB07"], groups["DSEB12"], groups["DSEB11"]) == (
        "CWNE",
        "CWNE",
        "CWNE",
        "EAST",
    )  # 辽宁 东北, 安徽 中部, 四川 西部, 海南 东部
    assert all(
        b.status and b.status.status == "designated" and b.status.effective_on == date(2020, 4, 1)
        for b in found
    )


def test_a_later_base_goes_through_candidate_publicity_designation(
    report_store: Engine, ministry: Scope
) -> None:
    with report_store.begin() as conn:
        registry.add_base(
            conn,
            scope=ministry,
            code="DSEB13",
            name_zh="测试数字服务产业园",
            city_code="420100",
            batch=2,
        )
        registry.set_status(
            conn, scope=ministry, code="DSEB13", status="candidate", effective_on=date(2024, 9, 20)
        )
        pub = registry.set_status(
            conn,
            scope=ministry,
            code="DSEB13",
            status="publicity",
            effective_on=date(2024, 9, 27),
            document="公示",
        )
        assert pub.until == date(2024, 10, 9)  # five working days over National Day
        with pytest.raises(ShumaoError, match="公示期至 2024-10-09"):
            registry.set_status(
                conn,
                scope=ministry,
                code="DSEB13",
                status="designated",
                effective_on=date(2024, 10, 8),
            )
        registry.set_status(
            conn,
            scope=ministry,
            code="DSEB13",
            status="designated",
            effective_on=date(2024, 10, 10),
            document="商服贸函〔2024〕X号",
        )
        with pytest.raises(ShumaoError, match="不能变更为“取消”"):
            registry.set_status(
                conn,
                scope=ministry,
                code="DSEB13",
                status="revoked",
                effective_on=date(2024, 11, 1),
                reason="x",
            )
        with pytest.raises(ShumaoError, match="理由"):
            registry.set_status(
                conn,
                scope=ministry,
                code="DSEB13",
                status="rereview_failed",
                effective_on=date(2026, 10, 12),
            )
        base = registry.get(conn, "DSEB13")
        audited = (
            conn.execute(select(audit_log.c.action).where(audit_log.c.target == "DSEB13"))
            .scalars()
            .all()
        )
    assert base.region_group == "CWNE" and base.status and base.status.status == "designated"
    assert audited == ["base.add", "base.status", "base.status", "base.status"]


def test_only_the_ministry_records_statuses(report_store: Engine) -> None:
    with report_store.begin() as conn, pytest.raises(NotAllowed):
        registry.set_status(
            conn,
            scope=Scope.of("p", "province", "320000"),
            code="DSEB05",
            status="rereview_passed",
            effective_on=date(2024, 4, 1),
        )


def test_an_application_from_draft_to_decision(report_store: Engine, ministry: Scope) -> None:
    park = Scope.of("nj", "park", "DSEB05")
    with report_store.begin() as conn:
        app_id = applications.create(
            conn, scope=park, base_code="DSEB05", kind="application", years=["2022"]
        )
        items = {i["code"]: i["id"] for i in applications.items(conn, app_id)}
        for code, item in items.items():
            applications.state_item(
                conn, scope=park, application_id=app_id, code=code, statement=f"{code} 说明"
            )
            applications.upload(
                conn,
                scope=park,
                application_id=app_id,
                item_id=item,
                filename=f"{code}.pdf",
                data=b"%PDF-1.4 evidence",
            )
        ict = applications.declare(
            conn,
            scope=park,
            application_id=app_id,
            code="ICT_OUTPUT",
            year="2022",
            value=1850.0,
            unit="亿元",
            statement="统计局口径",
        )
        si = applications.declare(
            conn,
            scope=park,
            application_id=app_id,
            code="SI_EXPORT",
            year="2022",
            value=11.5,
            unit="亿美元",
        )
        ents = applications.declare(
            conn,
            scope=park,
            application_id=app_id,
            code="ENTERPRISES",
            year="2022",
            value=420,
            unit="家",
        )
        for item in (ict, si, ents):
            applications.upload(
                conn,
                scope=park,
                application_id=app_id,
                item_id=item,
                filename="统计表.xlsx",
                data=b"PK..",
            )
        with pytest.raises(NotAllowed):
            applications.declare(
                conn,
                scope=Scope.of("hz", "park", "DSEB06"),
                application_id=app_id,
                code="OUTPUT",
                year="2022",
                value=1,
                unit="亿元",
            )
        applications.submit(conn, scope=park, application_id=app_id)
        with pytest.raises(ConflictError):
            applications.state_item(
                conn, scope=park, application_id=app_id, code="B1", statement="late"
            )
        before = assessment.evaluation(conn, scope=ministry, application_id=app_id)
        assert before.verdict == "missing"
        for item in [*items.values(), ict, si, ents]:
            assessment.decide_item(
                conn, scope=ministry, application_id=app_id, item_id=item, decision="accepted"
            )
        with pytest.raises(ShumaoError, match="没有可放宽"):
            assessment.decide(
                conn,
                scope=ministry,
                application_id=app_id,
                override_reason="特殊潜力：这是一条足够长的理由说明",
            )
        result = assessment.decide(conn, scope=ministry, application_id=app_id)
    outcome = {o.code: o for o in result.outcomes if o.kind == "threshold"}
    # 11.5 亿美元 × 6.7261 = 77.35 亿元 ≥ 60; 表4 gives 2600 ≥ 200 (a lower bound)
    assert round(outcome["SI_EXPORT"].value or 0, 2) == 77.35
    assert outcome["OUTPUT"].value == 2600.0 and outcome["ENTERPRISES"].value == 420.0
    assert result.verdict == "pass" and result.verdict_text() == "符合申报条件"


def test_a_failing_application_passes_only_with_a_written_reason(
    report_store: Engine, ministry: Scope
) -> None:
    prov = Scope.of("js", "province", "320000")
    with report_store.begin() as conn:
        app_id = applications.create(
            conn, scope=prov, base_code="DSEB05", kind="application", years=["2022"]
        )
        for item in applications.items(conn, app_id):
            applications.upload(
                conn,
                scope=prov,
                application_id=app_id,
                item_id=item["id"],
                filename="a.pdf",
                data=b"x",
            )
        for code, value in (("ICT_OUTPUT", 80.0), ("SI_EXPORT", 70.0), ("ENTERPRISES", 150.0)):
            item = applications.declare(
                conn,
                scope=prov,
                application_id=app_id,
                code=code,
                year="2022",
                value=value,
                unit="家" if code == "ENTERPRISES" else "亿元",
            )
            applications.upload(
                conn, scope=prov, application_id=app_id, item_id=item, filename="b.pdf", data=b"y"
            )
        applications.submit(conn, scope=prov, application_id=app_id)
        for item in applications.items(conn, app_id):
            assessment.decide_item(
                conn, scope=ministry, application_id=app_id, item_id=item["id"], decision="accepted"
            )
        with pytest.raises(ShumaoError, match="至少 10 个字"):
            assessment.decide(conn, scope=ministry, application_id=app_id, override_reason="潜力大")
        result = assessment.decide(
            conn,
            scope=ministry,
            application_id=app_id,
            override_reason="软件谷集聚了全省半数以上的信息技术外包企业，潜力突出",
        )
        stored = applications.get(conn, scope=ministry, application_id=app_id)
    assert result.verdict == "pass" and result.overridden
    assert stored["override_reason"].startswith("软件谷集聚") and stored["verdict"] == "pass"
