"""Bad register files: every problem located (file, row, column, cell) in Chinese and English,
and nothing of the upload written to the register."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine, func, select

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.workflow import filings, uploads
from shumao.outbound import demo
from shumao.outbound import tables as t

from .conftest import DEMO

CODE = "91320114MA1YTD002J"
CLERK = Actor("c", Role.ENTERPRISE, CODE)


def rows_of(code: str = CODE) -> list[list[str]]:
    with (DEMO / "register_2025.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.reader(fh) if r[0] == code]


def upload(
    engine: Engine,
    rows: list[list[str]],
    header: tuple[str, ...] = demo.HEADER,
    period: str = "2025",
) -> uploads.UploadResult:
    with engine.begin() as conn:
        return uploads.upload_file(
            conn,
            actor=CLERK,
            form_id="ODI_A",
            uscc=CODE,
            period=period,
            data=demo._csv(rows, header).encode("utf-8"),
            filename="odi.csv",
        )


def errors(result: uploads.UploadResult) -> list[tuple[str, str, str]]:
    return [(f.code, f.cell, f.value) for f in result.report.errors]


def stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.project)).scalar() or 0)


def test_unknown_economy_is_located(enterprises: Engine) -> None:
    rows = rows_of()
    rows[1][4] = "亚特兰蒂斯"
    got = upload(enterprises, rows)
    assert not got.accepted
    assert errors(got) == [("code-unknown", "E3", "亚特兰蒂斯")]
    item = got.report.errors[0]
    assert "东道国（地区）" in item.message_zh and "is not in the code list" in item.message_en
    assert stored(enterprises) == 0


def test_china_is_not_a_host(enterprises: Engine) -> None:
    rows = rows_of()
    rows[0][4] = "中国"
    assert errors(upload(enterprises, rows)) == [("code-not-allowed", "E2", "中国")]


@pytest.mark.parametrize(
    ("unit", "shown"), [("万元", "万元"), ("美元", "美元"), ("万欧元", "万欧元")]
)
def test_amounts_in_another_unit_or_currency_are_refused_not_converted(
    enterprises: Engine, unit: str, shown: str
) -> None:
    header = tuple(
        h.replace("中方协议投资额（万美元）", f"中方协议投资额（{unit}）") for h in demo.HEADER
    )
    got = upload(enterprises, rows_of(), header=header)
    codes = [(f.code, f.column, f.value) for f in got.report.errors]
    assert ("outbound-currency", "中方协议投资额（万美元）", shown) in codes, got.report.text()
    assert stored(enterprises) == 0


def test_an_amount_written_in_dollars_is_caught(enterprises: Engine) -> None:
    rows = rows_of()
    rows[1][13] = "74070900"
    got = upload(enterprises, rows)
    assert errors(got) == [("outbound-amount-unit", "N3", "74,070,900.00")]
    assert "7407.09 亿美元" in got.report.errors[0].message_zh


def test_dates_out_of_order_and_after_the_period(enterprises: Engine) -> None:
    rows = rows_of()
    rows[1][10] = "2021-06-01"  # construction before the filing date 2022-01-26
    rows[0][11] = "2026年2月1日"  # operating after the end of 2025
    rows[0][9] = "2021/13/40"  # not a date
    got = upload(enterprises, rows)
    found = {(f.code, f.cell) for f in got.report.errors}
    assert found == {
        ("outbound-date-order", "K3"),
        ("outbound-date-future", "L2"),
        ("outbound-date-invalid", "J2"),
    }, got.report.text()
    order = next(f for f in got.report.errors if f.code == "outbound-date-order")
    assert "早于“备案（核准）日期”2022-01-26" in order.message_zh
    assert 'before "备案（核准）日期" (2022-01-26)' in order.message_en


def test_a_stage_needs_its_date(enterprises: Engine) -> None:
    rows = rows_of()
    rows[1][11] = ""  # operating, without the operation date
    assert errors(upload(enterprises, rows)) == [("outbound-stage-date-missing", "L3", "")]


def test_duplicate_certificate_in_the_file(enterprises: Engine) -> None:
    rows = rows_of()
    rows[1][8] = rows[0][8]
    got = upload(enterprises, rows)
    assert errors(got) == [("outbound-odi-duplicate", "I2", "N3200202100002")]
    assert "第 2、3 行" in got.report.errors[0].message_zh


def test_certificate_of_another_enterprise_in_the_register(filed: Engine) -> None:
    rows = rows_of()
    other = rows_of("91320114MA1YTD003M")[0][8]
    rows[0][8] = other
    with filed.begin() as conn:
        found = filings.find_filing(conn, actor=CLERK, form_id="ODI_A", uscc=CODE, period="2025")
    assert found is not None and found.status is filings.Status.APPROVED
    before = stored(filed)
    got = upload(filed, rows)
    assert errors(got) == [("outbound-odi-taken", "I2", "N3200202300004")]
    assert "91320114MA1YTD003M" not in got.report.text()  # the other enterprise is not named
    assert stored(filed) == before


def test_malformed_certificate(enterprises: Engine) -> None:
    rows = rows_of()
    rows[0][8] = "ODI-2021-2"
    assert errors(upload(enterprises, rows)) == [("outbound-odi-format", "I2", "ODI-2021-2")]


def test_a_good_file_is_accepted_and_writes_nothing_until_approval(enterprises: Engine) -> None:
    got = upload(enterprises, rows_of())
    assert got.accepted, got.report.text()
    assert stored(enterprises) == 0
    text = io.StringIO(got.report.text())
    assert "错误" not in text.getvalue().split("合计")[0]
