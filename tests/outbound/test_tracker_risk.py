"""The regulatory tracker in the policy library, and risk levels with their reasons."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml
from sqlalchemy import Engine, func, select

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.errors import ImportRejected
from shumao.outbound import alerts, risk, tracker
from shumao.outbound import tables as t
from shumao.policy import foreign, search
from shumao.policy import tables as pt

from .conftest import DEMO

DAY = date(2026, 6, 30)


def test_demo_tracker_is_in_the_library_and_searchable(engine: Engine) -> None:
    with engine.begin() as conn:
        rules = tracker.load(conn, DEMO / "tracker.yaml")
    assert len(rules) == 13
    with engine.connect() as conn:
        rows = foreign.entries(conn, economies=["GBR"])
        found = search.search(conn, "数字服务税")
    assert [r["entry_key"] for r in rows] == ["GBR-NSI-2022", "GBR-DST-2020"]
    assert rows[1]["source_url"] == "https://www.legislation.gov.uk/ukpga/2020/14/part/2"
    titles = {h.title for h in found.hits}
    assert "英国数字服务税（《2020年财政法》第二部分）" in titles
    assert "法国数字服务税（2019年7月24日第2019-759号法律）" in titles


def test_loading_twice_changes_nothing(engine: Engine) -> None:
    for _ in range(2):
        with engine.begin() as conn:
            tracker.load(conn, DEMO / "tracker.yaml")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(pt.foreign)).scalar() == 13


def bad_file(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load((DEMO / "tracker.yaml").read_text(encoding="utf-8"))
    data["entries"][1].update(changes)
    path = tmp_path / "tracker.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "code", "column"),
    [
        ({"source": ""}, "outbound-tracker-source", "source"),
        ({"economy": "Atlantis"}, "outbound-tracker-economy", "economy"),
        ({"type": "tariff"}, "outbound-tracker-type", "type"),
        ({"effective_to": "2019-01-01"}, "outbound-tracker-date", "effective_to"),
        ({"effective_from": "2020-13-01"}, "outbound-tracker-date", "effective_from"),
        ({"title_zh": ""}, "outbound-tracker-missing", "title_zh"),
    ],
)
def test_a_bad_entry_is_located_and_nothing_is_written(
    engine: Engine, tmp_path: Path, changes: dict[str, object], code: str, column: str
) -> None:
    with pytest.raises(ImportRejected) as err, engine.begin() as conn:
        tracker.load(conn, bad_file(tmp_path, **changes))
    item = err.value.report.errors[0]
    assert (item.code, item.column, item.row, item.file) == (code, column, 2, "tracker.yaml")
    assert item.message_zh and item.message_en and item.fix_zh
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(pt.foreign)).scalar() == 0


def test_risk_levels_explain_themselves(filed: Engine) -> None:
    with filed.begin() as conn:
        tracker.load(conn, DEMO / "tracker.yaml")
        inputs = risk.read_inputs(conn, DAY)
    levels = {a.economy: a for a in risk.assess(inputs, DAY)}
    gbr = levels["GBR"]  # DST (1) + investment screening (2)
    assert (gbr.level, gbr.score) == ("medium", 3.0)
    assert [r["code"] for r in risk.holding(gbr.reasons)] == [
        "tracker-dst",
        "tracker-fdi-screening",
    ]
    assert "英国数字服务税" in gbr.reasons[0]["zh"]
    deu = levels["DEU"]  # an EU member: GDPR transfers, DMA, FDI screening of the EU
    assert [r["code"] for r in risk.holding(deu.reasons)][:3] == [
        "tracker-data-transfer",
        "tracker-antitrust",
        "tracker-fdi-screening",
    ]
    assert deu.score >= 4 and deu.level == "high"
    sgp = levels["SGP"]  # no store figures loaded here: each series says so, for no points
    assert (sgp.level, sgp.score, risk.holding(sgp.reasons)) == ("low", 0.0, [])
    assert [r["zh"] for r in risk.unassessed(sgp.reasons)] == [
        "缺少东道国可数字化交付服务进口（UNCTAD）数据，依据该数据的规则未评估（不计分）",
        "缺少东道国ICT 服务出口（世界银行 WDI）数据，依据该数据的规则未评估（不计分）",
        "缺少东道国自中国进口占可数字化交付服务进口的比重（BaTIS、UNCTAD）数据，依据该数据的规则未评估（不计分）",
    ]
    are = levels["ARE"]  # 18.4% of the live approved investment is in the UAE
    assert (are.level, [r["zh"] for r in risk.holding(are.reasons)]) == (
        "low",
        ["在册项目中方协议投资额的 18.4% 集中于该东道国（超过 15%）"],
    )


def test_a_rule_outside_its_dates_does_not_count(filed: Engine) -> None:
    with filed.begin() as conn:
        tracker.load(conn, DEMO / "tracker.yaml")
        inputs = risk.read_inputs(conn, date(2019, 6, 30))
    usa = next(a for a in risk.assess(inputs, date(2019, 6, 30)) if a.economy == "USA")
    assert risk.holding(usa.reasons) == []  # CFIUS rules from 2020, the data rule from 2025


def test_a_change_of_level_alerts_the_enterprise_and_its_province(filed: Engine) -> None:
    with filed.connect() as conn:  # approvals computed the levels: the baseline raised nothing
        baseline = risk.latest(conn)
        assert baseline["DEU"]["level"] == "low"
        assert conn.execute(select(func.count()).select_from(t.alert)).scalar() == 0
    with filed.begin() as conn:
        foreign_rules = tracker.read(DEMO / "tracker.yaml")
        for rule in foreign_rules:
            foreign.put(conn, rule)
        changes = risk.recompute(conn, day=DAY)
    assert ("DEU", "low", "high") in changes
    with filed.connect() as conn:
        raised = conn.execute(select(t.alert).where(t.alert.c.economy == "DEU")).mappings().all()
        projects = (
            conn.execute(
                select(t.project.c.uscc).where(
                    t.project.c.host == "DEU", t.project.c.stage != "EXITED"
                )
            )
            .scalars()
            .all()
        )
        assert {a["uscc"] for a in raised} == set(projects)
        one = raised[0]
        own = alerts.visible(conn, actor=Actor("e", Role.ENTERPRISE, one["uscc"]))
        province = alerts.visible(conn, actor=Actor("p", Role.PROVINCE, one["province_code"]))
        other = alerts.visible(conn, actor=Actor("p", Role.PROVINCE, "650000"))
    assert one["message_zh"].startswith("德国风险等级由“低”升为“高”")
    assert {a["uscc"] for a in own} == {one["uscc"]}
    assert one["id"] in {a["id"] for a in province} and other == []
    with filed.begin() as conn:
        assert risk.recompute(conn, day=DAY) == []  # same inputs: nothing new


def test_store_figures_enter_the_reasons(filed: Engine) -> None:
    imports = pl.DataFrame(
        {"economy": ["SGP", "SGP"], "period": ["2022", "2023"], "value": [1000.0, 900.0]}
    )
    inputs = risk.Inputs([], {"dds_imports": imports}, {"SGP": 10.0, "DEU": 90.0}, {"SGP", "DEU"})
    sgp = next(a for a in risk.assess(inputs, DAY) if a.economy == "SGP")
    assert [r["zh"] for r in risk.holding(sgp.reasons)] == [
        "东道国可数字化交付服务进口 2023 年为 9.00 亿美元，同比下降 10.0%（UNCTAD）"
    ]
    assert sgp.reasons[0]["figure"] == {
        "dataflow": "UNCTAD_DDS",
        "period": "2023",
        "value_musd": 900.0,
        "growth_pct": -10.0,
    }
    deu = next(a for a in risk.assess(inputs, DAY) if a.economy == "DEU")
    assert [r["code"] for r in risk.unassessed(deu.reasons)] == ["no-data"] * 3
    assert risk.holding(deu.reasons)[0]["zh"] == (
        "在册项目中方协议投资额的 90.0% 集中于该东道国（超过 15%）"
    )
