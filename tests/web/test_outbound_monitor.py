"""Outbound risk in 监测预警: a host economy's risk level reaches the monitoring's alerts (rule
``outbound-risk-level``), one alert per enterprise × economy with the monitor's lifecycle —
seen in scope through the alert API, acknowledged, kept (not duplicated) on a re-run, resolved
when the level falls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from shumao.monitor import evaluate, hooks
from shumao.monitor import tables as mt
from shumao.outbound import risk, tracker
from web.factories import USCC_A, USCC_B, World
from web.test_outbound_web import DEMO, file_project

RULE = "outbound-risk-level"


def _alerts(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(mt.alert).where(mt.alert.c.rule_code == RULE).order_by(mt.alert.c.id)
        )
        return [dict(r._mapping) for r in rows]


def _events(engine: Engine, alert_id: int) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(mt.alert_event.c.action, mt.alert_event.c.to_state)
            .where(mt.alert_event.c.alert_id == alert_id)
            .order_by(mt.alert_event.c.id)
        )
        return [(r.action, r.to_state) for r in rows]


def test_a_host_risk_raised_is_a_monitoring_alert_with_its_lifecycle(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    file_project(engine, USCC_A, 1, host="德国")
    file_project(engine, USCC_B, 2)  # Singapore: low risk, no alert
    assert _alerts(engine) == []  # the levels before the tracker: all low
    with engine.begin() as conn:
        tracker.load(conn, DEMO / "tracker.yaml")  # EU data transfers, DMA, FDI screening
    hooks.risk_changed(engine, trigger="test")
    (alert,) = _alerts(engine)
    assert (alert["ref_area"], alert["province"], alert["park"]) == (USCC_A, "320000", "DSEB05")
    assert (alert["level"], alert["state"], alert["dataflow"]) == ("red", "firing", "OUTBOUND")
    assert alert["message_zh"].startswith(
        "测试企业甲在德国的对外投资项目（海外云平台项目1）东道国风险等级为“高”（由“低”升为“高”）："
    )
    assert "东道国对外国投资实行安全审查" in alert["message_zh"]
    assert alert["message_en"].startswith(
        "测试企业甲's projects in Germany (海外云平台项目1): "
        "the host's risk level is high (raised from low): "
    )

    # the 监测预警 API: the enterprise, its park and province see it; another province, the
    # public do not
    def areas(role: str) -> list[str]:
        body = as_role(role).get(f"/api/alerts?rule={RULE}").json()
        return [a["area"] for a in body["alerts"]]

    assert areas("enterprise") == areas("park") == areas("province") == [USCC_A]
    assert areas("ministry") == [USCC_A]
    assert areas("province_out") == areas("public") == []
    listed = as_role("province").get(f"/api/alerts?rule={RULE}").json()["alerts"][0]
    assert (listed["rule_name"], listed["level_name"], listed["area_name"]) == (
        "对外投资东道国风险",
        "红色",
        "测试企业甲",
    )

    province = as_role("province")
    r = province.post(f"/api/alerts/{alert['id']}/ack", json={"note": "已提醒企业"})
    assert r.status_code == 200, r.text
    assert as_role("enterprise").post(f"/api/alerts/{alert['id']}/ack", json={}).status_code == 403

    # re-running every rule (and the outbound hook again) keeps the one acknowledged alert
    evaluate.run(engine, trigger="test", notify=False)
    hooks.risk_changed(engine, trigger="test")
    (again,) = _alerts(engine)
    assert (again["id"], again["state"], again["version"]) == (
        alert["id"],
        "acknowledged",
        alert["version"] + 1,
    )

    # the level falls to 中 (the rules as they stood in 2019: the GDPR only): still open, orange
    with engine.begin() as conn:
        assert ("DEU", "high", "medium") in risk.recompute(conn, day=date(2019, 6, 30))
    hooks.risk_changed(engine, trigger="test")
    (lower,) = _alerts(engine)
    assert (lower["id"], lower["level"], lower["state"]) == (alert["id"], "orange", "acknowledged")
    assert "东道国风险等级为“中”（由“高”降为“中”）" in lower["message_zh"]
    # and to 低 (before the GDPR applied): the condition cleared, the alert is resolved
    with engine.begin() as conn:
        assert ("DEU", "medium", "low") in risk.recompute(conn, day=date(2017, 6, 30))
    hooks.risk_changed(engine, trigger="test")
    (closed,) = _alerts(engine)
    assert closed["state"] == "resolved" and closed["resolved_at"] is not None
    assert _events(engine, alert["id"]) == [
        ("fire", "firing"),
        ("ack", "acknowledged"),
        ("auto_resolve", "resolved"),
    ]
