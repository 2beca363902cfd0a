"""A place name of two areas in an import (Suzhou: 苏州 Jiangsu and 宿州 Anhui) is never read as
one of them: the import is refused with a finding that names both, in Chinese and English, and
says how to write it; the name with its province imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.errors import ImportRejected
from shumao.ingest.pipeline import run_import
from shumao.storage import vintages

MAPPING = {
    "dataflow": "NBS_PROV",
    "unit": "亿元",
    "columns": {"ref_area": "地区", "time_period": "年份", "value": "数值"},
    "constants": {"indicator": "GDP"},
    "lookup": {"ref_area": "geo"},
}


def _file(path: Path, areas: list[str]) -> Path:
    lines = ["地区,年份,数值", *(f'"{a}",2023,{i + 1}' for i, a in enumerate(areas))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_ambiguous_english_name_is_refused_naming_both_places(
    engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path / "cities.csv", ["Wuxi", "Suzhou", "Taizhou"])
    with pytest.raises(ImportRejected) as rejected:
        run_import(engine, "tidy", path, options={"mapping": MAPPING})
    found = sorted(rejected.value.report.errors, key=lambda f: f.row or 0)
    assert [(f.code, f.cell, f.value) for f in found] == [
        ("name-ambiguous", "A3", "Suzhou"),
        ("name-ambiguous", "A4", "Taizhou"),
    ]
    suzhou = found[0]
    assert "320500 江苏省苏州市；341300 安徽省宿州市" in suzhou.message_zh
    assert "320500 Suzhou, Jiangsu; 341300 Suzhou, Anhui" in suzhou.message_en
    assert "“Suzhou (Jiangsu)”" in suzhou.fix_zh and '"Suzhou (Jiangsu)"' in suzhou.fix_en
    assert "321200 Taizhou, Jiangsu; 331000 Taizhou, Zhejiang" in found[1].message_en


def test_the_name_with_its_province_imports_as_that_place(engine: Engine, tmp_path: Path) -> None:
    path = _file(
        tmp_path / "cities.csv", ["Suzhou, Jiangsu", "Suzhou, Anhui", "Taizhou (Zhejiang)"]
    )
    result = run_import(engine, "tidy", path, options={"mapping": MAPPING})
    with engine.connect() as conn:
        frame = vintages.read(conn, "NBS_PROV", as_of=result.vintage_id)
    stored = dict(frame.select("ref_area", "value").sort("value").iter_rows())
    assert stored == {"320500": 1.0, "341300": 2.0, "331000": 3.0}
