"""Hand-written passages from the team's Word file, placed where the template says, checked."""

from __future__ import annotations

from pathlib import Path

import docx
from sqlalchemy import Engine

from report.conftest import PASSAGES, request_for
from shumao.report.build import build


def test_a_word_passage_is_placed_with_its_heading_and_its_numbers_checked(
    report_engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "passages"
    folder.mkdir()
    for p in PASSAGES.iterdir():
        if p.stem != "markets":
            (folder / p.name).write_bytes(p.read_bytes())
    word = docx.Document()
    word.add_heading("五、数字基础设施提供有力支撑", level=2)
    word.add_paragraph("2022年，上海可数字化交付服务进出口额为985.8亿美元，全国占比26.45%。")
    word.save(str(folder / "markets.docx"))
    result = build(report_engine, request_for(tmp_path / "out", passages=folder, formats=("html",)))
    html = result.files["html"].read_text(encoding="utf-8")
    body = html.split("<main>")[1]
    assert '<h3 id="h' in body and "五、数字基础设施提供有力支撑</h3>" in body
    assert "上海可数字化交付服务进出口额为985.8亿美元，全国占比26.45%。" in body
    checked = [c for c in result.claims if c.id.startswith("markets#")]
    assert [(c.claim.printed, c.status) for c in checked] == [("985.8", "ok"), ("26.45", "ok")]
