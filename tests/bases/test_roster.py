"""The service-outsourcing roster import: real files (UTF-8, GB18030, XLSX), every bad input
a located bilingual finding, nothing written."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from shumao.auth.scope import Scope
from shumao.bases import roster
from shumao.bases.tables import so_roster_load, so_roster_row
from shumao.errors import ImportRejected, NotAllowed
from shumao.validation import uscc

HEAD = (
    "企业名称,统一社会信用代码,地址,所属基地,年度,离岸ITO合同额（万美元）,离岸ITO执行额（万美元）\n"
)
GOOD = uscc.make("91320114MA1R0T001")


def write(tmp_path: Path, body: str, encoding: str = "utf-8", name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((HEAD + body).encode(encoding))
    return path


def rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(so_roster_row)).scalar_one())


def test_a_gb18030_roster_is_read_and_stored(
    report_store: Engine, ministry: Scope, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        f"南京华信软件技术有限公司,{GOOD},南京市雨花台区软件大道1号,中国（南京）软件谷,2024年,"
        '120,"1,050.5"\n南京云帆数据服务有限公司,,,DSEB05,2024,,\n',
        "gb18030",
    )
    with report_store.begin() as conn:
        done = roster.import_roster(conn, scope=ministry, path=path)
    assert (done.rows, done.counted) == (2, 1)
    assert {f.code for f in done.report.findings} >= {"encoding-gb18030", "roster-no-ito"}
    with report_store.connect() as conn:
        stored = conn.execute(
            select(so_roster_row.c.base_code, so_roster_row.c.year, so_roster_row.c.ito_exec)
        ).all()
        assert conn.execute(select(so_roster_load.c.sha256)).scalar_one() != ""
    assert stored[0] == ("DSEB05", "2024", 1050.5)


BAD = {
    "missing column": ("企业名称,地址\n南京华信软件技术有限公司,南京市\n", "column-missing", None),
    "duplicate": (
        f"南京华信软件技术有限公司,{GOOD},,DSEB05,2024,1,1\n南京华信软件技术有限责任公司,{GOOD},,DSEB05,2024,2,2\n",
        "roster-duplicate-row",
        3,
    ),
    "credit code": (
        "南京华信软件技术有限公司,91320114MA1R0T0010,,DSEB05,2024,1,1\n",
        "uscc-invalid",
        2,
    ),
    "traditional": ("南京華信軟件技術有限公司,,,DSEB05,2024,1,1\n", "roster-traditional-name", 2),
    "base": ("南京华信软件技术有限公司,,,苏州工业园区,2024,1,1\n", "roster-base-unknown", 2),
    "year": ("南京华信软件技术有限公司,,,DSEB05,24年,1,1\n", "roster-year-invalid", 2),
    "amount": ("南京华信软件技术有限公司,,,DSEB05,2024,一百,1\n", "value-not-number", 2),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rosters_are_refused_with_located_findings(
    case: str, report_store: Engine, ministry: Scope, tmp_path: Path
) -> None:
    body, code, row = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_text(body if case == "missing column" else HEAD + body, encoding="utf-8")
    with report_store.begin() as conn, pytest.raises(ImportRejected) as caught:
        roster.import_roster(conn, scope=ministry, path=path)
    hit = [f for f in caught.value.report.errors if f.code == code]
    assert hit, caught.value.report.text()
    assert hit[0].message_zh and hit[0].message_en and hit[0].fix_zh
    assert hit[0].file == "bad.csv" and hit[0].row == row
    assert rows(report_store) == 0


def test_undecodable_bytes_are_refused(
    report_store: Engine, ministry: Scope, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(HEAD.encode() + b"\xff\xfe\xfa\xfb,,,DSEB05,2024,1,1\n")
    with report_store.begin() as conn, pytest.raises(ImportRejected) as caught:
        roster.import_roster(conn, scope=ministry, path=path)
    assert "encoding-undecodable" in caught.value.report.codes
    assert rows(report_store) == 0


def test_an_xlsx_roster_and_a_rejected_one_keep_what_was_stored(
    report_store: Engine, ministry: Scope, tmp_path: Path
) -> None:
    good = pl.DataFrame(
        {
            "企业名称": ["杭州云栖软件有限公司"],
            "年度": ["2024"],
            "所属基地": ["DSEB06"],
            "离岸ITO执行额": [12.5],
        }
    )
    good.write_excel(tmp_path / "r.xlsx", worksheet="名录")
    with report_store.begin() as conn:
        roster.import_roster(conn, scope=ministry, path=tmp_path / "r.xlsx")
    bad = write(tmp_path, "南京華信軟件,,,DSEB05,2024,1,1\n")
    with report_store.begin() as conn, pytest.raises(ImportRejected):
        roster.import_roster(conn, scope=ministry, path=bad)
    assert rows(report_store) == 1


def test_a_park_may_not_import_another_base(report_store: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "杭州云栖软件有限公司,,,DSEB06,2024,1,1\n")
    with report_store.begin() as conn, pytest.raises(NotAllowed):
        roster.import_roster(conn, scope=Scope.of("p", "park", "DSEB05"), path=path)
    assert rows(report_store) == 0
