"""World Bank WDI ICT service exports (BX.GSR.CCIS.CD), wide "API_" layout."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from shumao.ingest.sources import worldbank
from shumao.query import select

WDI = "wdi_ict_service_exports_BX.GSR.CCIS.CD.csv"
META = "wdi_country_metadata.csv"
SHUMAO = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shumao"


def test_values_in_plain_usd(engine: Engine, demo_data: Path) -> None:
    result = run_import(engine, "wb-ict", demo_data / WDI)
    assert result.rows == 6273
    assert result.report.ok and not result.report.warnings
    assert result.report.codes == {"encoding-bom"}
    frame = select(engine, "WB_ICT", where={"ref_area": ["CHN", "USA", "WLD", "HIC"]}, start="2022")
    got = {(a, p): v for a, p, v in frame.select("ref_area", "time_period", "value").iter_rows()}
    assert got[("CHN", "2022")] == 55893716412.98
    assert got[("CHN", "2024")] == 65033312106.02
    assert got[("USA", "2024")] == 90783000000.0
    assert got[("WLD", "2024")] == 1263239610725.34
    assert got[("HIC", "2023")] == 851644470580.915
    assert set(
        frame.select(
            "product", "flow", "indicator", "freq", "unit", "unit_mult", "obs_status"
        ).rows()
    ) == {("SI", "X", "BX.GSR.CCIS.CD", "A", "USD", 0, "A")}


def test_only_published_cells_become_observations(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "wb-ict", demo_data / WDI)
    china = select(engine, "WB_ICT", where={"ref_area": ["CHN"]})
    assert china.height == 43
    assert (china["time_period"].min(), china["time_period"].max()) == ("1982", "2024")
    areas = set(select(engine, "WB_ICT")["ref_area"])
    assert {"CHI", "INX"}.isdisjoint(areas)  # listed in the file, no data
    assert {"EUU", "EMU", "SSF", "LMY", "XKX"} <= areas


def test_aggregate_list_matches_wdi_metadata(demo_data: Path) -> None:
    with (demo_data / META).open(encoding="utf-8-sig", newline="") as f:
        blank_region = {r["Country Code"] for r in csv.DictReader(f) if not r["Region"]}
    assert worldbank.aggregates() == blank_region
    assert len(blank_region) == 48


def test_file_without_preamble_and_unknown_code(
    engine: Engine, demo_data: Path, tmp_path: Path
) -> None:
    lines = (demo_data / WDI).read_text(encoding="utf-8-sig").splitlines()
    header, china = lines[4], next(x for x in lines if '"CHN"' in x)
    made_up = china.replace('"China","CHN"', '"Atlantis","ATL"')
    path = tmp_path / "wdi.csv"
    path.write_text("\n".join([header, china, made_up]) + "\n", encoding="utf-8")
    result = run_import(engine, "wb-ict", path)
    assert result.rows == 43
    assert [(f.code, f.value, f.row) for f in result.report.warnings] == [
        ("name-unmapped", "ATL", 3)
    ]
    assert set(select(engine, "WB_ICT")["ref_area"]) == {"CHN"}


def test_cli_round_trip(cli_env: dict[str, str], demo_data: Path) -> None:
    done = subprocess.run(
        [str(SHUMAO), "import", "wb-ict", str(demo_data / WDI), "--quiet"],
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
            "WB_ICT",
            "--ref-area",
            "CHN",
            "--start",
            "2022",
            "--end",
            "2022",
            "--format",
            "csv",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        check=True,
    )
    frame = pl.read_csv(io.StringIO(shown.stdout.strip()))
    assert frame.select("ref_area", "time_period", "value", "unit").rows() == [
        ("CHN", 2022, 55893716412.98, "USD")
    ]
