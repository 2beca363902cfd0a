"""NBS provincial e-commerce and internet indicators (分省年度数据)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from shumao.errors import ImportRejected
from shumao.ingest.pipeline import run_import
from shumao.ingest.sources import nbs
from shumao.query import select
from shumao.reference import fx, geo, units

NBS = "nbs_province_ecommerce_internet_2015_2024.csv"
SHUMAO = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shumao")


def _file(demo_data: Path) -> pl.DataFrame:
    return pl.read_csv(demo_data / NBS, infer_schema=False)


def _file_value(rows: pl.DataFrame, province: str, year: str, name: str) -> float:
    hit = rows.filter(
        (pl.col("省份") == province) & (pl.col("年份") == year) & (pl.col("指标") == name)
    )
    assert hit.height == 1
    return float(hit["数值"][0])


def test_indicator_table_covers_the_file_with_known_units(demo_data: Path) -> None:
    names = _file(demo_data)["指标"].unique().to_list()
    found = {n: nbs.indicator(n) for n in names}
    assert {i.code for i in found.values() if i} == {i.code for i in nbs.indicators()}
    assert all(i is not None and i.name_zh == n for n, i in found.items())
    known = {(u.code, u.mult) for u in units.all_units()}
    for ind in nbs.indicators():
        assert (ind.unit, ind.unit_mult) in known, ind
    assert nbs.indicator("电子商务销售额") == nbs.indicator("电子商务销售额 (亿元)")


def test_beijing_2024_values_and_coverage(engine: Engine, demo_data: Path) -> None:
    rows = _file(demo_data)
    result = run_import(engine, "nbs-provinces", demo_data / NBS)
    assert result.rows == rows.height == 2759
    assert result.report.findings == []

    beijing = select(engine, "NBS_PROV", where={"ref_area": ["北京"]}, start="2024", end="2024")
    got = {r["indicator"]: r for r in beijing.iter_rows(named=True)}
    expected = {
        "ECOM_SALES": ("电子商务销售额 (亿元)", "CNY", 8),
        "ECOM_PURCHASES": ("电子商务采购额 (亿元)", "CNY", 8),
        "MOBILE_INTERNET_USERS": ("移动互联网用户 (万户)", "HH", 4),
        "BROADBAND_SUBSCRIBERS": ("互联网宽带接入用户 (万户)", "HH", 4),
        "ECOM_ENT": ("有电子商务交易活动的企业数 (个)", "NUMBER", 0),
    }
    for code, (name, unit, mult) in expected.items():
        obs = got[code]
        assert obs["value"] == _file_value(rows, "北京", "2024", name)
        assert (obs["ref_area"], obs["unit"], obs["unit_mult"]) == ("110000", unit, mult)
    assert got["ECOM_SALES"]["value"] == 46980.2
    assert "ECOM_ENT_SHARE" not in got  # NBS published no 2024 share

    sales = select(engine, "NBS_PROV", where={"indicator": ["ECOM_SALES"]})
    mainland = {p.code for p in geo.provinces() if p.code[:2] not in ("71", "81", "82")}
    assert set(sales["ref_area"]) == mainland and len(mainland) == 31
    assert set(sales["time_period"]) == {str(y) for y in range(2015, 2025)}
    assert sales.height == 31 * 10
    counts = dict(select(engine, "NBS_PROV").group_by("indicator").len().iter_rows())
    assert counts == {i.code: 310 if i.code != "ECOM_ENT_SHARE" else 279 for i in nbs.indicators()}


def test_query_in_usd_uses_the_2022_exchange_rate(engine: Engine, demo_data: Path) -> None:
    run_import(engine, "nbs-provinces", demo_data / NBS)
    cny = _file_value(_file(demo_data), "北京", "2022", "电子商务销售额 (亿元)")
    usd = select(
        engine,
        "NBS_PROV",
        where={"ref_area": ["110000"], "indicator": ["ECOM_SALES"]},
        start="2022",
        end="2022",
        unit="亿美元",
    )
    assert (usd["unit"][0], usd["unit_mult"][0]) == ("USD", 8)
    assert usd["value"][0] == pytest.approx(cny * fx.rate(2022, "CNY", "USD"))
    assert usd["value"][0] == pytest.approx(cny / 6.7261)


def _edited(demo_data: Path, tmp_path: Path, old: str, new: str) -> Path:
    lines = (demo_data / NBS).read_text(encoding="utf-8").splitlines()[:20]
    assert old in lines[4]
    lines[4] = lines[4].replace(old, new)  # file row 5
    path = tmp_path / "nbs_edited.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_unknown_indicator_is_an_error_at_its_row(
    engine: Engine, demo_data: Path, tmp_path: Path
) -> None:
    path = _edited(demo_data, tmp_path, "电子商务销售额 (亿元)", "跨境电商销售额 (亿元)")
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "nbs-provinces", path)
    [error] = rejected.value.report.errors
    assert (error.code, error.row, error.column, error.value) == (
        "code-unknown",
        5,
        "指标",
        "跨境电商销售额 (亿元)",
    )
    assert error.cell == "E5"


def test_unit_differing_from_the_indicator_table_is_an_error(
    engine: Engine, demo_data: Path, tmp_path: Path
) -> None:
    path = _edited(demo_data, tmp_path, ",亿元", ",万元")
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "nbs-provinces", path)
    [error] = rejected.value.report.errors
    assert (error.code, error.row, error.column) == ("unit-conflict", 5, "单位")


def test_nbs_cli_round_trip(cli_env: dict[str, str], demo_data: Path) -> None:
    done = subprocess.run(
        [SHUMAO, "import", "nbs-provinces", str(demo_data / NBS), "--quiet"],
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
            "NBS_PROV",
            "--ref-area",
            "北京",
            "--indicator",
            "ECOM_SALES",
            "--start",
            "2024",
            "--end",
            "2024",
            "--format",
            "csv",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = pl.read_csv(io.StringIO(out.strip()))
    assert table["value"].to_list() == [46980.2]
    assert table["unit"].to_list() == ["CNY"]
