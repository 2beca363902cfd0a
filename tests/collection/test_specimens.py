"""The filing upload corpus: every specimen gives exactly the findings expected.yaml lists.

Also: every cell finding names its cell (C12), every message is Chinese first, dangerous files
are refused before they are opened, and the values read from awkward files are the right ones.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from shumao.collection.checks.engine import validate
from shumao.collection.checks.model import Context
from shumao.collection.checks.results import Checked
from shumao.collection.forms import get_form
from shumao.collection.upload import Parsed, read_file
from shumao.validation.findings import Severity, catalogue

SPECIMENS = Path(__file__).parents[1] / "specimens" / "filings"
EXPECTED = yaml.safe_load((SPECIMENS / "expected.yaml").read_text(encoding="utf-8"))
DEFAULTS: dict[str, Any] = EXPECTED["defaults"]
CASES: list[dict[str, Any]] = [{**DEFAULTS, **c} for c in EXPECTED["cases"]]
CELL_CODES = {
    "value-not-number",
    "value-negative",
    "value-out-of-range",
    "not-integer",
    "code-unknown",
    "code-not-allowed",
    "formula-no-value",
    "merged-number",
    "flow-total-mismatch",
    "sum-mismatch",
    "text-too-long",
    "value-exceeds",
    "uscc-invalid",
    "value-normalised",
    "upload-wrong-enterprise",
    "upload-wrong-period",
    "text-formula-inert",
}
HAN = re.compile(r"[\u4e00-\u9fff]")


def check(spec: dict[str, Any]) -> tuple[Parsed, Checked | None]:
    form = get_form(spec["form"])
    parsed = read_file(SPECIMENS / spec["file"], form=form)
    checked = None
    if parsed.sheet is not None:
        ctx = Context(expected_uscc=spec["uscc"], expected_period=str(spec["period"]), hb=False)
        checked = validate(parsed.sheet, form, context=ctx, report=parsed.report)
    return parsed, checked


def by_name(name: str) -> dict[str, Any]:
    return next(c for c in CASES if c["file"] == name)


def test_corpus_lists_every_file_once_and_has_at_least_40() -> None:
    files = {
        p.name for p in SPECIMENS.iterdir() if p.is_file() and p.suffix not in (".py", ".yaml")
    }
    listed = [c["file"] for c in CASES]
    assert len(listed) == len(set(listed))
    assert set(listed) == files
    assert len(files) >= 40


@pytest.mark.parametrize("spec", CASES, ids=[c["file"] for c in CASES])
def test_specimen_gives_its_findings(spec: dict[str, Any]) -> None:
    parsed, _ = check(spec)
    report = parsed.report
    serious = {f.code for f in report.findings if f.severity is not Severity.INFO}
    assert serious == set(spec["codes"]), report.text()
    assert set(spec.get("info", [])) <= report.codes, report.text()
    should_pass = all(catalogue()[c]["severity"] != "error" for c in spec["codes"])
    assert report.ok is should_pass
    if spec.get("opened", True) is False:
        assert parsed.sheet is None
    for f in report.findings:
        assert HAN.search(f.message_zh), f.message_zh
        assert f.message_en[:1].isascii(), f.message_en
        if f.code in CELL_CODES and not spec["file"].endswith(".json"):
            assert re.fullmatch(r"[A-Z]{1,2}\d+", f.cell), (f.code, f.cell, f.location)


def test_a_100_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big_upload.xlsx"
    with big.open("wb") as out:
        out.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing to read
    parsed = read_file(big, form=get_form("DDS_Q"))
    assert parsed.report.codes == {"file-too-large"}
    assert parsed.received.data is None and parsed.received.size == 100 * 1024 * 1024
    assert "104857600" in parsed.report.findings[0].message_zh


def _cells(checked: Checked | None, name: str) -> dict[str, Any]:
    assert checked is not None
    cells = checked.cells()
    return dict(
        zip(cells["cell"], cells["value"] if name == "value" else cells["text"], strict=True)
    )


def test_cell_locations_point_at_the_offending_cell() -> None:
    where = {}
    for name in (
        "text_in_number_cell.csv",
        "merged_number_cells.xlsx",
        "formulas_without_saved_results.xlsx",
        "negative_value.csv",
        "uscc_wrong_check_character.csv",
        "another_enterprise.xlsx",
    ):
        parsed, _ = check(by_name(name))
        where[name] = sorted(
            {
                (f.code, f.cell, f.value)
                for f in parsed.report.findings
                if f.severity is Severity.ERROR
            }
        )
    assert ("value-not-number", "E4", "约80万") in where["text_in_number_cell.csv"]
    assert ("merged-number", "D8", "D8:D9") in where["merged_number_cells.xlsx"]
    assert [c for _, c, _ in where["formulas_without_saved_results.xlsx"]] == [
        "F10",
        "F11",
        "F7",
        "F8",
        "F9",
    ]
    assert ("value-negative", "F5", "-5.5") in where["negative_value.csv"]
    assert where["uscc_wrong_check_character.csv"][0][:2] == ("uscc-invalid", "A2")
    assert where["another_enterprise.xlsx"] == [
        ("upload-wrong-enterprise", "B3", "91330108MA2YYYYY04")
    ]


def _values(name: str) -> pl.DataFrame:
    _, checked = check(by_name(name))
    assert checked is not None and checked.ok, checked.report.text() if checked else name
    obs = checked.observations()
    return obs.select("counterpart_area", "product", "flow", "value", "unit", "unit_mult")


def test_awkward_files_read_the_same_numbers_as_the_clean_one() -> None:
    clean = _values("ok_template.xlsx").sort("product", "counterpart_area", "flow")
    assert clean.filter(product="SI2", counterpart_area="USA", flow="X")["value"].item() == 120.5
    assert clean.height == 7  # 4 lines × 2 flows minus JPN imports (empty)
    for name in (
        "ok_plain.csv",
        "ok_gb18030.csv",
        "ok_utf8_bom.csv",
        "ok_utf16.csv",
        "ok_api.json",
        "csv_named_xls.xls",
        "wps_style_sheet.xlsx",
        "identity_rows_above_header.csv",
        "trailing_spaces_blank_rows.csv",
        "period_chinese_form.csv",
        "merged_product_cells.xlsx",
        "formulas_with_saved_results.xlsx",
        "hidden_data_sheet.xlsx",
        "injection_hyperlink.csv",
    ):
        got = _values(name).sort("product", "counterpart_area", "flow")
        assert got.equals(clean), name


def test_units_written_in_headers_are_converted_to_the_form_unit() -> None:
    usd = _values("unit_in_header_usd.csv")
    assert usd.filter(flow="X")["value"].item() == pytest.approx(120.5)  # 1,205,000 USD
    cny = _values("unit_in_header_cny.csv")
    assert cny.filter(flow="X")["value"].item() == pytest.approx(100.0)  # 712.17 万元 / 7.1217
    assert cny["unit"].unique().to_list() == ["USD"] and cny["unit_mult"].unique().to_list() == [4]
    row_unit = _values("unit_row_above_header_usd.csv")
    assert row_unit.filter(flow="M")["value"].item() == pytest.approx(10.0)


def test_numbers_stored_as_text_are_normalised() -> None:
    got = _values("numbers_stored_as_text.xlsx")
    assert got.filter(product="SI2", flow="X")["value"].item() == 1200.5
    assert got.filter(product="SI2", flow="M")["value"].item() == 10.0  # full-width １０
    assert got.filter(product="SJ2", flow="X")["value"].item() == 45.0  # " 45 "


def test_annual_form_reads_every_field_and_converts_revenue() -> None:
    basic = _values("basic_ok.xlsx")
    assert basic.height == 4
    _, checked = check(by_name("basic_revenue_in_yi_yuan.xlsx"))
    assert checked is not None
    obs = checked.observations()
    revenue = obs.filter(indicator="REVENUE")
    assert revenue["value"].item() == pytest.approx(52000.0)  # 5.2 亿元 = 52,000 万元
    assert (revenue["unit"].item(), revenue["unit_mult"].item()) == ("CNY", 4)
    employees = obs.filter(indicator="EMPLOYEES")
    assert (employees["value"].item(), employees["unit"].item()) == (130.0, "PERSONS")


def test_formula_like_text_is_kept_exactly_as_written() -> None:
    for name, text in (
        ("injection_hyperlink.csv", '=HYPERLINK("http://evil.example/x","点击")'),
        ("injection_text_cell.xlsx", '=HYPERLINK("http://evil.example/x","点击查看")'),
        ("injection_formula_cell.xlsx", '=HYPERLINK("http://evil.example/x","点击查看")'),
    ):
        _, checked = check(by_name(name))
        texts = _cells(checked, "text")
        assert text in texts.values(), name


def test_a_remark_written_over_two_lines_keeps_the_line_numbers_of_the_rows_below(
    tmp_path: Path,
) -> None:
    lines = (SPECIMENS / "negative_value.csv").read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(lines) if ",-" in line)
    header, first = lines[0], lines[1]
    remark = first.rsplit(",", 1)[0] + ',"第一行\n第二行"'  # the totals line's 备注, two lines
    text = "\n".join([header, remark, *lines[2:]]) + "\n"
    path = tmp_path / "remark_two_lines.csv"
    path.write_text(text, encoding="utf-8")
    parsed = read_file(path, form=get_form("DDS_Q"))
    assert parsed.sheet is not None
    checked = validate(
        parsed.sheet, get_form("DDS_Q"), report=parsed.report, context=Context(hb=False)
    )
    negative = [f for f in checked.report.findings if f.code == "value-negative"]
    assert [f.row for f in negative] == [bad + 2]  # one physical line more above it
    assert checked.lines["remark"][0] == "第一行\n第二行"


def test_identity_findings_name_the_templates_header_in_one_language() -> None:
    """The credit code and period columns were named "统一社会信用代码 / credit code", "报告期 /
    period", "统一社会信用代码 USCC" in the Chinese message and the location of either view, and
    a wrong check character was explained in both languages in each message."""
    found = []
    for name in ("identity_missing.csv", "uscc_wrong_check_character.csv"):
        parsed, _ = check(by_name(name))
        found += [f for f in parsed.report.errors if f.code in ("identity-missing", "uscc-invalid")]
    assert {f.column for f in found} == {"统一社会信用代码", "报告期"}
    assert all(not re.search(r"[A-Za-z]{3}", f.message_zh.replace(f.value, "")) for f in found)
    (wrong,) = [f for f in found if f.code == "uscc-invalid"]  # its detail in each language
    assert wrong.message_zh.endswith("不是有效的统一社会信用代码：校验位错误：应为 7，实际为 8")
    assert wrong.message_en.endswith("credit code: wrong check character: expected 7, found 8")
