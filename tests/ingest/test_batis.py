"""BaTIS importer: China's bilateral services trade by partner and EBOPS item (two imports)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from shumao.ingest.pipeline import run_import
from shumao.query import select
from shumao.reference import countries

BATIS = "batis_china_bilateral_2005_2019.csv"
UNMAPPED = {"Rest of the World"}
"""Partner names the country code list leaves out (documented in ``sources/batis.py``)."""
SHUMAO = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shumao")


def _file(demo_data: Path) -> pl.DataFrame:
    return pl.read_csv(demo_data / BATIS, infer_schema=False)


def _file_value(rows: pl.DataFrame, partner: str, flow: str, item: str, year: str) -> float:
    hit = rows.filter(
        (pl.col("partner") == partner)
        & (pl.col("flow") == flow)
        & (pl.col("item_code") == item)
        & (pl.col("year") == year)
    )
    assert hit.height == 1
    return float(hit["balanced_value_usd"][0])


def test_batis_values_rows_and_unmapped_partners(engine: Engine, demo_data: Path) -> None:
    rows = _file(demo_data)
    result = run_import(engine, "batis", demo_data / BATIS)

    unmapped = {f.value for f in result.report.findings if f.code == "name-unmapped"}
    assert unmapped == UNMAPPED
    [warning] = result.report.warnings
    assert (warning.row, warning.column) == (74_972, "partner")  # first "Rest of the World" row
    skipped = rows.filter(pl.col("partner").is_in(list(UNMAPPED))).height
    assert skipped == 510
    assert result.rows == rows.height - skipped == 103_020

    world = countries.lookup("World").iso3
    data = select(
        engine,
        "BATIS",
        where={"ref_area": ["CHN"], "product": ["SI", "SJ"], "counterpart_area": ["USA", world]},
    )
    got = {
        (r["counterpart_area"], r["product"], r["flow"], r["time_period"]): r
        for r in data.iter_rows(named=True)
    }
    for partner, code in (("United States", "USA"), ("World", world)):
        for flow, name in (("X", "Exports"), ("M", "Imports")):
            for item, year in (("SI", "2019"), ("SJ", "2005")):
                obs = got[(code, item, flow, year)]
                assert obs["value"] == _file_value(rows, partner, name, item, year)
                assert (obs["unit"], obs["unit_mult"], obs["obs_status"]) == ("USD", 0, "A")
    assert got[("USA", "SI", "X", "2019")]["value"] == 3_280_884_208.0
    assert got[(world, "SI", "X", "2019")]["value"] == 23_423_215_377.0

    everything = select(engine, "BATIS")
    assert set(everything["product"].unique()) == {
        "S",
        "SA",
        "SB",
        "SC",
        "SD",
        "SE",
        "SF",
        "SG",
        "SH",
        "SI",
        "SJ",
        "SK",
        "SL",
        "SOX",
        "SOX1",
        "SPX1",
        "SPX4",
    }
    kept = rows.filter(~pl.col("partner").is_in(list(UNMAPPED)))
    empty = kept.filter(pl.col("balanced_value_usd").is_null()).height
    missing = everything.filter(pl.col("obs_status") == "M")
    assert missing.height == empty > 0
    assert missing["value"].null_count() == empty


def test_batis_cli_round_trip(cli_env: dict[str, str], demo_data: Path) -> None:
    done = subprocess.run(
        [SHUMAO, "import", "batis", str(demo_data / BATIS), "--quiet"],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Rest of the World" in done.stdout
    assert "103,020" in done.stdout
    out = subprocess.run(
        [
            SHUMAO,
            "query",
            "BATIS",
            "--ref-area",
            "中国",
            "--counterpart-area",
            "美国",
            "--product",
            "SI",
            "--flow",
            "X",
            "--start",
            "2019",
            "--end",
            "2019",
            "--format",
            "csv",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = pl.read_csv(io.StringIO(out.strip()))
    assert table["value"].to_list() == [3_280_884_208.0]
    assert table["counterpart_area"].to_list() == ["USA"]
