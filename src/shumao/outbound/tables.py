"""Tables of the outbound package (branch ``outbound`` of the store's migrations).

    outbound_project     the register: one row per project line of an approved ``ODI_A``
                         filing and revision (a revision adds rows, never overwrites: the
                         register as it was after any approval can be read back)
    outbound_selfcheck   a data-export self-check's answers and route, stored with the project
    outbound_risk        every computed level of a host economy with its reasons (history)
    outbound_alert       a change of an economy's level, raised to an enterprise and its province

Created by migration ``outbound_0001``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from shumao.storage.tables import metadata

project = Table(
    "outbound_project",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("filing_id", Integer, ForeignKey("filing.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("uscc", String(18), nullable=False, index=True),
    Column("province_code", String(6), nullable=True, index=True),
    Column("period", String(10), nullable=False),
    Column("line", Integer, nullable=False),
    Column("project_no", String(20), nullable=False),
    Column("name", String(100), nullable=False),
    Column("host", String(3), nullable=False, index=True),
    Column("area", String(20), nullable=False),
    Column("mode", String(12), nullable=False),
    Column("stage", String(12), nullable=False),
    Column("odi_cert", String(14), nullable=False, index=True),
    Column("filed_on", Date, nullable=False),
    Column("started_on", Date, nullable=True),
    Column("operating_on", Date, nullable=True),
    Column("exited_on", Date, nullable=True),
    Column("approved", Float, nullable=False),
    Column("invested", Float, nullable=True),
    Column("revenue", Float, nullable=True),
    Column("employees", Integer, nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Index("ix_outbound_project_filing", "filing_id", "revision"),
)

selfcheck = Table(
    "outbound_selfcheck",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("project_no", String(20), nullable=False),
    Column("rule_set", String(30), nullable=False),
    Column("effective", Date, nullable=False),
    Column("on_day", Date, nullable=False),
    Column("answers", JSON, nullable=False),
    Column("route", String(30), nullable=False),
    Column("article", String(60), nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("checked_by", String(100), nullable=False),
)

risk = Table(
    "outbound_risk",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("economy", String(3), nullable=False, index=True),
    Column("level", String(10), nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("inputs", String(64), nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

alert = Table(
    "outbound_alert",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("economy", String(3), nullable=False, index=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("province_code", String(6), nullable=True, index=True),
    Column("level_from", String(10), nullable=True),
    Column("level_to", String(10), nullable=False),
    Column("projects", JSON, nullable=False),
    Column("message_zh", String(500), nullable=False),
    Column("message_en", String(500), nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
)
