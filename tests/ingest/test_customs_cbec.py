"""海关跨境电商（数字订购贸易）: the customs releases 2018–2024 as vintages, real figures."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.errors import ImportRejected
from shumao.ingest.pipeline import run_import
from shumao.query import select
from shumao.storage.revisions import changed, revisions

PRELIMINARY_2022 = "2023-04-11_cbec_2022_preliminary.csv"
SURVEY_2022 = "2023-06-26_cbec_2022_survey.csv"
HEADER = "发布日期,年份,地区,伙伴,监管方式,流向,指标,数值,单位,口径,来源\n"


def _china(
    engine: Engine, year: str, *, as_of: int | None = None, unit: str | None = "亿元"
) -> dict[tuple[str, str], float]:
    frame = select(
        engine,
        "CUSTOMS_CBEC",
        where={"ref_area": ["CHN"], "product": ["CBEC"], "counterpart_area": ["WLD"]},
        start=year,
        end=year,
        as_of=as_of,
        unit=unit,
    )
    return {(r["flow"], r["indicator"]): r["value"] for r in frame.iter_rows(named=True)}


def test_2022_as_first_published_is_the_reports_figure(
    engine: Engine, cbec_vintages: dict[str, int]
) -> None:
    first = cbec_vintages[PRELIMINARY_2022]
    before_survey = _china(engine, "2022", as_of=first)
    assert before_survey[("T", "VALUE")] == pytest.approx(21100.0)  # 2.11万亿元
    assert before_survey[("T", "GROWTH_YOY")] == 9.8
    assert before_survey[("X", "VALUE")] == pytest.approx(15500.0)  # 1.55万亿元
    assert before_survey[("X", "GROWTH_YOY")] == 11.7
    assert before_survey[("M", "VALUE")] == pytest.approx(5600.0)
    assert before_survey[("M", "GROWTH_YOY")] == 4.9


def test_the_annual_survey_revises_2022_and_both_vintages_stay(
    engine: Engine, cbec_vintages: dict[str, int]
) -> None:
    latest = _china(engine, "2022")
    assert latest[("T", "VALUE")] == pytest.approx(21000.0)  # 2.1万亿元
    assert latest[("T", "GROWTH_YOY")] == 7.1
    assert latest[("X", "VALUE")] == pytest.approx(15300.0)
    assert latest[("X", "GROWTH_YOY")] == 10.1
    assert latest[("M", "VALUE")] == pytest.approx(5278.0)
    assert latest[("M", "GROWTH_YOY")] == -0.8
    assert latest[("T", "SHARE_GOODS")] == 4.9
    with engine.connect() as conn:
        table = revisions(
            conn,
            "CUSTOMS_CBEC",
            then=cbec_vintages[PRELIMINARY_2022],
            now=cbec_vintages[SURVEY_2022],
            start="2022",
            end="2022",
            where={"ref_area": ["CHN"], "product": ["CBEC"]},
        )
    moved = changed(table).filter(pl.col("indicator").is_in(["VALUE", "GROWTH_YOY"]))
    assert moved.height == 6  # 2.11 → 2.1, 9.8 → 7.1, 1.55 → 1.53, … for T, X and M


def test_status_release_and_address_are_kept(engine: Engine, cbec_vintages: dict[str, int]) -> None:
    frame = select(
        engine,
        "CUSTOMS_CBEC",
        where={"ref_area": ["CHN"], "product": ["CBEC"], "flow": ["T"], "indicator": ["VALUE"]},
    )
    by_year = {r["time_period"]: r for r in frame.iter_rows(named=True)}
    assert sorted(by_year) == ["2018", "2020", "2021", "2022", "2023", "2024"]
    assert by_year["2024"]["value"] == 2.71 and by_year["2024"]["unit_mult"] == 12
    assert by_year["2020"]["obs_status"] == "P"  # 初步测算, never revised in the demo data
    assert by_year["2022"]["obs_status"] == "A"
    attrs = json.loads(by_year["2022"]["attrs"])
    assert attrs == {
        "release": "2023-06-26",
        "url": "https://ssopdot.com/blog/6363.html",
        "basis": "统计调查",
    }


def test_belt_and_road_share_is_a_lower_bound(
    engine: Engine, cbec_vintages: dict[str, int]
) -> None:
    frame = select(engine, "CUSTOMS_CBEC", where={"counterpart_area": ["BRI"]})
    got = {
        r["indicator"]: (r["value"], json.loads(r["attrs"])["bound"])
        for r in frame.iter_rows(named=True)
    }
    assert got == {"SHARE": (50.0, "lower"), "GROWTH_YOY": (20.0, "lower")}


def test_usd_at_the_official_average_rate(engine: Engine, cbec_vintages: dict[str, int]) -> None:
    usd = _china(engine, "2022", as_of=cbec_vintages[PRELIMINARY_2022], unit="亿美元")
    assert usd[("T", "VALUE")] == pytest.approx(21100 / 6.7261)  # 3137.03亿美元
    assert round(usd[("X", "VALUE")], 2) == 2304.46
    assert usd[("T", "GROWTH_YOY")] == 9.8  # a rate is never converted


def _write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "release.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_bad_release_files_are_refused_with_located_findings(
    engine: Engine, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        (
            "2023-01-13,2022,全国,火星,合计,进出口,金额,2.11,万亿元,初步测算,x\n"
            "2023-01-13,2022,全国,全球,合计,出口,同比增长,11.7,亿元,初步测算,x\n"
            "2023-02-01,2022,全国,全球,9999,进口,金额,0.56,万亿元,据说,x\n"
        ),
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(engine, "customs-cbec", path)
    found = {(f.code, f.row, f.column) for f in caught.value.report.findings}
    assert ("code-unknown", 2, "伙伴") in found
    assert ("unit-indicator-mismatch", 3, "单位") in found
    assert ("code-unknown", 4, "监管方式") in found
    assert ("code-unknown", 4, "口径") in found
    assert ("release-mixed", None, "发布日期") in found
    assert select(engine, "CUSTOMS_CBEC").is_empty()


def test_modes_and_provinces_are_read(engine: Engine, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        (
            "2025-01-01,2024,广东,全球,9710,出口,金额,10,亿元,统计调查,x\n"
            "2025-01-01,2024,广东省,全球,跨境电商出口海外仓,出口,金额,5,亿元,统计调查,x\n"
        ),
    )
    run_import(engine, "customs-cbec", path)
    frame = select(engine, "CUSTOMS_CBEC")
    assert sorted(zip(frame["ref_area"], frame["product"], strict=True)) == [
        ("440000", "9710"),
        ("440000", "9810"),
    ]


def test_a_file_without_a_required_column_names_it(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "release.csv"
    path.write_text(
        "发布日期,年份,地区,流向,数值,单位\n2023-01-13,2022,全国,出口,1.55,万亿元\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(engine, "customs-cbec", path)
    [missing] = caught.value.report.findings
    assert (missing.code, missing.column) == ("column-missing", "指标")
    assert "年份、地区、流向" in missing.message_zh or "发布日期" in missing.message_zh
