"""Data quality (sources, revisions, non-response on the demo park) and base re-review risk."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from shumao.monitor import evaluate, rules
from shumao.monitor.detectors import bases, quality
from shumao.monitor.hooks import after_commit

from .conftest import DEMO, Load, alerts_of

R = rules.packaged()


def test_sources_that_disagree_on_chinas_imports(engine: Engine, load: Load) -> None:
    load("unctad", "wto")
    (hit,) = alerts_of(engine, "source-difference")
    # 2023, the latest year both hold: UNCTAD 171,318 and WTO 159,601 million USD
    assert hit["period"] == "2023" and hit["value"] == pytest.approx(7.34)
    assert hit["message_zh"] == (
        "2023年中国可数字化交付服务进口：UNCTAD_DDS 1713.18，WTO_DDS "
        "1596.01，最大差异7.34%，超过阈值5%"
    )


def test_a_large_revision_between_vintages(engine: Engine, tmp_path: Path) -> None:
    source = DEMO / "wto_dds_china_usa_2005_2025.csv"
    run_import(engine, "wto-dds", source, after=after_commit)
    text = source.read_text(encoding="utf-8").splitlines()
    revised = [ln.replace(",2023,DDS,", ",2023,DDS,") for ln in text]
    row = next(
        i
        for i, ln in enumerate(revised)
        if ",CN," in ln and ",2023,DDS," in ln and ln.startswith("X")
    )
    cells = revised[row].split(",")
    before = float(cells[-2])
    cells[-2] = str(round(before * 1.25, 3))
    revised[row] = ",".join(cells)
    changed = tmp_path / "wto_revised.csv"
    changed.write_text("\n".join(revised) + "\n", encoding="utf-8")
    run_import(engine, "wto-dds", changed, after=after_commit)
    (hit,) = alerts_of(engine, "revision")
    assert hit["ref_area"] == "CHN" and hit["period"] == "2023" and hit["level"] == "yellow"
    assert json.loads(hit["detail"]["fields"])["change"] == pytest.approx(25.0, abs=0.01)


def test_the_bases_meet_their_thresholds_and_a_lower_figure_is_a_risk(
    engine: Engine, load: Load, tmp_path: Path
) -> None:
    load("report3", "report4")
    assert alerts_of(engine, "base-rereview") == []  # every base printed above 200/100 亿元
    low = tmp_path / "table4.csv"
    text = (DEMO / "report2022" / "table4_base_output_2020_2022.csv").read_text(encoding="utf-8")
    low.write_text(text.replace("齐鲁软件园,1560,", "齐鲁软件园,150,"), encoding="utf-8")
    run_import(engine, "report2022", low, after=after_commit)
    (hit,) = alerts_of(engine, "base-rereview")
    assert hit["ref_area"] == "DSEB09" and hit["level"] == "yellow"
    assert (
        hit["message_zh"]
        == "齐鲁软件园2022年园区产值为150.00亿元，低于申报条件200亿元，存在复审风险"
    )
    with engine.connect() as conn:
        gaps = bases.gaps(conn, R.get("base-rereview"))
    assert len(gaps) == 2 and "外贸出口" in gaps[0]


def test_the_base_list_and_thresholds_come_from_data(
    engine: Engine, load: Load, tmp_path: Path
) -> None:
    load("report3", "report4")
    spec = tmp_path / "bases.yaml"
    spec.write_text(
        (Path(bases.DATA) / "export_bases.yaml")
        .read_text(encoding="utf-8")
        .replace("min: 200,", "min: 3000,")
        .replace("bases: all", "bases: [DSEB05]"),
        encoding="utf-8",
    )
    rule = rules.Rule(**{**R.get("base-rereview").__dict__, "params": {"bases": str(spec)}})
    with engine.connect() as conn:
        hits = bases.rereview(conn, rule)
    assert hits["ref_area"].to_list() == ["DSEB05"]  # 南京软件谷 2,600 < 3,000; only it watched
    assert hits["value"].to_list() == [2600.0] and hits["threshold"].to_list() == [3000.0]


def test_non_response_of_the_demo_park(engine: Engine) -> None:
    """The demo files every quarter up to the latest ended one, one enterprise of 中国（南京）软件谷
    never filing: the park's rate of not filing on time is above 20 %."""
    from shumao.web import demo

    demo.create(engine, today=date(2025, 11, 20))
    with engine.connect() as conn:
        hits = quality.non_response(conn, R.get("non-response"), date(2025, 11, 20))
    by_area = {r["ref_area"]: r for r in hits.iter_rows(named=True)}
    park = by_area["DSEB05"]
    fields = json.loads(park["fields"])
    assert park["period"] == "2025-Q3" and fields["missing"] >= 1
    assert park["value"] == pytest.approx(
        100 * (fields["missing"] + fields["late"]) / fields["n"], abs=0.01
    )
    result = evaluate.run(engine, trigger="test", today=date(2025, 11, 20), notify=False)
    assert result.fired
    (alert,) = [a for a in alerts_of(engine, "non-response") if a["ref_area"] == "DSEB05"]
    assert alert["message_zh"].startswith("2025年第3季度中国（南京）软件谷应报")
    assert pl.Series([alert["park"]]).to_list() == ["DSEB05"]


def test_non_response_to_the_cbec_form_is_a_rule_of_its_own(engine: Engine) -> None:
    """数贸季2表 is owed by the 跨境电商直报 enterprises only: one of the three in each demo park,
    and it never filed; the other two are no non-respondents of a form they do not file. The
    packaged rule ``non-response-cbec`` watches it beside the rule of 数贸季1表."""
    from shumao.web import demo

    demo.create(engine, today=date(2025, 11, 20))
    rule = R.get("non-response-cbec")
    assert rule is not None and rule.params["form"] == "CBEC_Q"
    with engine.connect() as conn:
        hits = quality.non_response(conn, rule, date(2025, 11, 20))
    by_area = {r["ref_area"]: r for r in hits.iter_rows(named=True)}
    for park in ("DSEB05", "DSEB06"):
        fields = json.loads(by_area[park]["fields"])
        assert (fields["n"], fields["missing"], fields["late"]) == (1, 1, 0)
        assert (by_area[park]["value"], by_area[park]["dataflow"]) == (100.0, "ENT_CBEC")
    assert json.loads(by_area["320000"]["fields"])["n"] == 1  # Jiangsu: one seller, not three
    evaluate.run(engine, trigger="test", today=date(2025, 11, 20), notify=False)
    evaluate.run(engine, trigger="test", today=date(2025, 11, 20), notify=False)  # no duplicate
    (alert,) = [a for a in alerts_of(engine, "non-response-cbec") if a["ref_area"] == "DSEB05"]
    assert (alert["level"], alert["state"], alert["period"]) == ("red", "firing", "2025-Q3")
    assert alert["message_zh"] == (
        "2025年第3季度中国（南京）软件谷应报数贸季2表的跨境电商企业1家，"
        "未按时报送率100.00%（漏报1家、迟报0家），超过阈值20%"
    )
    dds = [a for a in alerts_of(engine, "non-response") if a["ref_area"] == "DSEB05"]
    assert len(dds) == 1 and dds[0]["id"] != alert["id"]  # 数贸季1表 keeps its own alert
