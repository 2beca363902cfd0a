"""Tables of the export-base domain (branch ``bases`` of the store's migrations).

    export_base            the registry: a base (its park code), name, city, province, the
                           threshold region group, batch, map position
    export_base_status     every status a base had (候选 → 公示 → 认定 → 复审合格/不合格 → 取消):
                           effective date, end of a publicity period, document, reason (and its
                           English when shumao wrote it), who, when
    base_application       an application (申报) or a re-review (复审) of a base for given years:
                           state, verdict when decided, the special-potential override and its
                           written reason, who decided
    base_application_item  a checklist item of an application: a basic condition (B1…B6), the
                           qualitative business item (LEADERS) or a figure the applicant declares
                           (code + year, value, unit); the reviewer's decision and note
    base_evidence          an uploaded evidence document of an item (bytes, SHA-256)
    so_roster_load         one import of a service-outsourcing roster (file, checksum, who, when)
    so_roster_row          its rows: name, credit code, address, base, year, ITO/BPO/KPO amounts
    link_run               one linkage of rosters to the direct-reporting enterprises: base and
                           year, settings, the trained model, counts
    link_result            the outcome per roster row: enterprise, status, method, weights
    link_decision          a person's decision on a (roster record, enterprise) pair: accept or
                           reject; reused by every later run

Created by migration ``bases_0001``; ``export_base_status.reason_en`` by ``bases_0002``.
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
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shumao.storage.tables import metadata

TZ = DateTime(timezone=True)

export_base = Table(
    "export_base",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("city_code", String(6), nullable=False),
    Column("province_code", String(6), nullable=False, index=True),
    Column("region_group", String(8), nullable=False),
    Column("batch", Integer, nullable=False),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("created_at", TZ, nullable=False),
    Column("created_by", String(100), nullable=False),
)

export_base_status = Table(
    "export_base_status",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("base_code", String(16), ForeignKey("export_base.code"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("until", Date, nullable=True),
    Column("document", String(200), nullable=False, server_default=""),
    Column("reason", Text, nullable=False, server_default=""),
    Column("reason_en", Text, nullable=False, server_default=""),  # bases_0002
    Column("recorded_at", TZ, nullable=False),
    Column("recorded_by", String(100), nullable=False),
)

base_application = Table(
    "base_application",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("base_code", String(16), ForeignKey("export_base.code"), nullable=False, index=True),
    Column("kind", String(12), nullable=False),  # application | rereview
    Column("years", String(20), nullable=False),  # "2022" or "2023,2024"
    Column("state", String(12), nullable=False),  # draft | submitted | decided
    Column("verdict", String(12), nullable=True),
    Column("override_reason", Text, nullable=True),
    Column("override_by", String(100), nullable=True),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", TZ, nullable=True),
    Column("decision_note", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

base_application_item = Table(
    "base_application_item",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "application_id", Integer, ForeignKey("base_application.id"), nullable=False, index=True
    ),
    Column("code", String(20), nullable=False),
    Column("year", String(4), nullable=False, server_default=""),
    Column("value", Float, nullable=True),
    Column("unit", String(10), nullable=False, server_default=""),
    Column("statement", Text, nullable=False, server_default=""),
    Column("decision", String(10), nullable=False, server_default="pending"),
    Column("decision_note", Text, nullable=False, server_default=""),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", TZ, nullable=True),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", TZ, nullable=False),
    UniqueConstraint("application_id", "code", "year", name="uq_base_item_code_year"),
)

base_evidence = Table(
    "base_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("base_application_item.id"), nullable=False, index=True),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", TZ, nullable=False),
)

so_roster_load = Table(
    "so_roster_load",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("label", String(200), nullable=False, server_default=""),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TZ, nullable=False),
)

so_roster_row = Table(
    "so_roster_row",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("load_id", Integer, ForeignKey("so_roster_load.id"), nullable=False, index=True),
    Column("row_no", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("uscc", String(18), nullable=True),
    Column("address", String(300), nullable=True),
    Column("base_code", String(16), nullable=True),
    Column("year", String(4), nullable=False),
    Column("record_key", String(64), nullable=False, index=True),
    Column("ito_contract", Float, nullable=True),
    Column("ito_exec", Float, nullable=True),
    Column("bpo_contract", Float, nullable=True),
    Column("bpo_exec", Float, nullable=True),
    Column("kpo_contract", Float, nullable=True),
    Column("kpo_exec", Float, nullable=True),
    Index("ix_so_roster_row_base_year", "base_code", "year"),
)

link_run = Table(
    "link_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("base_code", String(16), nullable=True),
    Column("year", String(4), nullable=False),
    Column("settings", JSON, nullable=False),
    Column("model", JSON, nullable=False),
    Column("counts", JSON, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TZ, nullable=False),
)

link_result = Table(
    "link_result",
    metadata,
    Column("run_id", Integer, ForeignKey("link_run.id"), primary_key=True),
    Column("roster_row_id", Integer, ForeignKey("so_roster_row.id"), primary_key=True),
    Column("uscc", String(18), nullable=True),
    Column("candidate_uscc", String(18), nullable=True),
    Column("status", String(10), nullable=False),
    Column("method", String(16), nullable=False),
    Column("match_weight", Float, nullable=True),
    Column("match_probability", Float, nullable=True),
    Column("runner_up", Float, nullable=True),
    Column("weights", JSON, nullable=True),
)

link_decision = Table(
    "link_decision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_key", String(64), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("decision", String(8), nullable=False),  # accept | reject
    Column("note", Text, nullable=False, server_default=""),
    Column("decided_by", String(100), nullable=False),
    Column("decided_at", TZ, nullable=False),
    UniqueConstraint("record_key", "uscc", name="uq_link_decision_pair"),
)
