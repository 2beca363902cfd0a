"""A copy folded into the wrong document is split off (audited) and can be put back."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import Engine, select

from shumao.auth import audit
from shumao.errors import ShumaoError
from shumao.policy import documents, split, writing
from shumao.policy import tables as t
from shumao.policy.prepared import Prepared, prepare
from shumao.validation.findings import Report

from .conftest import SEED_FILES, SEEDS, store_seeds

OPINION = "中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见"
NOTICE = "江苏省商务厅关于转发《中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见》的通知"
FORWARD = (
    f"{NOTICE}\n\n苏商服贸〔2024〕31号\n\n各设区市商务局：\n\n"
    "现将《中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见》转发给你们，"
    "请结合实际认真贯彻落实。\n\n江苏省商务厅\n\n2024年9月2日\n\n"
)


def forwarded() -> Prepared:
    """A provincial notice forwarding the opinion in full: another document, most of it the
    same text, so the library folds it into the opinion."""
    text = FORWARD + (SEEDS / SEED_FILES["001"]).read_text(encoding="utf-8")
    ready = prepare(text, "jiangsu_forward.txt", "txt", "sha-forward", Report())
    assert ready is not None
    return ready


@pytest.fixture
def folded(engine: Engine, prepared: dict[str, Prepared]) -> tuple[int, int]:
    """(the opinion's document id, the forwarded notice's file id) after the wrong fold."""
    store_seeds(engine, prepared, ("000", "001"))
    with engine.begin() as conn:
        got = writing.store(conn, copy.deepcopy(forwarded()), Report())
    assert got.status == "attached"
    view = documents.get(engine, got.document_id or 0)
    notice = next(f for f in view.files if f.source_file == "jiangsu_forward.txt")
    return got.document_id or 0, notice.id


def test_the_wrong_fold_hides_one_of_the_two_documents(
    engine: Engine, folded: tuple[int, int]
) -> None:
    doc, _ = folded
    assert len(documents.get(engine, doc).files) == 2
    assert len(documents.list_documents(engine)) == 2  # 000 and the opinion: the notice is gone


def test_split_makes_the_copy_a_document_and_undo_puts_it_back(
    engine: Engine, folded: tuple[int, int]
) -> None:
    doc, file_id = folded
    done = split.split_file(engine, file_id, by="admin", reason="转发通知，不是同一文件")
    assert (done.from_document_id, done.file_id, done.undone_at) == (doc, file_id, None)
    opinion, notice = documents.get(engine, doc), documents.get(engine, done.to_document_id)
    assert opinion.fields["title"] == OPINION
    assert [f.source_file for f in opinion.files] == [SEED_FILES["001"]]
    assert (
        notice.fields["title"] == NOTICE.replace(" ", "")
        and notice.fields["doc_number"] == "苏商服贸〔2024〕31号"
    )
    assert [f.source_file for f in notice.files] == ["jiangsu_forward.txt"]
    assert len(documents.list_documents(engine)) == 3
    with engine.connect() as conn:
        logged = audit.browse(conn, action="policy.split")[0]
    assert logged[0].username == "admin" and logged[0].detail["to_document"] == notice.id

    back = split.undo(engine, done.id, by="admin")
    assert back.undone_by == "admin" and back.undone_at is not None
    assert len(documents.list_documents(engine)) == 2
    assert sorted(f.source_file for f in documents.get(engine, doc).files) == sorted(
        [SEED_FILES["001"], "jiangsu_forward.txt"]
    )
    with pytest.raises(ShumaoError, match="already undone"):
        split.undo(engine, done.id, by="admin")
    assert [s.id for s in split.history(engine)] == [done.id]


def test_a_document_with_one_file_cannot_be_split(engine: Engine, folded: tuple[int, int]) -> None:
    doc, _ = folded
    with engine.connect() as conn:
        only = conn.execute(
            select(t.source_file.c.id).where(t.source_file.c.document_id != doc)
        ).scalar_one()
    with pytest.raises(ShumaoError, match="only this file"):
        split.split_file(engine, only, by="admin")
    with pytest.raises(ShumaoError, match="no source file #999"):
        split.split_file(engine, 999, by="admin")


def test_the_fold_gave_the_opinion_the_notices_title(
    engine: Engine, folded: tuple[int, int]
) -> None:
    """The forwarded copy has more metadata (number, issuer), so it became the text: the
    opinion was listed under the province's notice until the split."""
    doc, file_id = folded
    view = documents.get(engine, doc)
    assert view.fields["title"] == NOTICE.replace(" ", "")
    assert [(f.source_file, f.primary) for f in view.files] == [
        ("jiangsu_forward.txt", True),
        (SEED_FILES["001"], False),
    ]
    assert file_id == view.files[0].id
