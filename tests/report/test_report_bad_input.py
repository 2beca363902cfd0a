"""Bad input: every problem of a template, its passages and the data, all at once, in Chinese
and English, and no file written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from report.conftest import PASSAGES, request_for
from shumao.report.build import ReportRejected, build
from shumao.report.template import DEFAULT


def _template(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _break_everything(raw: dict) -> None:  # type: ignore[type-arg]
    raw["body"].append({"table": "table9"})
    raw["body"].append({"chart": "fig_nowhere"})
    raw["body"].append({"passage": "no_such_passage"})
    raw["tables"]["table2"]["columns"][-1]["indicator"] = "SHARE_OF_NOTHING"
    raw["tables"]["table1"]["columns"].append({"field": "gZ", "zh": "?"})
    raw["sentences"]["china_total"]["zh"] = "{{ china.CHN.T | amount }"
    raw["sentences"]["east"]["zh"] += "{{ note('nope') }}"


def test_a_broken_template_lists_every_problem_and_writes_nothing(
    report_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    req = request_for(out, template=_template(tmp_path, _break_everything))
    with pytest.raises(ReportRejected) as caught:
        build(report_engine, req)
    report = caught.value.report
    assert {f.code for f in report.errors} == {
        "report-unknown-table",
        "report-unknown-chart",
        "report-passage-missing",
        "report-unknown-indicator",
        "report-unknown-field",
        "report-sentence-syntax",
        "report-unknown-note",
    }
    syntax = next(f for f in report.errors if f.code == "report-sentence-syntax")
    assert syntax.column == "china_total.zh" and "line 1" in syntax.message_en
    assert "{{ }} and {% %} are balanced" in syntax.fix_en
    assert "第1行" in syntax.message_zh
    table = next(f for f in report.errors if f.code == "report-unknown-table")
    assert table.value == "table9" and table.file == "broken.yaml" and table.row is not None
    missing = next(f for f in report.errors if f.code == "report-passage-missing")
    assert missing.file.endswith("no_such_passage") and "Markdown" in missing.fix_en
    assert "报告未生成" in str(caught.value) and "no file was written" in str(caught.value)
    assert not out.exists() or list(out.iterdir()) == []


def test_no_data_for_the_year_is_refused(report_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ReportRejected) as caught:
        build(report_engine, request_for(tmp_path / "out", year=2030))
    codes = [(f.code, f.value) for f in caught.value.report.errors]
    assert ("report-no-data", "china") in codes and ("report-no-data", "provinces") in codes
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_template_yaml_errors_say_where(report_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nbody:\n  - heading: [unclosed\n", encoding="utf-8")
    with pytest.raises(ReportRejected) as caught:
        build(report_engine, request_for(tmp_path / "out", template=path))
    (only,) = caught.value.report.errors
    assert only.code == "report-template-yaml" and only.row == 4 and only.file == "bad.yaml"


def test_a_sentence_without_its_number_is_left_out_and_logged(
    report_engine: Engine, tmp_path: Path
) -> None:
    def edit(raw: dict) -> None:  # type: ignore[type-arg]
        raw["sentences"]["china_rank"]["zh"] = "湖南{{ provinces['湖南'].T | amount }}。"

    result = build(
        report_engine,
        request_for(tmp_path / "out", formats=("html",), template=_template(tmp_path, edit)),
    )
    # the partner sentences of 数字订购贸易篇 are left out too: the customs releases before the
    # 2022 report (up to 2023-04-11) publish no partner structure
    assert [sid for sid, _ in result.document.omitted] == [
        "china_rank",
        "cbec_export_markets",
        "cbec_import_sources",
        "cbec_belt_and_road",
    ]
    why = dict(result.document.omitted)
    assert why["china_rank"] == (
        "商务部的数据中没有湖南这一行 / the MOFCOM data (mofcom_provinces) have no row for 湖南"
    )
    # plain words on what is missing, not "'Rows object' has no attribute 'BRI'"
    assert why["cbec_belt_and_road"].startswith(
        "海关总署的数据中没有共建“一带一路”国家（BRI）这一行 / "
    )
    assert why["cbec_belt_and_road"].endswith(
        "have no row for Belt and Road partner countries (BRI)"
    )
    assert why["cbec_export_markets"].startswith("海关总署的数据中没有可排序的出口占比 / ")
    assert why["cbec_import_sources"].endswith(
        "(customs_cbec_partners) have no import shares to rank"
    )
    assert not any("object" in text or "attribute" in text for text in why.values())
    warnings = [f for f in result.report.warnings if f.code == "report-sentence-omitted"]
    assert [w.column for w in warnings] == [sid for sid, _ in result.document.omitted]
    html = result.files["html"].read_text(encoding="utf-8")
    assert "湖南" not in html.split("<main>")[1].split("</main>")[0]
    assert "因缺少数据未生成的句子" in html


def test_a_passage_with_a_wrong_number_is_refused_unless_a_person_overrides_it(
    report_engine: Engine, tmp_path: Path
) -> None:
    passages = tmp_path / "passages"
    passages.mkdir()
    for p in PASSAGES.iterdir():
        (passages / p.name).write_bytes(p.read_bytes())
    (passages / "markets.md").write_text(
        "2022年，东部地区可数字化交付服务进出口规模达3496.5亿美元。\n", encoding="utf-8"
    )
    with pytest.raises(ReportRejected) as caught:
        build(report_engine, request_for(tmp_path / "out", passages=passages))
    (failed,) = caught.value.report.errors
    assert failed.code == "report-claim-failed" and failed.column == "markets#1"
    assert "3396.50" in failed.message_zh and "--override" in failed.fix_en
    result = build(
        report_engine,
        request_for(
            tmp_path / "out",
            passages=passages,
            formats=("html",),
            overrides={"markets#1": "地方商务部门更正后的数据，待库中更新（张三 2023-10-01）"},
        ),
    )
    html = result.files["html"].read_text(encoding="utf-8")
    assert "3496.5亿美元" in html and "经人工放行的核对项" in html and "张三" in html
    result = build(
        report_engine,
        request_for(tmp_path / "out2", formats=("html",), overrides={"nothing#9": "x"}),
    )
    assert [f.code for f in result.report.warnings if f.code.startswith("report-over")] == [
        "report-override-unused"
    ]
