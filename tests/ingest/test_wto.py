"""WTO digitally delivered services: the bulk layout and the processed one-reporter layout."""

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

BULK = "wto_dds_china_usa_2005_2025.csv"
INDIA = "wto_dds_india_2005_2025.csv"
COMPONENTS = ["SF", "SG", "SH", "SI1", "SI2", "SI3", "SJ", "SK"]
SHUMAO = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shumao"


def _file_values(path: Path, reporter: str, flow: str, year: int) -> dict[str, float]:
    raw = pl.read_csv(path).filter(
        (pl.col("REPORTER_CODE") == reporter) & (pl.col("FLOW") == flow) & (pl.col("YEAR") == year)
    )
    return dict(raw.select("INDICATOR", "VALUE").iter_rows())


def test_bulk_china_2022_exports_in_100_million_usd(engine: Engine, demo_data: Path) -> None:
    result = run_import(engine, "wto-dds", demo_data / BULK)
    assert (result.rows, result.series) == (756, 36)
    assert result.report.ok and not result.report.warnings
    frame = select(
        engine,
        "WTO_DDS",
        where={"ref_area": ["中国"], "flow": ["X"]},
        start="2022",
        end="2022",
        unit="亿美元",
    )
    got = dict(frame.select("product", "value").iter_rows())
    expected = _file_values(demo_data / BULK, "CN", "X", 2022)
    assert set(got) == {"DDS", *COMPONENTS}
    assert got == {k: pytest.approx(v / 100, rel=1e-12) for k, v in expected.items()}
    assert got["SI2"] == pytest.approx(781.9640688, rel=1e-12)
    assert got["DDS"] == pytest.approx(1999.478954, rel=1e-12)
    assert set(frame["counterpart_area"]) == {countries.lookup("W00").iso3}
    assert set(frame.select("unit", "unit_mult").rows()) == {("USD", 8)}


def test_bulk_stores_usd_millions_and_scientific_notation(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "wto-dds", demo_data / BULK)
    usa = select(
        engine, "WTO_DDS", where={"ref_area": ["USA"], "product": ["DDS"]}, start="2025", end="2025"
    )
    assert dict(usa.select("flow", "value").iter_rows())["M"] == 490399.9911
    assert set(usa.select("unit", "unit_mult").rows()) == {("USD", 6)}
    tiny = select(
        engine,
        "WTO_DDS",
        where={"ref_area": ["CHN"], "flow": ["M"], "product": ["SI3"]},
        start="2017",
        end="2017",
    )
    assert tiny["value"].to_list() == [5.90e-07]


def test_break_in_series_is_kept(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "wto-dds", demo_data / BULK)
    frame = select(engine, "WTO_DDS")
    flagged = frame.filter(pl.col("attrs").is_not_null())
    assert flagged.select("ref_area", "product", "flow", "time_period").sort("flow").rows() == [
        ("CHN", "DDS", "M", "2014"),
        ("CHN", "DDS", "X", "2014"),
    ]
    assert {json.loads(a)["BREAKING_SERIES"] for a in flagged["attrs"]} == {"B"}


def test_india_layout(engine: Engine, demo_data: Path) -> None:
    result = run_import(engine, "wto-dds", demo_data / INDIA)
    assert (result.rows, result.series) == (378, 18)
    frame = select(engine, "WTO_DDS", where={"ref_area": ["印度"]}, start="2022", end="2022")
    got = {(f, p): v for f, p, v in frame.select("flow", "product", "value").iter_rows()}
    assert got[("X", "DDS")] == 219287.7512
    assert got[("X", "SI2")] == 85472.6337
    assert got[("M", "SJ")] == 54260.66714
    assert set(frame.select("counterpart_area", "unit", "unit_mult").rows()) == {
        (countries.lookup("W00").iso3, "USD", 6)
    }


def test_total_equals_sum_of_components(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "wto-dds", demo_data / BULK)
    run_import(engine, "wto-dds", demo_data / INDIA)
    frame = select(engine, "WTO_DDS")
    sums = frame.group_by("ref_area", "flow", "time_period").agg(
        pl.col("value").filter(pl.col("product") == "DDS").sum().alias("total"),
        pl.col("value").filter(pl.col("product").is_in(COMPONENTS)).sum().alias("parts"),
        pl.col("product").filter(pl.col("product").is_in(COMPONENTS)).n_unique().alias("n"),
    )
    assert sums.height == 3 * 2 * 21
    assert set(sums["n"]) == {8}
    assert (sums["total"] - sums["parts"]).abs().max() < 1e-4


def test_unknown_layout_is_rejected(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "wto-dds", path)
    assert rejected.value.report.codes == {"column-missing"}


def test_unknown_unit_and_reporter(engine: Engine, demo_data: Path, tmp_path: Path) -> None:
    lines = (demo_data / BULK).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "bulk.csv"
    path.write_text(
        "\n".join([lines[0], lines[1], lines[2].replace(",CN,China,", ",QQ,Qland,")]) + "\n",
        encoding="utf-8",
    )
    result = run_import(engine, "wto-dds", path)
    assert result.rows == 1
    assert [(f.code, f.value, f.row) for f in result.report.warnings] == [
        ("name-unmapped", "QQ", 3)
    ]
    path.write_text(
        "\n".join([lines[0], lines[1].replace("Million US dollar", "furlongs")]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "wto-dds", path)
    assert rejected.value.report.codes == {"unit-unknown"}


def test_cli_round_trip(cli_env: dict[str, str], demo_data: Path) -> None:
    done = subprocess.run(
        [str(SHUMAO), "import", "wto-dds", str(demo_data / INDIA), "--quiet"],
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
            "WTO_DDS",
            "--ref-area",
            "IND",
            "--product",
            "SI2",
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
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        check=True,
    )
    frame = pl.read_csv(io.StringIO(shown.stdout.strip()))
    [(area, period, value)] = frame.select("ref_area", "time_period", "value").rows()
    assert (area, period) == ("IND", 2022)
    assert value == pytest.approx(854.726337, rel=1e-12)
