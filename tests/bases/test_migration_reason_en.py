"""Migration bases_0002: the first batch's bilingual note, stored whole in ``reason`` before,
becomes its Chinese (``reason``) and English (``reason_en``); a typed reason stays as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import Engine, insert

from shumao.bases import registry
from shumao.bases.tables import export_base, export_base_status
from shumao.storage.engine import alembic_config, upgrade

OLD_NOTE = (
    "据《中国数字贸易发展报告2022》：2020年4月商务部会同中央网信办、工业和信息化部联合认定；"
    "报告只载月份，日期记为当月1日 / per the 2022 report, designated in April 2020 "
    "(the report gives the month only; recorded as the 1st)"
)
TYPED = "园区企业数据造假 / 见商务函〔2026〕12号"


def test_the_stored_first_batch_note_is_split_into_its_languages(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "bases_0001")
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(export_base).values(
                    code="DSEB06",
                    name_zh="中关村软件园",
                    city_code="110100",
                    province_code="110000",
                    region_group="EAST",
                    batch=1,
                    created_at=now,
                    created_by="system",
                )
            )
            for status, on, reason in (
                ("designated", date(2020, 4, 1), OLD_NOTE),
                ("rereview_failed", date(2024, 6, 1), TYPED),
            ):
                conn.execute(
                    insert(export_base_status).values(
                        base_code="DSEB06",
                        status=status,
                        effective_on=on,
                        document="",
                        reason=reason,
                        recorded_at=now,
                        recorded_by="system",
                    )
                )
    finally:
        upgrade(engine)
    with engine.connect() as conn:
        history = registry.history(conn, "DSEB06")
    assert [(h.reason_in("zh"), h.reason_in("en")) for h in history] == [
        registry.FIRST_BATCH_NOTE,
        (TYPED, TYPED),
    ]
