"""The provinces' own releases of cross-border e-commerce go to their own dataflow
(``PROVINCE_CBEC``), never into customs' (``CUSTOMS_CBEC``): each source refuses the other's
rows with a located, bilingual finding, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.errors import ImportRejected
from shumao.ingest.pipeline import run_import
from shumao.query import select

HEADER = "发布日期,年份,地区,伙伴,监管方式,流向,指标,数值,单位,口径,来源,发布机构\n"


def _write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "release.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_a_province_release_loads_into_its_own_dataflow(engine: Engine, demo_data: Path) -> None:
    path = demo_data / "province_cbec" / "2025-02-26_henan_2015_2024.csv"
    loaded = run_import(engine, "province-cbec", path)
    assert (loaded.dataflow, loaded.report.ok) == ("PROVINCE_CBEC", True)
    frame = select(engine, "PROVINCE_CBEC", where={"indicator": ["VALUE"]}).sort("time_period")
    assert frame["value"].to_list() == [384.0, 2371.0, 2665.5]  # 亿元, 2015, 2023, 2024
    assert {json.loads(a)["publisher"] for a in frame["attrs"]} == {"顶端新闻"}
    assert select(engine, "CUSTOMS_CBEC").is_empty()


def test_customs_refuses_a_figure_somebody_else_published(engine: Engine, demo_data: Path) -> None:
    path = demo_data / "province_cbec" / "2024-10-10_guangdong_2023.csv"
    with pytest.raises(ImportRejected) as caught:
        run_import(engine, "customs-cbec", path)
    [found] = [f for f in caught.value.report.findings if f.code == "cbec-not-customs"]
    assert (found.row, found.column) == (2, "发布机构")
    assert found.message_zh == "第 2 行的数字由“新华社”发布，不是海关总署的统计"
    assert "province-cbec" in found.fix_zh and "province-cbec" in found.fix_en
    assert select(engine, "CUSTOMS_CBEC").is_empty()


def test_a_province_release_refuses_the_nation(engine: Engine, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "2025-01-01,2024,广东,全球,合计,进出口,金额,9000,亿元,公布,x,广东省商务厅\n"
        "2025-01-01,2024,全国,全球,合计,进出口,金额,2.71,万亿元,公布,x,广东省商务厅\n",
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(engine, "province-cbec", path)
    [found] = caught.value.report.findings
    assert (found.code, found.row, found.column) == ("cbec-province-nation", 3, "地区")
    assert "customs-cbec" in found.fix_zh and "the nation" in found.message_en
    assert select(engine, "PROVINCE_CBEC").is_empty()


def test_customs_accepts_its_own_name_as_publisher(engine: Engine, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "2025-11-25,2024,全国,全球,合计,进出口,金额,2.71,万亿元,公布,x,海关总署\n"
    )
    assert run_import(engine, "customs-cbec", path).report.ok
    assert select(engine, "CUSTOMS_CBEC")["value"].to_list() == [2.71]
