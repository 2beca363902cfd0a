"""The commands, run as a user runs them (a subprocess against the test's store)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"


def shumao(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def loaded(international_store: Engine, cli_env: dict[str, str]) -> dict[str, str]:
    return cli_env


def test_report_tables_prints_the_tables_and_the_computed_figures(loaded: dict[str, str]) -> None:
    done = shumao(loaded, "report", "tables", "--year", "2022")
    assert done.returncode == 0, done.stderr
    for text in (
        "表1 2022年全球主要经济体可数字化服务贸易规模及增速",
        "表2",
        "12省市合计",
        "3,545.23",
        "3.54",
        "7.36",
        "-1.08",
        "95.12",
        "26.45",
        "8.11",
        "表3",
        "58.71",
        "表4",
        "数据来源",
    ):
        assert text in done.stdout, text


def test_report_tables_at_80_columns_cut_no_number(loaded: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN, "report", "tables", "--year", "2022"],
        env={**loaded, "COLUMNS": "80"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout.replace("……", "")
    for figure in (
        "10,478.31",
        "6,560.54",
        "3,917.77",
        "3,545.23",
        "1,062.63",
        "1,229.29",
        "4,759",
    ):
        assert figure in done.stdout, figure
    assert all(len(line) <= 80 for line in done.stdout.splitlines())


def test_report_tables_json_with_unctads_world_total(loaded: dict[str, str]) -> None:
    done = shumao(loaded, "report", "tables", "--year", "2022", "--world", "unctad", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert round(doc["headline"]["share_world_X_USA"], 2) == 16.06
    assert round(doc["headline"]["total12_gT"], 2) == 3.54


def test_report_revisions(loaded: dict[str, str]) -> None:
    done = shumao(loaded, "report", "revisions", "--year", "2022", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    china = {r["source"]: r for r in rows if r["ref_area"] == "CHN" and r["flow"] == "X"}
    assert china["UNCTAD"]["report"] == 2105.37
    assert round(china["UNCTAD"]["diff"], 2) == -35.30
    assert round(china["WTO"]["diff_pct"], 2) == -5.03


def test_check_table_reports_what_it_checked(loaded: dict[str, str]) -> None:
    done = shumao(loaded, "check-table", "MOFCOM_REPORT")
    assert done.returncode == 0, done.stderr
    words = " ".join(done.stdout.split())
    assert "checked 126 identities, 0 beyond rounding" in words
    # the period-to-period edits of 表3 (2020–2022): 齐鲁软件园's exports ×11.6, 大连's against
    # its peers, 杭州's 2020 total equal to its exports
    assert "127 period-to-period checks, 4 warnings" in words
    assert words.count("WARNING table-peer-outlier") == 2
    assert "WARNING table-ratio-outlier" in words and "WARNING table-total-equals-part" in words
    assert "齐鲁软件园" in words and "11.63" in words


def test_indicators_list_and_compute(loaded: dict[str, str]) -> None:
    listed = shumao(loaded, "indicators", "list")
    assert (
        listed.returncode == 0
        and "GROWTH_YOY" in listed.stdout
        and "年均复合增长率" in listed.stdout
    )
    done = shumao(
        loaded,
        "indicators",
        "compute",
        "GROWTH_YOY",
        "UNCTAD_DDS",
        "--ref-area",
        "中国",
        "--flow",
        "X",
        "--start",
        "2021",
        "--end",
        "2022",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(r["time_period"], round(r["value"], 2)) for r in rows] == [
        ("2022", round((207007 / 191288 - 1) * 100, 2))
    ]


def test_aggregate_command_with_disclosure_control(loaded: dict[str, str], tmp_path: Path) -> None:
    args = [
        "aggregate",
        "WTO_DDS",
        "--hierarchy",
        "ebops",
        "--ref-area",
        "CHN",
        "--flow",
        "X",
        "--start",
        "2022",
        "--end",
        "2022",
        "--unit",
        "亿美元",
        "--format",
        "csv",
    ]
    full, public = tmp_path / "full.csv", tmp_path / "public.csv"
    assert shumao(loaded, *args, "--output", str(full)).returncode == 0
    assert shumao(loaded, *args, "--public", "--output", str(public)).returncode == 0
    dd = pl.read_csv(full).filter(pl.col("product") == "DD").row(0, named=True)
    # WTO's eight components add up to its DDS total, 1999.48 亿美元
    assert (round(dd["value"], 2), dd["n_contributors"], dd["level"]) == (1999.48, 8, "total")
    shown = pl.read_csv(public).filter(pl.col("product") == "DD").row(0, named=True)
    # SJ and SI make 87.8 % of it: the (2, 85) dominance rule hides the total from the public
    assert (shown["value"], shown["conf_status"]) == (None, "C")
    assert "top1" not in pl.read_csv(public).columns


def test_report_tables_without_the_report_says_how_to_load_it(cli_env: dict[str, str]) -> None:
    done = shumao(cli_env, "report", "tables", "--year", "2022")
    assert done.returncode == 1
    assert "shumao import report2022" in done.stderr


def test_query_computes_an_indicator_on_its_selection(loaded: dict[str, str]) -> None:
    select = (
        "query",
        "WTO_DDS",
        "--ref-area",
        "中国",
        "--flow",
        "X",
        "--product",
        "SI2",
        "--start",
        "2021",
        "--end",
        "2022",
        "--format",
        "json",
    )
    levels = {r["time_period"]: r["value"] for r in json.loads(shumao(loaded, *select).stdout)}
    done = shumao(loaded, *select, "--compute", "GROWTH_YOY")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(r["time_period"], r["indicator"], r["unit"]) for r in rows] == [
        ("2022", "GROWTH_YOY", "PCT")
    ]
    assert rows[0]["value"] == pytest.approx((levels["2022"] / levels["2021"] - 1) * 100)
    assert round(levels["2022"] / 100, 2) == 781.96  # 亿美元, as published by WTO


def test_query_refuses_an_unknown_indicator(loaded: dict[str, str]) -> None:
    done = shumao(loaded, "query", "WTO_DDS", "--compute", "NO_SUCH")
    assert done.returncode != 0
    assert "NO_SUCH" in done.stderr + done.stdout
