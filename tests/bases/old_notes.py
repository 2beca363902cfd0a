"""A base's status history as stored before migration ``bases_0002``: the first batch's note
in both languages at once in ``reason``, and a reason an official typed. Rows for the
migration's test and for restoring a backup made before it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, insert

from shumao.bases.tables import export_base, export_base_status

OLD_NOTE = (
    "据《中国数字贸易发展报告2022》：2020年4月商务部会同中央网信办、工业和信息化部联合认定；"
    "报告只载月份，日期记为当月1日 / per the 2022 report, designated in April 2020 "
    "(the report gives the month only; recorded as the 1st)"
)
TYPED = "园区企业数据造假 / 见商务函〔2026〕12号"


def store_old_history(conn: Connection, now: datetime) -> None:
    """DSEB06 designated with the old note, then failing its re-review with ``TYPED``."""
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
