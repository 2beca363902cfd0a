"""Migration bases_0002: the first batch's bilingual note, stored whole in ``reason`` before,
becomes its Chinese (``reason``) and English (``reason_en``); a typed reason stays as typed."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine

from bases.old_notes import TYPED, store_old_history
from shumao.bases import registry
from shumao.storage.engine import alembic_config, upgrade


def test_the_stored_first_batch_note_is_split_into_its_languages(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "bases_0001")
    try:
        with engine.begin() as conn:
            store_old_history(conn, datetime.now(UTC))
    finally:
        upgrade(engine)
    with engine.connect() as conn:
        history = registry.history(conn, "DSEB06")
    assert [(h.reason_in("zh"), h.reason_in("en")) for h in history] == [
        registry.FIRST_BATCH_NOTE,
        (TYPED, TYPED),
    ]
