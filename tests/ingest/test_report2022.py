"""The published tables of 《中国数字贸易发展报告2022》: values as printed, every table."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.errors import ImportRejected
from shumao.ingest.pipeline import run_import
from shumao.query import select
from shumao.reference import countries

REPORT = "report2022"
SHUMAO = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shumao")


def _load(
    engine: Engine,
    demo_data: Path,
    name: str,
    flow: str = "MOFCOM_REPORT",
    expected: set[tuple[str, int]] | None = None,
) -> dict:
    result = run_import(engine, "report2022", demo_data / REPORT / name)
    assert result.dataflow == flow
    assert {(f.code, f.row) for f in result.report.findings} == (expected or set())
    assert all(f.severity.value == "warning" for f in result.report.findings)
    data = select(engine, flow)
    assert data.height == result.rows
    return {
        (r["ref_area"], r["flow"], r["indicator"], r["time_period"]): r
        for r in data.iter_rows(named=True)
    }


def _check(obs: dict, value: float, unit: str, mult: int) -> None:
    assert (obs["value"], obs["unit"], obs["unit_mult"], obs["obs_status"]) == (
        value,
        unit,
        mult,
        "A",
    )


def test_table1_global_economies(engine: Engine, demo_data: Path) -> None:
    got = _load(engine, demo_data, "table1_global_economies_2022.csv")
    assert len(got) == 10 * 6
    _check(got[("USA", "T", "VALUE", "2022")], 10478.31, "USD", 8)
    _check(got[("USA", "T", "GROWTH_YOY", "2022")], 5.86, "PCT", 0)
    _check(got[("IRL", "M", "VALUE", "2022")], 3465.27, "USD", 8)
    _check(got[("GBR", "X", "GROWTH_YOY", "2022")], -0.58, "PCT", 0)
    _check(got[("CHN", "X", "VALUE", "2022")], 2105.37, "USD", 8)
    _check(got[("CHN", "X", "GROWTH_YOY", "2022")], 7.59, "PCT", 0)
    obs = got[("USA", "T", "VALUE", "2022")]
    world = countries.lookup("W00").iso3
    assert (obs["counterpart_area"], obs["product"], obs["freq"]) == (world, "DD", "A")


def test_table2_provinces_value_and_growth(engine: Engine, demo_data: Path) -> None:
    got = _load(engine, demo_data, "table2_provinces_2022.csv")
    assert len(got) == 12 * 6
    _check(got[("310000", "X", "VALUE", "2022")], 619.96, "USD", 8)
    _check(got[("310000", "X", "GROWTH_YOY", "2022")], 3.93, "PCT", 0)
    _check(got[("310000", "T", "VALUE", "2022")], 985.78, "USD", 8)
    _check(got[("310000", "M", "GROWTH_YOY", "2022")], -2.59, "PCT", 0)
    _check(got[("460000", "X", "GROWTH_YOY", "2022")], 87.51, "PCT", 0)
    total = sum(r["value"] for k, r in got.items() if k[1:3] == ("T", "VALUE"))
    assert total == pytest.approx(3545.22, abs=0.02)  # the table's 12省市合计 row


def test_table3_bases_2020_to_2022(engine: Engine, demo_data: Path) -> None:
    """Imported as printed, with the period-to-period edits' warnings at their rows:
    齐鲁软件园's exports 0.99 → 11.51 (row 12: 11.6 ×, against its own change and its peers'),
    大连's exports growing 29.5 % in 2022 while the other four bases' grew 0–14 % (row 5), and
    杭州's 2020 total equal to its exports (row 4: imports 0, yet 10.60 in 2021)."""
    got = _load(
        engine,
        demo_data,
        "table3_bases_2020_2022.csv",
        expected={
            ("table-ratio-outlier", 12),
            ("table-peer-outlier", 12),
            ("table-peer-outlier", 5),
            ("table-total-equals-part", 4),
        },
    )
    assert len(got) == 5 * 3 * 2
    _check(got[("DSEB09", "X", "VALUE", "2020")], 0.99, "USD", 8)  # 齐鲁软件园
    _check(got[("DSEB09", "T", "VALUE", "2020")], 10.60, "USD", 8)
    _check(got[("DSEB06", "T", "VALUE", "2022")], 53.93, "USD", 8)  # 杭州…物联网产业园
    _check(got[("DSEB05", "X", "VALUE", "2021")], 11.43, "USD", 8)  # 中国（南京）软件谷


def test_table4_base_output_in_yuan(engine: Engine, demo_data: Path) -> None:
    got = _load(engine, demo_data, "table4_base_output_2020_2022.csv", "MOFCOM_BASE_OUTPUT")
    assert len(got) == 6 * 3
    _check(got[("DSEB01", "_Z", "OUTPUT", "2022")], 4759, "CNY", 8)  # 中关村软件园
    _check(got[("DSEB01", "_Z", "OUTPUT", "2020")], 3366, "CNY", 8)
    _check(got[("DSEB07", "_Z", "OUTPUT", "2021")], 730, "CNY", 8)  # 合肥高新区


def test_regions_values_and_share(engine: Engine, demo_data: Path) -> None:
    got = _load(engine, demo_data, "regions_2022.csv")
    assert len(got) == 4 * 5
    _check(got[("EAST", "T", "SHARE", "2022")], 91.1, "PCT", 0)
    _check(got[("EAST", "T", "VALUE", "2022")], 3396.5, "USD", 8)
    _check(got[("EAST", "B", "VALUE", "2022")], 433.1, "USD", 8)
    _check(got[("NORTHEAST", "M", "VALUE", "2022")], 46.0, "USD", 8)


def test_unknown_province_is_an_error_at_its_row(
    engine: Engine, demo_data: Path, tmp_path: Path
) -> None:
    text = (demo_data / REPORT / "table2_provinces_2022.csv").read_text(encoding="utf-8")
    path = tmp_path / "table2_bad.csv"
    path.write_text(text.replace("江苏,", "江苏省X,"), encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "report2022", path)
    [error] = rejected.value.report.errors
    assert (error.code, error.row, error.column, error.value, error.cell) == (
        "code-unknown",
        6,
        "省市",
        "江苏省X",
        "A6",
    )


def test_unrecognised_header_is_rejected(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("城市,出口\n南京,1.0\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "report2022", path)
    assert [e.code for e in rejected.value.report.errors] == ["file-format"]


def test_report2022_cli_round_trip(cli_env: dict[str, str], demo_data: Path) -> None:
    table2 = demo_data / REPORT / "table2_provinces_2022.csv"
    done = subprocess.run(
        [SHUMAO, "import", "report2022", str(table2), "--quiet"],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = subprocess.run(
        [
            SHUMAO,
            "query",
            "MOFCOM_REPORT",
            "--ref-area",
            "上海",
            "--flow",
            "X",
            "--indicator",
            "VALUE,GROWTH_YOY",
            "--format",
            "csv",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = pl.read_csv(io.StringIO(out.strip())).sort("indicator")
    assert table["indicator"].to_list() == ["GROWTH_YOY", "VALUE"]
    assert table["value"].to_list() == [3.93, 619.96]
    assert table["unit"].to_list() == ["PCT", "USD"]
