"""Forms as data, periods, actors, and the Excel template a clerk downloads."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
import yaml
from filing_factories import NAME, USCC, make_uscc
from openpyxl import load_workbook

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection import forms
from shumao.collection.checks.engine import validate
from shumao.collection.forms import get_form, normalise_period, previous_periods, shift
from shumao.collection.templates import Identity, build_template, code_choices, template_bytes
from shumao.collection.upload import read_bytes
from shumao.errors import NotAllowed, UnknownCode


def test_the_shipped_forms() -> None:
    q, a = get_form("DDS_Q"), get_form("basic_a")
    assert (q.frequency, q.dataflow, q.layout, q.code) == ("Q", "ENT_DDS", "table", "数贸季1表")
    assert [f.id for f in q.fields] == ["product", "counterpart_area", "X", "M", "T", "remark"]
    assert (
        q.field("product").allowed[:3] == ("SF1", "SF2", "SF3")
        and len(q.field("product").allowed) == 18
    )
    assert [r.code for r in q.rules] == [
        "filing-blank",
        "zero-report",
        "required-one-of",
        "flow-total-mismatch",
        "sum-mismatch",
        "cross-form-mismatch",
        "hb-history-outlier",
        "hb-peer-outlier",
    ]
    assert q.rules_of("hb-history")[0].params["periods"] == 8  # default from rules.yaml
    assert [f.label_zh for f in a.numeric_fields] == [
        "营业收入",
        "从业人员",
        "数字服务出口额",
        "外贸出口额",
    ]
    assert a.field("revenue").unit == "万元" and a.field("dds_export").unit == "万美元"
    with pytest.raises(UnknownCode):
        get_form("NOPE")


@pytest.mark.parametrize(
    ("text", "freq", "expected"),
    [
        ("2024-Q3", "Q", "2024-Q3"),
        ("2024Q3", "Q", "2024-Q3"),
        ("2024 q3", "Q", "2024-Q3"),
        ("2024年第三季度", "Q", "2024-Q3"),
        ("2024年3季度", "Q", "2024-Q3"),
        ("２０２４年第３季度", "Q", "2024-Q3"),
        ("2024-Q5", "Q", None),
        ("2024", "Q", None),
        ("2024年", "A", "2024"),
        ("2024年度", "A", "2024"),
        ("2024-07", "M", "2024-07"),
        ("2024年7月", "M", "2024-07"),
        ("2024-13", "M", None),
    ],
)
def test_periods_as_clerks_write_them(text: str, freq: str, expected: str | None) -> None:
    assert normalise_period(text, freq) == expected


def test_period_arithmetic() -> None:
    assert shift("2024-Q1", -1) == "2023-Q4" and shift("2024-12", 1) == "2025-01"
    assert previous_periods("2024-Q3", 3) == ["2023-Q4", "2024-Q1", "2024-Q2"]
    assert forms.period_end("2024-Q1") == date(2024, 3, 31)
    assert get_form("DDS_Q").due_date("2024-Q4") == date(2025, 1, 20)


CUSTOM = """
id: ODS_M
code: 试点月1表
version: 1
title_zh: 离岸数字服务（月度）
title_en: Offshore digital services (monthly)
frequency: M
dataflow: ENT_DDS
reporters: trade_reporter
deadline_days: 10
layout: table
sheet: 月报
input_rows: 20
fields:
  - {id: product, label_zh: 服务类别, label_en: Service, kind: code, codelist: ebops,
     allowed: [SI1, SI2, SI3], dimension: product, required: true}
  - {id: counterpart_area, label_zh: 国家, label_en: Country, kind: code, codelist: country,
     dimension: counterpart_area, required: true}
  - {id: X, label_zh: 离岸执行额, label_en: Offshore exports, kind: money, unit: 美元, flow: X,
     min: 0, required: true}
rules: []
"""


def test_a_new_form_is_only_data() -> None:
    """A monthly form written in YAML gets a template, parsing, checks and observations."""
    form = forms._form(yaml.safe_load(CUSTOM))
    data = template_bytes(form, Identity(USCC, NAME, "2024-07"))
    wb = load_workbook(io.BytesIO(data))
    ws = wb["月报"]
    ws["B8"], ws["C8"], ws["D8"] = "SI3 信息服务", "KOR 韩国", 5000
    ws["B9"], ws["C9"], ws["D9"] = "SJ1", "KOR", 10
    buf = io.BytesIO()
    wb.save(buf)
    parsed = read_bytes(buf.getvalue(), form=form, filename="m.xlsx")
    assert parsed.meta["form"] == "ODS_M" and parsed.sheet is not None
    checked = validate(parsed.sheet, form, report=parsed.report)
    assert [(f.code, f.cell) for f in checked.report.errors] == [("code-not-allowed", "B9")]
    obs = checked.observations()
    assert obs.filter(product="SI3").select(
        "freq", "time_period", "value", "unit", "unit_mult"
    ).row(0) == ("M", "2024-07", 5000.0, "USD", 0)


def test_the_template_has_identity_dropdowns_protection_and_instructions() -> None:
    wb = build_template(get_form("DDS_Q"), Identity(USCC, NAME, "2024-Q3"))
    ws = wb["填报表"]
    assert (ws["B3"].value, ws["E3"].value, ws["B4"].value, ws["E4"].value, ws["B5"].value) == (
        USCC,
        NAME,
        "2024-Q3",
        "万美元",
        "2024-10-20",
    )
    assert ws.protection.sheet
    assert ws["B3"].protection.locked and ws["B7"].protection.locked  # identity, 合计 label
    assert not ws["D7"].protection.locked and not ws["B8"].protection.locked
    assert not ws["G207"].protection.locked and ws["A8"].protection.locked
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists == {"B8:B207": "'代码表'!$A$2:$A$19", "C8:C207": lists["C8:C207"]}
    codes = wb["代码表"]
    assert codes.sheet_state == "hidden"
    assert codes["A2"].value == "SF1 直接保险" and codes["A13"].value == "SI2 计算机服务"
    partners = [c.value for c in codes["B"][1:]]
    assert "USA 美国" in partners and "CHN 中国" not in partners
    assert lists["C8:C207"] == f"'代码表'!$B$2:$B${len(partners) + 1}"
    help_text = "\n".join(str(c.value) for c in wb["填报说明"]["A"] if c.value)
    assert "报送截止日期：2024-10-20" in help_text and "Due date for 2024-Q3" in help_text
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert wb["_meta"].sheet_state == "veryHidden"
    assert (meta["form"], meta["uscc"], meta["period"]) == ("DDS_Q", USCC, "2024-Q3")


def test_code_lists_offer_names_in_chinese() -> None:
    items = dict(code_choices(get_form("DDS_Q").field("product")))
    assert items["SK1"] == "视听和相关服务" and "SC1" not in items


def test_the_annual_template_lists_each_field_with_its_unit() -> None:
    wb = build_template(get_form("BASIC_A"), Identity(USCC, NAME, "2024"))
    rows = [(r[1], r[2]) for r in wb["填报表"].iter_rows(min_row=7, max_row=10, values_only=True)]
    assert rows == [
        ("营业收入", "万元"),
        ("从业人员", "人"),
        ("数字服务出口额", "万美元"),
        ("外贸出口额", "万美元"),
    ]
    assert not wb["填报表"]["D7"].protection.locked and wb["填报表"]["C7"].protection.locked


def test_actor_scopes() -> None:
    assert Actor.parse("wang", "park:南京软件谷").scope == "DSEB05"
    assert Actor.parse("li", "city:110000").role is Role.CITY  # a municipality acts as a city
    assert Actor.parse("root", "admin").scope == ""
    for bad in ("park:DSEB99", "city:320000", "province:320100", "enterprise:123", "janitor:1"):
        with pytest.raises(NotAllowed):
            Actor.parse("x", bad)
    assert Actor("x", Role.ENTERPRISE, make_uscc(3).lower()).scope == make_uscc(3)


def test_observations_of_the_quarterly_form_have_the_ent_dds_shape() -> None:
    form = get_form("DDS_Q")
    frame = pl.DataFrame(
        {
            "_row": [8],
            "uscc": [USCC],
            "period": ["2024-Q3"],
            "product": ["SI1"],
            "counterpart_area": ["美国"],
            "X": ["1.5"],
            "M": [None],
            "T": [None],
            "remark": [None],
        }
    )
    from shumao.collection.checks.model import Sheet

    checked = validate(Sheet(frame, {}), form)
    assert checked.report.codes == {"totals-missing"}
    obs = checked.observations().row(0, named=True)
    assert {
        k: obs[k]
        for k in (
            "ref_area",
            "counterpart_area",
            "product",
            "flow",
            "indicator",
            "freq",
            "time_period",
            "value",
        )
    } == {
        "ref_area": USCC,
        "counterpart_area": "USA",
        "product": "SI1",
        "flow": "X",
        "indicator": "_Z",
        "freq": "Q",
        "time_period": "2024-Q3",
        "value": 1.5,
    }
