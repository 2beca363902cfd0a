"""The scoreboard's store indicators on the real demo figures (UNCTAD, World Bank WDI, BaTIS),
and the scoreboard file checked when it loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select

from shumao.errors import RulesRejected
from shumao.ingest.pipeline import run_import
from shumao.monitor.hooks import after_commit
from shumao.outbound import DATA, risk, risk_rules, tracker
from shumao.outbound import tables as t

from .conftest import DEMO

DAY = date(2026, 6, 30)
STORE = (
    ("unctad-panel", "unctad_dds_country_year_panel_2010_2023.csv"),
    ("wb-ict", "wdi_ict_service_exports_BX.GSR.CCIS.CD.csv"),
    ("batis", "batis_china_bilateral_2005_2019.csv"),
)


def texts(reasons: list[dict[str, object]]) -> list[object]:
    return [r["zh"] for r in risk.holding(reasons)]


def test_the_store_figures_explain_levels_and_an_import_recomputes_them(
    filed: Engine, demo_data: Path
) -> None:
    with filed.begin() as conn:
        tracker.load(conn, DEMO / "tracker.yaml")
        before = risk.latest(conn)
    assert before["PAK"]["level"] == "low"  # no figures yet: three notes, no points
    for source, name in STORE:  # as `shumao import` does: the levels follow after the commit
        assert run_import(filed, source, demo_data / name, after=after_commit).report.ok
    with filed.connect() as conn:
        now = risk.latest(conn)
        raised = conn.execute(select(t.alert.c.message_zh).where(t.alert.c.economy == "PAK"))
        pak_alerts = raised.scalars().all()
    pak = now["PAK"]  # UNCTAD imports fell and China supplies 18.4% of them
    assert (pak["level"], pak["score"]) == ("medium", 2.0)
    assert texts(pak["reasons"]) == [
        "东道国可数字化交付服务进口 2023 年为 21.22 亿美元，同比下降 2.1%（UNCTAD）",
        "东道国 2019 年可数字化交付服务进口中来自中国的约占 18.4%（中方出口 5.21 亿美元 / "
        "东道国进口 28.34 亿美元，BaTIS 与 UNCTAD），超过 10%，对华依赖高，"
        "易成为针对中国供应商的审查与限制对象",
    ]
    assert pak["reasons"][1]["figure"] == {
        "dataflow": "BATIS",
        "period": "2019",
        "part_musd": 521.09,
        "whole_musd": 2834.0,
        "share_pct": 18.39,
    }
    assert pak_alerts and pak_alerts[0].startswith("巴基斯坦风险等级由“低”升为“中”")
    jpn = now["JPN"]  # WDI: 11,760.1 → 11,012.6 million USD
    assert texts(jpn["reasons"]) == [
        "东道国 ICT 服务出口 2024 年为 110.13 亿美元，同比下降 6.4%（世界银行 WDI）"
    ]
    assert jpn["reasons"][0]["figure"]["growth_pct"] == -6.36
    tha = now["THA"]  # WDI: 518.7 million USD in 2024
    assert texts(tha["reasons"]) == [
        "东道国 ICT 服务出口 2024 年仅 5.19 亿美元，低于 10 亿美元，本地数字产业基础薄弱（世界银行 WDI）"
    ]
    are = now["ARE"]  # UNCTAD imports fell 10.3% in 2023; with its register share: medium
    assert (are["level"], [r["code"] for r in are["reasons"]]) == (
        "medium",
        ["market-shrinking", "exposure-concentrated"],
    )
    kaz = now["KAZ"]  # data localisation (2) + small ICT exports + China's 10.9%
    assert (kaz["level"], kaz["score"]) == ("high", 4.0)
    assert [r["code"] for r in kaz["reasons"]] == [
        "tracker-data-localisation",
        "ict-exports-small",
        "china-dependence",
    ]
    assert "约占 10.9%" in texts(kaz["reasons"])[-1]
    egy = now["EGY"]  # UNCTAD's latest year for Egypt is 2022: the reason says so
    assert texts(egy["reasons"])[0].startswith("东道国可数字化交付服务进口 2022 年为 65.48 亿美元")
    vnm = now["VNM"]  # no WDI series for Viet Nam: said, not passed over
    assert [r["zh"] for r in risk.unassessed(vnm["reasons"])] == [
        "缺少东道国ICT 服务出口（世界银行 WDI）数据，依据该数据的规则未评估（不计分）"
    ]
    sgp = now["SGP"]  # every figure present, none beyond its threshold
    assert (sgp["level"], sgp["reasons"]) == ("low", [])


@pytest.mark.parametrize(
    ("old", "new", "column", "code"),
    [
        ("measure: level", "measure: median", "measure", "ict-exports-small"),
        ("below_yi_usd: 10", "below_yi_usd: ten", "below_yi_usd", "ict-exports-small"),
        ("series: china_share", "series: china_gdp", "series", "china-dependence"),
        ("约占 {share}%", "约占 {ratio}%", "zh", "china-dependence"),
        ("dataflow: WB_ICT", "dataflow: WB_GDP", "dataflow", "ict_exports"),
        ("types: [dst]", "types: [tariff]", "types", "tracker-dst"),
        ("source: register", "source: registry", "source", "exposure-concentrated"),
    ],
)
def test_a_bad_scoreboard_is_refused_with_the_rule_and_field(
    old: str, new: str, column: str, code: str
) -> None:
    text = (DATA / "risk.yaml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(RulesRejected) as err:
        risk_rules.parse(text.replace(old, new, 1))
    item = err.value.report.errors[0]
    assert (item.code, item.column, item.value) == ("outbound-risk-rule", column, code)
    assert item.message_zh.startswith(f"风险规则“{code}”的“{column}”有误")
    assert item.message_en and item.fix_zh
    if code == "ict-exports-small":  # located at the rule's line
        line = text.splitlines()[item.row - 1]
        assert line == "  - code: ict-exports-small"


def test_the_packaged_scoreboard_loads() -> None:
    board = risk_rules.parse((DATA / "risk.yaml").read_text(encoding="utf-8"))
    store = [r.code for r in board.rules if r.source == "store"]
    assert store == [
        "market-shrinking",
        "ict-exports-falling",
        "ict-exports-small",
        "china-dependence",
    ]
    assert {s.dataflow for s in board.series.values()} == {"UNCTAD_DDS", "WB_ICT", "BATIS"}


def test_every_tracker_entry_records_its_check(engine: Engine) -> None:
    entries = yaml.safe_load((DEMO / "tracker.yaml").read_text(encoding="utf-8"))["entries"]
    checked = {e["key"]: e["checked"] for e in entries}
    assert all(c["date"] == "page" and c["pages"] for c in checked.values())
    by_page = sorted(k for k, c in checked.items() if c["address"] == "page")
    assert by_page == ["ESP-DST-2021", "FRA-DST-2019", "GBR-DST-2020", "ITA-DST-2020"]
    rbi = next(e for e in entries if e["key"] == "IND-RBI-2018")
    assert "2018年10月15日前报告合规情况" in rbi["summary_zh"]
    with engine.begin() as conn:  # the notes do not stop the file loading
        assert len(tracker.load(conn, DEMO / "tracker.yaml")) == 13
