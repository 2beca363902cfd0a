"""政策库管理: an administrator splits a wrongly folded copy on the web and undoes it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from starlette.testclient import TestClient

from shumao.policy import documents, library
from web.factories import World

NOTICE = (
    "商务部关于推进数字服务出口基地建设的通知\n\n各省、自治区、直辖市商务主管部门：\n\n"
    "为加快发展数字贸易，现就数字服务出口基地建设通知如下。一、提高认识。二、加强组织。"
)
FORWARD = "江苏省商务厅关于转发商务部有关通知的通知\n\n苏商服贸〔2025〕5号\n\n" + NOTICE


def test_admin_splits_and_undoes_on_the_page(
    engine: Engine, world: World, as_role: Callable[[str], TestClient]
) -> None:
    doc = library.add_text(engine, NOTICE, source_file="notice.txt").document_id
    copy = library.add_text(engine, FORWARD, source_file="forward.txt")
    assert copy.status == "attached" and copy.document_id == doc
    admin = as_role("admin")
    page = admin.get("/admin/policy").text
    assert "含多个来源文件的政策文件" in page and "forward.txt" in page
    file_id = next(
        f.id for f in documents.get(engine, doc or 0).files if f.source_file == "forward.txt"
    )
    done = admin.post(f"/admin/policy/files/{file_id}/split", data={"reason": "转发通知"})
    assert done.status_code == 200 and "拆分记录" in done.text and "转发通知" in done.text
    assert len(documents.list_documents(engine)) == 2
    english = admin.get("/admin/policy?lang=en").text
    assert "Splits" in english and "拆分记录" not in english
    splits = admin.get("/api/admin/policy/splits").json()
    assert [(s["file_id"], s["from_document_id"], s["undone_at"]) for s in splits] == [
        (file_id, doc, None)
    ]
    back = admin.post(f"/api/admin/policy/splits/{splits[0]['id']}/undo", json={})
    assert back.status_code == 200 and back.json()["undone_by"] == splits[0]["split_by"] != ""
    assert len(documents.list_documents(engine)) == 1
    audit = admin.get("/api/admin/audit?action=policy.split").json()
    assert audit["total"] >= 1
    refused = as_role("ministry").post(f"/api/admin/policy/files/{file_id}/split", json={})
    assert refused.status_code == 403
