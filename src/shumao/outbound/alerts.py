"""A change of a host economy's risk level, raised to each enterprise with projects there and
to its province.

``raise_changes`` writes one ``outbound_alert`` per enterprise and change (the enterprise sees
its own, the province those of its enterprises, the ministry all): the same shape as the
monitoring alerts (rule code, level, place, message in both languages). They are the history
of changes; the monitoring's alerts (rule ``outbound-risk-level``, 监测预警) carry the current
risk of each enterprise × economy with the monitor's lifecycle: ``monitor.hooks.risk_changed``
runs that rule after the commit that changed the levels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select

from shumao.auth.actors import Actor
from shumao.auth.roles import Role
from shumao.collection.tables import enterprise
from shumao.errors import UnknownCode
from shumao.outbound import register, risk_rules
from shumao.outbound import tables as t
from shumao.reference import countries


def _name(iso3: str, lang: str) -> str:
    try:
        c = countries.lookup(iso3)
    except UnknownCode:  # a grouping (EU27) has no country entry
        return iso3
    return c.name_zh if lang == "zh" else c.name_en


def message(economy: str, old: str, new: str, projects: list[str]) -> tuple[str, str]:
    """The alert's text in Chinese and English (names, not codes)."""
    o, n = risk_rules.level(old), risk_rules.level(new)
    up = n.min > o.min
    zh = (
        f"{_name(economy, 'zh')}风险等级由“{o.zh}”{'升' if up else '降'}为“{n.zh}”，"
        f"涉及本企业项目：{'、'.join(projects)}"
    )
    en = (
        f"{_name(economy, 'en')}: risk level {'raised' if up else 'lowered'} from {o.en} to "
        f"{n.en}; your projects there: {', '.join(projects)}"
    )
    return zh[:500], en[:500]


def raise_changes(
    conn: Connection, changes: list[tuple[str, str | None, str]], *, now: datetime
) -> int:
    """One alert per enterprise with live projects in an economy whose level changed."""
    if not changes:
        return 0
    projects = register.current(conn, actor=Actor("risk", Role.MINISTRY))
    live = projects.filter(pl.col("stage") != "EXITED")
    rows: list[dict[str, Any]] = []
    for economy, old, new in changes:
        assert old is not None
        there = live.filter(pl.col("host") == economy)
        for (uscc, province), part in there.group_by("uscc", "province_code", maintain_order=True):
            names = part["name"].to_list()
            zh, en = message(economy, old, new, names)
            rows.append(
                dict(
                    economy=economy,
                    uscc=uscc,
                    province_code=province,
                    level_from=old,
                    level_to=new,
                    projects=part["project_no"].to_list(),
                    message_zh=zh,
                    message_en=en,
                    raised_at=now,
                )
            )
    if rows:
        conn.execute(insert(t.alert), rows)
    return len(rows)


def visible(conn: Connection, *, actor: Actor) -> list[dict[str, Any]]:
    """The alerts ``actor`` may see, newest first."""
    a = t.alert.c
    query = select(t.alert).order_by(a.id.desc())
    if actor.role is Role.ENTERPRISE:
        query = query.where(a.uscc == actor.scope)
    elif actor.role is Role.PROVINCE:
        query = query.where(a.province_code == actor.scope)
    elif actor.role not in (Role.MINISTRY, Role.ADMIN):
        column = enterprise.c.park_code if actor.role is Role.PARK else enterprise.c.city_code
        query = query.join(enterprise, enterprise.c.uscc == a.uscc).where(column == actor.scope)
    return [dict(r) for r in conn.execute(query).mappings()]
