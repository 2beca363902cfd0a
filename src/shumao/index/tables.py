"""Tables of the composite index (branch ``index`` of the store's migrations).

    index_run          one build or sensitivity analysis: the framework file's text, its
                       version and SHA-256, the settings, the data vintages read (dataflow →
                       vintage id), who ran it and when, the vintage of the results' dataflow
                       (builds) and a summary (sensitivity: Sobol indices, rank intervals,
                       the variants' data-set statistics and the weight sets)
    index_replication  every replication of a sensitivity run: its parameters and the summary
                       statistics of what it produced

The scores themselves are observations of the index's dataflow (``DTI_PROV`` …), one vintage
per build, so the explorer, SDMX and the dashboard read them like any other data.

Created by migration ``index_0001``.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Table, Text

from shumao.storage.tables import metadata

index_run = Table(
    "index_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("index_id", String(40), nullable=False, index=True),
    Column("kind", String(12), nullable=False),  # build | sensitivity
    Column("period", String(10), nullable=False, server_default=""),
    Column("framework_version", String(40), nullable=False, server_default=""),
    Column("framework_sha256", String(64), nullable=False),
    Column("framework_text", Text, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("data_vintages", JSON, nullable=False),
    Column("vintage_id", Integer, ForeignKey("vintage.id"), nullable=True),
    Column("build_run_id", Integer, ForeignKey("index_run.id"), nullable=True),
    Column("summary", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=False, server_default=""),
)

index_replication = Table(
    "index_replication",
    metadata,
    Column("run_id", Integer, ForeignKey("index_run.id"), primary_key=True),
    Column("replication", Integer, primary_key=True, autoincrement=False),
    Column("params", JSON, nullable=False),
    Column("stats", JSON, nullable=False),
)
