"""The library: duplicates folded into one record, corrections and confirmations that survive
a re-ingest, and targets offered to monitoring."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shumao.errors import ShumaoError
from shumao.policy import documents, duplicates, editing, library
from shumao.policy.prepared import Prepared

from .conftest import SEED_FILES, SPECIMENS, store_seeds


def test_scraped_copy_and_pdf_extraction_are_one_document(prepared: dict[str, Prepared]) -> None:
    report, copy = prepared["003"], prepared["004"]
    assert duplicates.jaccard(report.shingles, copy.shingles) > 0.9
    for other in ("000", "001", "002"):
        assert duplicates.jaccard(report.shingles, prepared[other].shingles) < 0.1
    assert set(report.bands) & set(copy.bands)  # found as candidates without a full scan


@pytest.mark.parametrize("order", [("003", "004"), ("004", "003")])
def test_two_copies_are_one_document_with_two_files(
    engine: Engine, prepared: dict[str, Prepared], order: tuple[str, str]
) -> None:
    """The 2022 report as a PDF extraction (003) and as a scraped traditional page (004): one
    document, its text from the clean extraction, whatever the order they came in."""
    results = store_seeds(engine, prepared, order)
    report, copy = results["003"], results["004"]
    assert report.document_id == copy.document_id
    assert results[order[1]].status == "attached"
    view = documents.get(engine, report.document_id or 0)
    assert view.source_file == SEED_FILES["003"] and view.script == "simplified"  # the better
    assert [(f.source_file, f.script, f.primary) for f in view.files] == [
        (SEED_FILES["003"], "simplified", True),
        (SEED_FILES["004"], "traditional", False),
    ]
    copied = next(f for f in view.files if f.source_file == SEED_FILES[order[1]])
    assert copied.similarity == pytest.approx(0.974, abs=0.01)
    assert [d["id"] for d in documents.list_documents(engine)] == [report.document_id]
    assert view.canonical_id is None and view.duplicates == []


def test_across_formats_and_scripts(engine: Engine, library_ids: dict[str, int]) -> None:
    html = library.add_file(engine, SPECIMENS / "001_opinion.html")  # simplified web page
    pdf = library.add_file(engine, SPECIMENS / "000_guideline.pdf")  # the first pages only
    assert (html.status, html.document_id) == ("attached", library_ids["001"])
    opinion = documents.get(engine, library_ids["001"])
    assert opinion.source_file == "001_opinion.html"  # the clean page beats the traditional text
    assert opinion.script == "simplified" and len(opinion.files) == 2
    assert (pdf.status, pdf.document_id) == ("attached", library_ids["000"])
    assert documents.get(engine, library_ids["000"]).source_file == SEED_FILES["000"]
    assert "policy-duplicate" in pdf.report.codes
    again = library.add_file(engine, SPECIMENS / "001_opinion.html")  # read again: no new file
    assert (
        again.status == "reingested" and len(documents.get(engine, library_ids["001"]).files) == 2
    )


def test_corrections_survive_a_reingest(
    engine: Engine, library_ids: dict[str, int], seeds: Path
) -> None:
    report_id = library_ids["003"]
    editing.edit(engine, report_id, "issuers", "商务部")
    editing.edit(engine, report_id, "issue_date", "2023年12月8日")
    editing.edit(engine, report_id, "title", "中國數字貿易發展報告（2022）")  # typed in traditional
    first = documents.get(engine, report_id)
    result = library.add_file(engine, seeds / SEED_FILES["003"])
    assert result.status == "reingested" and result.document_id == report_id
    assert "policy-reingested" in result.report.codes
    again = documents.get(engine, report_id)
    assert (
        again.fields
        == first.fields
        == {
            "title": "中国数字贸易发展报告（2022）",
            "doc_number": None,
            "issuers": ["商务部"],
            "issue_date": "2023-12-08",
            "level": "部委",
            "doc_type": "报告",
        }
    )
    assert again.extracted["issuers"] == ["商务部服务贸易和商贸服务业司"]  # kept apart
    assert again.missing == ["doc_number"]
    assert set(again.corrected) == {"issuers", "issue_date", "title"}


def test_edit_checks_values(engine: Engine, library_ids: dict[str, int]) -> None:
    notice = library_ids["002"]
    assert (
        editing.edit(engine, notice, "doc_number", "商办服贸函(2019)245号")["doc_number"]
        == "商办服贸函〔2019〕245号"
    )
    assert editing.edit(engine, notice, "issuers", "商务部办公厅、工信部")["issuers"] == [
        "商务部办公厅",
        "工业和信息化部",
    ]
    assert editing.edit(engine, notice, "level", "-")["level"] is None
    for name, value in (
        ("level", "省级"),
        ("issue_date", "next week"),
        ("doc_number", "245"),
        ("colour", "red"),
        ("doc_type", "小说"),
    ):
        with pytest.raises(ShumaoError):
            editing.edit(engine, notice, name, value)
    with pytest.raises(ShumaoError):
        editing.edit(engine, 999, "title", "x")


def test_an_editor_link_survives_a_reingest(
    engine: Engine, library_ids: dict[str, int], seeds: Path
) -> None:
    notice = library_ids["002"]
    editing.edit(engine, notice, "canonical", str(library_ids["000"]))
    library.add_file(engine, seeds / SEED_FILES["002"])
    assert documents.get(engine, notice).canonical_id == library_ids["000"]
    editing.edit(engine, notice, "canonical", "-")
    library.add_file(engine, seeds / SEED_FILES["002"])
    assert documents.get(engine, notice).canonical_id is None


def test_targets_offered_and_confirmed(
    engine: Engine, library_ids: dict[str, int], seeds: Path
) -> None:
    offered = documents.candidate_targets(engine)
    assert [(r["document_id"], r["target_year"], r["value"]) for r in offered] == [
        (library_ids["001"], 2029, 45.0),
        (library_ids["001"], 2035, 50.0),
        (library_ids["002"], 2022, 40.0),
        (library_ids["002"], 2022, 60.0),
        (library_ids["002"], 2025, 50.0),
        (library_ids["002"], 2025, 70.0),
    ]
    share_2029 = offered[0]
    assert share_2029["section_path"] == "一、总体要求"
    editing.confirm_target(engine, share_2029["id"], "DDS_SHARE_SERVICES")
    editing.reject_target(engine, offered[3]["id"])
    library.add_file(engine, seeds / SEED_FILES["001"])  # re-ingest keeps the confirmation
    confirmed = documents.confirmed_targets(engine)
    assert [(r["target_year"], r["indicator_code"], r["status"]) for r in confirmed] == [
        (2029, "DDS_SHARE_SERVICES", "confirmed")
    ]
    assert len(documents.candidate_targets(engine)) == 4
    with pytest.raises(ShumaoError):
        editing.confirm_target(engine, 9999, "X")


def test_backup_and_restore_keep_the_search(
    engine: Engine, library_ids: dict[str, int], tmp_path: Path
) -> None:
    """The full-text index is derived data: a restored store answers as the original."""
    from shumao.policy import search
    from shumao.storage import backup, restore
    from shumao.storage.engine import make_engine, upgrade

    path, _ = backup.backup(engine, tmp_path / "policy.zip")
    restored = make_engine(url=f"sqlite:///{tmp_path / 'restored.db'}")
    upgrade(restored)
    restore.restore(restored, path)
    for query in ("统计监测预警", "商合函〔2021〕355号", "齐鲁软件园"):
        before = [
            (h.document_id, h.section, h.snippet, h.score)
            for h in search.search(engine, query).hits
        ]
        after = [
            (h.document_id, h.section, h.snippet, h.score)
            for h in search.search(restored, query).hits
        ]
        assert before == after and before
    restored.dispose()
