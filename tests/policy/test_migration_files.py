"""Migration policy_0003: copies that ingest had stored as linked records become the files of
one document; records an editor touched stay records."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, func, insert, select, update

from shumao.policy import documents, library, search, writing
from shumao.policy import tables as t
from shumao.policy.prepared import Prepared
from shumao.storage.engine import alembic_config, upgrade

from .conftest import SEED_FILES, SEEDS


def _old_record(conn, p: Prepared) -> int:  # type: ignore[no-untyped-def]
    """A document as the library stored every file before policy_0003."""
    now = datetime.now(UTC)
    doc_id = int(
        conn.execute(
            insert(t.document).values(ingested_at=now, **writing.document_row(p, now))
        ).inserted_primary_key[0]
    )
    writing.write_derived(conn, doc_id, p, fresh=True)
    return doc_id


def test_linked_copies_become_files_of_one_document(
    engine: Engine, prepared: dict[str, Prepared]
) -> None:
    command.downgrade(alembic_config(engine), "policy_0002")
    try:
        with engine.begin() as conn:
            ids = {k: _old_record(conn, copy.deepcopy(prepared[k])) for k in SEED_FILES}
            conn.execute(
                update(t.document)
                .where(t.document.c.id == ids["004"])
                .values(canonical_id=ids["003"], similarity=0.974)
            )
            conn.execute(
                update(t.document)
                .where(t.document.c.id == ids["002"])  # an editor's
                .values(canonical_id=ids["000"])
            )
            conn.execute(
                insert(t.correction).values(
                    document_id=ids["002"],
                    field="canonical",
                    value=ids["000"],
                    corrected_at=datetime.now(UTC),
                )
            )
    finally:
        upgrade(engine)
    with engine.connect() as conn:
        doc_ids = sorted(conn.execute(select(t.document.c.id)).scalars())
        passages = conn.execute(
            select(func.count()).select_from(t.passage).where(t.passage.c.document_id == ids["004"])
        ).scalar_one()
        counted = conn.execute(select(t.stats.c.documents)).scalar_one()
    assert doc_ids == sorted(ids[k] for k in ("000", "001", "002", "003"))
    assert passages == 0 and counted == 4
    report = documents.get(engine, ids["003"])
    assert [(f.source_file, f.primary, f.similarity) for f in report.files] == [
        (SEED_FILES["003"], True, None),
        (SEED_FILES["004"], False, 0.974),
    ]
    notice = documents.get(engine, ids["002"])  # the editor's link is kept, as a record
    assert notice.canonical_id == ids["000"] and len(notice.files) == 1
    assert [h.document_id for h in search.search(engine, "齐鲁软件园").hits] == [ids["003"]]
    again = library.add_file(engine, SEEDS / SEED_FILES["004"])  # read again: no new record
    assert (again.status, again.document_id) == ("reingested", ids["003"])
