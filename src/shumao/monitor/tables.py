"""Tables of monitoring and early warning (branch ``monitor`` of the store's migrations).

- ``monitor_target``: a monitored target, one row per **version** (``key`` + ``version``);
  confirmed from a policy-library candidate (``policy_target_id``) by a person; the newest
  version of a key is the one in force (``current``); an unconfirmed candidate is never here.
- ``monitor_ruleset``: every version of the warning-rule file that was accepted (the YAML text
  as given, its checksum, who, when); the active one is the newest with ``active``.
- ``alert``: one row per rule × series (``fingerprint``), never one per run; its state
  (pending → firing → acknowledged → resolved), level (red/orange/yellow/blue), the value, the
  threshold, the periods, a Chinese and an English sentence, the scope columns (province,
  city, park, ref_area) the list filters on, and a silence (until a date or a value change).
- ``alert_event``: every change of an alert (fired, acknowledged, resolved, reopened,
  silenced, pending) with who, when and the note; nothing is ever deleted.
- ``monitor_run``: every evaluation (trigger, dataflows, as-of, outcome, counts, error).
- ``alert_notice``: what was sent to whom through which channel and on which (Beijing) day:
  the no-storm rule (at most one mail per user, rule and day) reads it.
- ``alert_subscriber``: a user's address for alert mail, the lowest level wanted and whether
  a daily digest replaces single mails.
- ``alert_change``: one row, a counter raised in the transaction of every change of an alert
  or of the rule set (``monitor.changes``): what cached alert lists are keyed on.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from shumao.storage.tables import metadata

TZ = DateTime(timezone=True)

target = Table(
    "monitor_target",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("current", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("policy_target_id", Integer, nullable=True),
    Column("document_id", Integer, nullable=True),
    Column("indicator", String(60), nullable=False),
    Column("scope_kind", String(12), nullable=False),  # nation | province | base
    Column("area", String(64), nullable=False),
    Column("comparator", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("deadline_year", Integer, nullable=False),
    Column("name_zh", String(300), nullable=False),
    Column("name_en", String(300), nullable=False, server_default=""),
    Column("sentence", Text, nullable=False, server_default=""),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    UniqueConstraint("key", "version", name="uq_monitor_target_version"),
    Index("ix_monitor_target_current", "current", "key"),
)

ruleset = Table(
    "monitor_ruleset",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", Integer, nullable=False, unique=True),
    Column("content", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)

alert = Table(
    "alert",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("rule_code", String(40), nullable=False),
    Column("rule_kind", String(20), nullable=False),
    Column("ruleset_version", Integer, nullable=False),
    Column("dataflow", String(40), nullable=False),
    Column("series_key", String(400), nullable=False),
    Column("ref_area", String(64), nullable=False),
    Column("province", String(6), nullable=True),
    Column("city", String(6), nullable=True),
    Column("park", String(16), nullable=True),
    Column("level", String(8), nullable=False),
    Column("rank", Integer, nullable=False),  # 4 red … 1 blue: the worst sorts first
    Column("state", String(14), nullable=False),
    Column("period", String(40), nullable=False),
    Column("value", Float, nullable=True),
    Column("threshold", Float, nullable=True),
    Column("message_zh", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("detail", JSON, nullable=True),
    Column("pending_count", Integer, nullable=False, server_default="0"),
    Column("public", Boolean, nullable=False, server_default=false()),
    Column("first_seen", TZ, nullable=False),
    Column("last_seen", TZ, nullable=False),
    Column("fired_at", TZ, nullable=True),
    Column("resolved_at", TZ, nullable=True),
    Column("updated_at", TZ, nullable=False),
    Column("silenced_until", TZ, nullable=True),
    Column("silenced_value", Float, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Index(
        "ix_alert_open",
        "state",
        "rank",
        "id",
        "level",
        "province",
        "silenced_until",
        "silenced_value",
    ),  # covers the counts and the map (monitor_0002)
    Index("ix_alert_province", "province", "state"),
    Index("ix_alert_rule", "rule_code", "state"),
    Index("ix_alert_area", "ref_area"),
    Index("ix_alert_park", "park"),
    Index("ix_alert_city", "city"),
    Index("ix_alert_silenced_until", "silenced_until"),  # the next silence to end (monitor_0003)
)

alert_event = Table(
    "alert_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alert.id"), nullable=False, index=True),
    Column("at", TZ, nullable=False),
    Column("username", String(100), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_state", String(14), nullable=True),
    Column("to_state", String(14), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("detail", JSON, nullable=True),
)

run = Table(
    "monitor_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", TZ, nullable=False),
    Column("finished_at", TZ, nullable=True),
    Column("trigger", String(20), nullable=False),
    Column("dataflows", String(400), nullable=False, server_default=""),
    Column("as_of", String(40), nullable=False, server_default=""),
    Column("ok", Boolean, nullable=True),
    Column("error", Text, nullable=False, server_default=""),
    Column("fired", Integer, nullable=False, server_default="0"),
    Column("resolved", Integer, nullable=False, server_default="0"),
    Column("open", Integer, nullable=False, server_default="0"),
    Column("created_by", String(100), nullable=False, server_default="system"),
)

notice = Table(
    "alert_notice",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("channel", String(10), nullable=False),  # mail | digest | webhook
    Column("rule_code", String(40), nullable=False),
    Column("day", Date, nullable=False),
    Column("alert_ids", JSON, nullable=False),
    Column("sent_at", TZ, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("error", Text, nullable=False, server_default=""),
    Index("ix_alert_notice_day", "username", "channel", "rule_code", "day"),
)

subscriber = Table(
    "alert_subscriber",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("email", String(200), nullable=False),
    Column("min_level", String(8), nullable=False, server_default="yellow"),
    Column("digest", Boolean, nullable=False, server_default=false()),
)

alert_change = Table(
    "alert_change",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("n", Integer, nullable=False, server_default="0"),
)
