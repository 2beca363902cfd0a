"""UNCTAD importers: the country-year panel and the Data360 SDMX-style export."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.errors import ImportRejected
from shumao.ingest.pipeline import run_import
from shumao.query import select
from shumao.reference import countries

PANEL = "unctad_dds_country_year_panel_2010_2023.csv"
RAW = "unctad_digital_economy_raw_export.csv"
SHUMAO = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shumao"
KEYS = ["ref_area", "counterpart_area", "product", "flow", "time_period"]


def test_panel_imports_both_flows_in_usd_millions(engine: Engine, demo_data: Path) -> None:
    result = run_import(engine, "unctad-panel", demo_data / PANEL)
    assert result.rows == 2 * 2879
    assert result.report.ok and not result.report.warnings
    china = select(engine, "UNCTAD_DDS", where={"ref_area": ["中国"]}, start="2023", end="2023")
    assert dict(china.select("flow", "value").iter_rows()) == {"X": 216265.0, "M": 171318.0}
    row = china.row(0, named=True)
    assert (row["counterpart_area"], row["product"], row["freq"]) == (
        countries.lookup("W00").iso3,
        "DD",
        "A",
    )
    assert (row["unit"], row["unit_mult"], row["obs_status"]) == ("USD", 6, "A")


def test_panel_keeps_world_region_and_kosovo(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "unctad-panel", demo_data / PANEL)
    y2023 = select(
        engine, "UNCTAD_DDS", start="2023", end="2023", where={"ref_area": ["WLD", "SSF", "XKX"]}
    )
    got = {(a, f): v for a, f, v in y2023.select("ref_area", "flow", "value").iter_rows()}
    assert got == {
        ("SSF", "M"): 49275.0,
        ("SSF", "X"): 26363.0,
        ("WLD", "M"): 3774296.0,
        ("WLD", "X"): 4462457.0,
        ("XKX", "M"): 342.0,
        ("XKX", "X"): 549.0,
    }


def test_panel_blank_values_are_stored_missing(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "unctad-panel", demo_data / PANEL)
    frame = select(engine, "UNCTAD_DDS")
    missing = frame.filter(pl.col("obs_status") == "M")
    assert missing.height == 270 + 232
    assert missing["value"].null_count() == missing.height
    macao = frame.filter((pl.col("ref_area") == "MAC") & (pl.col("time_period") == "2023"))
    assert macao["obs_status"].to_list() == ["M", "M"]
    assert frame.filter(pl.col("obs_status") == "A")["value"].null_count() == 0


def test_panel_unmapped_code_is_skipped_with_a_warning(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    path.write_text(
        "country,iso3,year,dig_services_exports_usd_millions,dig_services_imports_usd_millions\n"
        "China,CHN,2023,216265.0,171318.0\n"
        "Atlantis,ATL,2023,1.0,2.0\n",
        encoding="utf-8",
    )
    result = run_import(engine, "unctad-panel", path)
    assert result.rows == 2
    [warning] = result.report.warnings
    assert (warning.code, warning.value, warning.row) == ("name-unmapped", "ATL", 3)
    assert set(select(engine, "UNCTAD_DDS")["ref_area"]) == {"CHN"}


def test_panel_code_falls_back_to_the_country_name(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    path.write_text(
        "country,iso3,year,dig_services_exports_usd_millions,dig_services_imports_usd_millions\n"
        '"Taiwan, China",TWX,2023,3.0,\n',
        encoding="utf-8",
    )
    result = run_import(engine, "unctad-panel", path)
    assert not result.report.warnings
    frame = select(engine, "UNCTAD_DDS")
    assert frame.select("ref_area", "flow", "value", "obs_status").rows() == [
        ("TWN", "M", None, "M"),
        ("TWN", "X", 3.0, "A"),
    ]


def test_sdmx_trade_equals_the_panel(engine: Engine, demo_data: Path) -> None:
    panel = run_import(engine, "unctad-panel", demo_data / PANEL)
    raw = run_import(engine, "unctad-sdmx", demo_data / RAW)
    assert (raw.dataflow, raw.rows) == ("UNCTAD_DDS", 2842 + 2879)
    [other] = [f for f in raw.report.findings if f.code == "rows-other-dataflow"]
    assert other.value == "UNCTAD_ICT" and other.message_en.startswith("2435 rows")
    first = select(engine, "UNCTAD_DDS", as_of=panel.vintage_id)
    latest = select(engine, "UNCTAD_DDS")
    assert set(latest["vintage_id"]) == {raw.vintage_id, panel.vintage_id}  # 37 cells only in panel
    joined = first.join(latest.filter(pl.col("vintage_id") == raw.vintage_id), on=KEYS)
    published = joined.filter(pl.col("value").is_not_null())
    assert published.height == 2609 + 2647
    assert (published["value"] == published["value_right"]).all()
    assert joined.filter(pl.col("value").is_null())["value_right"].null_count() == 233 + 232
    china = latest.filter((pl.col("ref_area") == "CHN") & (pl.col("time_period") == "2023"))
    assert dict(china.select("flow", "value").iter_rows()) == {"X": 216265.0, "M": 171318.0}
    assert set(china["unit_mult"]) == {6}


def test_sdmx_status_o_is_stored_missing(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "unctad-sdmx", demo_data / RAW)
    afg = select(engine, "UNCTAD_DDS", where={"ref_area": ["AFG"], "flow": ["X"]}, start="2021")
    assert afg.select("time_period", "value", "obs_status").rows() == [
        ("2021", None, "M"),
        ("2022", None, "M"),
        ("2023", None, "M"),
    ]


def test_sdmx_ict_part_with_dataflow_option(engine: Engine, demo_data: Path) -> None:
    result = run_import(engine, "unctad-sdmx", demo_data / RAW, options={"dataflow": "unctad_ict"})
    assert (result.dataflow, result.rows) == ("UNCTAD_ICT", 2435)
    [other] = [f for f in result.report.findings if f.code == "rows-other-dataflow"]
    assert other.value == "UNCTAD_DDS" and other.message_en.startswith("5721 rows")
    frame = select(engine, "UNCTAD_ICT", where={"ref_area": ["CHN"]}, start="2021")
    computers = frame.filter(pl.col("indicator") == "UNCTAD_DE_ICT_CORE_UBS_ANN_ALL_B1").row(
        0, named=True
    )
    assert (computers["value"], computers["unit"], computers["unit_mult"]) == (99.94, "PCT", 0)
    assert json.loads(computers["attrs"]) == {"UNIT_MEASURE": "PT_BS"}
    everything = select(engine, "UNCTAD_ICT")
    assert everything["indicator"].n_unique() == 12
    assert set(everything["unit_mult"]) == {0}


def test_sdmx_unit_mult_per_row_and_bad_values(engine: Engine, tmp_path: Path) -> None:
    head = "REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,UNIT_MULT,OBS_STATUS\n"
    path = tmp_path / "sdmx.csv"
    path.write_text(
        head + "CHN,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2023,216265000,USD,3,A\n"
        "CHN,UNCTAD_DE_DIG_SERVTRADE_ANN_IMP,2023,171318,USD,6,A\n"
        "CHN,UNCTAD_DE_OTHER,2023,1,USD,0,A\n",
        encoding="utf-8",
    )
    result = run_import(engine, "unctad-sdmx", path)
    assert [f.code for f in result.report.warnings] == ["indicator-unsupported"]
    frame = select(engine, "UNCTAD_DDS", unit="百万美元")
    assert dict(frame.select("flow", "value").iter_rows()) == {"X": 216265.0, "M": 171318.0}
    path.write_text(head + "CHN,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2023,1,USD,x,Z\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "unctad-sdmx", path)
    assert {"unit-mult-invalid", "status-unknown"} <= rejected.value.report.codes


def test_sdmx_refuses_a_foreign_dataflow(engine: Engine, demo_data: Path) -> None:
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "unctad-sdmx", demo_data / RAW, options={"dataflow": "WTO_DDS"})
    assert rejected.value.report.codes == {"dataflow-unsupported"}


def test_cli_round_trip(cli_env: dict[str, str], demo_data: Path) -> None:
    done = subprocess.run(
        [str(SHUMAO), "import", "unctad-panel", str(demo_data / PANEL), "--quiet"],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = subprocess.run(
        [
            str(SHUMAO),
            "query",
            "UNCTAD_DDS",
            "--ref-area",
            "中国",
            "--flow",
            "X",
            "--start",
            "2023",
            "--end",
            "2023",
            "--format",
            "csv",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        check=True,
    )
    frame = pl.read_csv(io.StringIO(shown.stdout.strip()))
    assert frame.select("ref_area", "time_period", "value", "unit_mult").rows() == [
        ("CHN", 2023, 216265.0, 6)
    ]
