"""Tables of users, sessions, the audit log and data releases (SQLAlchemy Core, shared metadata).

    app_user       who may log in: argon2 password hash, role and scope (``Scope``)
    auth_session   server-side sessions: the cookie carries a signed random token whose SHA-256
                   is the key here, so logging out or disabling a user ends the session at once
    audit_log      logins (ok and failed), changes, approvals, releases and downloads
    data_release   a vintage of a dataflow made public (the public reads only released vintages);
                   ``disclosure`` records the rule set its published cells were protected with
    login_counter  failed log-ins per user name and per address in the current window: one row
                   each, bumped atomically before a password is checked (``auth.ratelimit``)
    release_cell   for micro-data dataflows (rows per enterprise), the protected aggregates a
                   release publishes, computed once when it is released (``auth.publish``)

Created by migration ``auth_0001`` (branch ``auth``); ``login_counter`` by ``auth_0002``,
``data_release.disclosure`` by ``auth_0003``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    true,
)

from shumao.storage.tables import DIMENSIONS, metadata

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False, server_default=""),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(12), nullable=False),
    Column("scope", String(20), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
)

auth_session = Table(
    "auth_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(64), nullable=False, server_default=""),
    Column("role", String(12), nullable=False, server_default=""),
    Column("scope", String(20), nullable=False, server_default=""),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=False, server_default=""),
    Column("ok", Boolean, nullable=False, server_default=true()),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("detail", JSON, nullable=True),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_action_at", "action", "at"),
)

data_release = Table(
    "data_release",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataflow_id", String(40), ForeignKey("dataflow.id"), nullable=False),
    Column("vintage_id", Integer, ForeignKey("vintage.id"), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=False),
    Column("released_by", String(64), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("disclosure", JSON, nullable=True),  # rule set + outcome (auth_0003)
    Index("ix_data_release_flow", "dataflow_id", "vintage_id"),
)

release_cell = Table(
    "release_cell",
    metadata,
    Column("release_id", Integer, ForeignKey("data_release.id"), nullable=False),
    *(Column(d, String(64), nullable=False) for d in DIMENSIONS),
    Column("time_period", String(10), nullable=False),
    Column("value", Float, nullable=True),
    Column("unit", String(16), nullable=False),
    Column("unit_mult", SmallInteger, nullable=False),
    Column("obs_status", String(2), nullable=False),
    Column("conf_status", String(2), nullable=False),
    Index("ix_release_cell_area", "release_id", "ref_area"),
)

login_counter = Table(
    "login_counter",
    metadata,
    Column("key", String(100), primary_key=True),  # "user:<name>" or "ip:<address>"
    Column("attempts", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
)
