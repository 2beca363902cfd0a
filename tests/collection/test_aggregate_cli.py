"""``shumao aggregate ENT_DDS``: enterprises summed up the geography they are registered in."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import polars as pl
from filing_factories import USCC, approved, make_enterprise, make_uscc
from sqlalchemy import Engine

from shumao.storage import vintages

RUN = "import sys\nfrom shumao.cli.main import app\napp(sys.argv[1:], prog_name='shumao')\n"


def shumao(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env={**env, "COLUMNS": "160"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_enterprises_are_summed_up_their_park_city_province(
    engine: Engine, cli_env: dict[str, str]
) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)  # in park DSEB05 (中国（南京）软件谷), Nanjing, Jiangsu
    approved(engine)
    done = shumao(
        cli_env,
        "aggregate",
        "ENT_DDS",
        "--hierarchy",
        "geography",
        "--flow",
        "X",
        "--format",
        "csv",
    )
    assert done.returncode == 0, done.stderr
    found = {
        (r["ref_area"], r["level"])
        for r in rows(done.stdout)
        if r["counterpart_area"] == "USA" and r["product"] == "SI2"
    }
    assert found == {
        (USCC, "enterprise"),
        ("DSEB05", "park"),
        ("320100", "city"),
        ("320000", "province"),
        ("EAST", "region"),
        ("CHN", "nation"),
    }
    park = next(
        r
        for r in rows(done.stdout)
        if r["ref_area"] == "DSEB05" and r["counterpart_area"] == "USA" and r["product"] == "SI2"
    )
    assert float(park["value"]) == 120.5 and park["n_contributors"] == "1"


def test_the_public_view_shows_no_enterprise_and_suppresses_one_contributor(
    engine: Engine, cli_env: dict[str, str]
) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)
    approved(engine)
    done = shumao(
        cli_env, "aggregate", "ENT_DDS", "--hierarchy", "geography", "--public", "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    public = rows(done.stdout)
    assert public and not any(r["ref_area"] == USCC for r in public)
    assert {r["conf_status"] for r in public} <= {"C", "D"}  # one enterprise: all protected
    assert all(r["value"] == "" for r in public)


def test_ebops_rows_show_what_tells_them_apart(engine: Engine, cli_env: dict[str, str]) -> None:
    with engine.begin() as conn:
        make_enterprise(conn)
    approved(engine)
    done = shumao(cli_env, "aggregate", "ENT_DDS", "--hierarchy", "ebops", "--flow", "X")
    assert done.returncode == 0, done.stderr
    header = next(line for line in done.stdout.splitlines() if "服务类" in line)
    assert "伙伴" in header  # the partner column distinguishes the DD totals
    assert "万美元" in done.stdout and "USA" in done.stdout and "JPN" in done.stdout


def test_an_empty_aggregate_says_why(engine: Engine, cli_env: dict[str, str]) -> None:
    stranger = make_uscc(999)  # reports, but the enterprise database does not know it
    with engine.begin() as conn:
        vintages.write_vintage(
            conn,
            dataflow_id="ENT_DDS",
            label="t",
            frame=pl.DataFrame(
                {
                    "ref_area": [stranger],
                    "counterpart_area": ["USA"],
                    "product": ["SI2"],
                    "flow": ["X"],
                    "freq": ["Q"],
                    "time_period": ["2024-Q3"],
                    "value": [5.0],
                    "unit": ["USD"],
                    "unit_mult": [4],
                }
            ),
        )
    done = shumao(cli_env, "aggregate", "ENT_DDS", "--hierarchy", "geography")
    assert done.returncode == 1
    said = " ".join(done.stdout.split())
    assert "1 行的 1 个代码不在层级 geography 中" in said and stranger in said
    assert "企业信息库" in said
    nothing = shumao(cli_env, "aggregate", "ENT_DDS", "--start", "2030")
    assert nothing.returncode == 1 and "没有符合条件的数据" in nothing.stdout
